"""The bureau's energy dashboard in Chromium: the online rate by city drawn on the map of Jiangsu (the GeoJSON
of its 13 cities served from static/vendor), coloured by each city's rate, with the figures in the data."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from tests.browser.conftest import login
from tests.telemetry.conftest import energy  # noqa: F401  (the fixture)

from jiliang.telemetry.models import PointState

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report(point, ts):
    PointState.objects.update_or_create(point=point, defaults={"last_ts": ts, "last_value": Decimal(1),
                                                               "last_received": ts})


def test_online_rate_by_city_on_the_map_of_jiangsu(energy, live_server, page):  # noqa: F811
    now = timezone.now()
    for point in (energy.e_in_ks, energy.w_in_ks):  # Kunshan (Suzhou) online
        report(point, now)
    report(energy.e_in_xw, now - dt.timedelta(hours=3))  # Xuanwu (Nanjing) offline
    login(page, live_server, "province", "pw-province")
    page.goto(f"{live_server.url}/telemetry/")
    page.wait_for_selector("#chart-city[data-ready]")
    assert page.get_attribute("#chart-city", "data-ready") == "map"
    option = page.evaluate("""() => {
        const o = echarts.getInstanceByDom(document.getElementById('chart-city')).getOption();
        return {type: o.series[0].type, map: o.series[0].map, data: o.series[0].data,
                features: echarts.getMap('jiangsu').geoJSON.features.map(f => f.properties.name)};
    }""")
    assert option["type"] == "map" and option["map"] == "jiangsu"
    assert len(option["features"]) == 13 and "苏州市" in option["features"] and "南京市" in option["features"]
    by_name = {d["name"]: d for d in option["data"]}
    assert by_name["苏州市"]["value"] == 100 and by_name["苏州市"]["online"] == 1
    assert by_name["南京市"]["value"] == 0 and by_name["南京市"]["enterprises"] == 1
    assert page.locator("#chart-city canvas").count() == 1  # drawn


def test_a_county_bureau_sees_only_its_own_city_on_the_map(energy, live_server, page):  # noqa: F811
    now = timezone.now()
    for point in (energy.e_in_ks, energy.w_in_ks, energy.e_in_xw):
        report(point, now)
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/telemetry/")
    page.wait_for_selector("#chart-city[data-ready]")
    data = page.evaluate("() => echarts.getInstanceByDom(document.getElementById('chart-city'))"
                         ".getOption().series[0].data")
    # the map lists every city; only those with data have a value (Nanjing's enterprise is not Kunshan's)
    assert [d["name"] for d in data if d.get("value") is not None] == ["苏州市"]


def test_a_grey_city_says_it_has_no_data_and_the_city_table_sits_beside_the_map(energy, live_server, page):  # noqa: F811
    report(energy.e_in_ks, timezone.now())
    login(page, live_server, "kunshan", "pw-kunshan")
    page.goto(f"{live_server.url}/telemetry/")
    page.wait_for_selector("#chart-city[data-ready=map]")

    def tooltip(city):
        return page.evaluate("""(city) => {
            const chart = echarts.getInstanceByDom(document.getElementById('chart-city'));
            const o = chart.getOption();
            const item = o.series[0].data.find(d => d.name === city) || {name: city};
            return o.tooltip[0].formatter({name: city, data: item, value: item.value});
        }""", city)

    grey = tooltip("南通市")  # no key enterprise of Kunshan's there
    assert "undefined" not in grey and "NaN" not in grey and "暂无数据" in grey
    assert "苏州市" in tooltip("苏州市") and "%" in tooltip("苏州市")
    table = page.inner_text("#city-table")
    assert "苏州市" in table and "南通市" not in table
