"""Where an instrument stands in verification: the top of its page (never verified, valid, due soon, overdue,
failed), read from its latest verification outcome and that certificate's effective status.

The states are jiliang's definitions of the status of an instrument on a date (DOMAIN.md, "Supervision of
mandatory verification"); a certificate's status is :meth:`Certificate.effective_status`, never a second rule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.formatting import outcome_label
from jiliang.core.ui import _viewable_link
from jiliang.registry.models import Usage

from .models import VERIFICATION_OUTCOMES, Certificate, CertificateKind, CertificateStatus

# "due soon: validity ends within the lead time, default 30 days" (DOMAIN.md).
DUE_SOON_DAYS = 30

NEVER_VERIFIED, VALID, DUE_SOON, OVERDUE, FAILED, REVOKED = \
    "never_verified", "valid", "due_soon", "overdue", "failed", "revoked"

LABELS = {
    NEVER_VERIFIED: _("never verified"),
    VALID: _("verified, valid"),
    DUE_SOON: _("due soon"),
    OVERDUE: _("overdue"),
    FAILED: _("non-conforming"),
    REVOKED: _("certificate revoked"),
}
MEANINGS = {
    NEVER_VERIFIED: _("No verification is on record: the instrument needs its first verification."),
    # an instrument outside mandatory verification may never need one
    f"{NEVER_VERIFIED}/voluntary": _("No verification is on record."),
    VALID: _("The latest verification passed and its validity covers today."),
    DUE_SOON: _("The latest verification passed; its validity ends within %(days)s days: request the next "
                "verification now."),
    OVERDUE: _("The validity of the latest verification has ended and no later verification is on record: "
               "the instrument is overdue and must not be used until verified again."),
    FAILED: _("The latest verification found the instrument non-conforming: it must not be used until repaired "
              "and verified again."),
    REVOKED: _("The certificate of the latest verification was revoked: no valid verification is on record."),
}
TRADE_SETTLEMENT = _("It must not be used for trade settlement.")
# Bootstrap colour of each state's badge: red where the instrument may not be used.
TONES = {NEVER_VERIFIED: "secondary", VALID: "success", DUE_SOON: "warning", OVERDUE: "danger", FAILED: "danger",
         REVOKED: "danger"}


@dataclass
class Standing:
    state: str
    certificate: Certificate | None
    certificate_status: str  # its effective status, "" without a certificate
    next_due: dt.date | None
    link: str | None  # the certificate's page, only where the viewer may open it
    instrument: object = None

    @property
    def label(self) -> str:
        return str(LABELS[self.state])

    @property
    def meaning(self) -> str:
        if self.state == FAILED:
            return failed_meaning(self.instrument)
        if self.state == NEVER_VERIFIED and not self.mandatory:
            return str(MEANINGS[f"{NEVER_VERIFIED}/voluntary"])
        return str(MEANINGS[self.state]) % {"days": DUE_SOON_DAYS} if self.state == DUE_SOON \
            else str(MEANINGS[self.state])

    @property
    def mandatory(self) -> bool:
        return bool(getattr(self.instrument, "mandatory", False))

    @property
    def tone(self) -> str:
        return TONES[self.state]

    @property
    def result(self) -> str:
        """合格 or 不合格, as the certificate of the verification states it."""
        if self.certificate is None:
            return ""
        return outcome_label("fail" if self.certificate.kind == CertificateKind.NONCONFORMITY else "pass")

    @property
    def certificate_status_label(self) -> str:
        return str(CertificateStatus(self.certificate_status).label) if self.certificate_status else ""


def failed_meaning(instrument) -> str:
    """What a non-conforming verification means for the instrument; for trade settlement, said outright."""
    text = str(MEANINGS[FAILED])
    if instrument is not None and instrument.usage == Usage.TRADE:
        text = f"{text} {TRADE_SETTLEMENT}"
    return text


def nonconformity_meaning(cert: Certificate) -> str:
    """For a notice of non-conformity, what it means (the public check leads with it); else ''."""
    return failed_meaning(cert.instrument) if cert.kind == CertificateKind.NONCONFORMITY else ""


def latest_verification(instrument) -> Certificate | None:
    """The certificate of the instrument's latest verification: the latest not revoked (the one that supersedes
    the others in :meth:`Certificate.effective_status`), else the latest revoked one."""
    certs = (Certificate.objects.filter(instrument=instrument, kind__in=VERIFICATION_OUTCOMES)
             .defer("pdf", "content").order_by("-issued_on", "-pk"))
    return certs.exclude(status=CertificateStatus.REVOKED).first() or certs.first()


def standing(instrument, user=None, today: dt.date | None = None) -> Standing:
    """The instrument's verification standing on ``today`` (Beijing's date), as ``user`` sees it."""
    today = today or timezone.localdate()
    cert = latest_verification(instrument)
    if cert is None:
        return Standing(NEVER_VERIFIED, None, "", None, None, instrument)
    status = cert.effective_status(today)
    if status in (CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED):  # superseded: its correction was revoked
        state = REVOKED
    elif cert.kind == CertificateKind.NONCONFORMITY:
        state = FAILED
    elif status == CertificateStatus.EXPIRED:
        state = OVERDUE
    elif cert.valid_until and (cert.valid_until - today).days <= DUE_SOON_DAYS:
        state = DUE_SOON
    else:
        state = VALID
    next_due = cert.valid_until if state in (VALID, DUE_SOON, OVERDUE) else None
    return Standing(state, cert, status, next_due, _viewable_link(cert, user), instrument)
