"""Where an indicator stands against its target (PURE).

jiliang's rule, stated on the live page and in the reports (the plan gives targets, not a method of judging
progress): with a baseline (value b on date d₀) and a target (value t by the end of year Y, date d₁), the expected
value on day d is the straight line e(d) = b + (t − b)·(d − d₀)/(d₁ − d₀), clipped to [d₀, d₁]. For an indicator of
direction "at least":

* **met**: value ≥ t;
* **on track**: value ≥ e(d) (not yet at the target, but at or above the line);
* **behind**: value < e(d).

"At most" mirrors it. Without a baseline there is no line: the status is met or **not met**. Without a target it is
**no target**; without a value, **no value** (nothing to count, or not entered); a computation that failed is
**failed** and never a 0.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

MET = "met"
ON_TRACK = "on_track"
BEHIND = "behind"
NOT_MET = "not_met"
NO_TARGET = "no_target"
NO_VALUE = "no_value"
FAILED = "failed"
STATUSES = (MET, ON_TRACK, BEHIND, NOT_MET, NO_TARGET, NO_VALUE, FAILED)


@dataclass(frozen=True)
class Goal:
    target: Decimal
    by: dt.date  # the end of the target's year
    at_least: bool = True
    baseline: Decimal | None = None
    baseline_on: dt.date | None = None


def expected(goal: Goal, day: dt.date) -> Decimal | None:
    """The straight line's value on ``day`` (None without a baseline)."""
    if goal.baseline is None or goal.baseline_on is None:
        return None
    span = (goal.by - goal.baseline_on).days
    if span <= 0:
        return goal.target
    done = min(max((day - goal.baseline_on).days, 0), span)
    return goal.baseline + (goal.target - goal.baseline) * Decimal(done) / Decimal(span)


def judge(value: Decimal | None, goal: Goal | None, day: dt.date, *, failed: bool = False) -> str:
    """The status of ``value`` on ``day`` against ``goal`` (see the module's rule)."""
    if failed:
        return FAILED
    if value is None:
        return NO_VALUE
    if goal is None:
        return NO_TARGET

    def reached(v: Decimal, bar: Decimal) -> bool:
        return v >= bar if goal.at_least else v <= bar

    if reached(value, goal.target):
        return MET
    line = expected(goal, day)
    if line is None:
        return NOT_MET
    return ON_TRACK if reached(value, line) else BEHIND


def goal_for(targets: list[tuple[int, Decimal, Decimal | None, dt.date | None]], day: dt.date,
             at_least: bool = True) -> Goal | None:
    """The goal that applies on ``day`` among (year, target, baseline, baseline date) rows: the first target whose
    year has not ended before ``day``, else the last one (a plan's end target stays the measure afterwards). A
    target without its own baseline starts from the previous target (its value at the end of its year)."""
    rows = sorted(targets)
    if not rows:
        return None
    chosen = next((i for i, r in enumerate(rows) if dt.date(r[0], 12, 31) >= day), len(rows) - 1)
    year, target, baseline, baseline_on = rows[chosen]
    if baseline is None and chosen > 0:
        prev = rows[chosen - 1]
        baseline, baseline_on = prev[1], dt.date(prev[0], 12, 31)
    return Goal(target, dt.date(year, 12, 31), at_least, baseline, baseline_on)
