"""Late verification requests: work orders an institution finished after the province's working-day limit.

A verification work order (verification.WorkOrder, kind verification) is measured from its receipt (accepted_at)
to its result (issued_at) in China's working days (workdays.py), against SupervisionSettings'
laboratory_working_days or on_site_working_days by its location (Zhejiang 条例 Art. 20: 7 working days in the
laboratory from receipt of the instrument, 10 on site from the application); a blank limit means none. The 1987
measures Art. 8 oblige the institution to finish within the set period; Art. 15 gives the consequence, noted on each
late request: the institution "应当按照送检单位的要求，及时安排检定，并免收检定费".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.scoping import VIEW
from jiliang.verification.models import WorkLocation, WorkOrder

from . import workdays
from .models import SupervisionSettings

# In Chinese the verbatim text of Art. 15 (workdays.ART_15_CONSEQUENCE); in English its translation.
CONSEQUENCE = _("1987 measures Art. 15: the institution shall, as the submitter requests, arrange the verification "
                "promptly and waive the verification fee.")


@dataclass(frozen=True)
class Measured:
    work_order: WorkOrder
    received: dt.date
    result: dt.date
    limit: int | None
    taken: int | None  # None: a date outside the holiday calendar
    last_day: dt.date | None
    error: str = ""

    @property
    def late(self) -> bool:
        return self.limit is not None and self.taken is not None and self.taken > self.limit

    @property
    def days_late(self) -> int:
        return max(0, self.taken - self.limit) if self.late else 0


def limit_for(location: str, s: SupervisionSettings | None = None) -> int | None:
    s = s or SupervisionSettings.current()
    return s.on_site_working_days if location == WorkLocation.ON_SITE else s.laboratory_working_days


def measure(wo: WorkOrder, s: SupervisionSettings | None = None) -> Measured | None:
    """The working days ``wo`` took against its limit; None until it was received and its result issued."""
    if wo.accepted_at is None or wo.issued_at is None:
        return None
    received, result = timezone.localdate(wo.accepted_at), timezone.localdate(wo.issued_at)
    limit = limit_for(wo.location, s)
    try:
        lateness = workdays.lateness(received, result, limit)
    except workdays.OutsideCalendar as exc:
        return Measured(wo, received, result, limit, None, None, str(exc))
    return Measured(wo, received, result, limit, lateness.taken, lateness.last_day)


def verification_orders(user) -> QuerySet[WorkOrder]:
    """Finished verification work orders ``user`` may see (bureaus: their region's owners; an institute: its
    own)."""
    return (WorkOrder.objects.restrict(user, VIEW)
            .filter(kind="verification", accepted_at__isnull=False, issued_at__isnull=False)
            .select_related("owner", "institute").order_by("-issued_at", "-pk"))


def late_requests(user, *, institution: int | None = None, since: dt.date | None = None,
                  until: dt.date | None = None) -> list[Measured]:
    """The late ones among :func:`verification_orders`, newest first."""
    s = SupervisionSettings.current()
    if s.laboratory_working_days is None and s.on_site_working_days is None:
        return []
    qs = verification_orders(user)
    if institution:
        qs = qs.filter(institute_id=institution)
    if since:
        qs = qs.filter(issued_at__date__gte=since)
    if until:
        qs = qs.filter(issued_at__date__lte=until)
    out = []
    for wo in qs.iterator(chunk_size=1000):
        m = measure(wo, s)
        if m is not None and m.late:
            out.append(m)
    return out
