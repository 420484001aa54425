"""GB 17167 check (data, pure check, scoped page) and the anomalies that need more than one reading:
parent/children imbalance from the daily rollups, and data from a meter whose verification has lapsed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from tests.conftest import ROLES, web_client_for
from tests.telemetry.conftest import T0

from jiliang.core.audit import audit_context
from jiliang.core.extending import MeterValidityHook, added
from jiliang.registry import models as rm
from jiliang.telemetry import checks, gb17167
from jiliang.telemetry import services as ts
from jiliang.telemetry.gb17167 import Gap, PointFacts
from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.models import Anomaly, AnomalyKind
from jiliang.telemetry.parsing import RawReading

KS = {"province", "suzhou", "kunshan", "enterprise"}


# --- data -------------------------------------------------------------------------------------------------

def test_data_is_edition_versioned_with_confidence_and_source():
    data = gb17167.load()
    eds = {e["edition"]: e for e in gb17167.editions(data)}
    assert set(eds) == {"2006", "2025"}
    assert eds["2025"]["available"] is False and eds["2025"]["status"] == "not available"
    assert eds["2025"]["presence"] == [] and eds["2025"]["accuracy"] == []
    rows = eds["2006"]["presence"] + eds["2006"]["accuracy"]
    assert len(eds["2006"]["presence"]) == 13 and len(eds["2006"]["accuracy"]) == 19  # as in gb17167.md §3, §4
    assert all(r["conf"] in ("L", "M", "H") and r["source"] for r in rows)
    assert len({r["id"] for r in rows}) == len(rows)
    electricity = {r["variant"]: r["max_class"] for r in eds["2006"]["accuracy"] if r["instrument"] == "电能表"}
    assert electricity == {"I": "0.2S", "II": "0.5S", "III": "1.0", "IV": "2.0", "V": "2.0", "dc": "2.0"}
    assert gb17167.edition(data)["edition"] == "2006"  # the newest edition whose tables are known


def test_accuracy_class_order():
    assert gb17167.meets("0.2S", "0.5S") and gb17167.meets("0.5S", "0.5S") and gb17167.meets("0.5S", "0.5")
    assert not gb17167.meets("0.5", "0.5S") and not gb17167.meets("1", "0.5S") and not gb17167.meets("2.5", "2.0")
    assert gb17167.meets("1.0", "1") and gb17167.meets("", "1") is None and gb17167.meets("class A", "1") is None


# --- pure check -------------------------------------------------------------------------------------------

def test_check_names_missing_points_and_weak_meters():
    points = [
        PointFacts("E-IN", "electricity", "enterprise_in", "0.5S"),
        PointFacts("G-SUB", "natural_gas", "secondary_unit", "1"),  # gas used, but no enterprise-in point
        PointFacts("W-IN", "water", "enterprise_in", "3"),  # worse than 2.5
        PointFacts("S-IN", "steam", "enterprise_in", ""),  # class unknown
        PointFacts("D-IN", "diesel", "enterprise_in", "0.5", active=False),  # inactive: does not count
    ]
    report = gb17167.check(points, outgoing={"electricity"})
    assert report.edition == "2006" and report.available and not report.ok
    got = {(g.kind, g.energy_type, g.point) for g in report.gaps}
    assert got == {(Gap.MISSING_IN, "natural_gas", ""), (Gap.MISSING_OUT, "electricity", ""),
                   (Gap.ACCURACY, "water", "W-IN"), (Gap.ACCURACY_UNKNOWN, "steam", "S-IN")}
    water = next(g for g in report.gaps if g.point == "W-IN")
    assert (water.required, water.actual, water.rule, water.conf) == ("2.5", "3", "2006/acc/water-small", "L")
    gas = next(g for g in report.gaps if g.kind == Gap.MISSING_IN)
    assert gas.rule == "2006/rate/natural-gas" and gas.source


def test_check_variants_and_declared_flows():
    points = [PointFacts("E-IN", "electricity", "enterprise_in", "0.5S")]
    assert gb17167.check(points).ok  # default row: IV/V users, class 2.0
    strict = gb17167.check(points, variants={"electricity": "I"})
    assert [(g.kind, g.required, g.actual) for g in strict.gaps] == [(Gap.ACCURACY, "0.2S", "0.5S")]
    assert gb17167.check(points, variants={"electricity": "II"}).ok
    declared = gb17167.check(points, incoming={"coal"})
    assert [(g.kind, g.energy_type) for g in declared.gaps] == [(Gap.MISSING_IN, "coal")]


def test_check_against_an_edition_without_tables_names_no_gaps():
    report = gb17167.check([PointFacts("G", "natural_gas", "secondary_unit")], edition_name="2025")
    assert not report.available and report.gaps == [] and not report.ok and "not found" in report.note
    with pytest.raises(KeyError):
        gb17167.check([], edition_name="1997")


# --- page -------------------------------------------------------------------------------------------------

@pytest.fixture
def gas_point(energy):
    with audit_context(actor=energy.world.admin, channel="command"):
        return ts.create_point({
            "enterprise": energy.world.ent_ks, "code": "G-SUB", "name": "锅炉天然气", "energy_type": "natural_gas",
            "unit": "m³", "role": "secondary_unit", "accuracy_class": "1.5"}, actor=energy.world.admin)


@pytest.mark.parametrize("role", ROLES)
def test_gb17167_page_is_scoped(energy, gas_point, role):
    client = web_client_for(energy.world.users[role])
    url = reverse("energy-enterprise-gb17167", args=[energy.world.ent_ks.pk])
    r = client.get(url)
    if role == "anonymous":
        assert r.status_code == 302
        return
    assert r.status_code == (200 if role in KS else 404), role
    if role in KS:
        page = r.content.decode()
        assert page.count('class="gap"') == 1 and "2006/rate/natural-gas" in page
        assert url in client.get(reverse("energy-enterprise", args=[energy.world.ent_ks.pk])).content.decode()
        r2025 = client.get(url, {"edition": "2025"})
        assert r2025.status_code == 200 and 'class="gap"' not in r2025.content.decode()


def test_county_bureau_cannot_open_another_countys_report(energy):
    xuanwu = web_client_for(energy.world.users["xuanwu"])
    kunshan = web_client_for(energy.world.users["kunshan"])
    assert xuanwu.get(reverse("energy-enterprise-gb17167", args=[energy.world.ent_ks.pk])).status_code == 404
    assert kunshan.get(reverse("energy-enterprise-gb17167", args=[energy.world.ent_xw.pk])).status_code == 404
    assert xuanwu.get(reverse("energy-enterprise-gb17167", args=[energy.world.ent_xw.pk])).status_code == 200


# --- imbalance --------------------------------------------------------------------------------------------

def _feed(org, code, values):
    rows = [RawReading(f"row {i}", code, T0 + dt.timedelta(hours=i), Decimal(v)) for i, v in enumerate(values)]
    ingest([Group(org, rows)], channel="file")


def test_compare_is_pure_and_respects_tolerance_and_uncertainty():
    kids = {2: (Decimal(500), 0.0), 3: (Decimal(440), 0.0)}
    assert checks.compare(1, (Decimal(1000), 0.0), kids, 0.05).difference == Decimal(60)
    assert checks.compare(1, (Decimal(1000), 0.0), kids, 0.07) is None  # within 7 %
    assert checks.compare(1, (Decimal(1000), 40.0), kids, 0.05) is None  # U = 80 explains 60
    assert checks.compare(1, (Decimal(0), 0.0), {2: (Decimal(5), 0.0)}, 0.05).relative == float("inf")


def test_imbalance_from_daily_rollups(energy):
    org = energy.world.ent_ks
    _feed(org, "E-IN", [100, 110, 120])  # × 100: 2 000 kWh on the day
    _feed(org, "E-SUB1", [0, 500, 1000])  # 1 000 kWh: half the parent's
    [found] = checks.imbalances(T0)
    assert (found.parent_id, found.parent, found.children) == (energy.e_in_ks.pk, Decimal(2000), Decimal(1000))
    [a] = checks.raise_imbalances(T0)
    assert a.kind == AnomalyKind.IMBALANCE and a.point_id == energy.e_in_ks.pk and a.enterprise_id == org.pk
    assert a.evidence["last"]["difference"] == "1000" and a.evidence["last"]["child_points"] == [energy.e_sub_ks.pk]
    checks.raise_imbalances(T0)  # the same day again: nothing added
    a.refresh_from_db()
    assert a.occurrences == 1 and Anomaly.objects.filter(kind=AnomalyKind.IMBALANCE).count() == 1
    assert checks.imbalances(T0 - dt.timedelta(days=1)) == []  # no data that day: no imbalance


def test_balanced_day_raises_nothing(energy):
    org = energy.world.ent_ks
    _feed(org, "E-IN", [100, 110, 120])
    _feed(org, "E-SUB1", [0, 990, 1990])  # 1 990 of 2 000 kWh: 0.5 % apart
    assert checks.raise_imbalances(T0) == []


def test_imbalance_command(energy):
    from django.core.management import call_command

    _feed(energy.world.ent_ks, "E-IN", [100, 110, 120])
    call_command("telemetry-checks", "--day", "2026-11-23")
    assert Anomaly.objects.filter(kind=AnomalyKind.IMBALANCE, point=energy.e_in_ks).exists()


# --- lapsed verification ----------------------------------------------------------------------------------

def test_data_from_a_suspended_meter_raise_an_anomaly(energy):
    org = energy.world.ent_ks
    _feed(org, "E-IN", [100])
    assert not Anomaly.objects.filter(kind=AnomalyKind.VERIFICATION).exists()
    rm.Instrument.objects.filter(pk=energy.meter_ks.pk).update(status="suspended", status_reason="seal broken")
    directory.clear()
    rows = [RawReading("row 1", "E-IN", T0 + dt.timedelta(hours=1), Decimal(101)),
            RawReading("row 2", "E-IN", T0 + dt.timedelta(hours=2), Decimal(102))]
    [res] = ingest([Group(org, rows)], channel="file")
    assert res.counts["accepted"] == 2  # stored all the same
    a = Anomaly.objects.get(kind=AnomalyKind.VERIFICATION)
    assert a.point_id == energy.e_in_ks.pk and a.occurrences == 2
    assert a.evidence["last"]["reason"] == "instrument status suspended: seal broken"
    assert checks.lapsed_meters([energy.meter_ks.pk, None]) == {energy.meter_ks.pk: a.evidence["last"]["reason"]}


def test_validity_hook_for_certificates(energy):
    water = energy.w_in_ks.meter_id
    hook = lambda ids, day: {water: "certificate expired 2026-10-01"} if water in ids else {}  # noqa: E731
    with added(MeterValidityHook(hook)):
        directory.clear()
        [res] = ingest([Group(energy.world.ent_ks, [RawReading("row 1", "W-IN", T0, Decimal(5))])], channel="file")
        assert res.counts["accepted"] == 1
        a = Anomaly.objects.get(kind=AnomalyKind.VERIFICATION)
        assert a.point_id == energy.w_in_ks.pk and a.evidence["first"]["reason"] == "certificate expired 2026-10-01"
    directory.clear()
