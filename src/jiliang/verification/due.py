"""An instrument's next verification due date and its status on a date, read from its certificates.

jiliang's definitions (DOMAIN.md, "Supervision of mandatory verification"): the next due is the validity the
verifying institution set on the latest verification (1987 measures Art. 6); the instrument is never verified,
valid, due soon (validity ends within the lead time, default 30 days), overdue (超期未检: validity ended, no later
verification; using it is illegal, 细则 Art. 22) or failed (the latest verification failed). The latest verification
is the latest 检定证书 or 检定结果通知书 of the instrument that was not revoked or replaced by a corrected one.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jiliang.registry.models import LAPSED_STATUSES

from .models import VERIFICATION_OUTCOMES, Certificate, CertificateKind, CertificateStatus

DUE_SOON_DAYS = 30  # DOMAIN.md: the lead time of "due soon", 30 days by default


class DueState(models.TextChoices):
    NEVER_VERIFIED = "never_verified", _("never verified")
    VALID = "valid", _("valid")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    FAILED = "failed", pgettext_lazy("verification status", "failed")


def with_next_due(instruments):
    """``instruments`` annotated with ``last_outcome`` (the kind of the latest verification certificate, or None)
    and ``next_due`` (its validity end)."""
    latest = (Certificate.objects.filter(instrument_id=OuterRef("pk"), kind__in=VERIFICATION_OUTCOMES)
              .exclude(status__in=(CertificateStatus.REVOKED, CertificateStatus.SUPERSEDED))
              .order_by("-issued_on", "-pk"))
    return instruments.annotate(last_outcome=Subquery(latest.values("kind")[:1]),
                                next_due=Subquery(latest.values("valid_until")[:1]))


def due_state(last_outcome: str | None, next_due: dt.date | None, today: dt.date) -> str:
    """The status of an instrument on ``today`` from its latest verification (see the module's docstring)."""
    if last_outcome is None:
        return DueState.NEVER_VERIFIED
    if last_outcome == CertificateKind.NONCONFORMITY:
        return DueState.FAILED
    if next_due is None or next_due > today + dt.timedelta(days=DUE_SOON_DAYS):
        return DueState.VALID
    return DueState.OVERDUE if next_due < today else DueState.DUE_SOON


def in_supervision(instruments):
    """Instruments under mandatory verification that are in use (not suspended, retired or deregistered)."""
    return instruments.filter(mandatory=True).exclude(status__in=LAPSED_STATUSES)


def counts_by_region(instruments, today: dt.date) -> dict[str, dict[str, int]]:
    """Per region code of ``instruments``: how many there are and how many are in each :class:`DueState` on
    ``today``; one grouped query."""
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    passed = Q(last_outcome=CertificateKind.VERIFICATION)
    rows = (with_next_due(instruments).order_by().values("region_id").annotate(
        total=Count("pk"),
        never_verified=Count("pk", filter=Q(last_outcome__isnull=True)),
        failed=Count("pk", filter=Q(last_outcome=CertificateKind.NONCONFORMITY)),
        overdue=Count("pk", filter=passed & Q(next_due__lt=today)),
        due_soon=Count("pk", filter=passed & Q(next_due__gte=today, next_due__lte=soon))))
    return {r.pop("region_id"): r for r in rows}
