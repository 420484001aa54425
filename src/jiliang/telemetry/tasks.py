"""Periodic tasks of telemetry (their Schedules are in telemetry/extensions.py); each takes its slot's start as ``slot``."""

from __future__ import annotations

import datetime as dt
import random

from django.db import connection
from django.utils import timezone
from django_tasks import task

from jiliang.core.audit import audit_context

from . import partitions, rollups
from .checks import raise_imbalances
from .consumption import LOCAL, local_day_start
from .quality import record_online_snapshot

# The live demo fills a gap of at most this long (a demo started again after a week reports from a day ago).
DEMO_CATCH_UP = dt.timedelta(days=1)


@task()
def online_snapshot(slot: str) -> int:
    """`jiliang telemetry-snapshot`: the online counts per region at the slot."""
    return record_online_snapshot(dt.datetime.fromisoformat(slot))


@task()
def create_partitions(slot: str) -> list[str]:
    """`jiliang telemetry-partitions`: the monthly reading partitions three months ahead (PostgreSQL)."""
    if not partitions.is_partitioned(connection):
        return []
    partitions.ensure_ahead()
    return partitions.list_partitions()


@task()
def daily_checks(slot: str) -> int:
    """`jiliang telemetry-checks`: imbalance anomalies of the local day before the slot."""
    day = dt.datetime.fromisoformat(slot).astimezone(LOCAL).date() - dt.timedelta(days=1)
    with audit_context(channel="task"):
        return len(raise_imbalances(local_day_start(day)))


@task()
def fold_rollups(slot: str) -> int:
    """`jiliang telemetry-rollups --once`: fold the queued rollup increments (deferred rollups)."""
    total = 0
    while n := rollups.fold():
        total += n
    return total


@task()
def demo_live(slot: str) -> int:
    """The demo's meters keep reporting: every reporting demo point gets its due readings up to now, made by
    the simulation of ``jiliang simulate-meters`` and stored through the ingest pipeline (channel ``demo``)."""
    return keep_demo_reporting(timezone.now(), random.Random(slot))


def keep_demo_reporting(now: dt.datetime, rng: random.Random) -> int:
    from .demo import OFFLINE, demo_enterprises
    from .ingest import Group, ingest
    from .models import MeteringPoint, PointState
    from .parsing import RawReading
    from .simulation import advance

    _, orgs = demo_enterprises(with_points=True)
    reporting = orgs[:-OFFLINE] if len(orgs) > OFFLINE else orgs
    points = list(MeteringPoint.objects.filter(enterprise__in=reporting, active=True).order_by("enterprise_id", "id"))
    states = {s.point_id: s for s in PointState.objects.filter(point__in=points)}
    groups = {}
    for p in points:
        state = states.get(p.pk)
        if state is None or state.last_ts is None or state.last_value is None:
            continue
        step = dt.timedelta(seconds=p.interval_seconds)
        t, value = state.last_ts + step, state.last_value
        if t < now - DEMO_CATCH_UP:  # start on the point's grid a day ago
            t += ((now - DEMO_CATCH_UP - t) // step) * step
        readings = groups.setdefault(p.enterprise_id, (p.enterprise, []))[1]
        while t <= now:
            value = advance(p, value, step.total_seconds(), t, rng)
            readings.append(RawReading(f"{p.code} {t:%H%M}", p.code, t, value))
            t += step
    batch = [Group(org, readings, reference="demo live") for org, readings in groups.values() if readings]
    if not batch:
        return 0
    with audit_context(channel="task"):
        ingest(batch, channel="demo", received_at=now)
    return sum(len(g.readings) for g in batch)
