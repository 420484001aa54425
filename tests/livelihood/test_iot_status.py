"""The IoT status of household meters per utility against a hand count (tests/livelihood/iot_world.py): the page
in both languages with its chart data and Excel export, the drill-down lists, the API, the access matrix over the
livelihood roles, the utility's home panel, and the demo step."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for
from tests.livelihood.conftest import ROLES
from tests.livelihood.iot_world import EXPECTED, REFUSED, SEES, build, report

from jiliang.core.audit import audit_context
from jiliang.livelihood import iot_demo, iot_status
from jiliang.livelihood.models import HouseholdMeter
from jiliang.telemetry.models import Anomaly, MeteringPoint, PointState

API = "/api/livelihood/iot-status/"


@pytest.fixture
def iot(lworld):
    w = build(lworld)
    report(w)
    return w


def _orgs(lworld):
    return {k: getattr(lworld, k) for k in EXPECTED}


def _hand(name):
    registered, with_point, reporting, silent, past_life, alarms = EXPECTED[name]
    return {"registered": registered, "with_point": with_point, "no_point": registered - with_point,
            "reporting": reporting, "silent": silent, "past_life_reporting": past_life, "alarms": alarms}


def test_status_matches_the_hand_count(iot):
    rows = {r.utility.pk: r for r in iot_status.utility_status(iot.lworld.users["province"])}
    for name, org in _orgs(iot.lworld).items():
        got = rows[org.pk].as_dict()
        assert {k: got[k] for k in _hand(name)} == _hand(name), name
    totals = iot_status.totals(list(rows.values()))
    assert (totals["registered"], totals["reporting"], totals["silent"], totals["past_life"]) == (9, 5, 2, 1)


def test_drill_down_lists_the_counted_meters(iot):
    user, water = iot.lworld.users["kunshan"], iot.lworld.water_ks
    m = iot.meters

    def ids(status, kind=""):
        return set(iot_status.meter_list(user, water, status, kind=kind).values_list("instrument_id", flat=True))

    assert ids("reporting") == {m["w1"].instrument_id, m["w4"].instrument_id}
    assert ids("silent") == {m["w2"].instrument_id, m["w3"].instrument_id}
    assert ids("no_point") == {m["w5"].instrument_id}
    assert ids("past_life") == {m["w4"].instrument_id}
    assert ids("alarm", "valve_closed") == {m["w1"].instrument_id}
    assert ids("alarm") == {m["w1"].instrument_id, m["w4"].instrument_id}
    # a resolved alarm no longer counts; a retired meter is no longer registered
    Anomaly.objects.filter(point=iot.points["w1"], kind="valve_closed").update(state="resolved")
    HouseholdMeter.objects.filter(pk=m["w5"].pk).update(retired_on="2026-06-01")
    [row] = iot_status.utility_status(user, utility=water)
    assert row.alarms.get("valve_closed", 0) == 0 and row.registered == 4 and row.no_point == 0


@pytest.mark.parametrize("role", ROLES)
def test_page_and_api_access_matrix(iot, role):
    user = iot.lworld.users[role]
    orgs = _orgs(iot.lworld)
    page = web_client_for(user).get(reverse("livelihood-iot"))
    api = client_for(user).get(API)
    if role == "anonymous":
        assert page.status_code == 302 and api.status_code in (401, 403)
        return
    if role in REFUSED:
        assert page.status_code == 403 and api.status_code == 403
        for org in orgs.values():
            assert client_for(user).get(f"{API}{org.pk}/").status_code == 403
        return
    assert page.status_code == 200 and api.status_code == 200
    seen = {r["utility"] for r in api.json()["utilities"]}
    assert seen == {orgs[k].pk for k in SEES[role]}
    assert {r.utility.pk for r in page.context["rows"]} == seen
    for name, org in orgs.items():
        detail = client_for(user).get(f"{API}{org.pk}/")
        meters = client_for(user).get(f"{API}{org.pk}/meters/", {"status": "registered"})
        drill = web_client_for(user).get(reverse("livelihood-iot-meters", args=[org.pk]), {"status": "silent"})
        if name in SEES[role]:
            assert detail.status_code == 200 and {k: detail.json()[k] for k in _hand(name)} == _hand(name)
            assert meters.json()["count"] == EXPECTED[name][0]
            assert drill.status_code == 200 and drill.context["page"].paginator.count == EXPECTED[name][3]
        else:
            assert (detail.status_code, meters.status_code, drill.status_code) == (404, 404, 404), name


def test_page_in_both_languages_with_chart_and_export(iot):
    client = web_client_for(iot.lworld.users["kunshan"])
    zh = client.get(reverse("livelihood-iot"))
    text = zh.content.decode()
    assert "家用表具物联网状态" in text and "阀门关闭" in text and "静默" in text
    row = f'data-utility="{iot.lworld.water_ks.pk}"'
    assert row in text
    chart = zh.context["chart"]
    water = chart["utilities"].index(iot.lworld.water_ks.name)
    assert (chart["reporting"][water], chart["silent"][water], chart["no_point"][water]) == (2, 2, 1)
    english = web_client_for(iot.lworld.users["kunshan"])
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    en = english.get(reverse("livelihood-iot")).content.decode()
    assert "IoT status of household meters" in en and "valve closed" in en and "silent" in en
    assert "家用表具物联网状态" not in en and "阀门关闭" not in en
    drill = english.get(reverse("livelihood-iot-meters", args=[iot.lworld.water_ks.pk]), {"status": "silent"})
    assert "Reporting: last reading at most 2 days old." in drill.content.decode()
    xlsx = client.get(reverse("livelihood-iot"), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + 2  # header, the two Kunshan utilities
    by_name = {r[0]: r for r in rows[1:]}
    assert by_name[iot.lworld.water_ks.name][3:8] == (5, 4, 2, 2, 1)
    drill = client.get(reverse("livelihood-iot-meters", args=[iot.lworld.water_ks.pk]),
                       {"status": "reporting", "export": "xlsx"})
    assert len(list(load_workbook(io.BytesIO(drill.content)).worksheets[0].iter_rows())) == 1 + 2
    bad = client.get(reverse("livelihood-iot-meters", args=[iot.lworld.water_ks.pk]), {"status": "nonsense"})
    assert bad.status_code == 404
    assert client_for(iot.lworld.users["kunshan"]).get(
        f"{API}{iot.lworld.water_ks.pk}/meters/", {"status": "nonsense"}).status_code == 400


def test_utility_home_panel(iot):
    home = web_client_for(iot.lworld.users["water_ks"]).get("/")
    text = home.content.decode()
    assert 'id="household-iot"' in text
    assert 'id="iot-reporting">2<' in text and 'id="iot-silent">2<' in text and 'id="iot-alarms">2<' in text
    assert 'id="household-iot"' not in web_client_for(iot.lworld.users["enterprise"]).get("/").content.decode()


def test_demo_step(lworld):
    for _ in range(6):
        lworld.meter()
    lworld.meter(first_verified_on=dt.date(2019, 1, 10), first_result="pass", installed_on=dt.date(2019, 2, 1))
    for _ in range(3):
        lworld.meter(utility=lworld.power_ks, kind="electricity")
    ctx = {}
    with audit_context(actor=None, channel="command"):
        iot_demo.build(ctx, random.Random(3), 1, lambda *a: None)
    assert ctx["household_points"] == MeteringPoint.objects.filter(role="household").count() > 0
    assert ctx["household_readings"] > 30 * ctx["household_points"]
    kinds = set(Anomaly.objects.filter(point__role="household", state="open").values_list("kind", flat=True))
    assert kinds == {"valve_closed", "battery_low", "magnetic_tamper", "cover_opened"}
    rows = {r.utility.pk: r for r in iot_status.utility_status(lworld.users["province"])}
    water = rows[lworld.water_ks.pk]
    assert water.past_life == 1 and water.silent >= 1 and water.reporting >= 1
    assert PointState.objects.filter(point__role="household").count() == ctx["household_points"]
    # run again: the meters with points are left alone, a share of the others get theirs
    with audit_context(actor=None, channel="command"):
        iot_demo.build({}, random.Random(4), 1, lambda *a: None)
    meters = list(MeteringPoint.objects.filter(role="household").values_list("meter_id", flat=True))
    assert len(meters) == len(set(meters)) > ctx["household_points"]


def test_demo_step_without_household_meters_does_nothing(lworld):
    ctx = {}
    iot_demo.build(ctx, random.Random(1), 1, lambda *a: None)
    assert ctx == {} and not MeteringPoint.objects.filter(role="household").exists()
