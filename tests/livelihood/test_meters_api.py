"""/api/livelihood/ for household meters: bulk and single registration with per-row errors, list filters,
batches and their results, rotation lists and overdue counts, a rotation, and what each role sees."""

import datetime as dt

import pytest
from django.urls import reverse
from tests.conftest import check_api_read, client_for

from jiliang.core.audit import audit_context
from jiliang.livelihood import meter_batches
from jiliang.livelihood.models import HouseholdMeter

from .conftest import ROLES


def meter_row(serial, **kw):
    row = {"kind": "water", "size": "DN20", "manufacturer": "宁波水表", "model": "LXS-20E", "serial_number": serial,
           "region_code": "320583", "account_area": "A-01", "installed_on": "2021-04-01"}
    row.update(kw)
    return row


def test_bulk_keeps_good_rows_and_reports_bad_ones(lworld):
    client = client_for(lworld.users["water_ks"])
    url = reverse("api:householdmeter-bulk")
    body = [meter_row("A1", instrument_code="WM-A1", code_scheme="GB/T 36377"),
            meter_row("A2", instrument_code="WM-A1", code_scheme="GB/T 36377"),
            meter_row("A3", size="DN65"), meter_row("A4", installed_on="2099-01-01"),
            meter_row("A5", batch_number="NOPE"), meter_row("A6", region_code="320500"),
            meter_row("A7", first_verified_on="2021-03-01", first_result="pass",
                      institution_uscc=lworld.world.inst_p.uscc)]
    r = client.post(url, body, format="json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["rows"], data["created"], data["first_verifications"], data["error_rows"]) == (7, 2, 1, 5)
    assert {(e["row"], e["field"]) for e in data["errors"]} == {
        (2, "instrument_code"), (3, "size"), (4, "installed_on"), (5, "batch_number"), (6, "region_code")}
    assert "第 1 行" in data["errors"][0]["message"]  # the API answers in Chinese unless asked otherwise
    assert client.post(url, {"not": "a list"}, format="json").status_code == 400
    assert client.post(url, [1, 2], format="json").status_code == 400


def test_create_one_and_read_it(lworld):
    client = client_for(lworld.users["water_ks"])
    r = client.post(reverse("api:householdmeter-list"), meter_row("C1", first_verified_on="2021-03-01",
                                                                  first_result="pass",
                                                                  institution_uscc=lworld.world.inst_p.uscc),
                    format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["rule"], body["rotation_due"], body["service_life"]) == ("water-meter-dn15-25", "2027-02-28",
                                                                          {"value": 6, "unit": "a"})
    bad = client.post(reverse("api:householdmeter-list"), meter_row("C2", size="DN100"), format="json")
    assert bad.status_code == 400 and "size" in bad.json()
    # another utility's staff cannot register for water_ks
    other = client_for(lworld.users["enterprise"]).post(reverse("api:householdmeter-list"),
                                                        {**meter_row("C3"), "utility": lworld.water_ks.pk},
                                                        format="json")
    assert other.status_code == 400 and "utility" in other.json()


def test_list_filters(lworld):
    lworld.meter(first_verified_on=dt.date(2019, 1, 5), first_result="pass")  # due 2025-01-04: overdue
    lworld.meter(first_verified_on=dt.date(2024, 8, 1), first_result="pass")  # due 2030-07-31: 2030 Q3
    lworld.meter(utility=lworld.power_ks, kind="electricity")
    client = client_for(lworld.users["kunshan"])
    url = reverse("api:householdmeter-list")
    assert client.get(url, {"kind": "electricity"}).json()["count"] == 1
    assert client.get(url, {"due_year": 2030, "due_quarter": 3}).json()["count"] == 1
    assert client.get(url, {"due_year": 2030, "due_quarter": 2}).json()["count"] == 0
    assert client.get(url, {"overdue": "true"}).json()["count"] == 1
    assert client.get(url, {"utility": lworld.water_ks.pk}).json()["count"] == 2
    assert client.get(url, {"rule": "water-meter-dn15-25"}).json()["count"] == 2


def test_batches_and_results(lworld):
    client = client_for(lworld.users["water_ks"])
    r = client.post(reverse("api:meterbatch-list"), {
        "utility": lworld.water_ks.pk, "number": "API-1", "kind": "water", "manufacturer": "宁波水表",
        "declared_count": 3, "institution": lworld.world.inst_p.pk, "verified_on": "2024-03-01",
        "flows": ["Q1", "Q3"]}, format="json")
    assert r.status_code == 201, r.content
    batch_id = r.json()["id"]
    with audit_context(actor=lworld.admin, channel="command"):
        ms = [lworld.meter() for _ in range(3)]
    url = reverse("api:meterbatch-results", args=[batch_id])
    short = {"meters": [{"instrument_code": ms[0].instrument.instrument_code, "result": "pass",
                         "errors": {"Q1": 0.1, "Q3": -0.2}}]}
    refused = client.post(url, short, format="json")
    assert refused.status_code == 400
    assert any("3" in e["message"] and "1" in e["message"] for e in refused.json()["errors"])
    full = {"meters": [{"instrument_code": m.instrument.instrument_code, "result": "pass",
                        "errors": {"Q1": 0.1 * i, "Q3": -0.1 * i}} for i, m in enumerate(ms)]}
    ok = client.post(url, full, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["passed"] == 3 and len(ok.json()["statistics"]["flows"]) == 2
    assert HouseholdMeter.objects.get(pk=ms[0].pk).rotation_due == dt.date(2030, 2, 28)


def test_rotation_lists_overdue_and_rotate(lworld):
    old = lworld.meter(first_verified_on=dt.date(2019, 1, 5), first_result="pass", installed_on=dt.date(2019, 2, 1),
                       account_area="A-01")
    lworld.meter(first_verified_on=dt.date(2020, 8, 1), first_result="pass", installed_on=dt.date(2020, 9, 1))
    client = client_for(lworld.users["water_ks"])
    r = client.get(reverse("api:rotationlist-list"), {"utility": lworld.water_ks.pk, "year": 2026, "quarter": 3})
    assert r.status_code == 200, r.content
    assert r.json()["summary"] == {"total": 2, "overdue": 1, "due": 1}
    assert {row["state"] for row in r.json()["results"]} == {"due", "overdue"}
    county = client_for(lworld.users["kunshan"]).get(reverse("api:rotationlist-list"),
                                                      {"region": "320583", "year": 2026, "quarter": 3})
    assert county.json()["count"] == 2
    assert client_for(lworld.users["xuanwu"]).get(reverse("api:rotationlist-list"),
                                                  {"year": 2026, "quarter": 3}).json()["count"] == 0
    assert client.get(reverse("api:rotationlist-list"), {"year": 2026, "quarter": 5}).status_code == 400
    over = client.get(reverse("api:rotationoverdue-list")).json()["utilities"]
    assert over[0]["utility"] == lworld.water_ks.pk and over[0]["in_service"] == 2 and over[0]["overdue"] >= 1
    rot = client.post(reverse("api:householdmeter-rotate", args=[old.pk]),
                      {"rotated_on": "2026-05-01", "manufacturer": "三川", "serial_number": "R-1"}, format="json")
    assert rot.status_code == 201, rot.content
    assert rot.json()["account_area"] == "A-01" and rot.json()["region"] == "320583"
    assert HouseholdMeter.objects.get(pk=old.pk).replaced_by_id == rot.json()["id"]


# What each role sees of a Kunshan water meter and a Xuanwu gas meter (and their batches).
SEES_KS = {"province", "suzhou", "kunshan", "water_ks"}
SEES_XW = {"province", "xuanwu"}


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(lworld, role):
    with audit_context(actor=lworld.admin, channel="command"):
        ks = lworld.meter()
        xw = lworld.meter(utility=lworld.gas_xw, kind="gas", region="320102")
        b_ks = meter_batches.register_batch(utility=lworld.water_ks, number="M-1", kind="water", manufacturer="x",
                                            declared_count=1, actor=lworld.admin)
    user = lworld.users[role]
    check_api_read(user, role, "api:householdmeter", ks.pk, role in SEES_KS)
    check_api_read(user, role, "api:householdmeter", xw.pk, role in SEES_XW)
    check_api_read(user, role, "api:meterbatch", b_ks.pk, role in SEES_KS)
