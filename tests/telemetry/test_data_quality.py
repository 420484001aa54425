"""Data quality as the national online monitoring system defines it (issue #5 item 4): completeness per point
and enterprise, the daily totals of a month against its monthly total, timestamp alignment; the report page
for every role, its Excel export and its answers to a bad ``day``.

Readings go through the real ingest pipeline. Day D is Monday 2026-11-23 (Asia/Shanghai); a reading counts
toward the day in which it ends, so D's readings are those in (D 00:00, D+1 00:00]:

* Kunshan ``E-IN`` (15 min): 00:00 … 24:00 of D, 96 of 96 in D (100 %);
* Kunshan ``W-IN`` (15 min): 00:00 … 20:00, 80 of 96 (83.3 %, flagged); the enterprise: 176 of 192 (91.6 %);
* Kunshan ``E-SUB1`` is not required for online: not counted;
* Xuanwu ``E-IN`` (15 min): 96 of 96, of which 4 off the grid by more than 60 s (one exactly 60 s off, which
  is within the tolerance).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from tests.conftest import ROLES, uscc_for, web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as rm
from jiliang.telemetry import quality
from jiliang.telemetry.consumption import LOCAL
from jiliang.telemetry.ingest import Group, ingest
from jiliang.telemetry.models import EnterpriseRollup, PointRollup
from jiliang.telemetry.parsing import RawReading
from jiliang.telemetry.templatetags.energy import pct_down, pct_up

DAY = dt.date(2026, 11, 23)
D = dt.datetime(2026, 11, 23, tzinfo=LOCAL)
Q = dt.timedelta(minutes=15)
URL = "energy-quality"
KS = {"province", "suzhou", "kunshan", "enterprise"}
XW = {"province", "xuanwu"}
XW_TIMES = [D + i * Q for i in range(1, 92)] + [  # 00:15 … 22:45 on the grid
    D + dt.timedelta(hours=23, minutes=1),  # 60 s off 23:00: within the tolerance
    D + dt.timedelta(hours=23, minutes=16, seconds=1),  # 61 s off 23:15: misaligned
    D + dt.timedelta(hours=23, minutes=22), D + dt.timedelta(hours=23, minutes=37),  # 7 min past: misaligned
    D + dt.timedelta(hours=23, minutes=52),
]


def send(org, rows):
    readings = [RawReading(f"row {i}", code, ts, Decimal(str(v))) for i, (code, ts, v) in enumerate(rows, 1)]
    [res] = ingest([Group(org, readings)], channel="file")
    assert res.batch.rejected == 0, res.batch.rejections
    return res


@pytest.fixture
def day_data(energy):
    """The readings of day D described in the module docstring."""
    ks, xw = energy.world.ent_ks, energy.world.ent_xw
    send(ks, [("E-IN", D + i * Q, 1000 + i) for i in range(97)]  # 1 kWh a quarter × multiplier 100
         + [("W-IN", D + i * Q, Decimal("500") + Decimal("0.5") * i) for i in range(81)])  # 0.5 m³ a quarter
    send(xw, [("E-IN", D, 0)] + [("E-IN", ts, n) for n, ts in enumerate(XW_TIMES, 1)])
    return energy


def row_of(report, org):
    [row] = [r for r in report.enterprises if r.enterprise.pk == org.pk]
    return row


def check_of(row, energy_type):
    [check] = [e for e in row.energy if e.energy_type == energy_type]
    return check


# --- the figures ----------------------------------------------------------------------------------------

def test_rollups_hold_the_counts(day_data):
    e = day_data
    assert PointRollup.objects.get(point=e.e_in_ks, period="day", start=D).readings == 96
    assert PointRollup.objects.get(point=e.e_in_ks, period="day", start=D - dt.timedelta(days=1)).readings == 1
    assert PointRollup.objects.get(point=e.w_in_ks, period="day", start=D).readings == 80
    day_xw = PointRollup.objects.get(point=e.e_in_xw, period="day", start=D)
    assert (day_xw.readings, day_xw.misaligned) == (96, 4)


def test_completeness_per_point(day_data):
    e = day_data
    points = {p.code: p for p in quality.point_quality(e.world.users["province"], e.world.ent_ks, DAY)}
    assert set(points) == {"E-IN", "W-IN"}  # E-SUB1 is not required for online
    full, water = points["E-IN"], points["W-IN"]
    assert (full.interval, full.due, full.received, full.misaligned) == (900, 96, 96, 0)
    assert full.completeness == 1.0 and not full.incomplete and not full.flagged
    assert (water.due, water.received) == (96, 80)
    assert water.completeness == pytest.approx(80 / 96) and water.incomplete and water.flagged
    assert pct_down(water.completeness) == 83.3
    # the functions that were there before still agree
    assert quality.completeness(e.w_in_ks, D) == pytest.approx(80 / 96)
    flagged = quality.flagged_completeness(e.world.users["province"], D)
    assert {(p.code, p.enterprise_id) for p, _c in flagged} == {("W-IN", e.world.ent_ks.pk)}


def test_completeness_per_enterprise(day_data):
    e = day_data
    report = quality.data_quality(e.world.users["province"], DAY)
    assert (report.day, report.day_start, report.month_start) == (DAY, D, dt.datetime(2026, 11, 1, tzinfo=LOCAL))
    ks = row_of(report, e.world.ent_ks)
    assert (ks.points, ks.due, ks.received, ks.counted, ks.points_incomplete) == (2, 192, 176, 176, 1)
    assert ks.completeness == pytest.approx(176 / 192) and not ks.incomplete  # 91.7 %: the enterprise passes
    assert ks.flags == [quality.Flag.POINTS]  # but one of its points does not
    xw = row_of(report, e.world.ent_xw)
    assert (xw.points, xw.due, xw.received, xw.misaligned, xw.points_incomplete) == (1, 96, 96, 4, 0)
    assert xw.misaligned_share == pytest.approx(4 / 96) and xw.flags == [quality.Flag.MISALIGNED]


def test_enterprise_under_90_percent_and_surplus_readings(energy):
    """Surplus readings of one point (every 5 min on a 15 min point) do not make up for another's gap."""
    ks = energy.world.ent_ks
    send(ks, [("E-IN", D + i * dt.timedelta(minutes=5), 1000 + i) for i in range(1, 289)]  # 288 readings
         + [("W-IN", D + i * Q, 500 + i) for i in range(1, 49)])  # 48 of 96
    row = row_of(quality.data_quality(energy.world.users["province"], DAY), ks)
    assert (row.due, row.received, row.counted) == (192, 336, 144)
    assert row.completeness == 0.75 and row.incomplete
    assert row.misaligned == 192  # the readings at :05 and :10 are off the 15 min grid
    assert row.flags == [quality.Flag.COMPLETENESS, quality.Flag.POINTS, quality.Flag.MISALIGNED]
    points = {p.code: p for p in quality.point_quality(energy.world.users["province"], ks, DAY)}
    assert (points["E-IN"].received, points["E-IN"].completeness) == (288, 1.0)


