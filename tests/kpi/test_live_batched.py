"""Sources with ``compute_many`` (supervision's rates) give through values.live, in one grouped read for the
province and its 13 cities, what they give region by region; on supervision's hand-counted history (tests/supervision/
conftest.py): 2021, Suzhou due 4, on time 2; Nanjing due 2, on time 1; passed 2 of 3 and 1 of 1."""

import datetime as dt

from tests.supervision.conftest import history  # noqa: F401

from jiliang.kpi import values


def test_batched_values_equal_the_region_by_region_ones(history, plan):  # noqa: F811
    day = dt.date(2021, 12, 31)
    regions = values.plan_regions(plan)
    indicators = list(plan.indicators.select_related("plan"))
    batched = values.live(indicators, regions, day)
    for i in indicators:
        for r in regions:
            one = values.compute(i, r, day)
            many = batched[(i.code, r)]
            assert (many.state, many.value, many.numerator, many.denominator, many.version) == \
                   (one.state, one.value, one.numerator, one.denominator, one.version), (i.code, r)
    rate = plan.indicators.get(code="C10.2")  # pass rate of markets and clinics: none in the history
    assert batched[(rate.code, "320000")].state == "empty"


def test_the_dashboards_counts_through_the_batched_rate(history, plan):  # noqa: F811
    """Every instrument's rate (no key filter) as the supervision dashboard counts it for 2021."""
    from jiliang.supervision.indicators import verification_rate_many

    got = verification_rate_many(["320000", "320500", "320100", "320200"], dt.date(2021, 12, 31), plan.starts_on)
    assert (got["320500"].numerator, got["320500"].denominator) == (2, 4)
    assert (got["320100"].numerator, got["320100"].denominator) == (1, 2)
    assert (got["320000"].numerator, got["320000"].denominator) == (3, 6)
    assert got["320200"].value is None and got["320200"].denominator == 0
