"""kpi.status: met / on track / behind against the straight line from the baseline to the target (pure)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from jiliang.kpi import status as st

GOAL = st.Goal(D(50), dt.date(2020, 12, 31), True, D(0), dt.date(2014, 1, 1))


def test_the_line_runs_from_baseline_to_target():
    assert st.expected(GOAL, dt.date(2014, 1, 1)) == 0
    assert st.expected(GOAL, dt.date(2020, 12, 31)) == 50
    assert st.expected(GOAL, dt.date(2030, 1, 1)) == 50  # clipped after the target date
    assert st.expected(GOAL, dt.date(2010, 1, 1)) == 0  # and before the baseline
    half = dt.date(2014, 1, 1) + (dt.date(2020, 12, 31) - dt.date(2014, 1, 1)) / 2
    assert abs(st.expected(GOAL, half) - 25) < D("0.01")


@pytest.mark.parametrize(("value", "day", "want"), [
    (D(50), dt.date(2017, 12, 31), st.MET),
    (D(60), dt.date(2020, 12, 31), st.MET),
    (D(30), dt.date(2017, 12, 31), st.ON_TRACK),  # the line stands at 28.6 on 2017-12-31
    (D(28), dt.date(2017, 12, 31), st.BEHIND),
    (D(49), dt.date(2020, 12, 31), st.BEHIND),
    (None, dt.date(2017, 12, 31), st.NO_VALUE),
])
def test_judge_at_least(value, day, want):
    assert st.judge(value, GOAL, day) == want


def test_at_most_mirrors():
    goal = st.Goal(D(10), dt.date(2020, 12, 31), False, D(30), dt.date(2014, 1, 1))
    assert st.judge(D(9), goal, dt.date(2018, 1, 1)) == st.MET
    # the line falls from 30 to 10 and stands at 18.57 on 2018-01-01
    assert st.judge(D(18), goal, dt.date(2018, 1, 1)) == st.ON_TRACK
    assert st.judge(D(19), goal, dt.date(2018, 1, 1)) == st.BEHIND
    assert st.judge(D(25), goal, dt.date(2018, 1, 1)) == st.BEHIND


def test_without_baseline_there_is_no_line():
    goal = st.Goal(D(98), dt.date(2020, 12, 31))
    assert st.judge(D(97.9), goal, dt.date(2017, 12, 31)) == st.NOT_MET
    assert st.judge(D(98), goal, dt.date(2017, 12, 31)) == st.MET
    assert st.expected(goal, dt.date(2017, 12, 31)) is None


def test_failed_and_no_target():
    assert st.judge(D(1), GOAL, dt.date(2017, 1, 1), failed=True) == st.FAILED
    assert st.judge(D(1), None, dt.date(2017, 1, 1)) == st.NO_TARGET


def test_goal_for_picks_the_year_and_chains_baselines():
    rows = [(2017, D(20), D(0), dt.date(2014, 1, 1)), (2020, D(50), None, None)]
    g = st.goal_for(rows, dt.date(2016, 6, 1))
    assert (g.target, g.by) == (D(20), dt.date(2017, 12, 31))
    g = st.goal_for(rows, dt.date(2019, 6, 1))
    assert (g.target, g.baseline, g.baseline_on) == (D(50), D(20), dt.date(2017, 12, 31))
    g = st.goal_for(rows, dt.date(2023, 1, 1))  # after the plan: its end target stays the measure
    assert g.target == D(50)
    assert st.goal_for([], dt.date(2020, 1, 1)) is None