def test_a_day_without_readings(day_data):
    e = day_data
    report = quality.data_quality(e.world.users["province"], DAY - dt.timedelta(days=3))
    ks = row_of(report, e.world.ent_ks)
    assert (ks.points, ks.due, ks.received, ks.completeness) == (2, 192, 0, 0.0)
    assert quality.Flag.COMPLETENESS in ks.flags and ks.misaligned_share is None


def test_enterprise_without_required_points_is_flagged(energy):
    w = energy.world
    with audit_context(actor=w.admin, channel="command"):
        bare = services.create_record(rm.Organisation, {"name": "昆山无表有限公司", "uscc": uscc_for("91", "320583", 99),
                                                         "kind": "enterprise", "region_id": "320583"}, actor=w.admin)
        services.update_record(bare, {}, actor=w.admin,
                               m2m={"designations": [rm.Designation.objects.get(code="key-energy-consumer")]})
    row = row_of(quality.data_quality(w.users["kunshan"], DAY), bare)
    assert (row.points, row.due, row.completeness, row.energy) == (0, 0, None, [])
    assert row.flags == [quality.Flag.NO_POINTS]


def test_daily_sum_against_monthly_total(day_data):
    e = day_data
    ks = row_of(quality.data_quality(e.world.users["province"], DAY), e.world.ent_ks)
    electricity, water = check_of(ks, "electricity"), check_of(ks, "water")
    assert (electricity.daily_sum, electricity.monthly, electricity.unit) == (Decimal(9600), Decimal(9600), "kWh")
    assert (water.daily_sum, water.monthly) == (Decimal(40), Decimal(40))
    assert electricity.deviation == 0 and not electricity.flagged and not water.flagged
    # a day of another month leaves November out
    december = row_of(quality.data_quality(e.world.users["province"], dt.date(2026, 10, 31)), e.world.ent_ks)
    assert december.energy == []
    # the single-enterprise function that was there before agrees
    old = quality.daily_vs_monthly(e.world.ent_ks, D.replace(day=1), "electricity")
    assert old == {"daily_sum": Decimal(9600), "monthly": Decimal(9600), "deviation": 0.0, "flagged": False}


