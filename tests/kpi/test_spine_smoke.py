import datetime as dt

from jiliang.kpi import values


def test_every_indicator_reads_on_the_world(world, plan):
    day = dt.date.today()
    readings = values.live(plan.indicators.all(), values.plan_regions(plan), day)
    failed = {k: r.reason for k, r in readings.items() if r.state == "failed"}
    assert not failed
    assert len(readings) == 26 * 14
