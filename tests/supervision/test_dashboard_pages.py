"""The supervision dashboard, its exports, the overdue list and the rates API against a known history.

The history (tests/supervision/conftest.py ``history``, built through the real path: events saved, then state.refresh) is small enough to count by hand;
its rates for 2021 are written out below, not computed by the code under test.

Kunshan (320583, Suzhou), four price scales put in service on 2021-03-01 (first verification due then):
  K1 verified 2021-02-20, pass, valid until 2022-02-19   → on time
  K2 verified 2021-03-10, pass, valid until 2022-03-09   → late, but by the end of 2021
  K3 never verified                                       → not met
  K4 verified 2021-02-25, fail                            → on time (presented), not passed
Xuanwu (320102, Nanjing), one scale put in service on 2021-05-01:
  X1 verified 2021-04-20, pass, valid until 2021-10-31   → first due on time; second due 2021-10-31 not met
2021: Kunshan due 4, on time 2, by end 3, passed 2 of 3; Xuanwu due 2, on time 1, by end 1, passed 1 of 1.
Today (2025-06-15): overdue K1, K2, X1 (X1 the longest), failed K4, never verified K3.
"""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.urls import reverse
from lxml import html as lxml_html
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for


def _get(user, url, lang="zh-hans", **params):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client.get(url, params)


def _doc(user, lang="zh-hans", **params):
    response = _get(user, reverse("supervision-dashboard"), lang, **params)
    assert response.status_code == 200, response.content[:300]
    return lxml_html.fromstring(response.content.decode())


def _cells(doc, table, key):
    [row] = doc.xpath(f"//table[@id='table-{table}']//tr[@data-key='{key}']")
    return [" ".join(td.text_content().split()) for td in row.xpath("td")]


def _rates(doc, table, key):
    [row] = doc.xpath(f"//table[@id='table-{table}']//tr[@data-key='{key}']")
    return [row.xpath(f"td[@data-rate='{r}']")[0].text_content().strip() for r in ("on_time", "by_end", "pass")]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_province_figures_equal_the_hand_count(history, lang):
    doc = _doc(history.users["province"], lang, period="2021")
    assert _rates(doc, "regions", "320500") == ["50.0 %", "75.0 %", "66.7 %"]  # Suzhou: Kunshan's four
    assert _rates(doc, "regions", "320100") == ["50.0 %", "50.0 %", "100.0 %"]  # Nanjing: X1's two due dates
    assert _rates(doc, "regions", "total") == ["50.0 %", "66.7 %", "75.0 %"]
    assert doc.get_element_by_id("rate-on-time").text_content().strip() == "50.0 %"
    assert doc.get_element_by_id("count-overdue").text_content().strip() == "3"
    # status columns: valid, due soon, overdue, failed, never verified, life ended; then due
    # (never verified: K3, and the world's own scale of each county, mandatory, with no verification)
    assert _cells(doc, "regions", "320500")[1:8] == ["0", "0", "2", "1", "2", "0", "4"]
    assert _cells(doc, "regions", "320100")[1:8] == ["0", "0", "1", "0", "1", "0", "2"]
    text = " ".join(doc.text_content().split())
    assert ("强制检定监管" if lang == "zh-hans" else "Supervision of mandatory verification") in text
    assert ("受检率" if lang == "zh-hans" else "verification rate on time") in text
    assert doc.xpath("//div[@id='chart-map']") and doc.xpath("//script[@id='data-map']")
    # the ranking: both cities at 50 %, under the 98 % target
    assert [r.get("data-key") for r in doc.xpath("//table[@id='table-ranking']/tbody/tr")] == ["320100", "320500"]
    # a month without anything due shows a dash, not 0 %
    assert _rates(_doc(history.users["province"], lang, period="2021-07"), "regions", "total")[0] == "—"
    q = _doc(history.users["province"], lang, period="2021-Q2")
    assert _rates(q, "regions", "total")[0] == "100.0 %"  # only X1's first verification (May) is due in Q2


def test_exports_hold_the_same_figures(history):
    user = history.users["province"]
    response = _get(user, reverse("supervision-dashboard"), period="2021", export="regions")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 1 + 2 + 1  # header, Nanjing and Suzhou, total
    by_name = {r[0]: r for r in rows[1:]}
    header = list(rows[0])
    on_time = header.index("按期受检率(%)")
    assert by_name["苏州市"][on_time] == 50.0 and by_name["合计"][on_time] == 50.0
    assert by_name["苏州市"][header.index("应检")] == 4
    for kind, n in (("category", 1 + 1 + 1), ("usage", 1 + 1 + 1), ("owner_kind", 1 + 1 + 1), ("trend", 1 + 12),
                    ("ranking", 1 + 2), ("column10", 1 + 2)):
        response = _get(user, reverse("supervision-dashboard"), period="2021", export=kind)
        assert response.status_code == 200, kind
        assert len(list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows())) == n, kind
    assert _get(user, reverse("supervision-dashboard"), export="nonsense").status_code == 400
    assert b"period" in _get(user, reverse("supervision-dashboard"), period="2021-13").content