def test_tampered_monthly_total_is_flagged(day_data):
    e = day_data
    monthly = EnterpriseRollup.objects.filter(enterprise=e.world.ent_ks, energy_type="water", period="month")
    assert monthly.update(consumption=Decimal(50)) == 1  # the days sum to 40 m³
    ks = row_of(quality.data_quality(e.world.users["province"], DAY), e.world.ent_ks)
    water = check_of(ks, "water")
    assert (water.daily_sum, water.monthly) == (Decimal(40), Decimal(50))
    assert water.deviation == pytest.approx(0.2) and water.flagged
    assert not check_of(ks, "electricity").flagged
    assert ks.max_deviation == pytest.approx(0.2) and quality.Flag.DAILY_MONTHLY in ks.flags
    assert quality.daily_vs_monthly(e.world.ent_ks, D.replace(day=1), "water")["flagged"]
    # within 5 %: 40 against 42 is 4.76 % apart
    monthly.update(consumption=Decimal(42))
    water = check_of(row_of(quality.data_quality(e.world.users["province"], DAY), e.world.ent_ks), "water")
    assert water.deviation == pytest.approx(2 / 42) and not water.flagged
    # a missing monthly row with days that do not sum to zero is 100 % off
    monthly.delete()
    water = check_of(row_of(quality.data_quality(e.world.users["province"], DAY), e.world.ent_ks), "water")
    assert (water.monthly, water.deviation, water.flagged) == (None, 1.0, True)


def test_thresholds_at_their_boundaries():
    assert not quality.EnergyCheck("water", "m³", Decimal(95), Decimal(100)).flagged  # exactly 5 %
    assert quality.EnergyCheck("water", "m³", Decimal("94.99"), Decimal(100)).flagged
    assert quality.EnergyCheck("water", "m³", Decimal(0), Decimal(0)).deviation == 0
    exact = quality.PointQuality(1, "P", "p", "water", "m³", 900, 96, 0, 0)
    exact.received = 87  # 90.6 %
    assert not exact.incomplete
    ninety = quality.PointQuality(1, "P", "p", "water", "m³", 3600, 240, 216, 0, )  # exactly 90 %
    assert not ninety.incomplete
    ninety.received = 215
    assert ninety.incomplete
    assert quality.PointQuality(1, "P", "p", "water", "m³", 0, 0, 5, 0).incomplete  # due nothing: misconfigured
    assert (pct_down(2591 / 2880), pct_up(0.05001), pct_up(0.05), pct_down(None)) == (89.9, 5.01, 5.0, None)


def test_misaligned_readings_are_counted_exactly(day_data):
    e = day_data
    [point] = quality.point_quality(e.world.users["province"], e.world.ent_xw, DAY)
    assert (point.received, point.misaligned, point.flagged) == (96, 4, True)
    assert point.completeness == 1.0 and not point.incomplete


def test_tolerance_setting_is_used(energy, settings):
    settings.JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S = 600  # 10 min: 7 min past is within it
    send(energy.world.ent_xw, [("E-IN", D, 0)] + [("E-IN", ts, n) for n, ts in enumerate(XW_TIMES, 1)])
    [point] = quality.point_quality(energy.world.users["province"], energy.world.ent_xw, DAY)
    assert (point.received, point.misaligned) == (96, 0)


def test_scope_of_the_figures(day_data):
    e = day_data
    seen = {role: {r.enterprise.pk for r in quality.data_quality(e.world.users[role], DAY).enterprises}
            for role in ROLES if role != "anonymous"}
    ks, xw = e.world.ent_ks.pk, e.world.ent_xw.pk
    assert seen == {"province": {ks, xw}, "suzhou": {ks}, "kunshan": {ks}, "xuanwu": {xw}, "institute": set(),
                    "enterprise": {ks}}
    # the Xuanwu bureau asking for a Kunshan enterprise's points gets none
    assert quality.point_quality(e.world.users["xuanwu"], e.world.ent_ks, DAY) == []


@pytest.mark.parametrize("role", ["province", "kunshan"])
def test_query_count_does_not_grow_with_enterprises(day_data, role, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):  # points by enterprise, enterprises, daily sums, monthly rows (+ scope)
        report = quality.data_quality(day_data.world.users[role], DAY)
    assert report.enterprises


# --- the page -------------------------------------------------------------------------------------------

def get(role, energy, **params):
    return web_client_for(energy.world.users[role]).get(reverse(URL), params)


