"""Deferred rollups (JILIANG_TELEMETRY_ROLLUPS = "deferred"): ingest queues the increments, ``fold`` adds them
to the rollups; the result equals inline rollups row for row. Timestamp alignment counted per period."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from tests.telemetry.test_rollups import T0, Q, send

from jiliang.telemetry import rollups
from jiliang.telemetry.consumption import misaligned
from jiliang.telemetry.models import EnterpriseRollup, PointRollup, PointState, Reading, RollupIncrement

ROWS = [("E-IN", T0 + i * Q, 1000 + i * Decimal("0.5")) for i in range(6)] + [
    ("E-SUB1", T0 + i * Q, 10 + i) for i in range(6)] + [("W-IN", T0 + Q, 5), ("W-IN", T0 + 2 * Q, 8)]
LATE = [("E-IN", T0 + 2 * Q + dt.timedelta(minutes=7), Decimal("1000.8"))]  # splits an interval, off the grid


def snapshot():
    points = {(r.point_id, r.period, r.start): (r.consumption, r.u, r.tce_equivalent, r.tce_equal_price, r.readings,
                                                r.misaligned) for r in PointRollup.objects.all()}
    ents = {(r.enterprise_id, r.energy_type, r.period, r.start): (r.consumption, r.u_sq, r.tce_equivalent,
                                                                  r.tce_equal_price, r.u_tce_sq, r.readings)
            for r in EnterpriseRollup.objects.all()}
    return points, ents


def reset():
    for model in (PointRollup, EnterpriseRollup, Reading, PointState, RollupIncrement):
        model.objects.all().delete()


def same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        for x, y in zip(a[k], b[k]):
            if isinstance(x, float):
                assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-12), k
            else:
                assert x == y, k


def test_deferred_then_fold_equals_inline(energy, settings):
    send(energy, ROWS)
    send(energy, LATE)
    inline = snapshot()
    assert inline[0] and inline[1]
    reset()
    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    send(energy, ROWS)
    send(energy, LATE)
    assert not PointRollup.objects.exists() and Reading.objects.count() == 15
    queued = RollupIncrement.objects.count()
    assert queued == rollups.pending() > 0
    assert rollups.fold(limit=5) == 5 and rollups.pending() == queued - 5  # oldest first, in batches
    assert rollups.fold() == queued - 5 and rollups.pending() == 0
    same(inline[0], snapshot()[0])
    same(inline[1], snapshot()[1])
    assert rollups.fold() == 0


def test_a_failed_fold_keeps_its_increments(energy, settings):
    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    send(energy, ROWS)
    queued = rollups.pending()
    with pytest.raises(RuntimeError), transaction.atomic():
        rollups.fold()
        raise RuntimeError("the database went away after the fold")
    assert rollups.pending() == queued and not PointRollup.objects.exists()
    assert rollups.fold() == queued and PointRollup.objects.exists()


def test_fold_command(energy, settings, capsys):
    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    send(energy, ROWS)
    queued = rollups.pending()
    call_command("telemetry-rollups", "--once", "--batch", "4")
    assert rollups.pending() == 0
    assert f"folded {queued} increments" in capsys.readouterr().out
    with pytest.raises(CommandError, match="--batch"):
        call_command("telemetry-rollups", "--once", "--batch", "0")


def test_misaligned_readings_counted(energy):
    assert not misaligned(T0 + Q + dt.timedelta(seconds=60), 900, 60)
    assert misaligned(T0 + Q + dt.timedelta(seconds=61), 900, 60)
    assert misaligned(T0 + Q - dt.timedelta(seconds=61), 900, 60)
    assert not misaligned(T0 + Q - dt.timedelta(seconds=59, microseconds=999999), 900, 60)
    send(energy, ROWS)
    send(energy, LATE)
    hour = PointRollup.objects.get(point=energy.e_in_ks, period="hour", start=T0)
    assert hour.readings == 5 and hour.misaligned == 1
    assert PointRollup.objects.get(point=energy.e_sub_ks, period="hour", start=T0).misaligned == 0


def test_a_misspelt_mode_is_a_system_check_error(settings):
    from django.core.checks import run_checks

    settings.JILIANG_TELEMETRY_ROLLUPS = "defered"
    [error] = [e for e in run_checks() if e.id == "telemetry.E001"]
    assert "'defered'" in error.msg and "inline, deferred" in error.msg
    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    assert not [e for e in run_checks() if e.id == "telemetry.E001"]
