"""Excel import of a market's stalls and scales: good rows kept, bad ones reported by row and column (a scale already
on another stall, named twice in the file, a new stall without its trader, a number that is not one, a category
that weighs nothing), the template, and a file whose header is wrong."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook
from tests.conftest import web_client_for

from jiliang.core.audit import audit_context
from jiliang.livelihood import market_services as ms
from jiliang.livelihood.models import MarketScale, Stall

pytestmark = pytest.mark.django_db
HEADER = ["stall number", "trader", "public fair scale", "manufacturer", "model", "serial number",
          "maximum capacity (kg)", "category code"]


def xlsx(rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.fixture
def registered(lworld):
    with audit_context(actor=lworld.admin, channel="command"):
        ms.register_scale(market=lworld.market_ks, stall=lworld.stalls[0], manufacturer="凯丰衡器", model="ACS-30",
                          serial_number="OLD-1", actor=lworld.admin)
    return lworld


def test_import_keeps_good_rows_and_names_bad_ones(registered):
    client = web_client_for(registered.users["market_ks"])
    client.cookies["django_language"] = "en"
    data = xlsx([
        ["A-03", "王记蔬菜", "", "凯丰衡器", "ACS-30", "NEW-1", 30, ""],          # 2: new stall and scale
        ["A-04", "", "", "凯丰衡器", "ACS-30", "NEW-2", 30, ""],                   # 3: new stall without trader
        ["A-02", "", "", "凯丰衡器", "ACS-30", "OLD-1", 30, ""],                   # 4: already on A-01
        ["A-01", "", "", "凯丰衡器", "ACS-30", "NEW-1", 30, ""],                   # 5: row 2's scale again
        ["", "", "是", "凯丰衡器", "ACS-30", "FAIR-9", 30, ""],                    # 6: a fair scale
        ["A-02", "", "", "凯丰衡器", "ACS-30", "NEW-3", "thirty", ""],             # 7: not a number
        ["A-05", "李记水产", "", "", "", "", None, ""],                             # 8: a stall alone
        ["A-02", "", "", "凯丰衡器", "ACS-30", "NEW-4", 30, "pressure-gauge-safety"],  # 9: not a weighing category
        ["", "", "", "凯丰衡器", "ACS-30", "NEW-5", 30, ""],                       # 10: neither stall nor fair
    ])
    r = client.post(f"/livelihood/markets/{registered.market_ks.pk}/import/",
                    {"file": SimpleUploadedFile("stalls.xlsx", data)})
    assert r.status_code == 200
    report = r.context["report"]
    assert (report.total, report.stalls_created, report.scales_registered) == (9, 2, 2)
    errors = {(e.row, e.column): e.reason for e in report.errors}
    assert sorted({row for row, _c in errors}) == [3, 4, 5, 7, 9, 10]
    assert errors[(3, "trader")].startswith("is required")
    assert "A-01" in errors[(4, "instrument number in jiliang")]
    assert "A-03" in errors[(5, "instrument number in jiliang")]
    assert "not a number" in errors[(7, "maximum capacity (kg)")]
    assert "weighing" in errors[(9, "category code")]
    assert (10, "stall number") in errors
    assert Stall.objects.filter(market=registered.market_ks).count() == 4  # A-05 (no A-04)
    assert MarketScale.objects.get(instrument__serial_number="NEW-1").stall.number == "A-03"
    assert MarketScale.objects.get(instrument__serial_number="FAIR-9").fair_scale
    assert not MarketScale.objects.filter(instrument__serial_number__in=["NEW-2", "NEW-3", "NEW-4", "NEW-5"]).exists()
    html = r.content.decode()
    assert 'id="import-errors"' in html and "9 rows read" in html


def test_template_and_wrong_header(registered):
    client = web_client_for(registered.users["market_ks"])
    url = f"/livelihood/markets/{registered.market_ks.pk}/import/"
    t = client.get(url, {"template": "xlsx"})
    rows = list(load_workbook(io.BytesIO(t.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[0][0] == "摊位号"
    # the template as downloaded (its example row) imports nothing
    r = client.post(url, {"file": SimpleUploadedFile("t.xlsx", t.content)})
    assert r.context["report"].total == 0
    r = client.post(url, {"file": SimpleUploadedFile("bad.xlsx", xlsx([["A-09"]], header=["stall number", "colour"]))})
    assert "colour" in r.context["error"] and not Stall.objects.filter(number="A-09").exists()


@pytest.mark.parametrize("role", ["xuanwu", "water_ks", "enterprise", "institute"])
def test_import_is_for_the_market(registered, role):
    r = web_client_for(registered.users[role]).get(f"/livelihood/markets/{registered.market_ks.pk}/import/")
    assert r.status_code == 404
