"""Read grants of the verification app (core.scoping.register_grant).

An institute sees the work orders addressed to it, their items, results and certificates, and the
instruments of those work orders (DOMAIN.md: "the instruments it was asked to verify"). Each grant is
a ``Q`` on the model's own columns or ``Q(pk__in=<subquery>)``, so restricted querysets never need
DISTINCT.
"""

from __future__ import annotations

from django.db.models import Q

from jiliang.core.roles import Role
from jiliang.core.scoping import register_grant


def _org(user) -> int | None:
    return user.organisation_id


def register_grants() -> None:
    from .models import WorkOrderItem

    register_grant("verification.WorkOrder", Role.INSTITUTE, lambda u: Q(institute_id=_org(u)))
    register_grant("verification.WorkOrderItem", Role.INSTITUTE, lambda u: Q(work_order__institute_id=_org(u)))
    register_grant("verification.MeasurementResult", Role.INSTITUTE,
                   lambda u: Q(item__work_order__institute_id=_org(u)))
    register_grant("verification.Certificate", Role.INSTITUTE, lambda u: Q(institute_id=_org(u)))
    register_grant("registry.Instrument", Role.INSTITUTE, lambda u: Q(pk__in=WorkOrderItem.objects.filter(
        work_order__institute_id=_org(u)).values("instrument_id")))
