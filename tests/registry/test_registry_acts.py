"""The registry's named acts (registry.services): deregistration instead of delete (#10 item 14), proposals of
changes to what the bureau writes (#11 item 2), and who sees an instrument located outside its owner's county
(#11 item 3)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tests.conftest import client_for, web_client_for

from jiliang.core.models import AuditEntry
from jiliang.registry import models as m
from jiliang.registry import services

# --- deregistration ------------------------------------------------------------------------------------------


def test_owner_deregisters_an_instrument_on_its_page_and_it_stays_in_the_record(world):
    instrument = world.instrument_ks
    client = web_client_for(world.users["enterprise"])
    detail = client.get(reverse("instruments-detail", args=[instrument.pk])).content.decode()
    assert reverse("registry-deregister", args=["instruments", instrument.pk]) in detail
    empty = client.post(reverse("registry-deregister", args=["instruments", instrument.pk]),
                        {"reason": "", "date": "2026-11-30"})
    assert empty.status_code == 400 and 'data-field="reason"' in empty.content.decode()
    response = client.post(reverse("registry-deregister", args=["instruments", instrument.pk]),
                           {"reason": "设备报废拆除", "date": "2026-11-30"})
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.status, instrument.status_reason, instrument.status_date) == \
        ("deregistered", "设备报废拆除", dt.date(2026, 11, 30))
    entry = AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(instrument.pk)).first()
    assert entry.message == "deregistered" and entry.after["status"] == "deregistered"
    # still readable, marked, with its reason
    page = client.get(reverse("instruments-detail", args=[instrument.pk])).content.decode()
    assert 'id="deregistered-banner"' in page and "设备报废拆除" in page
    # the list hides it unless asked; the filter shows it
    url = reverse("instruments-detail", args=[instrument.pk])
    assert f'href="{url}"' not in client.get(reverse("instruments-list")).content.decode()
    assert f'href="{url}"' in client.get(reverse("instruments-list"), {"registration": "deregistered"}).content.decode()
    assert f'href="{url}"' in client.get(reverse("instruments-list"), {"registration": "all"}).content.decode()
    # the API lists it, marked, and filters it
    api = client_for(world.users["kunshan"])
    rows = api.get(reverse("api:instrument-list")).json()["results"]
    assert [r["status"] for r in rows if r["id"] == instrument.pk] == ["deregistered"]
    assert api.get(reverse("api:instrument-list"), {"registration": "current"}).json()["count"] == 0
    assert api.get(reverse("api:instrument-detail", args=[instrument.pk])).status_code == 200


def test_deregistering_twice_or_without_a_reason_is_refused(world):
    with pytest.raises(ValidationError, match="reason|原因"):
        services.deregister_instrument(world.instrument_ks, reason=" ", actor=world.users["kunshan"])
    services.deregister_instrument(world.instrument_ks, reason="拆除", actor=world.users["kunshan"])
    with pytest.raises(ValidationError, match="already|已注销"):
        services.deregister_instrument(world.instrument_ks, reason="拆除", actor=world.users["kunshan"])


def test_only_a_bureau_deregisters_an_organisation_and_only_without_instruments_in_the_register(world):
    org = world.ent_ks
    enterprise = web_client_for(world.users["enterprise"])
    assert enterprise.get(reverse("registry-deregister", args=["organisations", org.pk])).status_code == 403
    api = client_for(world.users["enterprise"])
    assert api.patch(reverse("api:organisation-detail", args=[org.pk]),
                     {"deregistered_on": "2026-11-30"}, format="json").status_code == 200
    org.refresh_from_db()
    assert org.deregistered_on is None  # read-only in the API: the value is ignored, never stored
    bureau = web_client_for(world.users["kunshan"])
    refused = bureau.post(reverse("registry-deregister", args=["organisations", org.pk]),
                          {"reason": "企业注销", "date": "2026-11-30"})
    assert refused.status_code == 400 and "1 台在册计量器具" in refused.content.decode()
    services.deregister_instrument(world.instrument_ks, reason="随企业注销", actor=world.users["kunshan"])
    done = bureau.post(reverse("registry-deregister", args=["organisations", org.pk]),
                       {"reason": "企业注销", "date": "2026-11-30"})
    assert done.status_code == 302
    org.refresh_from_db()
    assert (org.deregistered_on, org.deregistration_reason) == (dt.date(2026, 11, 30), "企业注销")
    listing = bureau.get(reverse("organisations-list")).content.decode()
    assert f'href="{reverse("organisations-detail", args=[org.pk])}"' not in listing
    assert client_for(world.users["kunshan"]).get(reverse("api:organisation-detail", args=[org.pk])).json()[
        "deregistered_on"] == "2026-11-30"


def test_superuser_deletes_only_what_nothing_refers_to(world):
    admin = client_for(world.admin)
    assert admin.delete(reverse("api:instrument-detail", args=[world.instrument_xw.pk])).status_code == 204
    # An organisation whose person and user refer to it (SET_NULL would silently cut them loose): 409.
    response = admin.delete(reverse("api:organisation-detail", args=[world.inst_nj.pk]))
    assert response.status_code == 409
    assert {d["type"] for d in response.json()["dependants"]} >= {"registry.measurementstandard"}
    assert m.Organisation.objects.filter(pk=world.inst_nj.pk).exists()


# --- proposals -----------------------------------------------------------------------------------------------


def test_institute_proposes_and_the_bureau_accepts_a_qualification(world):
    person = world.person_p
    institute = web_client_for(world.users["institute"])
    page = institute.get(reverse("people-detail", args=[person.pk])).content.decode()
    assert reverse("registry-propose", args=["people", person.pk]) in page
    form = institute.get(reverse("registry-propose", args=["people", person.pk]))
    assert form.status_code == 200
    response = institute.post(reverse("registry-propose", args=["people", person.pk]), {
        "metrologist_certificate": "JL2020001", "metrologist_level": "2", "qualified_items": "JJG 539\nJJG 1036",
        "certificate_valid_from": "2020-01-01", "certificate_valid_until": "2030-01-01",
        "reason": "新增 JJG 1036 项目，见省局批文"})
    assert response.status_code == 302
    proposal = m.ChangeProposal.objects.get()
    assert proposal.proposed == {"qualified_items": "JJG 539\nJJG 1036"}
    person.refresh_from_db()
    assert person.qualified_items == "JJG 539"  # nothing changes before the bureau decides
    # the institute cannot decide its own proposal; a county bureau outside the holder's region cannot see it
    assert institute.post(reverse("change-proposals-decide", args=[proposal.pk]), {"choice": "accept"}).status_code == 403
    assert web_client_for(world.users["kunshan"]).post(reverse("change-proposals-decide", args=[proposal.pk]),
                                                       {"choice": "accept"}).status_code == 404
    province = web_client_for(world.users["province"])
    detail = province.get(reverse("change-proposals-detail", args=[proposal.pk])).content.decode()
    assert 'id="decision-form"' in detail and "JJG 1036" in detail
    assert province.post(reverse("change-proposals-decide", args=[proposal.pk]), {"choice": "accept",
                                                                                   "note": "已核"}).status_code == 302
    person.refresh_from_db()
    proposal.refresh_from_db()
    assert person.qualified_items == "JJG 539\nJJG 1036" and proposal.status == "accepted"
    assert proposal.decided_by == world.users["province"]
    change = AuditEntry.objects.filter(object_type="registry.person", object_id=str(person.pk)).first()
    assert change.actor_id == world.users["province"].pk and f"#{proposal.pk} accepted" in change.message
    assert AuditEntry.objects.filter(object_type="registry.changeproposal", object_id=str(proposal.pk)).count() == 2


def test_bureau_rejects_with_a_reason_and_the_record_stays(world):
    proposal = services.propose_change(world.standard_p, {"rating": "international_advanced"},
                                       reason="自评为国际先进", actor=world.users["institute"])
    with pytest.raises(ValidationError, match="rejected|驳回"):
        services.reject_proposal(proposal, note="", actor=world.users["province"])
    services.reject_proposal(proposal, note="无考核结论", actor=world.users["province"])
    world.standard_p.refresh_from_db()
    proposal.refresh_from_db()
    assert world.standard_p.rating == "" and proposal.status == "rejected" and proposal.decision_note == "无考核结论"
    with pytest.raises(ValidationError, match="decided|已处理"):
        services.accept_proposal(proposal, actor=world.users["province"])


def test_proposal_that_changes_nothing_or_other_fields_is_refused(world):
    with pytest.raises(ValidationError, match="nothing|没有变更"):
        services.propose_change(world.person_p, {"qualified_items": "JJG 539"}, reason="x",
                                actor=world.users["institute"])
    with pytest.raises(ValidationError, match="name"):
        services.propose_change(world.person_p, {"name": "别人"}, reason="x", actor=world.users["institute"])
    with pytest.raises(PermissionDenied):  # not the enterprise's record
        services.propose_change(world.person_p, {"qualified_items": "JJG 1"}, reason="x",
                                actor=world.users["enterprise"])


# --- instruments located outside the owner's county ----------------------------------------------------------


def test_instrument_registered_in_another_county_stays_in_sight_of_the_owners_bureau(world):
    """Kunshan's enterprise registers a scale located in Xuanwu (Nanjing): Xuanwu supervises it where it is used,
    Kunshan keeps seeing it (read-only), and moving it does not hide it from Kunshan either (docs/access.md)."""
    enterprise = client_for(world.users["enterprise"])
    payload = {"owner": world.ent_ks.pk, "category": world.scale.pk, "manufacturer": "凯丰衡器", "model": "ACS-30",
               "serial_number": "KS-NJ-1", "usage": "trade", "region": "320102",
               "measuring_range": {"min": "0", "max": "30", "unit": "kg"}}
    response = enterprise.post(reverse("api:instrument-list"), payload, format="json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for role, visible in (("kunshan", True), ("suzhou", True), ("xuanwu", True), ("province", True),
                          ("institute", False)):
        client = client_for(world.users[role])
        assert client.get(reverse("api:instrument-detail", args=[pk])).status_code == (200 if visible else 404)
        ids = {r["id"] for r in client.get(reverse("api:instrument-list"), {"page_size": 1000}).json()["results"]}
        assert (pk in ids) == visible
    # the owner's bureau reads; the bureau where it is located changes it
    kunshan = client_for(world.users["kunshan"])
    assert kunshan.patch(reverse("api:instrument-detail", args=[pk]), {"address": "x"}, format="json").status_code == 403
    assert client_for(world.users["xuanwu"]).patch(reverse("api:instrument-detail", args=[pk]), {"address": "玄武路 1 号"},
                                                   format="json").status_code == 200
    # the enterprise moves its Kunshan scale to Xuanwu: Kunshan still sees it
    services.move_instrument(world.instrument_ks, region="320102", address="南京", actor=world.users["enterprise"])
    assert kunshan.get(reverse("api:instrument-detail", args=[world.instrument_ks.pk])).status_code == 200


def test_transfer_by_a_bureau_and_not_by_the_owner(world):
    # The enterprise cannot see another enterprise to give its instrument to.
    with pytest.raises(ValidationError, match="owner"):
        services.transfer_instrument(world.instrument_ks, owner=world.ent_xw, actor=world.users["enterprise"])
    world.instrument_ks.refresh_from_db()
    assert world.instrument_ks.owner_id == world.ent_ks.pk
    moved = services.transfer_instrument(world.instrument_xw, owner=world.ent_ks, actor=world.users["province"])
    assert moved.owner_id == world.ent_ks.pk
    entry = AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(moved.pk)).first()
    assert entry.message == "transferred" and entry.after == {"owner_id": world.ent_ks.pk}


def test_api_deregisters_with_the_same_service(world):
    url = reverse("api:instrument-deregister", args=[world.instrument_ks.pk])
    enterprise = client_for(world.users["enterprise"])
    assert enterprise.post(url, {}, format="json").status_code == 400
    response = enterprise.post(url, {"reason": "拆除", "date": "2026-11-30"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "deregistered"
    assert enterprise.post(reverse("api:organisation-deregister", args=[world.ent_ks.pk]),
                           {"reason": "x"}, format="json").status_code == 403
    assert client_for(world.users["xuanwu"]).post(url, {"reason": "x"}, format="json").status_code == 404


def test_a_deregistered_instrument_is_not_verified_and_its_meter_counts_as_lapsed(world):
    from jiliang.telemetry.checks import lapsed_meters
    from jiliang.verification import services as verification

    services.deregister_instrument(world.instrument_ks, reason="拆除", actor=world.users["enterprise"])
    with pytest.raises(ValidationError, match="deregistered|已注销"):
        verification.request_work(actor=world.users["enterprise"], owner=world.ent_ks, institute=world.inst_p,
                                  kind="verification", items=[{"instrument": world.instrument_ks.pk,
                                                               "regulation": "JJG539-2016"}])
    assert "deregistered" in lapsed_meters([world.instrument_ks.pk])[world.instrument_ks.pk]


def test_api_suspend_transfer_and_move(world):
    kunshan = client_for(world.users["kunshan"])
    pk = world.instrument_ks.pk
    response = kunshan.post(reverse("api:instrument-suspend", args=[pk]), {"reason": "维修"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "suspended"
    assert response.json()["status_reason"] == "维修"
    # Kunshan moves it within its own county's reach only: another county leaves its scope (403), nothing changes.
    assert kunshan.post(reverse("api:instrument-move", args=[pk]), {"region": "320102"},
                        format="json").status_code == 403
    world.instrument_ks.refresh_from_db()
    assert world.instrument_ks.region_id == "320583"
    suzhou = client_for(world.users["suzhou"])
    moved = suzhou.post(reverse("api:instrument-move", args=[pk]), {"region": "320585", "address": "太仓"},
                        format="json")
    assert moved.status_code == 200 and moved.json()["region"] == "320585"
    # An owner the bureau cannot see is refused by name; the province transfers.
    refused = suzhou.post(reverse("api:instrument-transfer", args=[pk]), {"owner": world.ent_xw.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()
    done = client_for(world.users["province"]).post(reverse("api:instrument-transfer", args=[pk]),
                                                    {"owner": world.ent_xw.pk}, format="json")
    assert done.status_code == 200 and done.json()["owner"] == world.ent_xw.pk
    messages = list(AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(pk))
                    .order_by("id").values_list("message", flat=True))
    assert messages[-3:] == ["suspended", "moved", "transferred"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_proposal_pages_read_in_both_languages(world, language):
    proposal = services.propose_change(world.ent_ks, {"mms_status": "established"}, reason="已建立测量管理体系",
                                       actor=world.users["enterprise"])
    client = web_client_for(world.users["kunshan"])
    client.cookies["django_language"] = language
    listing = client.get(reverse("change-proposals-list"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    detail = client.get(reverse("change-proposals-detail", args=[proposal.pk]),
                        HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'href="{reverse("change-proposals-detail", args=[proposal.pk])}"' in listing
    words = {"zh-hans": ("申请变更的内容", "已建立", "同意并修改记录"),
             "en": ("Proposed changes", "established", "Accept and change the record")}[language]
    for word in words:
        assert word in detail, word
    # the enterprise sees its own proposal but cannot decide it
    own = web_client_for(world.users["enterprise"]).get(reverse("change-proposals-detail", args=[proposal.pk]))
    assert own.status_code == 200 and 'id="decision-form"' not in own.content.decode()
