"""Working-day arithmetic for the institutions' deadlines (PURE: no Django).

Working days are China's: Monday to Friday, without the statutory holidays, plus the weekend days the State Council
makes working days when it moves a holiday (调休), as the ``chinesecalendar`` package lists them year by year
(e.g. Spring Festival 2025: 28 January to 4 February off, Sunday 26 January and Saturday 8 February worked).

The limits they are counted against are the province's (Zhejiang 条例 Art. 20: within 7 working days of receiving
the instrument in the laboratory, within 10 of the application on site), configured in SupervisionSettings; the
1987 measures (强制检定的工作计量器具检定管理办法) Art. 8 oblige the institution to finish within the set period, and
Art. 15 states the consequence of a delay: "应当按照送检单位的要求，及时安排检定，并免收检定费".

Counting: the day of receipt is not counted (the period starts the next day), the day of the result is; a result
on the day of receipt took 0 working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar

LABORATORY = "laboratory"
ON_SITE = "on_site"

#: 1987 measures Art. 15 (reference/supervision-integrity-licensing.md §3.1), quoted verbatim.
ART_15_CONSEQUENCE = "按照送检单位的要求，及时安排检定，并免收检定费"


class OutsideCalendar(ValueError):
    """A date in a year the installed holiday calendar does not cover."""


def _supported_years() -> tuple[int, int]:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


def is_working_day(day: dt.date) -> bool:
    """Whether ``day`` is a working day in China (statutory holidays off, adjusted weekends worked)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError as exc:
        first, last = _supported_years()
        raise OutsideCalendar(
            f"{day.isoformat()}: the holiday calendar (chinesecalendar) covers {first}-{last} only; "
            f"update the package for {day.year}") from exc


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    if end <= start:
        return 0
    is_working_day(start)  # the clear error for an uncovered start year, too
    n = 0
    day = start + dt.timedelta(days=1)
    while day <= end:
        n += is_working_day(day)
        day += dt.timedelta(days=1)
    return n


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The ``n``-th working day after ``start`` (``start`` itself for n = 0): the last day of a limit of n."""
    if n < 0:
        raise ValueError("n must not be negative")
    day = start
    while n:
        day += dt.timedelta(days=1)
        n -= is_working_day(day)
    return day


@dataclass(frozen=True)
class Lateness:
    """A request measured against its limit: ``taken`` working days against ``limit`` (None: no limit)."""

    taken: int
    limit: int | None
    last_day: dt.date | None  # the last working day allowed

    @property
    def late(self) -> bool:
        return self.limit is not None and self.taken > self.limit

    @property
    def days_late(self) -> int:
        return max(0, self.taken - self.limit) if self.limit is not None else 0


def lateness(received: dt.date, result: dt.date, limit: int | None) -> Lateness:
    """How many working days from ``received`` to ``result``, against ``limit`` working days (None: none)."""
    return Lateness(working_days_between(received, result), limit,
                    add_working_days(received, limit) if limit is not None else None)
