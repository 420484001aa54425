"""受检率, 合格率 and 检定率, defined once (DOMAIN.md "Supervision of mandatory verification"; docs/supervision.md).
PURE: the dashboard, the API, the exports and the KPIs call these functions, on occurrences and events or on the
monthly counters that add them up (supervision.counters keeps those in step with every event).

No regulator text defines these rates (reference/supervision-integrity-licensing.md §3.4); every response names
the definition and its version (:data:`DEFINITION_VERSION`) so that a change of definition is never silent.

* **Due set D(P, S)**: the due occurrences (lifecycle.occurrences) of instruments in scope S whose due date falls
  in period P: validity ending in P, or put in service in P (first verification).
* **受检率 (verification rate)**: occurrences of D met by a verification (pass or fail: the instrument was
  presented, 受检) on or before the due date ÷ |D|; variant ``by_end``: met by the end of P.
* **合格率 (pass rate)**: passing verification events ÷ concluded verification events dated in P, counted per
  unit (台件); a re-verification after repair is a new event.
* **检定率** of environmental-monitoring instruments (plan §十四, ≥ 98 %): the verification rate with S restricted
  to that usage (the caller's scope does that; :data:`ENVIRONMENT_RATE` names it).

Periods are whole months (a month, a quarter, a year, or any run of months), so the monthly counters give the
same answer as a recount of the events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .lifecycle import FAIL, PASS, Event, Occurrence, month_key

DEFINITION_VERSION = "jiliang-2026.1"
VERIFICATION_RATE = "verification_rate"  # 受检率, on time
VERIFICATION_RATE_BY_END = "verification_rate_by_end"  # 受检率, verified by the end of the period
PASS_RATE = "pass_rate"  # noqa: S105  (合格率, not a secret)
ENVIRONMENT_RATE = "environment_verification_rate"  # 检定率 (plan §十四)
DEFINITIONS = {
    VERIFICATION_RATE: "instruments of D(P, S) verified by an authorised institution on or before their due date "
                       "÷ |D(P, S)|",
    VERIFICATION_RATE_BY_END: "instruments of D(P, S) verified by an authorised institution by the end of P "
                              "÷ |D(P, S)|",
    PASS_RATE: "passing verification events ÷ concluded verification events in P, per unit (台件)",
    ENVIRONMENT_RATE: "verification rate restricted to environmental-monitoring instruments (plan §十四)",
}


@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` (the first day of a month) to ``end`` (the last day of a month)."""

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start.day != 1:
            raise ValueError(f"a period starts on the first day of a month, not {self.start}")
        if (self.end + dt.timedelta(days=1)).day != 1:
            raise ValueError(f"a period ends on the last day of a month, not {self.end}")
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        start = dt.date(year, month, 1)
        nxt = dt.date(year + month // 12, month % 12 + 1, 1)
        return cls(start, nxt - dt.timedelta(days=1))

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def months(cls, first: int, last: int) -> Period:
        """From month key ``first`` to month key ``last`` (yyyymm), both included."""
        return cls(cls.month(first // 100, first % 100).start, cls.month(last // 100, last % 100).end)

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    @property
    def first_month(self) -> int:
        return month_key(self.start)

    @property
    def last_month(self) -> int:
        return month_key(self.end)

    def month_keys(self) -> list[int]:
        keys, day = [], self.start
        while day <= self.end:
            keys.append(month_key(day))
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return keys


@dataclass(frozen=True)
class Rate:
    name: str
    numerator: int
    denominator: int
    version: str = DEFINITION_VERSION

    @property
    def value(self) -> float | None:
        """The rate as a fraction, None for an empty denominator (never 0: nothing was due is not a failure)."""
        return self.numerator / self.denominator if self.denominator else None

    @property
    def definition(self) -> str:
        return DEFINITIONS[self.name]

    def as_dict(self) -> dict:
        return {"name": self.name, "numerator": self.numerator, "denominator": self.denominator,
                "value": self.value, "definition": self.definition, "version": self.version}


def due_set(occurrences: Iterable[Occurrence], period: Period) -> list[Occurrence]:
    """D(P, ·) of occurrences already restricted to the scope."""
    return [o for o in occurrences if o.due in period]


def verification_rate(occurrences: Iterable[Occurrence], period: Period, *, by_end: bool = False,
                      name: str | None = None) -> Rate:
    due = due_set(occurrences, period)
    if by_end:
        met = sum(1 for o in due if o.met_on is not None and o.met_on <= period.end)
    else:
        met = sum(1 for o in due if o.on_time)
    return Rate(name or (VERIFICATION_RATE_BY_END if by_end else VERIFICATION_RATE), met, len(due))


def pass_rate(events: Iterable[Event], period: Period) -> Rate:
    concluded = [e for e in events if e.on in period and e.result in (PASS, FAIL)]
    return Rate(PASS_RATE, sum(1 for e in concluded if e.result == PASS), len(concluded))


# -- the same rates from the monthly counters (supervision.counters) ----------------------------------------------


@dataclass(frozen=True)
class DueCount:
    """How many occurrences due in month ``due_month`` were met in ``met_month`` (0: not yet), on time or not."""

    due_month: int
    met_month: int
    on_time: bool
    n: int


@dataclass(frozen=True)
class EventCount:
    month: int
    result: str
    n: int


def occurrence_counts(occurrences: Iterable[Occurrence]) -> dict[tuple[int, int, bool], int]:
    """The counter keys (due month, met month, on time) of occurrences, with their multiplicities."""
    counts: dict[tuple[int, int, bool], int] = {}
    for o in occurrences:
        key = (month_key(o.due), month_key(o.met_on), o.on_time)
        counts[key] = counts.get(key, 0) + 1
    return counts


def event_counts(events: Iterable[Event]) -> dict[tuple[int, str], int]:
    counts: dict[tuple[int, str], int] = {}
    for e in events:
        key = (month_key(e.on), e.result)
        counts[key] = counts.get(key, 0) + 1
    return counts


def verification_rate_from_counts(rows: Iterable[DueCount], period: Period, *, by_end: bool = False,
                                  name: str | None = None) -> Rate:
    first, last = period.first_month, period.last_month
    due = met = 0
    for r in rows:
        if first <= r.due_month <= last:
            due += r.n
            if by_end:
                met += r.n if r.met_month and r.met_month <= last else 0
            else:
                met += r.n if r.on_time else 0
    return Rate(name or (VERIFICATION_RATE_BY_END if by_end else VERIFICATION_RATE), met, due)


def pass_rate_from_counts(rows: Iterable[EventCount], period: Period) -> Rate:
    first, last = period.first_month, period.last_month
    passed = concluded = 0
    for r in rows:
        if first <= r.month <= last and r.result in (PASS, FAIL):
            concluded += r.n
            passed += r.n if r.result == PASS else 0
    return Rate(PASS_RATE, passed, concluded)