def test_drill_down_is_scoped(history):
    kunshan = history.users["kunshan"]
    doc = _doc(kunshan, period="2021")
    assert [r.get("data-key") for r in doc.xpath("//table[@id='table-regions']/tbody/tr")] == ["320583"]
    assert _rates(doc, "regions", "total") == ["50.0 %", "75.0 %", "66.7 %"]
    for other in ("320102", "320500", "320100", "320000"):  # another county, its own city, another city, province
        assert _get(kunshan, reverse("supervision-dashboard"), region=other).status_code == 403
    suzhou = _doc(history.users["suzhou"], period="2021")
    assert [r.get("data-key") for r in suzhou.xpath("//table[@id='table-regions']/tbody/tr")] == ["320583"]
    assert _get(history.users["suzhou"], reverse("supervision-dashboard"), region="320102").status_code == 403
    # the province drills down to Nanjing, then to Xuanwu
    nj = _doc(history.users["province"], period="2021", region="320100")
    assert [r.get("data-key") for r in nj.xpath("//table[@id='table-regions']/tbody/tr")] == ["320102"]
    assert [c.get("data-region") for c in nj.xpath("//ol[@id='crumbs']/li")] == ["320000", "320100"]
    xw = _doc(history.users["xuanwu"], period="2021")
    assert _rates(xw, "regions", "total") == ["50.0 %", "50.0 %", "100.0 %"]


def test_overdue_list_longest_first_scoped_and_exported(history):
    def serials(user, **params):
        response = _get(user, reverse("supervision-overdue"), **params)
        assert response.status_code == 200
        doc = lxml_html.fromstring(response.content.decode())
        return [r.xpath("td")[5].text_content().strip() for r in doc.xpath("//tr[@class='overdue-row']")]

    assert serials(history.users["province"]) == ["X1", "K1", "K2"]
    assert serials(history.users["kunshan"]) == ["K1", "K2"]
    assert serials(history.users["xuanwu"]) == ["X1"]
    assert serials(history.users["province"], region="320500") == ["K1", "K2"]
    assert serials(history.users["province"], usage="safety") == []
    assert _get(history.users["kunshan"], reverse("supervision-overdue"), region="320102").status_code == 403
    response = _get(history.users["province"], reverse("supervision-overdue"), export="xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][5] == "X1" and rows[1][8] == (dt.date.today() - dt.date(2021, 10, 31)).days


def test_api_rates_and_overdue(history):
    api = client_for(history.users["province"])
    body = api.get(reverse("api:supervision-rates"), {"period": "2021", "group": "child"}).json()
    assert body["version"] and body["total"]["rates"][0] == {
        "name": "verification_rate", "numerator": 3, "denominator": 6, "value": 0.5,
        "definition": body["total"]["rates"][0]["definition"], "version": body["version"]}
    children = {c["region"]: c for c in body["children"]}
    assert children["320500"]["rates"][2]["numerator"] == 2 and children["320500"]["rates"][2]["denominator"] == 3
    assert children["320100"]["statuses"]["overdue"] == 1
    bad = api.get(reverse("api:supervision-rates"), {"usage": "nope"})
    assert bad.status_code == 400 and bad.json()["field"] == "usage"
    kunshan = client_for(history.users["kunshan"])
    assert kunshan.get(reverse("api:supervision-rates"), {"region": "320102"}).status_code == 403
    assert kunshan.get(reverse("api:supervision-rates"), {"period": "2021"}).json()["total"]["rates"][0][
        "denominator"] == 4
    listing = kunshan.get(reverse("api:supervision-overdue-list")).json()
    assert [r["serial_number"] for r in listing["results"]] == ["K1", "K2"]
    assert listing["results"][0]["contact_phone"] == history.ent_ks.contact_phone


ROLES_PAGES = {"province": 200, "suzhou": 200, "kunshan": 200, "xuanwu": 200, "institute": 403,
               "enterprise": 403}


@pytest.mark.parametrize("role", [*ROLES_PAGES, "anonymous"])
def test_access_matrix(world, role):
    user = world.users[role]
    for name, params in (("supervision-dashboard", {}), ("supervision-overdue", {}),
                         ("supervision-dashboard", {"export": "regions"}), ("supervision-overdue", {"export": "xlsx"})):
        response = web_client_for(user).get(reverse(name), params)
        if role == "anonymous":
            assert response.status_code == 302 and "/login/" in response["Location"]
        else:
            assert response.status_code == ROLES_PAGES[role], (name, role)
    settings_page = web_client_for(user).get(reverse("supervision-settings"))
    assert settings_page.status_code == {"province": 200, "anonymous": 302}.get(role, 403)
    for name in ("api:supervision-rates", "api:supervision-overdue-list"):
        response = client_for(user).get(reverse(name))
        expected = {"anonymous": (401, 403)}.get(role, (ROLES_PAGES.get(role),))
        assert response.status_code in expected, (name, role, response.status_code)
