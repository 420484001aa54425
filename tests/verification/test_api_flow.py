"""The full work order flow through the REST API, by the roles that take each step, and its refusals."""

import pytest
from django.urls import reverse
from tests.conftest import client_for
from verification_helpers import scale_points

from jiliang.verification.models import Certificate


def post(client, name, pk=None, data=None):
    url = reverse(name, args=[pk]) if pk is not None else reverse(name)
    return client.post(url, data or {}, format="json")


def test_full_flow_through_the_api(flow):
    w = flow.world
    owner, inst = client_for(flow.owner_user), client_for(flow.institute_user)
    r = post(owner, "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016"}]})
    assert r.status_code == 201, r.content
    wo = r.json()
    assert wo["status"] == "requested" and wo["items"][0]["parameters"]["Max"] == {"value": "15", "unit": "\\kilogram"}
    pk = wo["id"]
    assert post(owner, "api:workorder-accept", pk).status_code == 403  # the owner cannot accept
    assert post(inst, "api:workorder-accept", pk).json()["status"] == "accepted"
    r = post(inst, "api:workorder-schedule", pk, {"date": str(flow.today), "technician": flow.technician.pk})
    assert r.json()["status"] == "scheduled", r.content
    item = wo["items"][0]["id"]
    r = post(inst, "api:workorderitem-results", item, {
        "measured_on": str(flow.today), "standards": [w.standard_p.pk], "temperature": "20.1", "humidity": "48",
        "points": scale_points()})
    assert r.status_code == 200, r.content
    assert r.json()["result"]["outcome"] == "pass"
    r = post(inst, "api:workorder-check", pk, {"person": flow.technician.pk})
    assert r.status_code == 400 and flow.technician.name in r.json()["checker"][0]
    # nobody signs in another's name: the technician's account cannot check as the checker
    assert post(inst, "api:workorder-check", pk, {"person": flow.checker.pk}).status_code == 403
    checker, approver = client_for(flow.checker_user), client_for(flow.approver_user)
    assert post(checker, "api:workorder-check", pk).json()["status"] == "checked"
    r = post(inst, "api:workorder-approve", pk)
    assert r.status_code == 400 and "approver" in r.json()  # the measurer cannot approve
    assert post(inst, "api:workorder-approve", pk, {"person": flow.approver.pk}).status_code == 403
    assert post(approver, "api:workorder-approve", pk).json()["status"] == "approved"
    r = post(inst, "api:workorder-issue", pk)
    assert r.status_code == 201, r.content
    cert = r.json()[0]
    assert cert["kind"] == "verification" and cert["effective_status"] == "valid"
    # the owner sees its certificate and the PDF
    assert owner.get(reverse("api:certificate-detail", args=[cert["id"]])).status_code == 200
    pdf = owner.get(reverse("api:certificate-pdf", args=[cert["id"]]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    signed = owner.get(reverse("api:certificate-signed", args=[cert["id"]])).json()
    assert signed["algorithm"] == "Ed25519" and signed["content"]["number"] == cert["number"]
    # revoke: only the institute
    assert post(owner, "api:certificate-revoke", cert["id"], {"reason": "x"}).status_code == 403
    r = post(inst, "api:certificate-revoke", cert["id"], {"reason": "seal broken"})
    assert r.json()["effective_status"] == "revoked"
    # notifications reached the owner
    notes = owner.get(reverse("api:notification-list")).json()["results"]
    assert len(notes) >= 7


def test_api_refusals_name_the_field(flow):
    w = flow.world
    owner = client_for(flow.owner_user)
    r = post(owner, "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016", "attributes": {"class": "III"},
                   "parameters": {"e": {"value": "5", "unit": "\\gram"}, "Max": {"value": "30000", "unit": "\\gram"}}}]})
    assert r.status_code == 201  # grams are fine; the instrument's range is in kg, not comparable here
    r = post(owner, "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016", "attributes": {"class": "III"},
                   "parameters": {"e": {"value": "0.005", "unit": "\\kilogram"},
                                  "Max": {"value": "30", "unit": "\\kilogram"}}}]})
    assert r.status_code == 400 and "items[0].parameters.Max" in r.json()
    r = post(owner, "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG999-2020"}]})
    assert r.status_code == 400 and "items[0].regulation" in r.json()
    r = post(owner, "api:workorder-list", data={
        "owner": w.ent_xw.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_xw.pk, "regulation": "JJG539-2016"}]})
    assert r.status_code == 404  # another owner does not exist for this enterprise


def test_bureau_requests_on_behalf_of_owner(flow):
    w = flow.world
    r = post(client_for(w.users["kunshan"]), "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016"}]})
    assert r.status_code == 201, r.content


@pytest.mark.parametrize("role", ["xuanwu", "institute"])
def test_others_cannot_request_for_the_owner(flow, role):
    w = flow.world
    r = post(client_for(w.users[role]), "api:workorder-list", data={
        "owner": w.ent_ks.pk, "institute": w.inst_p.pk, "kind": "verification",
        "items": [{"instrument": w.instrument_ks.pk, "regulation": "JJG539-2016"}]})
    assert r.status_code == 404


def test_decline_and_cancel_need_reasons(flow):
    inst = client_for(flow.institute_user)
    wo = flow.request()
    assert post(inst, "api:workorder-decline", wo.pk, {"reason": ""}).status_code == 400
    r = post(inst, "api:workorder-decline", wo.pk, {"reason": "no standard for this range"})
    assert r.json()["status"] == "declined" and r.json()["status_reason"] == "no standard for this range"
    wo2 = flow.request()
    r = post(client_for(flow.owner_user), "api:workorder-cancel", wo2.pk, {"reason": "scale sold"})
    assert r.json()["status"] == "cancelled"
    assert post(inst, "api:workorder-accept", wo2.pk).status_code == 400
    assert Certificate.objects.count() == 0