@pytest.mark.parametrize("role", ROLES)
def test_page_for_each_role(day_data, role):
    e = day_data
    r = get(role, e, day="2026-11-23")
    if role == "anonymous":
        assert r.status_code == 302 and r["Location"].startswith(reverse(settings.LOGIN_URL))
        return
    assert r.status_code == 200
    html = r.content.decode()
    ks_row = f'data-enterprise="{e.world.ent_ks.pk}"'
    xw_row = f'data-enterprise="{e.world.ent_xw.pk}"'
    assert (ks_row in html) == (role in KS), role
    assert (xw_row in html) == (role in XW), role
    if role == "institute":
        assert "quality-row" not in html


@pytest.mark.parametrize("role", ROLES)
def test_points_page_for_each_role(day_data, role):
    e = day_data
    for org, visible in ((e.world.ent_ks, KS), (e.world.ent_xw, XW)):
        r = get(role, e, day="2026-11-23", enterprise=org.pk)
        if role == "anonymous":
            assert r.status_code == 302
            continue
        assert r.status_code == (200 if role in visible else 404), (role, org.name)


def test_points_page_shows_the_table(day_data):
    e = day_data
    html = get("kunshan", e, day="2026-11-23", enterprise=e.world.ent_ks.pk).content.decode()
    assert 'data-point="E-IN"' in html and 'data-point="W-IN"' in html and 'data-point="E-SUB1"' not in html
    water = html[html.index('data-point="W-IN"'):]
    water = water[:water.index("</tr>")]
    assert "83.3 %" in water and "text-bg-danger" in water and "point-flagged" in water
    full = html[html.index('data-point="E-IN"'):]
    full = full[:full.index("</tr>")]
    assert "100.0 %" in full and "point-flagged" not in full
    assert 'data-flag="points"' in html and 'id="quality-energy"' in html


def test_flags_are_red_badges_and_flagged_only_filters(day_data):
    e = day_data
    extra = e.world.ent_xw
    # make Kunshan clean: its water point complete
    send(e.world.ent_ks, [("W-IN", D + i * Q, Decimal("500") + Decimal("0.5") * i) for i in range(81, 97)])
    html = get("province", e, day="2026-11-23").content.decode()
    assert f'data-enterprise="{e.world.ent_ks.pk}"' in html and f'data-enterprise="{extra.pk}"' in html
    assert html.count('class="badge text-bg-danger me-1 flag"') == 1 and 'data-flag="misaligned"' in html
    only = get("province", e, day="2026-11-23", flagged="1").content.decode()
    assert f'data-enterprise="{e.world.ent_ks.pk}"' not in only and f'data-enterprise="{extra.pk}"' in only


def test_sorting(day_data):
    e = day_data

    def order(sort):
        html = get("province", e, day="2026-11-23", sort=sort).content.decode()
        ks, xw = html.index(f'data-enterprise="{e.world.ent_ks.pk}"'), html.index(f'data-enterprise="{e.world.ent_xw.pk}"')
        return "ks" if ks < xw else "xw"

    assert order("completeness") == "ks" and order("-completeness") == "xw"  # 91.7 % against 100 %
    assert order("misaligned") == "ks" and order("-misaligned") == "xw"
    assert order("nonsense") == order("region")


def test_default_day_is_yesterday(energy):
    yesterday = timezone.now().astimezone(LOCAL).date() - dt.timedelta(days=1)
    start = dt.datetime.combine(yesterday, dt.time(), tzinfo=LOCAL)
    send(energy.world.ent_ks, [("E-IN", start + i * Q, 1000 + i) for i in range(1, 97)])
    r = get("province", energy)
    assert r.status_code == 200 and r.context["day"] == yesterday
    [row] = [x for x, _flags in r.context["rows"] if x.enterprise.pk == energy.world.ent_ks.pk]
    assert row.received == 96


@pytest.mark.parametrize("bad", ["yesterday", "2026-13-01", "2026-02-30", "20261122", "2026-11-2", "1999-12-31",
                                 "0001-01-01", "FUTURE", "2026-11-23T00:00", "'; drop table x; --"])
def test_bad_day_is_a_message_not_a_500(energy, bad):
    if bad == "FUTURE":
        bad = (timezone.now().astimezone(LOCAL).date() + dt.timedelta(days=1)).isoformat()
    for extra in ({}, {"export": "xlsx"}, {"enterprise": energy.world.ent_ks.pk}):
        r = get("province", energy, day=bad, **extra)
        assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
        error = r.context["error"]
        assert "参数“day”" in error and bad[:40] in error, error  # the UI speaks Chinese by default
        assert 'id="quality-error"' in r.content.decode()
    if bad[:4] in ("1999", "0001"):
        assert "2000-01-01" in error


