"""Calendar months for periods of validity (pure).

A verification or calibration valid for n months from day d is valid up to and including the day before the same
day n months later (the last day of validity, as certificates state it); a day that the later month lacks falls on
its last day (31 January + 1 month → 28 or 29 February).
"""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def last_day_of_validity(start: dt.date, months: int) -> dt.date:
    """The last day of a validity of ``months`` months from ``start``."""
    return add_months(start, months) - dt.timedelta(days=1)
