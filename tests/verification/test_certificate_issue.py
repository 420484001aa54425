"""Issuing: every PDF is drawn before the audit chain is locked, and every signing key created or rotated is
audited (issue #9 item 8)."""

import pytest
from django.test import Client
from verification_helpers import scale_points

from jiliang.core import audit
from jiliang.core import services as core_services
from jiliang.core.models import AuditEntry
from jiliang.registry import models as rm
from jiliang.verification import services, signing
from jiliang.verification.models import SigningKey


def test_pdfs_are_drawn_before_the_first_audit_entry(flow, monkeypatch):
    w = flow.world
    second = core_services.create_record(rm.Instrument, {
        "owner": w.ent_ks, "category": w.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
        "serial_number": "KS-0002", "accuracy_class": "III", "range_min": 0, "range_max": 15, "range_unit": "kg",
        "usage": "trade", "region_id": "320583", "status": "in_service"}, actor=w.admin)
    wo = services.request_work(actor=flow.owner_user, owner=w.ent_ks, institute=w.inst_p, kind="verification",
                               items=[{"instrument": w.instrument_ks, "regulation": "JJG539-2016"},
                                      {"instrument": second, "regulation": "JJG539-2016"}])
    flow.to_scheduled(wo)
    for item in wo.items.all():
        services.record_results(item, actor=flow.institute_user, measured_on=flow.today,
                                standards=[w.standard_p], points=scale_points())
    services.check(wo, actor=flow.checker_user)
    services.approve(wo, actor=flow.approver_user)
    events = []
    real_render, real_record = services.certificates.render_pdf, audit.record
    monkeypatch.setattr(services.certificates, "render_pdf", lambda *a, **k: events.append("pdf") or real_render(*a, **k))
    monkeypatch.setattr(audit, "record", lambda *a, **k: events.append("audit") or real_record(*a, **k))
    issued = services.issue_certificate(wo, actor=flow.institute_user)
    assert len(issued) == 2
    # the institute had no key: its creation is audited too, after the drawing
    assert events[:2] == ["pdf", "pdf"] and events.count("audit") == 4 and "pdf" not in events[2:]


def test_key_created_at_first_issue_is_audited(flow):
    assert not SigningKey.objects.filter(institute=flow.world.inst_p).exists()
    cert = flow.issued()
    entry = AuditEntry.objects.get(object_type="verification.signingkey", object_id=str(cert.signing_key_id))
    assert entry.action == "create" and entry.after["key_id"] == cert.signing_key.key_id
    assert entry.after["fingerprint"] == signing.fingerprint(cert.signing_key.public_key)


def test_rotation_audits_creation_and_retirement_and_the_page_shows_fingerprints(flow):
    first = flow.issued().signing_key
    new = services.create_signing_key(flow.world.inst_p, actor=flow.institute_user, reason="yearly rotation")
    first.refresh_from_db()
    assert not first.active and first.retired_at is not None and new.active
    retired = AuditEntry.objects.get(object_type="verification.signingkey", object_id=str(first.pk), action="action")
    assert retired.after["replaced_by"] == new.key_id
    created = AuditEntry.objects.get(object_type="verification.signingkey", object_id=str(new.pk))
    assert created.after["retired"] == [first.key_id] and created.after["reason"] == "yearly rotation"
    html = Client().get(f"/verify/keys/?institute={flow.world.inst_p.pk}").content.decode()
    for key in (first, new):
        assert signing.fingerprint(key.public_key) in html and key.key_id in html
    from django.utils import timezone

    assert timezone.localtime(first.retired_at).date().isoformat() in html
    assert 'data-active="1"' in html and html.count("data-key=") == 2


def test_rotate_page_for_institute_staff_only(flow):
    flow.issued()
    staff = Client()
    staff.force_login(flow.institute_user)
    assert "data-rotate" in staff.get("/verify/keys/").content.decode()
    r = staff.post("/verification/keys/rotate/", {"reason": "key holder left"})
    assert r.status_code == 302 and SigningKey.objects.filter(institute=flow.world.inst_p).count() == 2
    owner = Client()
    owner.force_login(flow.owner_user)
    assert "data-rotate" not in owner.get("/verify/keys/").content.decode()
    assert owner.post("/verification/keys/rotate/", {"reason": "x"}).status_code == 403
    assert SigningKey.objects.filter(institute=flow.world.inst_p).count() == 2


def test_rotation_by_outsiders_is_refused(flow):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_signing_key(flow.world.inst_p, actor=flow.owner_user)