@pytest.mark.parametrize(("bad", "words"), [("nope", "must be a date written YYYY-MM-DD"),
                                            ("1999-12-31", "the report starts on 2000-01-01"),
                                            ("2999-01-01", "which is in the future")])
def test_bad_day_message_in_english(energy, bad, words):
    client = web_client_for(energy.world.users["province"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = client.get(reverse(URL), {"day": bad})
    assert r.status_code == 400
    assert "The parameter “day”" in r.context["error"] and words in r.context["error"], r.context["error"]


def test_today_and_bad_enterprise(energy):
    today = timezone.now().astimezone(LOCAL).date().isoformat()
    assert get("province", energy, day=today).status_code == 200
    r = get("province", energy, enterprise="abc")
    assert r.status_code == 400 and "“enterprise”" in r.context["error"]
    assert get("province", energy, enterprise="999999").status_code == 404


def test_links_from_the_dashboard_and_the_enterprise_page(energy):
    client = web_client_for(energy.world.users["province"])
    url = reverse(URL)
    assert f'href="{url}"' in client.get(reverse("energy-dashboard")).content.decode()
    page = client.get(reverse("energy-enterprise", args=[energy.world.ent_ks.pk])).content.decode()
    assert f'href="{url}?enterprise={energy.world.ent_ks.pk}"' in page


# --- the export -----------------------------------------------------------------------------------------

def sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_export_parsed_back(day_data):
    e = day_data
    monthly = EnterpriseRollup.objects.filter(enterprise=e.world.ent_ks, energy_type="water", period="month")
    monthly.update(consumption=F("consumption") + 10)  # 40 against 50: 20 % apart
    r = get("province", e, day="2026-11-23", export="xlsx")
    assert 'filename="data-quality-2026-11-23.xlsx"' in r["Content-Disposition"]
    header, rows = sheet(r)
    assert len(header) == 13 and len(rows) == 2
    by_name = {row[0]: dict(zip(range(len(header)), row)) for row in rows}
    ks, xw = by_name[e.world.ent_ks.name], by_name[e.world.ent_xw.name]
    assert ks[1] == e.world.ent_ks.uscc
    assert (ks[3], ks[4], ks[5], ks[6], ks[7], ks[8]) == (2, 192, 176, 91.6, 1, 0)
    assert ks[10] == 20.0 and "50" in ks[11] and "40" in ks[11]
    assert (xw[3], xw[4], xw[5], xw[6], xw[7], xw[8], xw[9]) == (1, 96, 96, 100.0, 0, 4, 4.17)
    assert ks[12] and xw[12]  # both flagged: the flags named


def test_export_follows_filter_and_scope(day_data):
    e = day_data
    send(e.world.ent_ks, [("W-IN", D + i * Q, Decimal("500") + Decimal("0.5") * i) for i in range(81, 97)])
    _h, rows = sheet(get("province", e, day="2026-11-23", export="xlsx", flagged="1"))
    assert [row[0] for row in rows] == [e.world.ent_xw.name]
    _h, rows = sheet(get("kunshan", e, day="2026-11-23", export="xlsx"))
    assert [row[0] for row in rows] == [e.world.ent_ks.name]
    _h, rows = sheet(get("institute", e, day="2026-11-23", export="xlsx"))
    assert rows == []
    assert get("anonymous", e, day="2026-11-23", export="xlsx").status_code == 302


def test_points_export_parsed_back(day_data):
    e = day_data
    r = get("enterprise", e, day="2026-11-23", enterprise=e.world.ent_ks.pk, export="xlsx")
    header, rows = sheet(r)
    assert len(header) == 9
    assert [(row[0], row[3], row[4], row[5], row[6], row[7], row[8]) for row in rows] == [
        ("E-IN", 900, 96, 96, 100.0, 0, "否"), ("W-IN", 900, 96, 80, 83.3, 0, "是")]  # booleans as 是/否
    assert get("enterprise", e, day="2026-11-23", enterprise=e.world.ent_xw.pk, export="xlsx").status_code == 404


def test_the_exports_description_sheet_is_in_the_users_language(day_data):
    e = day_data
    r = get("enterprise", e, day="2026-11-23", enterprise=e.world.ent_ks.pk, export="xlsx")
    about = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[1]
    lines = {row[0]: row[1] for row in about.iter_rows(values_only=True)}
    assert about.title == "导出说明"
    assert lines["日期（北京时间）"] == "2026-11-23" and lines["时区"] == "Asia/Shanghai" and lines["行数"] == 2
    assert "必备计量点的数据质量" in lines["导出内容"]
    assert not any("jiliang" in str(v) for v in lines.values())
