"""Consumption from cumulative registers, calendar buckets, and the uncertainty of consumption figures.

Pure: no Django imports.

* A register reading R(t) is cumulative. The consumption of the interval (t₀, t₁] is
  ``(R(t₁) − R(t₀)) × multiplier`` (CT × PT ratio), with a rollover at the register capacity C:
  when R falls from near C to near 0, the difference is ``C − R(t₀) + R(t₁)``.
* A fall that is not a rollover is a meter reset when the new value is small (the register restarted:
  the consumption since the reset, R(t₁) × multiplier, is counted) and reverse flow otherwise (the
  negative difference is kept as it is, never clipped, and flagged).
* A delta is filed under the hour, day and month (Asia/Shanghai) that contain the *end* of its interval,
  taken as ``t₁ − 1 µs``: the reading at 00:00 closes the previous day, as the national online monitoring
  system's daily data do (reference protocols-energy-dcc.md §4: daily data at 00:00 ± 1 min).

Uncertainty (JCGM 100:2008 = JJF 1059.1-2012): a meter of accuracy class c (its MPE ±c % of the measured
quantity) contributes a rectangular distribution of half-width a = c/100 × |Δ|, whose standard uncertainty is
u = a/√3 (JCGM 100 4.3.7); that is evaluated with ``jiliang.uncertainty.Rectangular`` when the package is
importable, and with the same formula otherwise. The multiplier is a constant of the installation (its
transformers' own errors are part of the installation's class where the meter record gives one), so
u(k·Δ) = k·u(Δ) (JCGM 100 5.1.2, sensitivity coefficient k). Within one meter the error is systematic, so the
intervals' uncertainties add linearly (correlation r = 1, JCGM 100 5.2.2 Note 1); across meters the errors
are independent and variances add (JCGM 100 5.1.2).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
ONE_US = dt.timedelta(microseconds=1)
# Rollover: the previous value was in the top part of the register and the new one in the bottom part.
ROLLOVER_HIGH = Decimal("0.9")
ROLLOVER_LOW = Decimal("0.1")


class Event:
    NORMAL = ""
    ROLLOVER = "rollover"
    RESET = "meter_reset"
    REVERSE = "reverse_flow"


@dataclass(frozen=True, slots=True)
class PointParams:
    multiplier: Decimal = Decimal(1)
    register_capacity: Decimal | None = None
    rated_capacity: Decimal | None = None  # per hour, after the multiplier
    relative_u: float = 0.0  # standard uncertainty per unit of consumption (from the accuracy class)


@dataclass(frozen=True, slots=True)
class Delta:
    start: dt.datetime
    end: dt.datetime
    consumption: Decimal  # after multiplier, in the point's unit
    event: str
    register_delta: Decimal


def delta(params: PointParams, t0: dt.datetime, r0: Decimal, t1: dt.datetime, r1: Decimal) -> Delta:
    """The consumption of (t0, t1] from readings r0 at t0 and r1 at t1 (t0 < t1)."""
    diff = r1 - r0
    event = Event.NORMAL
    if diff < 0:
        cap = params.register_capacity
        if cap is not None and r0 >= cap * ROLLOVER_HIGH and r1 <= cap * ROLLOVER_LOW:
            diff, event = cap - r0 + r1, Event.ROLLOVER
        elif _looks_reset(params, t0, t1, r0, r1):
            diff, event = r1, Event.RESET
        else:
            event = Event.REVERSE
    return Delta(t0, t1, diff * params.multiplier, event, r1 - r0)


def _looks_reset(params: PointParams, t0, t1, r0: Decimal, r1: Decimal) -> bool:
    # After a reset the register holds what was used since: at most the physical limit for the elapsed time,
    # or (without a rated capacity) a small fraction of the old value.
    if r1 > r0 * Decimal("0.1"):
        return False  # a reset brings the register near zero, far below where it was
    if params.rated_capacity is not None and params.multiplier:
        hours = Decimal((t1 - t0).total_seconds()) / 3600
        return r1 * params.multiplier <= params.rated_capacity * hours
    return r1 <= r0 * Decimal("0.01")


def spike_limit(params: PointParams, d: Delta) -> Decimal | None:
    """The physical limit of the point for the interval: rated capacity × elapsed hours."""
    if params.rated_capacity is None:
        return None
    return params.rated_capacity * Decimal((d.end - d.start).total_seconds()) / 3600


def bucket_starts(end: dt.datetime) -> tuple[dt.datetime, dt.datetime, dt.datetime]:
    """(hour, day, month) starts, local time as aware datetimes, of the period that holds ``end − 1 µs``."""
    t = (end - ONE_US).astimezone(LOCAL)
    hour = t.replace(minute=0, second=0, microsecond=0)
    day = hour.replace(hour=0)
    month = day.replace(day=1)
    return hour, day, month


def misaligned(ts: dt.datetime, interval_s: int, tolerance_s: float) -> bool:
    """Whether ``ts`` is off the collection grid of ``interval_s`` by more than ``tolerance_s``.

    The grid is counted from the Unix epoch; for intervals that divide an hour it is the local clock's grid
    too (Asia/Shanghai is UTC+8). The national online monitoring system takes daily data at 00:00 ± 1 min
    (reference protocols-energy-dcc.md §4), the tolerance applied here by default to every interval.
    """
    off = ts.timestamp() % interval_s
    return min(off, interval_s - off) > tolerance_s


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Asia/Shanghai, as the day rollups' ``start`` holds it."""
    return dt.datetime.combine(day, dt.time(), tzinfo=LOCAL)


_CLASS = re.compile(r"^\s*(?:class\s*)?([0-9]+(?:\.[0-9]+)?)\s*(S|s)?\s*(?:级)?\s*$")


@lru_cache(maxsize=256)
def class_percent(accuracy_class: str) -> float | None:
    """The MPE in % of an energy meter's accuracy class: '0.5S' → 0.5, '1' → 1.0, '2.0' → 2.0 (GB/T 17215,
    JJG 596: class index = MPE in % at reference conditions). Classes it cannot read give None."""
    m = _CLASS.match(accuracy_class or "")
    return float(m.group(1)) if m else None


def standard_from_half_width(a: float) -> float:
    """u of a rectangular distribution of half-width a: a/√3 (JCGM 100 4.3.7)."""
    if a <= 0:
        return 0.0
    try:
        from jiliang.uncertainty import Rectangular
    except ImportError:  # pragma: no cover - the uncertainty package is optional here
        return a / math.sqrt(3.0)
    return Rectangular(-a, a).std_uncertainty


@lru_cache(maxsize=256)
def relative_u(accuracy_class: str) -> float:
    """Standard uncertainty per unit of consumption for a meter of ``accuracy_class`` (0 when unknown)."""
    pct = class_percent(accuracy_class)
    return 0.0 if pct is None else standard_from_half_width(pct / 100.0)


def combine_independent(*u: float) -> float:
    """Root-sum-square of independent standard uncertainties (JCGM 100 5.1.2, c_i = ±1)."""
    return math.sqrt(sum(x * x for x in u))


def expanded(u: float, k: float = 2.0) -> float:
    """U = k·u (JCGM 100 6.2.1); k = 2 for about 95 % coverage."""
    return k * u
