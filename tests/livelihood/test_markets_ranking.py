"""The markets' figures against a hand count: per-market 受检率 and 合格率 with supervision's definitions, the ranking,
the score (market_score.py, pure), and the 专栏10 figures by region on the ranking page and in its Excel files."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.core.audit import audit_context
from jiliang.livelihood import market_rates, market_score
from jiliang.livelihood import market_services as ms
from jiliang.supervision import rates, records

pytestmark = pytest.mark.django_db
YEAR = rates.Period.year(2026)
INSTALLED = dt.date(2026, 1, 10)
REPORTED_ON = dt.date(2026, 6, 15)


def _scale(lw, market, stall, serial):
    with audit_context(actor=lw.admin, channel="command"):
        return ms.register_scale(market=market, stall=stall, manufacturer="凯丰衡器", model="ACS-30",
                                 serial_number=serial, installation_date=INSTALLED, actor=lw.admin)


def _verify(lw, scale, n, on, result):
    row = {"institution_uscc": lw.world.inst_p.uscc, "number": f"JJ-2026-{n:04d}", "instrument": scale.pk,
           "kind": "first", "verified_on": on.isoformat(), "result": result}
    if result == "pass":
        row["next_due"] = row["certificate_valid_until"] = (on + dt.timedelta(days=364)).isoformat()
    with audit_context(actor=lw.admin, channel="command"):
        [r] = records.report_records([row], actor=lw.admin, today=REPORTED_ON)
    assert r.status == "created", r


@pytest.fixture
def counted(lworld):
    """Market A (城东): four scales: on time pass, late pass, on time fail, never verified.
    Market B (城西): one scale verified on time, passed; all five unifications with evidence."""
    a1, a2 = lworld.stalls
    s = [_scale(lworld, lworld.market_ks, st, f"A-{i}") for i, st in enumerate((a1, a1, a2, a2))]
    _verify(lworld, s[0], 1, dt.date(2026, 1, 5), "pass")
    _verify(lworld, s[1], 2, dt.date(2026, 2, 1), "pass")
    _verify(lworld, s[2], 3, dt.date(2026, 1, 8), "fail")
    with audit_context(actor=lworld.admin, channel="command"):
        b = ms.create_market(operator=lworld.operator_ks, name="城西农贸市场", region="320583", actor=lworld.admin)
        stall = ms.add_stall(market=b, number="B-01", trader="摊主", actor=lworld.admin)
        for item in ("configuration", "management", "verification", "repair", "rotation"):
            ms.record_unification(market=b, item=item, met=True, responsible="市场", detail="台账",
                                  evidence_date=dt.date(2026, 3, 1), actor=lworld.admin, today=REPORTED_ON)
        ms.record_unification(market=lworld.market_ks, item="verification", met=True, responsible="所",
                              detail="批量检定", evidence_date=dt.date(2026, 3, 1), actor=lworld.admin,
                              today=REPORTED_ON)
        ms.record_unification(market=lworld.market_ks, item="repair", met=True, responsible="", detail="no who",
                              evidence_date=dt.date(2026, 3, 1), actor=lworld.admin, today=REPORTED_ON)
    sb = _scale(lworld, b, stall, "B-0")
    _verify(lworld, sb, 4, dt.date(2026, 1, 9), "pass")
    return lworld, b


def test_per_market_rates_against_a_hand_count(counted):
    lw, b = counted
    fa, fb = market_rates.market_figures([lw.market_ks, b], YEAR)
    # A: due 4 (each first occurrence on 2026-01-10); on time: 01-05 pass and 01-08 fail (presented, 受检) = 2
    assert (fa.on_time.numerator, fa.on_time.denominator) == (2, 4)
    assert (fa.passed.numerator, fa.passed.denominator) == (2, 3)
    assert (fb.on_time.numerator, fb.on_time.denominator, fb.passed.numerator, fb.passed.denominator) == (1, 1, 1, 1)
    # A: one item counts ("repair" is met but names nobody); B: all five
    assert fa.score.unifications == 1 and fb.score.unifications == 5 and fb.score.fully_unified
    assert fa.score.value == pytest.approx(100 * (1 / 5 + 2 / 4 + 2 / 3) / 3)
    assert fb.score.value == pytest.approx(100.0)
    assert fa.scales == 4 and fa.statuses.get("failed") == 1 and fa.statuses.get("never_verified") == 1
    assert [f.market for f in market_rates.ranked([fa, fb])] == [b, lw.market_ks]


def test_market_rates_are_the_counters_rates(counted):
    """The per-market figures add up to the dashboard's column-10 figures of the county (one definition)."""
    lw, _b = counted
    total, rows = market_rates.column10_by_region("320583", YEAR)
    assert (total.on_time.numerator, total.on_time.denominator) == (3, 5)
    assert (total.passed.numerator, total.passed.denominator) == (3, 4)
    assert [r.key for r in rows] == ["320583"]
    province, by_city = market_rates.column10_by_region("320000", YEAR)
    assert (province.on_time.numerator, province.on_time.denominator) == (3, 5)
    assert [r.key for r in by_city] == ["320500"]


