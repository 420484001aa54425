"""Signatures are people, not accounts (issue 11 item 1): each of the three signatures of a work order comes from
the signing metrologist's own account, qualified on that day; nobody signs in another's name."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from tests.conftest import client_for, web_client_for
from tests.verification.fixtures import institute_user, link
from verification_helpers import scale_points

from jiliang.registry import models as rm
from jiliang.verification import services
from jiliang.verification.models import WorkOrder, WorkStatus

pytestmark = pytest.mark.django_db(transaction=False)


def _actors(flow):
    from jiliang.core.models import User

    other = User.objects.filter(username="nj-staff").first() or institute_user("nj-staff", flow.world)
    other.organisation = flow.world.inst_nj
    other.save(update_fields=["organisation"])
    return {"technician": flow.technician_user, "checker": flow.checker_user, "approver": flow.approver_user,
            "clerk": flow.clerk_user, "superuser": flow.world.admin, "other institute": other}


@pytest.mark.parametrize("who", ["technician", "checker", "clerk", "superuser", "other institute"])
def test_nobody_approves_in_the_approvers_name(flow, who):
    wo = flow.request()
    flow.to_measured(wo)
    services.check(wo, actor=flow.checker_user)
    actor = _actors(flow)[who]
    with pytest.raises(PermissionDenied):
        services.approve(wo, actor=actor, approver=flow.approver)
    wo.refresh_from_db()
    assert wo.status == WorkStatus.CHECKED and wo.approver_id is None


@pytest.mark.parametrize("who", ["technician", "approver", "clerk", "superuser"])
def test_nobody_checks_in_the_checkers_name(flow, who):
    wo = flow.request()
    flow.to_measured(wo)
    with pytest.raises(PermissionDenied):
        services.check(wo, actor=_actors(flow)[who], checker=flow.checker)
    wo.refresh_from_db()
    assert wo.status == WorkStatus.MEASURED and wo.checker_id is None


@pytest.mark.parametrize("who", ["clerk", "superuser"])
def test_an_account_without_a_metrologist_cannot_sign(flow, who):
    wo = flow.request()
    flow.to_scheduled(wo)
    with pytest.raises(ValidationError) as err:
        services.record_results(wo.items.get(), actor=_actors(flow)[who], measured_on=flow.today,
                                standards=[flow.world.standard_p], points=scale_points())
    assert "not linked to a registered metrologist" in err.value.message_dict["technician"][0]
    services.record_results(wo.items.get(), actor=flow.technician_user, measured_on=flow.today,
                            standards=[flow.world.standard_p], points=scale_points())
    with pytest.raises(ValidationError) as err:
        services.check(wo, actor=_actors(flow)[who])
    assert "checker" in err.value.message_dict


def test_the_measurer_is_who_recorded_not_who_was_scheduled(flow):
    wo = flow.request()
    flow.to_scheduled(wo)  # scheduled for the technician
    services.record_results(wo.items.get(), actor=flow.calibrator_user, measured_on=flow.today,
                            standards=[flow.world.standard_p], points=scale_points())
    services.check(wo, actor=flow.checker_user)
    services.approve(wo, actor=flow.approver_user)
    cert = services.issue_certificate(wo, actor=flow.clerk_user)[0]
    sig = cert.content["signatures"]
    assert sig["technician"]["name"] == flow.calibrator.name
    assert sig["checker"]["name"] == flow.checker.name and sig["approver"]["name"] == flow.approver.name


def test_qualification_is_checked_on_the_day_of_signing(flow):
    wo = flow.request()
    flow.to_measured(wo)
    rm.Person.objects.filter(pk=flow.checker.pk).update(certificate_valid_until=flow.today - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as err:
        services.check(wo, actor=flow.checker_user)
    assert "not qualified" in err.value.message_dict["checker"][0]


def test_web_technician_cannot_approve_in_anothers_name(flow):
    wo = flow.request()
    flow.to_measured(wo)
    services.check(wo, actor=flow.checker_user)
    client = web_client_for(flow.technician_user)
    r = client.post(reverse("work-orders-step", args=[wo.pk, "approve"]), {"person": flow.approver.pk}, follow=True)
    refused = [str(m) for m in r.context["messages"] if m.level_tag == "error"]
    assert refused and flow.approver.name in refused[0]
    wo.refresh_from_db()
    assert wo.status == WorkStatus.CHECKED and wo.approver_id is None
    # the page offers no choice of signer: the approver's own page signs as the approver
    page = web_client_for(flow.approver_user).get(reverse("work-orders-detail", args=[wo.pk])).content.decode()
    assert 'id="sel-approver"' not in page and flow.approver.name in page and 'id="btn-approve"' in page
    mine = web_client_for(flow.technician_user).get(reverse("work-orders-detail", args=[wo.pk])).content.decode()
    assert 'id="btn-approve"' not in mine and 'id="signer-measured"' in mine


@pytest.mark.parametrize("step,status", [("check", WorkStatus.MEASURED), ("approve", WorkStatus.CHECKED)])
def test_api_refuses_signing_for_another(flow, step, status):
    wo = flow.request()
    flow.to_measured(wo)
    if status == WorkStatus.CHECKED:
        services.check(wo, actor=flow.checker_user)
    target = flow.checker if step == "check" else flow.approver
    r = client_for(flow.clerk_user).post(reverse(f"api:workorder-{step}", args=[wo.pk]), {"person": target.pk},
                                        format="json")
    assert r.status_code == 403
    assert WorkOrder.objects.get(pk=wo.pk).status == status


def test_a_persons_account_is_of_their_organisation(flow):
    stranger = institute_user("stranger", flow.world)
    stranger.organisation = flow.world.inst_nj
    stranger.save(update_fields=["organisation"])
    p = rm.Person.objects.get(pk=flow.checker.pk)
    p.user = stranger
    with pytest.raises(ValidationError) as err:
        p.full_clean()
    assert "user" in err.value.message_dict
    link(p, flow.checker_user)
    p.refresh_from_db()
    p.full_clean()


def test_institute_staff_cannot_relink_a_metrologist_to_their_own_account(flow):
    """Only the administrator links a person to an account: the API and the edit page ignore ``user``."""
    url = reverse("api:person-detail", args=[flow.approver.pk])
    r = client_for(flow.technician_user).patch(url, {"user": flow.technician_user.pk}, format="json")
    assert r.status_code in (200, 400, 403)
    assert rm.Person.objects.get(pk=flow.approver.pk).user_id == flow.approver_user.pk
    web_client_for(flow.technician_user).post(reverse("people-edit", args=[flow.approver.pk]), {
        "name": flow.approver.name, "organisation": flow.world.inst_p.pk, "user": flow.technician_user.pk})
    assert rm.Person.objects.get(pk=flow.approver.pk).user_id == flow.approver_user.pk
