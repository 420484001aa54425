"""Simulated meter registers: how much a point's register advances over an interval.

One model for ``jiliang simulate-meters`` (which publishes the values to the MQTT broker) and for the live
demo (``tasks.demo_live``, which feeds them through the ingest pipeline): a working-day load shape times the
point's rated capacity, with ±15 % noise, wrapping at the register's capacity.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

CENT = Decimal("0.01")


def load_factor(t: dt.datetime) -> float:
    """A working-day shape: low at night, high in working hours, lower at weekends."""
    local = t.astimezone(dt.timezone(dt.timedelta(hours=8)))
    h = local.hour + local.minute / 60
    day = 0.35 + 0.55 * max(0.0, math.sin(math.pi * (h - 6) / 14)) if 6 <= h <= 20 else 0.3
    return day * (0.6 if local.weekday() >= 5 else 1.0)


def advance(point, value: Decimal, seconds: float, at: dt.datetime, rng: random.Random) -> Decimal:
    """The register of ``point`` (a MeteringPoint) ``seconds`` after it read ``value``, at time ``at``."""
    hours = Decimal(seconds) / 3600
    rated = point.rated_capacity or Decimal(500)
    inc = rated * hours * Decimal(load_factor(at) * rng.uniform(0.85, 1.15)) / point.multiplier
    value = (value + inc).quantize(CENT)
    if point.register_capacity and value >= point.register_capacity:
        value -= point.register_capacity
    return value
