"""Complaints from the public status page: the form (good, each bad field, too long, rate limit, CSRF), the number
and the decide-by date (SAMR Order 20 Art. 14: 7 working days), the audit entries, and the bureau's list, page,
Excel export and actions as an access matrix, with the API."""

import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from tests.conftest import client_for, web_client_for

from jiliang.core.models import AuditEntry
from jiliang.supervision import complaints
from jiliang.supervision.models import Complaint
from jiliang.supervision.workdays import add_working_days

from .public_helpers import fresh_cache, in_status, instrument  # noqa: F401  (fresh_cache: autouse)

ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "anonymous"]
SEES_KS = {"province", "suzhou", "kunshan"}  # the Kunshan complaint: its county and the bureaus above


def report(code, data, client=None, lang="en"):
    return (client or Client()).post(f"/i/{code}/report?lang={lang}", data)


GOOD = {"kind": "short_measure", "text": "买了1斤苹果，回家称只有8两。", "contact": "13800000000"}


def test_a_good_complaint_becomes_a_record_for_the_county_bureau_with_its_number(world):
    inst = in_status(world, "valid")
    form = Client().get(f"/i/{inst.instrument_code}/report?lang=en")
    assert form.status_code == 200 and "csrfmiddlewaretoken" in form.content.decode()
    assert "no-store" in form["Cache-Control"]
    r = report(inst.instrument_code, GOOD)
    assert r.status_code == 302
    c = Complaint.objects.get()
    today = timezone.localdate()
    assert c.number == f"TS-320583-{today.year}-0001"
    assert (c.region_id, c.instrument_id, c.kind, c.text, c.contact, c.status) == (
        "320583", inst.pk, "short_measure", GOOD["text"], GOOD["contact"], "received")
    assert c.decide_by == add_working_days(today, 7)
    thanks = Client().get(r["Location"])
    html = thanks.content.decode()
    assert thanks.status_code == 200 and c.number in html
    assert "Kunshan" in html and "7 working days" in html
    entry = AuditEntry.objects.filter(object_type="supervision.complaint", object_id=str(c.pk)).get()
    assert entry.action == "create" and entry.actor is None and GOOD["text"] not in str(entry.after)
    report(inst.instrument_code, GOOD)
    assert Complaint.objects.order_by("pk").last().number == f"TS-320583-{today.year}-0002"


def test_the_thanks_page_needs_the_signed_token(world):
    inst = in_status(world, "valid")
    report(inst.instrument_code, GOOD)
    number = Complaint.objects.get().number
    assert Client().get(f"/i/{inst.instrument_code}/thanks?n={number}").status_code == 404


def test_decide_by_counts_working_days_over_a_holiday():
    # Received on Friday 2025-09-26. State Council notice on the 2025 holidays: 1-8 October off, Sunday
    # 28 September and Saturday 11 October worked. Working days after the receipt: 28, 29, 30 September, 9, 10,
    # 11 and 13 October: the 7th is Monday 13 October.
    assert complaints.decide_by(dt.date(2025, 9, 26)) == dt.date(2025, 10, 13)


@pytest.mark.parametrize("field,data,message", [
    ("kind", {**GOOD, "kind": ""}, "Choose what the problem is about."),
    ("kind", {**GOOD, "kind": "bribery"}, "Choose what the problem is about."),
    ("text", {**GOOD, "text": "   "}, "Say what happened."),
    ("text", {**GOOD, "text": "很" * 2001}, "At most 2000 characters, not 2001."),
    ("contact", {**GOOD, "contact": "1" * 101}, "At most 100 characters, not 101."),
])
def test_a_bad_field_is_named_and_nothing_is_written(world, field, data, message):
    inst = in_status(world, "valid")
    r = report(inst.instrument_code, data)
    html = r.content.decode()
    assert r.status_code == 400 and not Complaint.objects.exists()
    assert re.search(rf'<li data-field="{field}">[^<]*: {re.escape(message)}</li>', html)
    assert f'id="error-{field}">{message}<' in html


def test_exactly_2000_characters_and_no_contact_are_fine(world):
    inst = in_status(world, "valid")
    assert report(inst.instrument_code, {**GOOD, "text": "很" * 2000, "contact": ""}).status_code == 302


