"""The supervision dashboard in Chromium: 受检率 by city drawn on the map of Jiangsu, with the figures of the known
history (tests/supervision/conftest.py), and the monthly trend chart."""

import pytest
from tests.browser.conftest import login
from tests.supervision.conftest import history  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verification_rate_by_city_on_the_map(history, live_server, page):  # noqa: F811
    login(page, live_server, "province", "pw-province")
    page.goto(f"{live_server.url}/supervision/?period=2021")
    page.wait_for_selector("#chart-map[data-ready]")
    assert page.get_attribute("#chart-map", "data-ready") == "map"
    option = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.getElementById('chart-map')).getOption();
        return {type: o.series[0].type, map: o.series[0].map, data: o.series[0].data};
    }""")
    assert option["type"] == "map" and option["map"] == "jiangsu"
    by_name = {d["name"]: d for d in option["data"]}
    assert by_name["苏州市"]["value"] == 50.0 and by_name["苏州市"]["due"] == 4
    assert by_name["南京市"]["value"] == 50.0 and by_name["南京市"]["due"] == 2
    assert page.locator("#chart-map canvas").count() == 1 and page.locator("#chart-trend canvas").count() == 1


def test_a_county_has_no_map_only_its_table(history, live_server, page):  # noqa: F811
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/supervision/?period=2021")
    page.wait_for_selector("#chart-trend canvas")
    assert page.locator("#chart-map").count() == 0
    assert page.locator("#table-regions tbody tr").count() == 1
