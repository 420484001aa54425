"""Issuing, revoking and reissuing signed certificates (检定证书, 检定结果通知书, 校准证书)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiliang.core import audit

from .. import certificates as certs
from .. import signing
from ..models import (
    KIND_LETTER,
    Certificate,
    CertificateKind,
    CertificateStatus,
    SigningKey,
    WorkKind,
    WorkOrder,
    WorkOrderItem,
)
from ..pdf import render_pdf
from .base import _lock, _may, _notify, _require_institute_staff, _transition
from .keys import _audit_key_created, _signing_key_for

# Stored in English in the audit trail, shown in the reader's language (core.changes.TRANSLATED_VALUES).
FIRST_KEY_REASON = gettext_noop("first certificate of the institute")


def _kind_for(item: WorkOrderItem) -> str:
    if item.work_order.kind == WorkKind.CALIBRATION:
        return CertificateKind.CALIBRATION
    return CertificateKind.VERIFICATION if item.result.outcome == "pass" else CertificateKind.NONCONFORMITY


def _prepare_certificate(item: WorkOrderItem, *, key: SigningKey, kind: str, number: str, issued_on: dt.date,
                         valid_until: dt.date | None, supersedes: str | None = None) -> Certificate:
    """Content, signature and PDF of a certificate, not yet saved. Drawing the PDF is the slow part, so it
    happens here, before the caller writes any audit entry: the audit chain's head row lock serialises
    every audited write (MQTT ingest included) until the transaction ends."""
    check_code = certs.new_check_code()
    content = certs.build_content(item, kind, number, issued_on, valid_until, key.key_id, supersedes,
                                  check_code=check_code)
    private = signing.unwrap(key.key_id, key.institute_id, key.private_key_wrapped)
    signature = signing.sign(private, content)
    pdf = render_pdf(content, verify_url=certs.public_url(content["verify_path"]))
    return Certificate(
        number=number, kind=kind, item=item, institute=item.work_order.institute, owner=item.work_order.owner,
        instrument=item.instrument, issued_on=issued_on, valid_until=valid_until, content=content,
        signature=signature, signing_key=key, pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        check_code=check_code)


def _check_number(number: str, institute, year: int, field: str, kind: str) -> None:
    used = Certificate.objects.filter(number=number).first()
    if used is not None:
        raise ValidationError({field: [_("Certificate number %(n)s was already used (issued %(d)s); numbers are "
                                         "never reused.") % {"n": number, "d": used.issued_on}]})
    if not certs.number_pattern_ok(number, institute, year, kind):
        raise ValidationError({field: [_("Certificate number %(n)s does not follow %(pattern)s.")
                                       % {"n": number, "pattern": certs.NUMBER_FORMAT.format(
                                           org=certs.institute_code(institute), year=year,
                                           letter=KIND_LETTER[kind], seq=1)}]})


@transaction.atomic
def issue_certificate(work_order: WorkOrder, *, actor, numbers: dict | None = None) -> list[Certificate]:
    """Issue one signed certificate per item of an approved work order: 检定证书 for a pass, 检定结果通知书
    for a fail, 校准证书 for a calibration. ``numbers`` ({item id: number}) takes pre-assigned numbers,
    which must follow the institute's pattern and never have been used."""
    wo = _lock(work_order)
    act = _may(actor, wo, "issue")
    today = timezone.localdate()
    key, key_created = _signing_key_for(wo.institute)
    prepared = []
    numbers = {int(k): v for k, v in (numbers or {}).items()}
    for item in wo.items.select_related("instrument__category", "result__technician").order_by("pk"):
        item.work_order = wo
        kind = _kind_for(item)
        if item.pk in numbers:
            number = str(numbers[item.pk]).strip()
            _check_number(number, wo.institute, today.year, f"numbers.{item.pk}", kind)
            certs.next_number(wo.institute, kind, today.year)  # the sequence moves past it all the same
        else:
            number = certs.next_number(wo.institute, kind, today.year)
        prepared.append(_prepare_certificate(item, key=key, kind=kind, number=number, issued_on=today,
                                             valid_until=certs.valid_until_for(item, kind, item.result.measured_on)))
    # Every PDF is drawn: only now the audit chain is locked, for the inserts and their entries.
    if key_created:
        _audit_key_created(key, actor=actor, reason=FIRST_KEY_REASON)
    issued = []
    for cert in prepared:
        cert.save(force_insert=True)
        audit.record(cert, "create", actor=actor, after={"number": cert.number, "kind": cert.kind,
                                                         "item": cert.item_id,
                                                         "valid_until": audit.json_value(cert.valid_until),
                                                         "key_id": key.key_id, "pdf_sha256": cert.pdf_sha256},
                     message=f"certificate {cert.number} issued")
        issued.append(cert)
    _transition(wo, act.target, actor=actor, issued_at=timezone.now(),
                message=_("Certificates %(numbers)s were issued for work order %(number)s.")
                % {"numbers": ", ".join(c.number for c in issued), "number": wo.number})
    return issued


