"""Rollups kept incrementally: multiplier, rollover, reset, reverse flow, out-of-order readings, tce and
uncertainty; anomalies with their evidence."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from jiliang.telemetry.consumption import LOCAL, bucket_starts, class_percent, relative_u
from jiliang.telemetry.ingest import Group, ingest
from jiliang.telemetry.models import Anomaly, EnterpriseRollup, PointRollup
from jiliang.telemetry.parsing import RawReading

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
Q = dt.timedelta(minutes=15)


def send(energy, rows, enterprise=None, channel="file"):
    readings = [RawReading(f"row {i}", code, ts, Decimal(str(v))) for i, (code, ts, v) in enumerate(rows, 1)]
    [res] = ingest([Group(enterprise or energy.world.ent_ks, readings)], channel=channel)
    return res


def rollup(point, period, start):
    return PointRollup.objects.get(point=point, period=period, start=start)


def test_class_parsing_and_rectangular_u():
    assert class_percent("0.5S") == 0.5 and class_percent("1") == 1.0 and class_percent("2.0级") == 2.0
    assert class_percent("III") is None
    assert math.isclose(relative_u("0.5S"), 0.005 / math.sqrt(3))


def test_buckets_file_the_interval_under_its_end():
    hour, day, month = bucket_starts(T0)  # 00:00 closes the previous day
    assert day == dt.datetime(2026, 11, 22, tzinfo=LOCAL) and hour == dt.datetime(2026, 11, 22, 23, tzinfo=LOCAL)
    assert bucket_starts(T0 + Q)[1] == dt.datetime(2026, 11, 23, tzinfo=LOCAL)
    assert bucket_starts(T0)[2] == dt.datetime(2026, 11, 1, tzinfo=LOCAL)


def test_multiplier_tce_and_uncertainty(energy):
    res = send(energy, [("E-IN", T0 + i * Q, 1000 + i * Decimal("0.5")) for i in range(5)])
    assert res.batch.accepted == 5
    hour = rollup(energy.e_in_ks, "hour", T0)
    assert hour.consumption == Decimal("200")  # 4 × 0.5 kWh × multiplier 100
    assert hour.readings == 4
    assert hour.tce_equivalent == Decimal("0.024580000")  # 200 kWh × 0.1229 kgce/kWh
    # 200 kWh × 0.3007 kgce/kWh: 2026 has no value of its own, so the latest shipped year (2022) applies
    assert hour.tce_equal_price == Decimal("0.060140000")
    assert math.isclose(float(hour.u), 200 * 0.005 / math.sqrt(3), rel_tol=1e-5)
    day = rollup(energy.e_in_ks, "day", T0)
    assert day.consumption == Decimal("200") and day.readings == 4
    assert rollup(energy.e_in_ks, "day", T0 - dt.timedelta(days=1)).readings == 1  # the 00:00 reading
    ent = EnterpriseRollup.objects.get(enterprise=energy.world.ent_ks, energy_type="electricity", period="day",
                                       start=T0)
    assert ent.consumption == Decimal("200")
    assert math.isclose(math.sqrt(ent.u_sq), float(day.u), rel_tol=1e-5)
    assert math.isclose(math.sqrt(ent.u_tce_sq), float(day.u) * 0.1229 / 1000, rel_tol=1e-4)


def test_incremental_equals_one_batch(energy):
    rows = [("E-IN", T0 + i * Q, 50 + i) for i in range(12)]
    for row in rows:
        send(energy, [row])
    inc = {(r.period, r.start): (r.consumption, r.readings, float(r.u)) for r in PointRollup.objects.all()}
    PointRollup.objects.all().delete()
    EnterpriseRollup.objects.all().delete()
    from jiliang.telemetry.models import PointState, Reading

    Reading.objects.all().delete()
    PointState.objects.all().delete()
    send(energy, rows)
    once = {(r.period, r.start): (r.consumption, r.readings, float(r.u)) for r in PointRollup.objects.all()}
    assert inc.keys() == once.keys()
    for k in inc:
        assert inc[k][:2] == once[k][:2] and math.isclose(inc[k][2], once[k][2], rel_tol=1e-6)


def test_out_of_order_reading_splits_its_interval(energy):
    d1 = T0 + dt.timedelta(days=1)
    send(energy, [("E-IN", d1 - Q, 100), ("E-IN", d1 + Q, 102)])
    assert rollup(energy.e_in_ks, "day", d1).consumption == Decimal(200)
    send(energy, [("E-IN", d1, Decimal("100.5"))])  # midnight arrives late
    assert rollup(energy.e_in_ks, "day", d1).consumption == Decimal(150)
    assert rollup(energy.e_in_ks, "day", T0).consumption == Decimal(50)
    assert rollup(energy.e_in_ks, "day", d1).readings == 1 and rollup(energy.e_in_ks, "day", T0).readings == 2
    assert not Anomaly.objects.filter(kind="gap").exists()


def test_rollover(energy):
    send(energy, [("E-IN", T0 + Q, Decimal("999999.00")), ("E-IN", T0 + 2 * Q, Decimal("0.50"))])
    assert rollup(energy.e_in_ks, "hour", T0).consumption == Decimal(150)  # (1e6 − 999999 + 0.5) × 100
    a = Anomaly.objects.get(kind="rollover")
    assert a.evidence["first"]["consumption"] == "150"


def test_meter_reset_and_reverse_flow(energy):
    send(energy, [("E-IN", T0 + Q, 5000), ("E-IN", T0 + 2 * Q, Decimal("0.3"))])
    assert Anomaly.objects.filter(point=energy.e_in_ks, kind="meter_reset").exists()
    assert rollup(energy.e_in_ks, "hour", T0).consumption == Decimal(30)  # counted from zero
    send(energy, [("E-IN", T0 + 3 * Q, Decimal("0.2"))])
    reverse = Anomaly.objects.get(point=energy.e_in_ks, kind="reverse_flow")
    assert reverse.evidence["first"]["register_delta"] == "-0.1"
    assert rollup(energy.e_in_ks, "hour", T0).consumption == Decimal(20)  # kept, never clipped


def test_spike_gap_and_stuck(energy, settings):
    settings.JILIANG_TELEMETRY_STUCK_READINGS = 4
    send(energy, [("E-IN", T0 + Q, 1000), ("E-IN", T0 + 2 * Q, 1100)])  # 10 000 kWh in 15 min > 1250
    spike = Anomaly.objects.get(kind="spike")
    assert spike.evidence["first"]["limit"] == "1250"
    send(energy, [("E-IN", T0 + 6 * Q, 1101)])  # 3 readings missing
    assert Anomaly.objects.get(kind="gap").evidence["first"]["missing"] == 3
    send(energy, [("E-IN", T0 + (7 + i) * Q, 1101) for i in range(5)])
    stuck = Anomaly.objects.get(kind="stuck")
    assert stuck.state == "open" and stuck.evidence["first"]["value"] == "1101"
    send(energy, [("E-IN", T0 + 20 * Q, 1101)])
    assert Anomaly.objects.filter(kind="stuck").count() == 1  # not raised again


def test_repeats_add_to_one_open_anomaly(energy):
    for k in range(3):
        send(energy, [("E-IN", T0 + (2 * k + 1) * Q, 1000 + 200 * k), ("E-IN", T0 + (2 * k + 2) * Q, 1100 + 200 * k)])
    spike = Anomaly.objects.get(kind="spike")
    assert spike.occurrences == 5  # 3 within the batches and 2 across them (1100 → 1200, 1300 → 1400)


def test_enterprise_rollup_in_minus_out_and_children_excluded(energy):
    send(energy, [("E-IN", T0 + Q, 10), ("E-IN", T0 + 2 * Q, 11), ("E-SUB1", T0 + Q, 10), ("E-SUB1", T0 + 2 * Q, 60),
                  ("W-IN", T0 + Q, 5), ("W-IN", T0 + 2 * Q, 8)])
    elec = EnterpriseRollup.objects.get(enterprise=energy.world.ent_ks, energy_type="electricity", period="hour",
                                        start=T0)
    assert elec.consumption == Decimal(100)  # the secondary unit is below the incoming point, not added
    water = EnterpriseRollup.objects.get(enterprise=energy.world.ent_ks, energy_type="water", period="hour", start=T0)
    assert water.consumption == Decimal(3) and water.unit == "m³"
    assert water.tce_equal_price == Decimal("0.000257100")  # 3 t × 0.0857 kgce/t (GB/T 2589-2008 Annex B)
    u_water = 3 * 0.02 / math.sqrt(3)
    assert math.isclose(math.sqrt(water.u_sq), u_water, rel_tol=1e-5)
