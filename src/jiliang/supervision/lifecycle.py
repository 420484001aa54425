"""An instrument's status on a date, its next due and its due occurrences, from its verification events. PURE.

jiliang's definitions (DOMAIN.md, "Supervision of mandatory verification"; docs/supervision.md):

* **Status on a date**: *not counted* (not under mandatory verification, or suspended or retired); *never
  verified*; *valid* (the latest verification passed and its validity covers the date); *due soon* (the validity
  ends within the lead time, default 30 days: configuration, not law); *overdue* (超期未检: the validity has
  ended and no later verification is on record; using the instrument is illegal, 计量法实施细则 Art. 22);
  *failed* (the latest verification failed: 检定结果通知书, not to be used, 1987 measures Art. 7 and 9);
  *service life ended* (a first-verification-only meter past its service life: 限期使用，到期轮换, 1991 trial
  rules item 二).
* **Next due**: the validity the verifying institution set (1987 measures Art. 6), never beyond the
  regulation's maximum period (:func:`capped_validity`); for first-verification-only meters, the end of the
  service life of the regulation row the meter matches.
* **Due occurrences**: each date by which an instrument in scope must be verified: the date it was put in
  service (its first verification), and the end of each passing periodic verification's validity. An
  occurrence is *met* by the first verification after the one that set it (for the first one, the first
  verification at all); it is met *on time* when that verification is dated on or before the due date.

Dates of legal effect are dates; "valid until" is the last day of validity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jiliang.core.values.dates import add_months, last_day_of_validity  # noqa: F401  (add_months: for callers)

# Statuses (the order is the order of the dashboard's columns).
VALID, DUE_SOON, OVERDUE, FAILED, NEVER_VERIFIED, LIFE_ENDED, NOT_COUNTED = (
    "valid", "due_soon", "overdue", "failed", "never_verified", "life_ended", "not_counted")
STATUSES = (VALID, DUE_SOON, OVERDUE, FAILED, NEVER_VERIFIED, LIFE_ENDED, NOT_COUNTED)
# Where the owner must not use the instrument (细则 Art. 22; 1987 measures Art. 7).
MUST_NOT_BE_USED = frozenset({OVERDUE, FAILED, NEVER_VERIFIED, LIFE_ENDED})

PASS, FAIL = "pass", "fail"

# Verification modes of the catalogue (SAMR 2020 No. 42 item 4), as registry.models.VerificationMode stores them.
PERIODIC, FIRST_ONLY_ROTATE, FIRST_ONLY_SCRAP = "periodic", "first_only_rotate", "first_only_scrap"

DEFAULT_LEAD_DAYS = 30  # DOMAIN.md: "due soon ... default 30 days"; configuration, not law (reference §3.2)


@dataclass(frozen=True)
class Event:
    """A concluded verification of one instrument: ``valid_until`` is the last day of validity (None for a
    failed verification, or where the regulation gives no period)."""

    key: int | str
    on: dt.date
    result: str
    valid_until: dt.date | None = None


@dataclass(frozen=True)
class Facts:
    """What the registry says of an instrument: whether it is counted (mandatory and in service), since when it is
    in service (None: unknown), until when it is counted (the date it was suspended or retired, None: still in
    service) and its category's verification mode."""

    counted: bool
    mode: str = PERIODIC
    in_service_on: dt.date | None = None
    counted_until: dt.date | None = None


@dataclass(frozen=True)
class Occurrence:
    due: dt.date
    met_on: dt.date | None
    first: bool = False

    @property
    def on_time(self) -> bool:
        return self.met_on is not None and self.met_on <= self.due


def longest_validity(verified_on: dt.date, max_months: int) -> dt.date:
    """The last day of validity of a verification on ``verified_on`` with a period of ``max_months``."""
    return last_day_of_validity(verified_on, max_months)


def capped_validity(verified_on: dt.date, given: dt.date | None, max_months: int | None) -> dt.date | None:
    """The validity the institution set, never beyond the regulation's maximum period (1987 measures Art. 6);
    without one given, the maximum period itself."""
    if max_months is None:
        return given
    longest = longest_validity(verified_on, max_months)
    return longest if given is None else min(given, longest)


def ordered(events: Iterable[Event]) -> list[Event]:
    """Events by date, then in the order they were recorded (keys of one instrument are of one type)."""
    return sorted(events, key=lambda e: (e.on, e.key))


def latest(events: Iterable[Event]) -> Event | None:
    evs = ordered(events)
    return evs[-1] if evs else None


def status_on(facts: Facts, events: Sequence[Event], day: dt.date,
              lead_days: int = DEFAULT_LEAD_DAYS) -> tuple[str, dt.date | None]:
    """(status, next due) of an instrument on ``day`` from its events up to that day."""
    if not facts.counted or (facts.counted_until is not None and facts.counted_until <= day):
        return NOT_COUNTED, None
    last = latest(e for e in events if e.on <= day)
    if last is None:
        return NEVER_VERIFIED, None
    if last.result == FAIL:
        return FAILED, None
    due = last.valid_until
    if due is None:
        return VALID, None
    if due < day:
        return (LIFE_ENDED if facts.mode == FIRST_ONLY_ROTATE else OVERDUE), due
    if (due - day).days <= lead_days:
        return DUE_SOON, due
    return VALID, due


def base_of(facts: Facts, events: Sequence[Event]) -> tuple[str, dt.date | None]:
    """The part of the status that does not move with the calendar: (status far before the next due, next due).
    ``status_on`` of any day follows from it and the day (:func:`status_from_base`)."""
    if not facts.counted:
        return NOT_COUNTED, None
    last = latest(events)
    if last is None:
        return NEVER_VERIFIED, None
    if last.result == FAIL:
        return FAILED, None
    return VALID, last.valid_until


def status_from_base(base: str, next_due: dt.date | None, mode: str, day: dt.date,
                     lead_days: int = DEFAULT_LEAD_DAYS, counted_until: dt.date | None = None) -> str:
    """The status on ``day`` of an instrument whose :func:`base_of` is (``base``, ``next_due``)."""
    if base == NOT_COUNTED or (counted_until is not None and counted_until <= day):
        return NOT_COUNTED
    if base != VALID or next_due is None:
        return base
    if next_due < day:
        return LIFE_ENDED if mode == FIRST_ONLY_ROTATE else OVERDUE
    return DUE_SOON if (next_due - day).days <= lead_days else VALID


def occurrences(facts: Facts, events: Sequence[Event]) -> list[Occurrence]:
    """The instrument's due occurrences (see the module's docstring), none for an instrument not counted, and
    none due after it stopped being counted."""
    if not facts.counted:
        return []
    evs = ordered(events)
    found: list[Occurrence] = []
    if facts.in_service_on is not None:
        found.append(Occurrence(facts.in_service_on, evs[0].on if evs else None, first=True))
    if facts.mode == PERIODIC:
        for i, e in enumerate(evs):
            if e.result == PASS and e.valid_until is not None:
                found.append(Occurrence(e.valid_until, evs[i + 1].on if i + 1 < len(evs) else None))
    if facts.counted_until is not None:
        found = [o for o in found if o.due < facts.counted_until]
    return found


def month_key(day: dt.date | None) -> int:
    """A month as the integer yyyymm (0 for none), the key of the monthly counters."""
    return 0 if day is None else day.year * 100 + day.month
