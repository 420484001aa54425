"""Working-day arithmetic (supervision/workdays.py) against China's 2025 calendar: Spring Festival 28 January - 4
February off, Sunday 26 January and Saturday 8 February worked (State Council notice on the 2025 holidays)."""

import datetime as dt

import pytest

from jiliang.supervision import workdays as w

D = dt.date


def test_adjusted_weekend_is_a_working_day_and_festival_days_are_not():
    assert w.is_working_day(D(2025, 1, 26))  # Sunday, worked
    assert w.is_working_day(D(2025, 2, 8))  # Saturday, worked
    assert not w.is_working_day(D(2025, 1, 28))
    assert not w.is_working_day(D(2025, 2, 4))
    assert not w.is_working_day(D(2025, 1, 25))  # an ordinary Saturday
    assert w.is_working_day(D(2025, 2, 5))


def test_counting_across_spring_festival():
    # received Friday 24 Jan: 26 (Sun, worked), 27 (Mon), then off to 4 Feb, 5, 6, 7, 8 (Sat, worked) = 6
    assert w.working_days_between(D(2025, 1, 24), D(2025, 2, 8)) == 6
    assert w.working_days_between(D(2025, 1, 24), D(2025, 2, 10)) == 7
    assert w.add_working_days(D(2025, 1, 24), 7) == D(2025, 2, 10)
    assert w.add_working_days(D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert w.working_days_between(D(2025, 1, 24), D(2025, 1, 24)) == 0
    assert w.working_days_between(D(2025, 2, 10), D(2025, 1, 24)) == 0


def test_lateness_against_a_limit():
    late = w.lateness(D(2025, 1, 24), D(2025, 2, 11), 7)
    assert (late.taken, late.late, late.days_late, late.last_day) == (8, True, 1, D(2025, 2, 10))
    on_time = w.lateness(D(2025, 1, 24), D(2025, 2, 10), 7)
    assert not on_time.late and on_time.days_late == 0
    unlimited = w.lateness(D(2025, 1, 24), D(2025, 3, 10), None)
    assert not unlimited.late and unlimited.last_day is None


def test_a_year_the_calendar_does_not_cover_is_a_clear_error():
    with pytest.raises(w.OutsideCalendar, match="2040.*chinesecalendar"):
        w.working_days_between(D(2040, 1, 2), D(2040, 1, 9))
    with pytest.raises(ValueError):
        w.add_working_days(D(2025, 1, 1), -1)
