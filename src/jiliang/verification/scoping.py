"""Read grants of the verification app (contributed as core.extending.ScopeGrant in verification/extensions.py).

An institute sees the work orders addressed to it, their items, results and certificates, and the
instruments of those work orders (DOMAIN.md: "the instruments it was asked to verify"). Each grant is
a ``Q`` on the model's own columns or ``Q(pk__in=<subquery>)``, so restricted querysets never need
DISTINCT.
"""

from __future__ import annotations

from django.db.models import Q

from .models import WorkOrderItem


def _org(user) -> int | None:
    return user.organisation_id


def own_institute(user) -> Q:
    """Work orders and certificates addressed to the user's institute."""
    return Q(institute_id=_org(user))


def own_institute_items(user) -> Q:
    return Q(work_order__institute_id=_org(user))


def own_institute_results(user) -> Q:
    return Q(item__work_order__institute_id=_org(user))


def instruments_to_verify(user) -> Q:
    """The instruments of the work orders addressed to the user's institute."""
    return Q(pk__in=WorkOrderItem.objects.filter(work_order__institute_id=_org(user)).values("instrument_id"))
