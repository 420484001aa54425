"""Business actions of telemetry: metering points, anomaly handling, conflict review.

Readings are not here: they go through :mod:`jiliang.telemetry.ingest` (bulk, one audit entry per batch).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit, services
from jiliang.core.scoping import CHANGE, may_write

from .models import Anomaly, AnomalyState, MeteringPoint, ReadingConflict

# Allowed moves of an anomaly (open → acknowledged → resolved; a resolved one may be reopened).
TRANSITIONS = {
    AnomalyState.OPEN: {AnomalyState.ACKNOWLEDGED, AnomalyState.RESOLVED},
    AnomalyState.ACKNOWLEDGED: {AnomalyState.RESOLVED, AnomalyState.OPEN},
    AnomalyState.RESOLVED: {AnomalyState.OPEN},
}


def create_point(data: dict, *, actor) -> MeteringPoint:
    """Register a metering point (scope-checked and audited by the core service)."""
    from .ingest import directory

    point = services.create_record(MeteringPoint, data, actor=actor)
    transaction.on_commit(directory.clear)
    return point


@transaction.atomic
def move_anomaly(anomaly: Anomaly, state: str, *, actor, note: str = "", owner=None) -> Anomaly:
    """Acknowledge, resolve or reopen an anomaly; the actor becomes its owner unless another is named."""
    current = Anomaly.objects.restrict(actor, CHANGE).select_for_update().filter(pk=anomaly.pk).first()
    if current is None:
        raise PermissionDenied(_("You may not change this anomaly."))
    if state not in TRANSITIONS.get(current.state, set()):
        raise ValidationError({"state": _("An anomaly that is %(from)s cannot become %(to)s.")
                               % {"from": current.get_state_display(), "to": state}})
    before = {"state": current.state, "owner_id": current.owner_id, "note": current.note}
    current.state = state
    current.owner = owner or actor
    if note:
        current.note = (current.note + "\n" if current.note else "") + note
    current.save(update_fields=["state", "owner", "note"])
    audit.record(current, "update", actor=actor, before=before,
                 after={"state": current.state, "owner_id": current.owner_id, "note": current.note})
    return current


@transaction.atomic
def review_conflict(conflict: ReadingConflict, *, actor, note: str = "") -> ReadingConflict:
    """Mark a conflicting reading as reviewed. The stored reading stays as it is: readings are append-only."""
    current = ReadingConflict.objects.restrict(actor).select_for_update().filter(pk=conflict.pk).first()
    if current is None or not may_write(actor, MeteringPoint.scope, CHANGE):
        raise PermissionDenied(_("You may not review this conflict."))
    current.reviewed = True
    current.save(update_fields=["reviewed"])
    audit.record(current, "update", actor=actor, before={"reviewed": False}, after={"reviewed": True},
                 message=note[:500])
    return current
