"""What a notice of non-conformity means for its instrument: the public certificate check leads with it.

An instrument's status (valid, due soon, overdue, failed, ...) is supervision's (supervision/lifecycle.py, shown
by supervision/display.py on the instrument's page); a certificate's own status is
:meth:`Certificate.effective_status`. Only the words for a failed verification stay here, for the public check.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jiliang.registry.models import Usage

from .models import Certificate, CertificateKind

FAILED_MEANING = _("The latest verification found the instrument non-conforming: it must not be used until "
                   "repaired and verified again.")
TRADE_SETTLEMENT = _("It must not be used for trade settlement.")


def failed_meaning(instrument) -> str:
    """What a non-conforming verification means for the instrument; for trade settlement, said outright."""
    text = str(FAILED_MEANING)
    if instrument is not None and instrument.usage == Usage.TRADE:
        text = f"{text} {TRADE_SETTLEMENT}"
    return text


def nonconformity_meaning(cert: Certificate) -> str:
    """For a notice of non-conformity, what it means (the public check leads with it); else ''."""
    return failed_meaning(cert.instrument) if cert.kind == CertificateKind.NONCONFORMITY else ""
