"""The online rate (KPI 9): now (in the database, region-scoped), over time (snapshots, live and backfilled from
the hourly rollups), the dashboard's chart and exports, and the offline list with its contacts.

The energy fixture's key enterprises: Kunshan (320583) with required points ``E-IN`` and ``W-IN`` and the
not-required ``E-SUB1``; Xuanwu (320102) with the required ``E-IN``. All intervals are 900 s unless a test
changes them; the tolerance is pinned to 300 s.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from tests.conftest import ROLES, _org, web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as rm
from jiliang.telemetry import quality
from jiliang.telemetry import services as ts
from jiliang.telemetry.models import MeteringPoint, OnlineSnapshot, PointRollup, PointState

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 23, 4, 0, tzinfo=UTC)  # 12:00 in Asia/Shanghai
TOL = 300
KS, WZ, XW = "320583", "320506", "320102"


@pytest.fixture(autouse=True)
def _tolerance(settings):
    settings.JILIANG_TELEMETRY_ONLINE_TOLERANCE_S = TOL


def report(point, ts):
    PointState.objects.update_or_create(point=point, defaults={"last_ts": ts, "last_value": Decimal(1),
                                                               "last_received": ts})


def status_of(org, user=None, now=NOW):
    user = user or get_user_model().objects.get(username="province")
    [s] = [s for s in quality.enterprise_statuses(user, now) if s.enterprise.pk == org.pk]
    return s


def key_enterprise(world, name, region, n, points=1):
    """Another key energy-consuming enterprise with ``points`` required electricity points P0, P1, …"""
    key = rm.Designation.objects.get(code="key-energy-consumer")
    with audit_context(actor=world.admin, channel="command"):
        org = _org(world.admin, name, "enterprise", region, n)
        services.update_record(org, {}, actor=world.admin, m2m={"designations": [key]})
        made = [ts.create_point({"enterprise": org, "code": f"P{i}", "name": f"point {i}", "energy_type": "electricity",
                                 "unit": "kWh", "role": "enterprise_in", "accuracy_class": "1"}, actor=world.admin)
                for i in range(points)]
    return org, made


# --- online now -------------------------------------------------------------------------------------------

def test_exactly_interval_plus_tolerance_is_online_and_a_microsecond_more_is_not(energy):
    edge = NOW - dt.timedelta(seconds=900 + TOL)
    report(energy.e_in_ks, edge)
    report(energy.w_in_ks, NOW)
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.required, s.reporting, s.offline_since) == (True, 2, 2, None)

    late = edge - dt.timedelta(microseconds=1)
    report(energy.e_in_ks, late)
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.required, s.reporting) == (False, 2, 1)
    assert s.offline_since == late + dt.timedelta(seconds=900)  # when its next reading fell due


def test_each_point_is_judged_by_its_own_interval(energy):
    MeteringPoint.objects.filter(pk=energy.e_in_ks.pk).update(interval_seconds=3600)
    MeteringPoint.objects.filter(pk=energy.w_in_ks.pk).update(interval_seconds=60)
    report(energy.e_in_ks, NOW - dt.timedelta(seconds=3600 + TOL))  # hourly point, just in time
    report(energy.w_in_ks, NOW - dt.timedelta(seconds=60 + TOL))  # one-minute point, just in time
    assert status_of(energy.world.ent_ks).online
    report(energy.w_in_ks, NOW - dt.timedelta(seconds=61 + TOL))
    s = status_of(energy.world.ent_ks)
    assert not s.online and s.reporting == 1
    assert s.offline_since == NOW - dt.timedelta(seconds=1 + TOL)


def test_a_point_that_never_reported_keeps_the_enterprise_offline(energy):
    report(energy.e_in_ks, NOW)  # W-IN has no state row at all
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.required, s.reporting, s.offline_since) == (False, 2, 1, None)
    PointState.objects.create(point=energy.w_in_ks, last_ts=None)  # a state row without a reading
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.reporting, s.offline_since) == (False, 1, None)
    # With another point late as well, the enterprise is offline since that point fell behind.
    report(energy.e_in_ks, NOW - dt.timedelta(hours=5))
    s = status_of(energy.world.ent_ks)
    assert (s.reporting, s.offline_since) == (0, NOW - dt.timedelta(hours=5) + dt.timedelta(seconds=900))


def test_offline_since_is_the_earliest_late_point(energy):
    report(energy.e_in_ks, NOW - dt.timedelta(hours=2))
    report(energy.w_in_ks, NOW - dt.timedelta(hours=7))
    assert status_of(energy.world.ent_ks).offline_since == NOW - dt.timedelta(hours=7) + dt.timedelta(seconds=900)


def test_inactive_and_not_required_points_are_ignored(energy):
    report(energy.e_in_ks, NOW)
    report(energy.w_in_ks, NOW)
    report(energy.e_sub_ks, NOW - dt.timedelta(days=3))  # not required for online, silent for days
    assert status_of(energy.world.ent_ks).online
    MeteringPoint.objects.filter(pk=energy.w_in_ks.pk).update(active=False)
    report(energy.w_in_ks, NOW - dt.timedelta(days=3))
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.required, s.reporting) == (True, 1, 1)


def test_an_enterprise_without_required_points_is_offline(energy):
    MeteringPoint.objects.filter(enterprise=energy.world.ent_ks).update(required_for_online=False)
    for p in (energy.e_in_ks, energy.w_in_ks, energy.e_sub_ks):
        report(p, NOW)
    s = status_of(energy.world.ent_ks)
    assert (s.online, s.required, s.reporting, s.offline_since) == (False, 0, 0, None)
    assert quality.online_counts_by_region(NOW) == [(XW, 1, 0), (KS, 1, 0)]


def test_statuses_are_region_scoped(energy):
    User = get_user_model()
    report(energy.e_in_xw, NOW)
    seen = {u: {s.enterprise.pk for s in quality.enterprise_statuses(User.objects.get(username=u), NOW)}
            for u in ("province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise")}
    ks, xw = energy.world.ent_ks.pk, energy.world.ent_xw.pk
    assert seen == {"province": {ks, xw}, "suzhou": {ks}, "kunshan": {ks}, "xuanwu": {xw}, "institute": set(),
                    "enterprise": {ks}}
    [only] = quality.enterprise_statuses(User.objects.get(username="xuanwu"), NOW)
    assert only.online and only.required == 1


def test_the_online_rate_is_two_queries_whatever_the_number_of_points(energy, django_assert_num_queries):
    province = energy.world.users["province"]
    org, points = key_enterprise(energy.world, "昆山第二热电有限公司", KS, 91, points=30)
    for p in points:
        report(p, NOW)
    with django_assert_num_queries(2):
        statuses = quality.enterprise_statuses(province, NOW)
    assert [s.online for s in statuses if s.enterprise.pk == org.pk] == [True]


# --- snapshots --------------------------------------------------------------------------------------------

def test_snapshot_counts_per_region_agree_with_the_statuses(energy):
    w = energy.world
    org2, [p2] = key_enterprise(w, "昆山第二热电有限公司", KS, 91)
    org3, [p3] = key_enterprise(w, "吴中纺织有限公司", WZ, 92)
    report(energy.e_in_ks, NOW)
    report(energy.w_in_ks, NOW)  # Kunshan enterprise online
    report(p2, NOW - dt.timedelta(hours=1))  # second Kunshan enterprise late
    report(p3, NOW)  # Wuzhong online; Xuanwu never reported
    assert quality.record_online_snapshot(NOW) == 3
    got = {(s.region_id, s.enterprises, s.online, s.basis) for s in OnlineSnapshot.objects.filter(taken_at=NOW)}
    assert got == {(KS, 2, 1, "live"), (WZ, 1, 1, "live"), (XW, 1, 0, "live")}
    statuses = quality.enterprise_statuses(w.users["province"], NOW)
    assert sum(s.online for s in statuses) == sum(s.online for s in OnlineSnapshot.objects.filter(taken_at=NOW))

    report(p2, NOW)  # taken again at the same time: the rows are replaced, not added
    assert quality.record_online_snapshot(NOW) == 3
    assert OnlineSnapshot.objects.count() == 3
    assert OnlineSnapshot.objects.get(taken_at=NOW, region_id=KS).online == 2


def test_snapshot_command(energy):
    report(energy.e_in_xw, timezone.now())
    out = io.StringIO()
    call_command("telemetry-snapshot", stdout=out)
    assert "2 regions" in out.getvalue()
    [xw] = OnlineSnapshot.objects.filter(region_id=XW)
    assert (xw.enterprises, xw.online) == (1, 1) and xw.taken_at.second == 0


def _hourly(point, start, readings=4):
    PointRollup.objects.create(point=point, period="hour", start=start, consumption=Decimal(readings),
                               readings=readings)


def test_backfill_counts_exactly(energy):
    h0 = dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # local 00:00 on the 23rd
    h1, h2, h3 = (h0 + dt.timedelta(hours=k) for k in (1, 2, 3))
    for p in (energy.e_in_ks, energy.w_in_ks):
        _hourly(p, h0)  # hour 0: Kunshan complete, Xuanwu silent
    _hourly(energy.e_in_ks, h1)  # hour 1: Kunshan's water point missing, the secondary point does not help
    _hourly(energy.e_sub_ks, h1)
    _hourly(energy.e_in_xw, h1)
    _hourly(energy.e_in_ks, h2)  # hour 2: the water point's rollup has no readings
    _hourly(energy.w_in_ks, h2, readings=0)
    _hourly(energy.e_in_xw, h2)
    for p in (energy.e_in_ks, energy.w_in_ks, energy.e_in_xw):
        _hourly(p, h3)  # hour 3 does not end by the end of the range: not written
    n = quality.backfill_online_snapshots(h0 + dt.timedelta(minutes=20), h3 + dt.timedelta(minutes=59))
    assert n == 6  # hours 0, 1, 2 × two regions
    got = {(s.taken_at, s.region_id): (s.enterprises, s.online, s.basis) for s in OnlineSnapshot.objects.all()}
    assert got == {
        (h1, KS): (1, 1, "rollup"), (h1, XW): (1, 0, "rollup"),
        (h2, KS): (1, 0, "rollup"), (h2, XW): (1, 1, "rollup"),
        (h3, KS): (1, 0, "rollup"), (h3, XW): (1, 1, "rollup"),
    }
    assert quality.backfill_online_snapshots(h0, h3) == 6 and OnlineSnapshot.objects.count() == 6  # rerun
    assert quality.backfill_online_snapshots(h3, h3) == 0


def test_backfill_command_over_local_days(energy):
    day = dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # local midnight
    for k in range(24):
        _hourly(energy.e_in_xw, day + dt.timedelta(hours=k))
    call_command("telemetry-snapshot", "--backfill-from", "2026-11-23", "--backfill-to", "2026-11-24",
                 stdout=io.StringIO())
    xw = OnlineSnapshot.objects.filter(region_id=XW)
    assert xw.count() == 24 and all(s.online == 1 for s in xw)
    assert OnlineSnapshot.objects.filter(region_id=KS, online=0).count() == 24


def test_backfill_from_ingested_readings_matches_the_live_rate(energy):
    """Readings through the ingest pipeline: the hourly rollups it keeps give the backfill; at the end of an
    hour after steady 15-minute reporting the backfill and the live status agree."""
    from jiliang.telemetry.ingest import Group, ingest
    from jiliang.telemetry.parsing import RawReading

    t0 = dt.datetime(2026, 11, 22, 16, 0, tzinfo=UTC)
    step = dt.timedelta(minutes=15)
    ks = [RawReading(f"r{i}", code, t0 + i * step, Decimal(100 + i)) for code in ("E-IN", "W-IN") for i in range(13)]
    xw = [RawReading(f"r{i}", "E-IN", t0 + i * step, Decimal(100 + i)) for i in range(5)]  # stops after 01:00
    ingest([Group(energy.world.ent_ks, ks), Group(energy.world.ent_xw, xw)], channel="file")
    end = t0 + 12 * step  # three hours later
    assert quality.backfill_online_snapshots(t0, end) == 6
    at_end = {s.region_id: s.online for s in OnlineSnapshot.objects.filter(taken_at=end)}
    assert at_end == {KS: 1, XW: 0}
    assert {s.region_id: s.online for s in OnlineSnapshot.objects.filter(taken_at=t0 + dt.timedelta(hours=1))} == \
        {KS: 1, XW: 1}
    live = {s.enterprise.region_id: s.online for s in quality.enterprise_statuses(energy.world.users["province"], end)}
    assert live == at_end


# --- the chart over HTTP ----------------------------------------------------------------------------------

@pytest.fixture
def history(energy):
    """Snapshots of the last three hours in Kunshan, Wuzhong (both Suzhou) and Xuanwu (Nanjing), and two in
    the same hour (pooled), plus one older than the chart's 30 days."""
    base = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    t1, t2 = base - dt.timedelta(hours=2), base - dt.timedelta(hours=1)
    rows = [  # (time, region, enterprises, online)
        (t1, KS, 10, 9), (t1, WZ, 5, 1), (t1, XW, 4, 4),
        (t2, KS, 10, 5), (t2, WZ, 5, 5), (t2, XW, 4, 2),
        (t2 + dt.timedelta(minutes=30), KS, 10, 7),  # same hour as t2 for Kunshan: (5 + 7) / 20
        (base - dt.timedelta(days=40), KS, 10, 0),
    ]
    OnlineSnapshot.objects.bulk_create([OnlineSnapshot(taken_at=t, region_id=r, enterprises=n, online=k)
                                        for t, r, n, k in rows])
    local = [t.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M") for t in (t1, t2)]
    return local


# role -> (name of the scope's line, its rates at t1 and t2 in %, the city lines (name: rates) or None)
EXPECTED = {
    "province": ("江苏省", [round(100 * 14 / 19, 1), round(100 * 19 / 29, 1)],
                 {"南京市": [100.0, 50.0], "苏州市": [round(100 * 10 / 15, 1), round(100 * 17 / 25, 1)]}),
    "suzhou": ("苏州市", [round(100 * 10 / 15, 1), round(100 * 17 / 25, 1)], None),
    "kunshan": ("昆山市", [90.0, 60.0], None),
    "xuanwu": ("玄武区", [100.0, 50.0], None),
}


@pytest.mark.parametrize("role", ROLES)
def test_history_endpoint_per_role(energy, history, role):
    client = web_client_for(energy.world.users[role])
    r = client.get(reverse("energy-online-history"))
    if role == "anonymous":
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))
        return
    assert r.status_code == 200
    data = r.json()
    if role not in EXPECTED:  # the institute and the enterprise see no region's snapshots
        assert data["times"] == [] and [s["data"] for s in data["series"]] == [[]]
        return
    name, rates, cities = EXPECTED[role]
    assert data["times"] == history
    assert data["series"][0] == {"name": name, "data": rates, "total": True}
    assert {s["name"]: s["data"] for s in data["series"][1:]} == (cities or {})


