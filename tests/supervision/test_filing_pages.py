"""Filing pages under /supervision/filings/: the access matrix of every page for every role, the owner files
(chosen instruments, an Excel batch with a row report, a file with wrong columns), the county bureau decides and
designates, the unfiled list and its export, the instrument page's filing history; read in both languages."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook
from tests.conftest import web_client_for

from jiliang.supervision.models import FilingEntry, FilingState, InstitutionDesignation, InstrumentState

from .filing_helpers import ROLES, add_instrument, filed_world, non_mandatory, with_other_enterprise


@pytest.fixture
def fw(world):
    return filed_world(world)


# Expected status per page and role (anonymous: redirected to sign in).
PAGES = {
    "filings-list": dict.fromkeys(ROLES, 200),
    "filings-new": {**dict.fromkeys(ROLES, 403), "enterprise": 200, "enterprise_xw": 200},
    "filings-import": {**dict.fromkeys(ROLES, 403), "enterprise": 200, "enterprise_xw": 200},
    "filings-import-template": {**dict.fromkeys(ROLES, 403), "enterprise": 200, "enterprise_xw": 200},
    "filings-queue": {**dict.fromkeys(ROLES, 403), "province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 200},
    "filings-designations": dict.fromkeys(ROLES, 200),
    "filings-unfiled-list": dict.fromkeys(ROLES, 200),
}
FILING_VISIBLE = {"filing_ks": {"province", "suzhou", "kunshan", "enterprise"},
                  "filing_xw": {"province", "xuanwu", "enterprise_xw"}}


@pytest.mark.parametrize(("page", "role"), [(p, r) for p in PAGES for r in ROLES])
def test_page_matrix(fw, page, role):
    r = web_client_for(fw.users[role]).get(reverse(page))
    assert r.status_code == (302 if role == "anonymous" else PAGES[page][role])


@pytest.mark.parametrize(("record", "role"), [(rec, r) for rec in FILING_VISIBLE for r in ROLES])
def test_filing_detail_and_list_matrix(fw, record, role):
    obj = getattr(fw, record)
    client = web_client_for(fw.users[role])
    detail = client.get(reverse("filings-detail", args=[obj.pk]))
    listing = client.get(reverse("filings-list"))
    export = client.get(reverse("filings-list"), {"export": "xlsx"})
    if role == "anonymous":
        assert {detail.status_code, listing.status_code, export.status_code} == {302}
        return
    visible = role in FILING_VISIBLE[record]
    assert detail.status_code == (200 if visible else 404)
    assert (f'href="{reverse("filings-detail", args=[obj.pk])}"' in listing.content.decode()) == visible
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


UNFILED_SEES_KS = {"province", "suzhou", "kunshan", "enterprise"}


@pytest.mark.parametrize("role", ROLES)
def test_unfiled_list_matrix(world, role):
    w = with_other_enterprise(world)
    client = web_client_for(w.users[role])
    r = client.get(reverse("filings-unfiled-list"))
    export = client.get(reverse("filings-unfiled-list"), {"export": "xlsx"})
    if role == "anonymous":
        assert r.status_code == 302 and export.status_code == 302
        return
    assert ("KS-0001" in r.content.decode()) == (role in UNFILED_SEES_KS)
    rows = [c.value for row in load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows() for c in row]
    assert any("KS-0001" in str(v) for v in rows) == (role in UNFILED_SEES_KS)


DECIDE_OK = {"kunshan"}
# Those who see the entry but may not decide get 403; those who do not see it are told to choose an instrument.
DECIDE_STATUS = {"province": 403, "suzhou": 403, "kunshan": 302, "xuanwu": 302, "institute": 302,
                 "enterprise": 403, "enterprise_xw": 302}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_decide_page_matrix(fw, role):
    r = web_client_for(fw.users[role]).post(reverse("filings-decide"), {"entries": [fw.entry_ks.pk],
                                                                        "decision": "accept"})
    assert r.status_code == DECIDE_STATUS[role]
    fw.entry_ks.refresh_from_db()
    assert (fw.entry_ks.state == FilingState.ACCEPTED) == (role in DECIDE_OK)


def test_decide_page_anonymous_is_sent_to_sign_in(fw):
    r = web_client_for(None).post(reverse("filings-decide"), {"entries": [fw.entry_ks.pk], "decision": "accept"})
    assert r.status_code == 302 and "login" in r["Location"]
    fw.entry_ks.refresh_from_db()
    assert fw.entry_ks.state == FilingState.SUBMITTED


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anonymous"])
def test_designate_page_matrix(world, role):
    w = with_other_enterprise(world)
    r = web_client_for(w.users[role]).post(reverse("filings-designations"),
                                           {"owner": w.ent_ks.pk, "institution": w.inst_p.pk})
    assert r.status_code in ((302, 200) if role in ("kunshan", "xuanwu") else (403,))
    assert InstitutionDesignation.objects.filter(owner=w.ent_ks).exists() == (role == "kunshan")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_owner_files_bureau_returns_owner_refiles_in_both_languages(world, lang):
    w = world
    ent = web_client_for(w.users["enterprise"])
    ks = web_client_for(w.users["kunshan"])
    ent.cookies["django_language"] = ks.cookies["django_language"] = lang
    page = ent.get(reverse("filings-new")).content.decode()
    assert ("File instruments with the county bureau" in page) == (lang == "en")
    assert ("向县级市场监管部门登记备案" in page) == (lang == "zh-hans")
    assert "KS-0001" in page
    r = ent.post(reverse("filings-new"), {"instruments": [w.instrument_ks.pk], "note": "首次登记"})
    assert r.status_code == 302
    detail = ent.get(r["Location"]).content.decode()
    assert "KS-0001" in detail and "首次登记" in detail

    queue = ks.get(reverse("filings-queue")).content.decode()
    entry = FilingEntry.objects.get(instrument=w.instrument_ks)
    assert f'value="{entry.pk}"' in queue
    assert ("Filings awaiting the bureau" in queue) == (lang == "en")
    # A return without a reason is refused and named; with one it goes through.
    r = ks.post(reverse("filings-decide"), {"entries": [entry.pk], "decision": "return"}, follow=True)
    text = r.content.decode()
    assert "KS-0001" in text and (("say why it is returned" in text) if lang == "en" else ("请说明退回理由" in text))
    entry.refresh_from_db()
    assert entry.state == FilingState.SUBMITTED
    ks.post(reverse("filings-decide"), {"entries": [entry.pk], "decision": "return",
                                        f"reason_{entry.pk}": "铭牌编号不清"})
    entry.refresh_from_db()
    assert entry.state == FilingState.RETURNED and entry.reason == "铭牌编号不清"

    inst_page = ent.get(reverse("instruments-detail", args=[w.instrument_ks.pk])).content.decode()
    assert "铭牌编号不清" in inst_page
    assert (("filing history" in inst_page.lower()) if lang == "en" else ("登记备案记录" in inst_page))
    assert "KS-0001" in ent.get(reverse("filings-new")).content.decode()  # returned: may be filed again
    ent.post(reverse("filings-new"), {"instruments": [w.instrument_ks.pk]})
    assert FilingEntry.objects.filter(instrument=w.instrument_ks).count() == 2


def test_bureau_accepts_with_designation_on_the_filing_page(fw):
    ks = web_client_for(fw.users["kunshan"])
    page = ks.get(reverse("filings-detail", args=[fw.filing_ks.pk])).content.decode()
    assert 'id="filing-decide"' in page
    ks.post(reverse("filings-decide"), {"entries": [fw.entry_ks.pk], "decision": "accept",
                                        "designated_institution": fw.inst_p.pk,
                                        "next": reverse("filings-detail", args=[fw.filing_ks.pk])})
    s = InstrumentState.objects.get(pk=fw.instrument_ks.pk)
    assert s.filing_state == FilingState.ACCEPTED and s.designated_institution == fw.inst_p
    # The province reads the filing but decides nothing.
    page = web_client_for(fw.users["province"]).get(reverse("filings-detail", args=[fw.filing_ks.pk])).content
    assert b'id="filing-decide"' not in page


def test_designating_a_non_institution_on_the_page_is_refused(world):
    w = world
    client = web_client_for(w.users["kunshan"])
    client.cookies["django_language"] = "en"
    r = client.post(reverse("filings-designations"), {"owner": w.ent_ks.pk, "institution": w.ent_xw.pk},
                    follow=True)
    assert "is not a verification institution" in r.content.decode()
    assert not InstitutionDesignation.objects.exists()


def _xlsx(rows) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "filing.xlsx"
    return buf


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_excel_batch_with_row_report(world, lang):
    w = world
    second = add_instrument(w, w.ent_ks, "320583", "KS-0002")
    nm = non_mandatory(w)
    ent = web_client_for(w.users["enterprise"])
    ent.cookies["django_language"] = lang
    template = ent.get(reverse("filings-import-template"))
    headers = [c.value for c in next(load_workbook(io.BytesIO(template.content)).worksheets[0].iter_rows())]
    assert headers[0] == ("instrument number in jiliang" if lang == "en" else "计量器具在本系统中的编号")
    upload = _xlsx([headers,
                    [w.instrument_ks.pk, None, None, None],
                    [None, "凯丰衡器", "ACS-15", "KS-0002"],
                    [nm.pk, None, None, None],
                    [w.instrument_xw.pk, None, None, None],
                    [None, "凯丰衡器", "ACS-15", "NO-SUCH"],
                    ["abc", None, None, None]])
    r = ent.post(reverse("filings-import"), {"file": upload})
    text = r.content.decode()
    assert r.status_code == 200 and 'id="import-report"' in text
    filed = set(FilingEntry.objects.values_list("instrument_id", flat=True))
    assert filed == {w.instrument_ks.pk, second.pk}
    for row in ("<td>4</td>", "<td>5</td>", "<td>6</td>", "<td>7</td>"):
        assert row in text
    if lang == "en":
        assert "2 of 6 rows filed" in text and "not under mandatory verification" in text
        assert "not an instrument of" in text and "no instrument of" in text and "is not a whole number" in text
    else:
        assert "不属于强制检定" in text


def test_excel_with_wrong_columns_is_refused_naming_them(world):
    ent = web_client_for(world.users["enterprise"])
    ent.cookies["django_language"] = "en"
    upload = _xlsx([["编号", "器具名称"], [1, "电子秤"]])
    r = ent.post(reverse("filings-import"), {"file": upload})
    text = r.content.decode()
    assert 'id="import-problem"' in text and "Unknown columns" in text and "器具名称" in text
    assert not FilingEntry.objects.exists()


def test_designation_for_one_instrument_on_the_page(fw):
    from jiliang.supervision import filing

    ks = web_client_for(fw.users["kunshan"])
    ks.cookies["django_language"] = "en"
    # Not accepted yet: refused, named.
    r = ks.post(reverse("filings-designations"), {"instrument": fw.instrument_ks.pk, "institution": fw.inst_p.pk},
                follow=True)
    assert "has no accepted filing" in r.content.decode()
    filing.decide([fw.entry_ks], fw.users["kunshan"], filing.ACCEPT)
    ks.post(reverse("filings-designations"), {"instrument": fw.instrument_ks.pk, "institution": fw.inst_nj.pk})
    assert InstrumentState.objects.get(pk=fw.instrument_ks.pk).designated_institution == fw.inst_nj
    # Another county's instrument is not found.
    r = ks.post(reverse("filings-designations"), {"instrument": fw.instrument_xw.pk, "institution": fw.inst_p.pk},
                follow=True)
    assert "no instrument with this number in your region" in r.content.decode()
