"""Business actions of telemetry: metering points, anomaly handling, conflict review.

Readings are not here: they go through :mod:`jiliang.telemetry.ingest` (bulk, one audit entry per batch).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
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


# --- the yearly equal-price coefficient of electricity ---------------------------------------------------

RESTATE_POINTS = """UPDATE telemetry_pointrollup SET tce_equal_price = ROUND(consumption * %s, 9)
    WHERE start >= %s AND start < %s AND point_id IN (
        SELECT id FROM telemetry_meteringpoint WHERE energy_type = 'electricity' AND unit = %s)"""
RESTATE_ENTERPRISES = """UPDATE telemetry_enterpriserollup SET tce_equal_price = COALESCE((
        SELECT SUM(CASE p.role WHEN 'enterprise_in' THEN r.tce_equal_price ELSE -r.tce_equal_price END)
        FROM telemetry_pointrollup r JOIN telemetry_meteringpoint p ON p.id = r.point_id
        WHERE p.enterprise_id = telemetry_enterpriserollup.enterprise_id
          AND p.energy_type = telemetry_enterpriserollup.energy_type AND p.unit = telemetry_enterpriserollup.unit
          AND p.role IN ('enterprise_in', 'enterprise_out')
          AND r.period = telemetry_enterpriserollup.period AND r.start = telemetry_enterpriserollup.start), 0)
    WHERE energy_type = 'electricity' AND start >= %s AND start < %s"""


def restate_equal_price(year: int) -> int:
    """Recompute the equal-price tce of every electricity rollup (point and enterprise, every period) that
    falls in the local ``year`` and the years after it that carry its value forward, with the coefficient
    that now applies to each year. Two UPDATE statements per year and unit, inside the caller's transaction.
    Returns the number of point rollup rows restated."""
    from django.db import connection

    from .consumption import LOCAL
    from .energy.coefficients import UNIT_FACTORS, equal_price_for_year
    from .ingest import forget_yearly_equal_price, point_info, yearly_equal_price

    forget_yearly_equal_price()
    yearly = yearly_equal_price()
    later = [y for y in yearly if y > year]
    last = min(later) - 1 if later else max(year, _latest_rollup_year())
    restated = 0
    with connection.cursor() as cur:
        for y in range(year, last + 1):
            applied = equal_price_for_year(yearly, y)
            start = dt.datetime(y, 1, 1, tzinfo=LOCAL)
            end = dt.datetime(y + 1, 1, 1, tzinfo=LOCAL)
            for unit, kwh in UNIT_FACTORS["kWh"].items():
                if applied is None:  # before every configured year: the table's undated fallback
                    info = point_info({"meter__accuracy_class": "", "accuracy_class": "", "energy_type": "electricity",
                                       "unit": unit, "coefficient_variant": "", "role": "", "id": 0, "code": "",
                                       "enterprise_id": 0, "interval_seconds": 1, "multiplier": 1,
                                       "register_capacity": None, "rated_capacity": None, "active": True})
                    factor = info.tce_equal_price
                else:
                    factor = kwh * applied[1] / 1000
                cur.execute(RESTATE_POINTS, [factor, start, end, unit])
                restated += cur.rowcount
            cur.execute(RESTATE_ENTERPRISES, [start, end])
    return restated


def _latest_rollup_year() -> int:
    from .consumption import LOCAL
    from .models import PointRollup

    latest = PointRollup.objects.filter(point__energy_type="electricity").order_by("-start").values_list(
        "start", flat=True).first()
    return latest.astimezone(LOCAL).year if latest else timezone.localdate().year


def equal_price_changed(sender, instance, **kwargs) -> None:
    """Signal receiver (post_save, post_delete of :class:`EqualPriceElectricity`, connected in apps.ready):
    restate the rollups from the earliest year the change touches, inside the saving transaction, so the
    pages and the generic edit forms need nothing special."""
    years = [instance.year, getattr(instance, "_stored_year", None)]
    restate_equal_price(min(y for y in years if y is not None))


def remember_stored_year(sender, instance, **kwargs) -> None:
    """pre_save: the year as stored, so that moving a row to another year restates both."""
    if instance.pk:
        instance._stored_year = type(instance).objects.filter(pk=instance.pk).values_list("year", flat=True).first()
