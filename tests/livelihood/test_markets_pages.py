"""Market pages: the list (filters, Excel opened and counted), the market page in both languages with scales by
stall and their supervision status, the operator's forms (open a stall, register, move, take off a scale), the
five-unifications checklist with a document and the bureau's confirmation, and who may open what."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.core.audit import audit_context
from jiliang.livelihood import market_services as ms
from jiliang.livelihood.models import MarketScale, Stall, UnificationCheck

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% evidence\n"
VISIBLE = {"province", "suzhou", "kunshan", "market_ks"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def market(lworld):
    with audit_context(actor=lworld.admin, channel="command"):
        ms.register_scale(market=lworld.market_ks, stall=lworld.stalls[0], manufacturer="凯丰衡器", model="ACS-30",
                          serial_number="P-1", actor=lworld.admin)
        ms.register_scale(market=lworld.market_ks, fair_scale=True, manufacturer="凯丰衡器", model="ACS-30",
                          serial_number="FAIR-1", actor=lworld.admin)
    return lworld


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_market_page_in_both_languages(market, lang):
    client = web_client_for(market.users["market_ks"])
    client.cookies["django_language"] = lang
    r = client.get(f"/livelihood/markets/{market.market_ks.pk}/")
    assert r.status_code == 200
    html = r.content.decode()
    assert market.market_ks.name in html and market.operator_ks.name in html
    assert 'data-stall="A-01"' in html and 'data-stall="A-02"' in html
    assert 'data-status="never_verified"' in html
    words = ("公平秤", "五统一", "集贸市场评分") if lang == "zh-hans" else ("fair scale", "Five unifications",
                                                                   "market score")
    for w in words:
        assert w in html, w
    scale = MarketScale.objects.get(stall__isnull=False)
    assert scale.instrument.instrument_code and scale.instrument.instrument_code in html
    r = client.get(f"/livelihood/markets/{market.market_ks.pk}/unifications/")
    assert r.status_code == 200 and ("统一轮换" if lang == "zh-hans" else "unified rotation") in r.content.decode()
    r = client.get("/livelihood/markets/")
    assert r.status_code == 200 and market.market_ks.name in r.content.decode()


def test_list_filters_and_excel(market):
    with audit_context(actor=market.admin, channel="command"):
        ms.create_market(operator=market.operator_ks, name="城西农贸市场", region="320583", actor=market.admin)
    client = web_client_for(market.users["suzhou"])
    r = client.get("/livelihood/markets/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3  # header + two markets
    r = client.get("/livelihood/markets/", {"export": "xlsx", "q": "城西"})
    assert len(list(load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(values_only=True))) == 2
    r = client.get("/livelihood/markets/", {"region": "320102"})
    assert "market-row" not in r.content.decode()
    r = client.get("/livelihood/markets/", {"min_score": "50"})
    assert "market-row" not in r.content.decode()  # nothing met, nothing due: score 0
    r = client.get("/livelihood/markets/", {"operator": str(market.operator_ks.pk)})
    assert r.content.decode().count("market-row") == 2


def test_operator_forms(market):
    client = web_client_for(market.users["market_ks"])
    url = f"/livelihood/markets/{market.market_ks.pk}/"
    r = client.post(url + "stalls/add/", {"number": "A-03", "trader": "王记蔬菜", "goods": "蔬菜"})
    assert r.status_code == 302 and Stall.objects.filter(number="A-03").exists()
    stall3 = Stall.objects.get(number="A-03")
    r = client.post(url + "scales/add/", {"stall": stall3.pk, "manufacturer": "凯丰衡器", "model": "ACS-15",
                                          "serial_number": "P-9", "category": "nawi-price-scale"})
    assert r.status_code == 302
    new = MarketScale.objects.get(instrument__serial_number="P-9")
    assert new.stall == stall3
    # the same scale on another stall: refused, the message names the stall that has it
    r = client.post(url + "scales/add/", {"stall": market.stalls[1].pk, "instrument": new.pk}, follow=True)
    assert "A-03" in r.content.decode() and MarketScale.objects.get(pk=new.pk).stall == stall3
    r = client.post(f"/livelihood/market-scales/{new.pk}/move/", {"stall": market.stalls[1].pk})
    assert MarketScale.objects.get(pk=new.pk).stall == market.stalls[1]
    r = client.post(f"/livelihood/market-scales/{new.pk}/move/", {"stall": ""})
    assert MarketScale.objects.get(pk=new.pk).fair_scale
    r = client.post(f"/livelihood/market-scales/{new.pk}/remove/")
    assert not MarketScale.objects.filter(pk=new.pk).exists()
    # the county bureau of another county cannot
    other = web_client_for(market.users["xuanwu"])
    assert other.post(url + "stalls/add/", {"number": "Z", "trader": "x"}).status_code == 404
    # the county bureau of the market's county sees the page but the enterprise of Kunshan does not
    assert web_client_for(market.users["enterprise"]).get(url).status_code == 404


def test_checklist_document_and_confirmation(market):
    op = web_client_for(market.users["market_ks"])
    url = f"/livelihood/markets/{market.market_ks.pk}/unifications/"
    r = op.post(url, {"item": "verification", "met": "on", "responsible": "昆山计量所", "detail": "批量检定",
                      "evidence_date": "2026-05-20", "document": SimpleUploadedFile("r.pdf", PDF)})
    assert r.status_code == 302
    check = UnificationCheck.objects.get()
    assert check.met and check.document
    doc = op.get(f"/livelihood/unifications/{check.pk}/document/")
    assert doc.status_code == 200 and b"".join(doc.streaming_content) == PDF and doc["Content-Type"] == "application/pdf"
    assert web_client_for(market.users["xuanwu"]).get(f"/livelihood/unifications/{check.pk}/document/").status_code \
        == 404
    r = op.post(url, {"item": "rotation", "met": "on", "document": SimpleUploadedFile("x.exe", b"MZ\x90")},
                follow=True)
    assert "PDF" in r.content.decode() and not UnificationCheck.objects.filter(item="rotation").exists()
    assert op.post(f"/livelihood/unifications/{check.pk}/confirm/").status_code == 403
    ks = web_client_for(market.users["kunshan"])
    assert ks.post(f"/livelihood/unifications/{check.pk}/confirm/").status_code == 302
    check.refresh_from_db()
    assert check.checked_by == market.users["kunshan"]
    html = ks.get(url).content.decode()
    assert "Withdraw" in html or "撤回" in html


@pytest.mark.parametrize("role", ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "water_ks",
                                  "market_ks", "anonymous"])
def test_market_page_access_matrix(market, role):
    client = web_client_for(market.users[role])
    r = client.get(f"/livelihood/markets/{market.market_ks.pk}/")
    if role == "anonymous":
        assert r.status_code == 302
        return
    assert r.status_code == (200 if role in VISIBLE else 404)
    listed = client.get("/livelihood/markets/").content.decode()
    assert (market.market_ks.name in listed) == (role in VISIBLE)
    writes = client.post(f"/livelihood/markets/{market.market_ks.pk}/stalls/add/", {"number": f"N-{role}",
                                                                                   "trader": "t"})
    assert Stall.objects.filter(number=f"N-{role}").exists() == (role in VISIBLE)
    assert writes.status_code in (302, 403, 404)