def test_complaints_are_rate_limited_per_address(world, settings):
    settings.JILIANG_RATE_COMPLAINT = "2/h"
    inst = in_status(world, "valid")
    assert [report(inst.instrument_code, GOOD).status_code for _ in range(3)] == [302, 302, 429]
    assert Complaint.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.7")
    assert report(inst.instrument_code, GOOD, client=other).status_code == 302


def test_the_form_is_csrf_protected(world):
    inst = in_status(world, "valid")
    strict = Client(enforce_csrf_checks=True)
    assert report(inst.instrument_code, GOOD, client=strict).status_code == 403
    strict.get(f"/i/{inst.instrument_code}/report")
    token = strict.cookies["csrftoken"].value
    assert report(inst.instrument_code, {**GOOD, "csrfmiddlewaretoken": token}, client=strict).status_code == 302


def test_a_complaint_about_an_unknown_code_is_the_plain_not_found(world):
    r = report("JL00000000000", GOOD)
    assert r.status_code == 404 and not Complaint.objects.exists()


# -- the bureau's side ----------------------------------------------------------------------------------------

@pytest.fixture
def two(world):
    ks = complaints.submit(instrument=in_status(world, "valid"), kind="short_measure", text="缺斤少两")
    xw = complaints.submit(instrument=instrument(world, "PUB-XW", owner=world.ent_xw, region="320102"),
                           kind="tampered", text="铅封破损")
    return ks, xw


@pytest.mark.parametrize("role", ROLES)
def test_list_detail_and_export_as_an_access_matrix(world, two, role):
    ks, xw = two
    c = web_client_for(world.users[role])
    listing = c.get("/supervision/complaints/")
    if role == "anonymous":
        assert listing.status_code == 302 and "/login/" in listing["Location"]
        return
    assert listing.status_code == 200
    html = listing.content.decode()
    assert (ks.number in html) == (role in SEES_KS)
    assert (xw.number in html) == (role in {"province", "xuanwu"})
    assert c.get(f"/supervision/complaints/{ks.pk}/").status_code == (200 if role in SEES_KS else 404)
    export = c.get("/supervision/complaints/", {"export": "xlsx"})
    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))[1:]
    assert {r[0] for r in rows} == ({ks.number} if role in SEES_KS else set()) | (
        {xw.number} if role in {"province", "xuanwu"} else set())


@pytest.mark.parametrize("role", ROLES)
def test_only_the_county_bureau_acts(world, two, role):
    ks, _ = two
    c = web_client_for(world.users[role])
    r = c.post(f"/supervision/complaints/{ks.pk}/accept/", {"reply": ""})
    ks.refresh_from_db()
    if role == "kunshan":
        assert r.status_code == 302 and ks.status == "accepted" and ks.handled_by == world.users["kunshan"]
    else:
        assert ks.status == "received"
        assert r.status_code == {"anonymous": 302, "province": 403, "suzhou": 403}.get(role, 404)


def test_the_county_bureau_decides_and_closes_each_step_audited(world, two):
    ks, _ = two
    c = web_client_for(world.users["kunshan"])
    c.cookies["django_language"] = "en"
    page = c.get(f"/supervision/complaints/{ks.pk}/").content.decode()
    assert 'id="complaint-accept"' in page and 'id="complaint-reject"' in page
    r = c.post(f"/supervision/complaints/{ks.pk}/reject/", {"reply": " "}, follow=True)
    assert "Why it is not accepted" in r.content.decode() or "Say why the complaint is not accepted." in \
        r.content.decode()
    ks.refresh_from_db()
    assert ks.status == "received"
    c.post(f"/supervision/complaints/{ks.pk}/accept/", {"reply": "已立案"})
    r = c.post(f"/supervision/complaints/{ks.pk}/close/", {"reply": ""}, follow=True)
    assert "Write the reply that closes the complaint." in r.content.decode()
    c.post(f"/supervision/complaints/{ks.pk}/close/", {"reply": "经核查，已责令商户整改。"})
    ks.refresh_from_db()
    assert (ks.status, ks.reply) == ("closed", "经核查，已责令商户整改。")
    actions = list(AuditEntry.objects.filter(object_type="supervision.complaint", object_id=str(ks.pk))
                   .order_by("pk").values_list("action", "after__status"))
    assert actions == [("create", None), ("action", "accepted"), ("action", "closed")]
    r = c.post(f"/supervision/complaints/{ks.pk}/reject/", {"reply": "迟了"}, follow=True)
    assert "The complaint is closed" in r.content.decode()


