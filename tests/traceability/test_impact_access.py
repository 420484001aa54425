"""Who sees which reverse-traceability case and records, by API and page, over the world's roles; opening by API;
the pages in both languages."""

import io

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for
from tests.traceability.impact_fixtures import icase  # noqa: F401

from jiliang.core.audit import audit_context
from jiliang.traceability import impact

# role → (sees the case, certificate numbers of the affected records seen)
ALL = {"CERT", "JSJL-NJ-1", "NJ-XW-1"}
MATRIX = {
    "province": (True, ALL),
    "suzhou": (True, {"CERT"}),  # Kunshan is in Suzhou
    "kunshan": (True, {"CERT"}),
    "xuanwu": (True, {"NJ-XW-1"}),
    "institute": (True, ALL),  # the case's institute decides on all
    "enterprise": (True, {"CERT"}),  # the Kunshan scale's owner: its own record only
    "anonymous": (False, set()),
}


@pytest.fixture
def case(icase):  # noqa: F811
    with audit_context(actor=icase.institute, channel="web"):
        return impact.open_standard_case(icase.w.standard_p, actor=icase.institute, found_on=icase.today,
                                         reason="期间核查超差")


@pytest.mark.parametrize("role", list(MATRIX))
def test_api_matrix(icase, case, role):  # noqa: F811
    sees, records = MATRIX[role]
    user = icase.w.users[role]
    c = client_for(user)
    detail = c.get(reverse("api:traceability-impact-detail", args=[case.pk]))
    listing = c.get(reverse("api:traceability-impact-list"))
    affected = c.get(reverse("api:traceability-impact-affected", args=[case.pk]))
    if role == "anonymous":
        assert {detail.status_code, listing.status_code, affected.status_code} <= {401, 403}
        return
    assert detail.status_code == (200 if sees else 404)
    assert (case.pk in {r["id"] for r in listing.json()["results"]}) == sees
    got = {r["certificate_no"] for r in affected.json()["results"]}
    assert got == {icase.cert.number if n == "CERT" else n for n in records}
    if sees:
        assert detail.json()["affected_instruments"] == 2


@pytest.mark.parametrize("role", list(MATRIX))
def test_page_matrix(icase, case, role):  # noqa: F811
    sees, records = MATRIX[role]
    c = web_client_for(icase.w.users[role])
    r = c.get(f"/traceability/impact/{case.pk}/")
    if role == "anonymous":
        assert r.status_code == 302
        return
    assert r.status_code == 200
    html = r.content.decode()
    for n in ALL:
        number = icase.cert.number if n == "CERT" else n
        assert (f"<td>{number}</td>" in html) == (n in records), (role, n)
    assert ("decide-form" in html) == (role == "institute")
    listing = c.get("/traceability/impact/")
    assert f'data-case="{case.pk}"' in listing.content.decode()


def test_opening_by_api(icase):  # noqa: F811
    w = icase.w
    url = reverse("api:traceability-impact-list")
    body = {"standard": w.standard_p.pk, "reason": "超差", "found_on": str(icase.today)}
    for role in ("enterprise", "kunshan", "xuanwu"):  # neither its institute nor a bureau over its region
        r = client_for(w.users[role]).post(url, body, format="json")
        assert r.status_code in (400, 403)  # not visible (400), or visible and not theirs (403)
    r = client_for(w.users["institute"]).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["affected_certificates"] == 3
    r = client_for(w.users["province"]).post(url, {"reason": "x"}, format="json")
    assert r.status_code == 400
    r = client_for(w.users["province"]).post(url, {**body, "found_on": "2999-01-01"}, format="json")
    assert r.status_code == 400 and "found_on" in r.json()


def test_deciding_by_api(icase, case):  # noqa: F811
    rec = case.affected.get(certificate_no="NJ-XW-1")
    url = reverse("api:traceability-impact-decide", args=[case.pk])
    r = client_for(icase.w.users["xuanwu"]).post(url, {"record": rec.pk, "decision": "upheld"}, format="json")
    assert r.status_code == 403
    r = client_for(icase.institute).post(url, {"record": rec.pk, "decision": "reissued", "note": "NJ-XW-2"},
                                         format="json")
    assert r.status_code == 200 and r.json()["decision"] == "reissued"


@pytest.mark.parametrize("lang, words", [("zh-hans", ["反向溯源案件", "受影响记录", "复核中"]),
                                         ("en", ["Reverse-traceability case", "Affected records", "under review"])])
def test_pages_in_both_languages(icase, case, lang, words):  # noqa: F811
    c = web_client_for(icase.institute)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    html = c.get(f"/traceability/impact/{case.pk}/").content.decode()
    for word in words:
        assert word in html
    assert 'id="data-tree"' in html and "E2级砝码标准装置" in html
    std_page = c.get(f"/registry/standards/{icase.w.standard_p.pk}/").content.decode()
    assert 'id="open-impact-case"' in std_page and f"/traceability/impact/{case.pk}/" in std_page
    form = c.get(f"/traceability/impact/open/{icase.w.standard_p.pk}/")
    assert form.status_code == 200 and ("立案" if lang == "zh-hans" else "Open the case") in form.content.decode()


def test_the_open_form_and_the_list_export(icase):  # noqa: F811
    c = web_client_for(icase.institute)
    url = f"/traceability/impact/open/{icase.w.standard_p.pk}/"
    bad = c.post(url, {"found_on": "", "reason": "x"})
    assert bad.status_code == 400
    r = c.post(url, {"found_on": str(icase.today), "reason": "超差"})
    assert r.status_code == 302
    assert web_client_for(icase.w.users["enterprise"]).get(url).status_code == 404
    data = c.get("/traceability/impact/?export=xlsx").content
    rows = list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][7] == 3
