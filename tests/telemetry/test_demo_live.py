"""The live demo: while `make run` runs, the demo's metering points keep reporting simulated readings through
the ingest pipeline, so the dashboard's online rate does not decay to 0 %."""

import datetime as dt
import random
from decimal import Decimal

UTC = dt.UTC


def test_the_live_demo_keeps_the_demo_points_reporting(energy):
    from django.contrib.auth import get_user_model

    from jiliang.telemetry import quality
    from jiliang.telemetry.ingest import Group, directory, ingest
    from jiliang.telemetry.models import PointState, Reading
    from jiliang.telemetry.parsing import RawReading
    from jiliang.telemetry.tasks import keep_demo_reporting

    now = dt.datetime(2026, 12, 4, 3, 7, tzinfo=UTC)
    start = now - dt.timedelta(hours=2, minutes=7)  # the demo was built two hours ago, on the quarter hour
    directory.clear()
    ks, xw = energy.world.ent_ks, energy.world.ent_xw
    ingest([Group(ks, [RawReading("1", "E-IN", start, Decimal("1000")), RawReading("2", "W-IN", start, Decimal(5)),
                       RawReading("3", "E-SUB1", start, Decimal(10))]),
            Group(xw, [RawReading("1", "E-IN", start, Decimal("2000"))])], channel="demo", received_at=start)
    province = get_user_model().objects.get(username="province")
    assert quality.online_rate(quality.enterprise_statuses(province, now)) == 0
    n = keep_demo_reporting(now, random.Random(1))
    assert n == 4 * 8  # four points, eight quarter-hours each (01:15 … 03:00)
    states = {s.point.code + s.point.enterprise.name: s for s in PointState.objects.select_related("point__enterprise")}
    assert all(s.last_ts == dt.datetime(2026, 12, 4, 3, 0, tzinfo=UTC) for s in states.values())
    e_in = list(Reading.objects.filter(point=energy.e_in_ks).order_by("ts").values_list("value", flat=True))
    assert e_in == sorted(e_in) and e_in[0] == Decimal("1000")  # registers advance
    assert quality.online_rate(quality.enterprise_statuses(province, now)) == 1
    assert keep_demo_reporting(now, random.Random(1)) == 0  # nothing due twice


def test_the_scheduled_snapshot_stores_the_online_counts_at_its_slot(energy):
    from jiliang.telemetry.models import OnlineSnapshot
    from jiliang.telemetry.tasks import online_snapshot

    slot = dt.datetime(2026, 12, 4, 3, 15, tzinfo=UTC)
    assert online_snapshot.call(slot=slot.isoformat()) > 0
    rows = OnlineSnapshot.objects.filter(taken_at=slot)
    assert rows.exists() and all(r.online == 0 and r.enterprises >= 1 for r in rows)