def test_ranking_page_and_exports(counted):
    lw, b = counted
    client = web_client_for(lw.users["suzhou"])
    r = client.get("/livelihood/markets/ranking/", {"period": "2026"})
    assert r.status_code == 200
    html = r.content.decode()
    assert html.index(f'data-market="{b.pk}"') < html.index(f'data-market="{lw.market_ks.pk}"')
    assert "60.0 %" in html and "75.0 %" in html  # the city's column-10 row: 3/5 and 3/4
    x = client.get("/livelihood/markets/ranking/", {"period": "2026", "export": "ranking"})
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == 3 and rows[1][1] == "城西农贸市场" and rows[2][7:9] == (50, 66.7)
    x = client.get("/livelihood/markets/ranking/", {"period": "2026", "export": "column10", "region": "320583"})
    rows = list(load_workbook(io.BytesIO(x.content)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 3 and rows[-1][1:4] == (5, 3, 60.0)


@pytest.mark.parametrize(("user", "code"), [("province", 200), ("suzhou", 200), ("kunshan", 200), ("xuanwu", 200),
                                            ("institute", 403), ("enterprise", 403), ("water_ks", 403),
                                            ("market_ks", 403), ("anonymous", 302)])
def test_ranking_is_for_bureaus(lworld, user, code):
    r = web_client_for(lworld.users[user]).get("/livelihood/markets/ranking/")
    assert r.status_code == code
    if user == "xuanwu":
        assert lworld.market_ks.name not in r.content.decode()
        assert web_client_for(lworld.users[user]).get("/livelihood/markets/ranking/",
                                                      {"region": "320583"}).status_code == 403


def test_score_definition():
    item = market_score.Item
    full = item(True, "市场", "台账", dt.date(2026, 1, 1))
    assert market_score.item_counts(full)
    assert market_score.item_counts(item(True, "市场", "", dt.date(2026, 1, 1), has_document=True))
    assert not market_score.item_counts(item(True, "市场", "台账", None))
    assert not market_score.item_counts(item(False, "市场", "台账", dt.date(2026, 1, 1)))
    assert market_score.missing_evidence(item(True)) == ["responsible", "evidence_date", "evidence"]
    s = market_score.score([full] * 5, None, None)
    assert s.value == 100 and s.components == [1.0]  # nothing due: the rates are left out, not zero
    s = market_score.score([full] * 2, 0.5, 1.0)
    assert s.value == pytest.approx(100 * (0.4 + 0.5 + 1.0) / 3)
    assert s.as_dict()["version"] == market_score.VERSION
    with pytest.raises(ValueError):
        market_score.score([], 1.2, None)
    with pytest.raises(ValueError):
        market_score.score([full] * 6, None, None)
