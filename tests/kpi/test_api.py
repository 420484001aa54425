"""The kpi API (/api/kpi/): the access matrix of indicators, snapshots and reports, bad parameters, and the
schema without warnings."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from tests.conftest import ROLES, client_for
from tests.kpi.report_fixtures import media  # noqa: F401

from jiliang.kpi import reports, services
from jiliang.kpi.models import Snapshot

DAY = dt.date(2025, 6, 30)
BIG = str(2**64 + 5)
PUBLIC = 25  # of the 26 indicators of the Jiangsu plan, S12.1 is not public


def _get(user, name, params=None):
    return client_for(user).get(reverse(f"api:{name}"), params or {})


# role -> (region asked, expected status, rows)
INDICATOR_CASES = {
    "province": [(None, 200, 26), ("320000", 200, 26), ("320500", 200, 26), ("320583", 200, 26)],
    "suzhou": [(None, 200, 26), ("320000", 200, PUBLIC), ("320500", 200, 26), ("320583", 200, 26),
               ("320100", 403, 0)],
    "kunshan": [(None, 200, 26), ("320000", 200, PUBLIC), ("320500", 403, 0), ("320102", 403, 0)],
    "xuanwu": [(None, 200, 26), ("320000", 200, PUBLIC), ("320583", 403, 0)],
    "institute": [(None, 403, 0), ("320000", 403, 0)],
    "enterprise": [(None, 403, 0)],
    "anonymous": [(None, 401, 0)],
}


@pytest.mark.parametrize("role", ROLES)
def test_indicators_access(world, plan, role):
    for region, code, rows in INDICATOR_CASES[role]:
        params = {"plan": plan.code} | ({"region": region} if region else {})
        response = _get(world.users[role], "kpi-indicators-list", params)
        if role == "anonymous":
            assert response.status_code in (401, 403)
            continue
        assert response.status_code == code, (role, region, response.content)
        if code == 200:
            body = response.json()
            assert len(body["results"]) == rows, (role, region)
            assert body["region"] == (region or world.users[role].region_id)
            assert all(r["read_from"] == "live" for r in body["results"])


def test_indicators_read_the_snapshot_of_a_past_date(world, plan):
    province = world.users["province"]
    services.take_snapshots(plan, DAY, regions=["320000"])
    services.add_document(number="JJF(苏) 1-2025", title="规范", kind="technical_spec", issuer="省局",
                          issued_on=dt.date(2025, 1, 5), region="320000", actor=province)
    past = {r["code"]: r for r in _get(province, "kpi-indicators-list", {"on": DAY.isoformat()}).json()["results"]}
    assert past["1.4"]["read_from"] == "snapshot" and past["1.4"]["value"] == "0.000000"
    now = {r["code"]: r for r in _get(province, "kpi-indicators-list").json()["results"]}
    assert now["1.4"]["read_from"] == "live" and now["1.4"]["value"] == "1.000000"
    assert now["1.4"]["target"] == "50.0000" and now["1.4"]["status"] in ("behind", "on_track")


@pytest.mark.parametrize("params,field", [
    ({"on": "2020-13-01"}, "on"), ({"on": "yesterday"}, "on"), ({"on": "2099-01-01"}, "on"),
    ({"on": "2013-12-31"}, "on"), ({"region": "999999"}, "region"), ({"region": BIG}, "region"),
    ({"plan": "no-such-plan"}, "plan"),
])
def test_indicators_bad_parameters(world, plan, params, field):
    response = _get(world.users["province"], "kpi-indicators-list", params)
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.fixture
def snapshots(world, plan):
    services.take_snapshots(plan, DAY)  # the province and the 13 cities
    return Snapshot.objects.filter(on=DAY)


@pytest.mark.parametrize("role", ROLES)
def test_snapshots_access(world, plan, snapshots, role):
    response = _get(world.users[role], "kpi-snapshots-list", {"page_size": 1000})
    if role == "anonymous":
        assert response.status_code in (401, 403)
        return
    if role in ("institute", "enterprise"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    seen = {(r["indicator_code"], r["region"]) for r in response.json()["results"]}
    province_public = {(c, "320000") for c in plan.indicators.filter(public=True).values_list("code", flat=True)}
    if role == "province":
        assert len(seen) == 26 * 14
    elif role == "suzhou":
        assert seen == province_public | {(c, "320500") for c in plan.indicators.values_list("code", flat=True)}
    else:  # a county sees the province's public figures (no county snapshot is taken)
        assert seen == province_public
    hidden = snapshots.get(indicator__code="S12.1", region_id="320000").pk
    detail = client_for(world.users[role]).get(reverse("api:kpi-snapshots-detail", args=[hidden]))
    assert detail.status_code == (200 if role == "province" else 404)


def test_snapshot_filters_and_bad_parameters(world, plan, snapshots):
    province = world.users["province"]
    got = _get(province, "kpi-snapshots-list", {"region": "320500", "on": DAY.isoformat(), "page_size": 100})
    assert got.status_code == 200 and got.json()["count"] == 26
    ind = plan.indicators.get(code="7")
    got = _get(province, "kpi-snapshots-list", {"indicator_id": ind.pk, "plan": plan.code})
    assert got.json()["count"] == 14
    for params, field in (({"region": "999999"}, "region"), ({"on": "2025-02-30"}, "on"),
                          ({"indicator_id": BIG}, "indicator_id"), ({"indicator_id": "-1"}, "indicator_id"),
                          ({"state": "bogus"}, "state")):
        response = _get(province, "kpi-snapshots-list", params)
        assert response.status_code == 400 and field in response.json(), (params, response.content)
    assert client_for(province).get(reverse("api:kpi-snapshots-list") + BIG + "/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_reports_access(world, plan, media, role):  # noqa: F811
    mine = reports.start_report(world.users["province"], plan, kind="other", on=DAY)
    suzhou = reports.start_report(world.users["suzhou"], plan, kind="other", on=DAY)
    client = client_for(world.users[role])
    listing = client.get(reverse("api:kpi-reports-list"))
    if role == "anonymous":
        assert listing.status_code in (401, 403)
        return
    if role in ("institute", "enterprise"):
        assert listing.status_code == 403
        started = client.post(reverse("api:kpi-reports-list"), {"plan": plan.code, "kind": "final"}, format="json")
        assert started.status_code == 403
        return
    sees = {"province": {mine.pk, suzhou.pk}, "suzhou": {suzhou.pk}}.get(role, set())
    assert {r["id"] for r in listing.json()["results"]} == sees
    for r in (mine, suzhou):
        assert client.get(reverse("api:kpi-reports-detail", args=[r.pk])).status_code == (200 if r.pk in sees
                                                                                          else 404)
    started = client.post(reverse("api:kpi-reports-list"), {"plan": plan.code, "kind": "final"}, format="json")
    assert started.status_code == 202, started.content
    body = started.json()
    assert body["region"] == world.users[role].region_id and body["job_state"] == "done" and body["pdf_url"]
    assert body["on"] == "2020-12-31"


def test_report_start_bad_parameters(world, plan, media):  # noqa: F811
    client = client_for(world.users["province"])
    url = reverse("api:kpi-reports-list")
    for payload, field in (({"plan": "nope", "kind": "final"}, "plan"), ({"plan": plan.code, "kind": "x"}, "kind"),
                           ({"plan": plan.code, "kind": "other", "on": "2099-01-01"}, "on"),
                           ({"plan": plan.code, "kind": "other", "on": "2020-02-30"}, "on"),
                           ({"plan": plan.code, "kind": "other"}, "on"),
                           ({"plan": plan.code, "kind": "final", "region": "999999"}, "region")):
        response = client.post(url, payload, format="json")
        assert response.status_code == 400 and field in response.json(), (payload, response.content)
    response = client_for(world.users["suzhou"]).post(url, {"plan": plan.code, "kind": "final", "region": "320100"},
                                                      format="json")
    assert response.status_code == 403
    assert client.get(url + BIG + "/").status_code == 404


def test_the_schema_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    text = (tmp_path / "schema.yaml").read_text()
    assert "/api/kpi/indicators/" in text and "/api/kpi/reports/" in text and "/api/kpi/snapshots/" in text