@pytest.mark.parametrize("role", ["kunshan", "xuanwu", "suzhou"])
def test_a_bureau_never_sees_snapshots_outside_its_region(energy, history, role):
    client = web_client_for(energy.world.users[role])
    allowed = {"kunshan": {KS}, "xuanwu": {XW}, "suzhou": {KS, WZ}}[role]
    visible = set(OnlineSnapshot.objects.restrict(energy.world.users[role]).values_list("region_id", flat=True))
    assert visible == allowed
    body = client.get(reverse("energy-online-history"), {"export": "csv", "days": 60}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows[0]) == 2  # time and the one scope line, no other city or county
    # 60 days: the old Kunshan snapshot (0 of 10 online) appears for Kunshan and Suzhou only
    assert (["0.0"] in [r[1:] for r in rows[1:]]) == (role != "xuanwu")


@pytest.mark.parametrize("role", ["province", "suzhou", "kunshan", "xuanwu"])
def test_the_dashboard_embeds_the_same_series(energy, history, role):
    client = web_client_for(energy.world.users[role])
    page = client.get(reverse("energy-dashboard")).content.decode()
    embedded = json.loads(re.search(r'<script id="data-history" type="application/json">(.*?)</script>', page,
                                    re.S).group(1))
    endpoint = client.get(reverse("energy-online-history")).json()
    assert embedded == {"times": endpoint["times"], "series": endpoint["series"]}
    assert 'id="chart-history"' in page