def test_a_rejection_keeps_its_reason(world, two):
    ks, _ = two
    complaints.reject(ks, actor=world.users["kunshan"], reason="不属于计量投诉")
    ks.refresh_from_db()
    assert (ks.status, ks.reply) == ("rejected", "不属于计量投诉")


def test_a_bureau_above_reads_but_does_not_act(world, two):
    ks, _ = two
    page = web_client_for(world.users["suzhou"]).get(f"/supervision/complaints/{ks.pk}/").content.decode()
    assert 'id="complaint-read-only"' in page and 'id="complaint-accept"' not in page


def test_list_filters_status_county_kind_and_overdue(world, two):
    ks, xw = two
    Complaint.objects.filter(pk=xw.pk).update(decide_by=timezone.localdate() - dt.timedelta(days=1))
    c = web_client_for(world.users["province"])

    def numbers(**params):
        html = c.get("/supervision/complaints/", params).content.decode()
        return {n for n in (ks.number, xw.number) if n in html}

    assert numbers(overdue="true") == {xw.number}
    assert numbers(overdue="false") == {ks.number}
    assert numbers(region="320500") == {ks.number}
    assert numbers(kind="tampered") == {xw.number}
    complaints.accept(ks, actor=world.users["kunshan"])
    assert numbers(status="accepted") == {ks.number}


def test_the_county_bureau_home_page_counts_complaints_awaiting_a_decision(world, two):
    ks, _ = two
    late = complaints.submit(instrument=ks.instrument, kind="other", text="x")
    Complaint.objects.filter(pk=late.pk).update(decide_by=timezone.localdate() - dt.timedelta(days=1))
    html = web_client_for(world.users["kunshan"]).get("/").content.decode()
    assert re.search(r'id="complaints-waiting"[^>]*>2<', html)
    assert re.search(r'id="complaints-late"[^>]*>1<', html)
    assert 'id="complaints-panel"' not in web_client_for(world.users["suzhou"]).get("/").content.decode()
    assert 'id="complaints-panel"' not in web_client_for(world.users["enterprise"]).get("/").content.decode()


# -- API --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_api_read_matrix(world, two, role):
    ks, _ = two
    c = client_for(world.users[role])
    detail = c.get(f"/api/supervision/complaints/{ks.pk}/")
    listing = c.get("/api/supervision/complaints/")
    if role == "anonymous":
        assert detail.status_code in (401, 403) and listing.status_code in (401, 403)
        return
    assert detail.status_code == (200 if role in SEES_KS else 404)
    assert (ks.number in {row["number"] for row in listing.json()["results"]}) == (role in SEES_KS)
    if role in SEES_KS:
        body = detail.json()
        assert body["instrument_code"] == ks.instrument.instrument_code and body["overdue"] is False


@pytest.mark.parametrize("role", ROLES)
def test_api_actions_matrix(world, two, role):
    ks, _ = two
    r = client_for(world.users[role]).post(f"/api/supervision/complaints/{ks.pk}/reject/",
                                          {"reply": "不属于本局管辖"}, format="json")
    expected = {"kunshan": 200, "province": 403, "suzhou": 403, "anonymous": 401}.get(role, 404)
    assert r.status_code in ((401, 403) if role == "anonymous" else (expected,))
    ks.refresh_from_db()
    assert ks.status == ("rejected" if role == "kunshan" else "received")


def test_api_reject_without_a_reason_names_the_field(world, two):
    ks, _ = two
    r = client_for(world.users["kunshan"]).post(f"/api/supervision/complaints/{ks.pk}/reject/", {}, format="json")
    assert r.status_code == 400 and "reply" in r.json()
    r = client_for(world.users["kunshan"]).post(f"/api/supervision/complaints/{ks.pk}/close/",
                                                {"reply": "x"}, format="json")
    assert r.status_code == 400 and "status" in r.json()


def test_api_filters(world, two):
    ks, xw = two
    c = client_for(world.users["province"])
    rows = c.get("/api/supervision/complaints/", {"kind": "tampered"}).json()["results"]
    assert [r["number"] for r in rows] == [xw.number]
    rows = c.get("/api/supervision/complaints/", {"region": "320583"}).json()["results"]
    assert [r["number"] for r in rows] == [ks.number]
