"""The coverage page and the tree page in both languages, and the Excel export's rows (opened and counted)."""

import io

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import web_client_for
from tests.traceability.coverage_fixtures import small_province  # noqa: F401


def _web(user, lang):
    c = web_client_for(user)
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return c


def test_coverage_page_in_both_languages(small_province):  # noqa: F811
    w = small_province
    zh = _web(w.users["province"], "zh-hans").get(reverse("traceability-coverage"), {"date": "2026-06-01"}).content.decode()
    assert "社会公用计量标准覆盖率" in zh and "按计量专业" in zh and "缺口" in zh and "62.50 %" in zh
    assert 'id="chart-domains"' in zh and "data-domains" in zh
    # the plan's target (目标值), not a spot-check campaign's (抽查对象)
    assert '<div class="small text-muted">目标值</div>' in zh and 'data-target-label="目标值"' in zh
    en = _web(w.users["province"], "en").get(reverse("traceability-coverage"), {"date": "2026-06-01"}).content.decode()
    assert "Coverage of social public standards" in en and "By measurement domain" in en and "Gaps" in en
    assert "no standard&#x27;s range covers the instruments&#x27; range" in en
    assert "target not met" in en


def test_excel_export_rows(small_province):  # noqa: F811
    w = small_province
    r = _web(w.users["province"], "en").get(reverse("traceability-coverage"), {"date": "2026-06-01", "export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content), read_only=True)
    sheets = {ws.title: [row for row in ws.iter_rows(values_only=True)] for ws in wb.worksheets}
    assert sheets["By domain"][0][:3] == ("measurement domain", "instruments in use", "served in the province")
    assert len(sheets["By domain"]) == 1 + 2 + 1  # header, mechanics and electromagnetism, total
    assert sheets["By domain"][-1][1:3] == (8, 5)
    assert len(sheets["By parameter"]) == 1 + 4
    assert len(sheets["By region"]) == 1 + 2
    gaps = sheets["Gaps"]
    assert len(gaps) == 1 + 2
    assert {(g[0], g[3], g[4], g[5]) for g in gaps[1:]} == {("电能", 2, 2, 0), ("流量", 1, 0, 1)}
    about = dict((row[0], row[1]) for row in sheets["About this export"])
    assert about["definition version"] == "IND2-2026.1" and about["target (%)"] == "98.00"


def test_a_bad_date_is_refused(small_province):  # noqa: F811
    w = small_province
    r = web_client_for(w.users["province"]).get(reverse("traceability-coverage"), {"date": "2026-13-01"})
    assert r.status_code == 400 and b"date" in r.content
    from tests.conftest import client_for

    body = client_for(w.users["province"]).get("/api/traceability/coverage/", {"date": "yesterday"})
    assert body.status_code == 400 and body.json()["field"] == "date"
    body = client_for(w.users["province"]).get("/api/traceability/coverage/", {"region": "999999"})
    assert body.status_code == 400 and body.json()["field"] == "region"