def test_history_exports(energy, history):
    client = web_client_for(energy.world.users["province"])
    xlsx = client.get(reverse("energy-online-history"), {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    table = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(table) == 3 and table[1][0] == history[0] and table[1][1] == EXPECTED["province"][1][0]
    body = client.get(reverse("energy-online-history"), {"export": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][1:] == ["江苏省 (%)", "南京市 (%)", "苏州市 (%)"]
    assert rows[2] == [history[1], "65.5", "50.0", "68.0"]


# --- the dashboard's offline list ---------------------------------------------------------------------------

def test_offline_list_shows_since_when_and_the_contacts(energy):
    rm.Organisation.objects.filter(pk=energy.world.ent_ks.pk).update(contact_name="王能源", contact_phone="0512-57001234")
    now = timezone.now()
    last = (now - dt.timedelta(hours=6)).replace(second=0, microsecond=0)
    report(energy.e_in_ks, last)
    report(energy.w_in_ks, now)
    report(energy.e_in_xw, now)
    client = web_client_for(energy.world.users["province"])
    page = client.get(reverse("energy-dashboard")).content.decode()
    offline = page[page.index('id="offline"'):]
    since = (last + dt.timedelta(seconds=900)).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert energy.world.ent_ks.name in offline and since.strftime("%Y-%m-%d %H:%M") in offline
    assert "王能源" in offline and 'href="tel:0512-57001234"' in offline
    assert energy.world.ent_xw.name not in offline
    assert re.search(r'id="offline-count">1<', page)

    xlsx = client.get(reverse("energy-dashboard"), {"export": "offline"})
    from openpyxl import load_workbook

    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(xlsx.content)).worksheets[0].iter_rows()]
    assert len(rows) == 2
    assert rows[1][:2] == [energy.world.ent_ks.name, energy.world.ent_ks.uscc]
    assert rows[1][3:8] == [2, 1, since.strftime("%Y-%m-%d %H:%M"), "王能源", "0512-57001234"]


def test_offline_list_says_never_reported(energy):
    client = web_client_for(energy.world.users["kunshan"])
    page = client.get(reverse("energy-dashboard")).content.decode()
    offline = page[page.index('id="offline"'):]
    assert energy.world.ent_ks.name in offline and "从未上报" in offline
    assert energy.world.ent_xw.name not in page


@pytest.mark.parametrize("role", ROLES)
def test_dashboard_exports_per_role(energy, role):
    client = web_client_for(energy.world.users[role])
    for export in ("offline", "city-today"):
        r = client.get(reverse("energy-dashboard"), {"export": export})
        if role == "anonymous":
            assert r.status_code == 302
            continue
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
        if export == "offline":
            from openpyxl import load_workbook

            names = {row[0].value for row in load_workbook(io.BytesIO(r.content)).worksheets[0].iter_rows(min_row=2)}
            assert (energy.world.ent_ks.name in names) == (role in {"province", "suzhou", "kunshan", "enterprise"})
            assert (energy.world.ent_xw.name in names) == (role in {"province", "xuanwu"})


# --- the snapshot model in the access matrix ------------------------------------------------------------------

SNAPSHOT_VISIBLE = {KS: {"province", "suzhou", "kunshan"}, WZ: {"province", "suzhou"}, XW: {"province", "xuanwu"}}


@pytest.mark.parametrize("role", ROLES)
def test_snapshot_scope_matrix(energy, history, role):
    user = energy.world.users[role]
    seen = set(OnlineSnapshot.objects.restrict(user).values_list("region_id", flat=True))
    assert seen == {region for region, roles in SNAPSHOT_VISIBLE.items() if role in roles}
    assert not OnlineSnapshot.objects.restrict(user, "change").exists()  # written by the service only
