"""Verification events from certificates issued through jiliang (reported records: records.py).

A 检定证书 is a passing event and a 检定结果通知书 a failing one, dated the day of the measurement, with the
certificate's validity as the next due (already the regulation's period, or the service life of the row the meter
matches: verification/certificates.valid_until_for). A revoked certificate voids its event; a superseded one
(replaced by a corrected certificate) too, since its correction carries the same verification.
"""

from __future__ import annotations

from jiliang.verification.models import VERIFICATION_OUTCOMES, Certificate, CertificateKind, CertificateStatus

from . import state
from .models import EventSource, Result, VerificationEvent, VerificationKind


def kind_for(instrument_id: int, verified_on, exclude_pk: int | None = None) -> str:
    """First verification where none is on record before this one, else periodic."""
    earlier = VerificationEvent.objects.filter(instrument_id=instrument_id, void=False, verified_on__lt=verified_on)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return VerificationKind.PERIODIC if earlier.exists() else VerificationKind.FIRST


def from_certificate(cert: Certificate) -> VerificationEvent | None:
    """Create or update the event of ``cert`` (None for a calibration certificate) and refresh the instrument."""
    if cert.kind not in VERIFICATION_OUTCOMES:
        return None
    void = cert.status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED)
    reason = cert.status_reason if void else ""
    event = VerificationEvent.objects.filter(certificate=cert).first()
    if event is None:
        result = cert.item.result if cert.item_id else None
        verified_on = result.measured_on if result is not None else cert.issued_on
        event = VerificationEvent(
            institution_id=cert.institute_id, number=cert.number, instrument_id=cert.instrument_id,
            source=EventSource.CERTIFICATE, certificate=cert,
            kind=kind_for(cert.instrument_id, verified_on), verified_on=verified_on,
            result=Result.FAIL if cert.kind == CertificateKind.NONCONFORMITY else Result.PASS,
            next_due=cert.valid_until, certificate_valid_until=cert.valid_until, void=void, void_reason=reason)
        event.save(force_insert=True)
    elif (event.void, event.void_reason) != (void, reason):
        event.void, event.void_reason = void, reason
        event.save(update_fields=["void", "void_reason", "last_updated"])
    else:
        return event
    state.refresh([cert.instrument_id])
    return event