def _lock_certificate(cert: Certificate) -> Certificate:
    return Certificate.objects.select_for_update().select_related("institute", "owner", "item__work_order").get(
        pk=cert.pk)


@transaction.atomic
def revoke_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    cert = _lock_certificate(certificate)
    _require_institute_staff(actor, cert.institute)
    if cert.status != CertificateStatus.VALID:
        raise ValidationError({"status": [_("Certificate %(n)s is already %(s)s.")
                                          % {"n": cert.number, "s": cert.get_status_display()}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the certificate is revoked.")]})
    cert.status, cert.status_reason, cert.status_changed_at = CertificateStatus.REVOKED, reason.strip()[:300], \
        timezone.now()
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "last_updated"])
    audit.record(cert, "action", actor=actor, before={"status": "valid"},
                 after={"status": "revoked", "reason": cert.status_reason}, message=f"certificate {cert.number} revoked")
    _notify(cert.item.work_order, _("Certificate %(n)s was revoked: %(reason)s")
            % {"n": cert.number, "reason": cert.status_reason})
    return cert


@transaction.atomic
def reissue_certificate(certificate: Certificate, *, actor, reason: str) -> Certificate:
    """Issue a corrected certificate under a new number; the old one is kept, marked superseded by the new."""
    cert = _lock_certificate(certificate)
    _require_institute_staff(actor, cert.institute)
    if cert.status != CertificateStatus.VALID:
        raise ValidationError({"status": [_("Only a valid certificate can be re-issued; %(n)s is %(s)s.")
                                          % {"n": cert.number, "s": cert.get_status_display()}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the certificate is re-issued.")]})
    item = WorkOrderItem.objects.select_related("work_order__institute", "work_order__owner", "instrument__category",
                                                "result__technician").get(pk=cert.item_id)
    today = timezone.localdate()
    number = certs.next_number(cert.institute, cert.kind, today.year)
    key, key_created = _signing_key_for(cert.institute)
    new = _prepare_certificate(item, key=key, kind=cert.kind, number=number, issued_on=today,
                               valid_until=cert.valid_until, supersedes=cert.number)
    if key_created:
        _audit_key_created(key, actor=actor, reason=FIRST_KEY_REASON)
    new.save(force_insert=True)
    cert.status, cert.status_reason, cert.status_changed_at = CertificateStatus.SUPERSEDED, reason.strip()[:300], \
        timezone.now()
    cert.superseded_by = new
    cert.save(update_fields=["status", "status_reason", "status_changed_at", "superseded_by", "last_updated"])
    audit.record(cert, "action", actor=actor, before={"status": "valid"},
                 after={"status": "superseded", "superseded_by": new.number, "reason": cert.status_reason},
                 message=f"certificate {cert.number} superseded by {new.number}")
    audit.record(new, "create", actor=actor, after={"number": new.number, "supersedes": cert.number,
                                                    "pdf_sha256": new.pdf_sha256},
                 message=f"certificate {new.number} re-issued")
    _notify(item.work_order, _("Certificate %(old)s was replaced by %(new)s: %(reason)s")
            % {"old": cert.number, "new": new.number, "reason": cert.status_reason})
    return new
