"""Anomalies that need more than one reading: parent/children imbalance and lapsed meter verification.

* **Imbalance** (per local day, from the daily point rollups): a parent point's consumption against the sum
  of its active children's, flagged when they differ by more than ``tolerance`` × the parent's consumption
  (``JILIANG_TELEMETRY_IMBALANCE_TOLERANCE``, 5 % by default) *and* by more than the expanded uncertainty
  U = 2·√(u_parent² + Σ u_child²) of the difference, so a difference the meters' own classes explain is not
  flagged. Run for a closed day by ``jiliang telemetry-checks`` (daily, after midnight); idempotent per day.
* **Lapsed verification**: data from a point whose meter may not be used: the registry's instrument status
  ``suspended`` or ``retired`` counts as lapsed now. Another app adds reasons (e.g. certificate validity) by
  contributing a ``core.extending.MeterValidityHook`` (``(meter_ids, day) -> {meter_id: reason}``), as does the setting
  ``JILIANG_TELEMETRY_METER_VALIDITY`` (dotted path of such a callable). Ingest asks :func:`lapsed_meters`
  when it loads an enterprise's points and raises the anomaly for each reading such a point sends.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from jiliang.core.extending import MeterValidityHook, contributed
from jiliang.core.values.decimals import decimal_text

from .models import Anomaly, AnomalyKind, AnomalyState, MeteringPoint, PointRollup

LAPSED_STATUSES = ("suspended", "retired", "deregistered")  # registry.models.LAPSED_STATUSES
DEFAULT_IMBALANCE_TOLERANCE = 0.05


def lapsed_meters(meter_ids: Iterable[int], day: dt.date | None = None) -> dict[int, str]:
    """Meters among ``meter_ids`` whose verification has lapsed on ``day``, with the reason."""
    from jiliang.registry.models import Instrument

    ids = sorted({m for m in meter_ids if m})
    if not ids:
        return {}
    day = day or dt.date.today()
    out = {pk: f"instrument status {status}" + (f": {reason}" if reason else "")
           for pk, status, reason in Instrument.objects.filter(pk__in=ids, status__in=LAPSED_STATUSES)
           .values_list("pk", "status", "status_reason")}
    hooks = [h.check for h in contributed(MeterValidityHook)]
    path = getattr(settings, "JILIANG_TELEMETRY_METER_VALIDITY", "")
    if path:
        hooks.append(import_string(path))
    for hook in hooks:
        for pk, reason in (hook(ids, day) or {}).items():
            out.setdefault(pk, reason)
    return out


@dataclass(frozen=True, slots=True)
class Imbalance:
    parent_id: int
    parent: Decimal
    children: Decimal
    difference: Decimal
    relative: float
    expanded_u: float
    child_ids: tuple[int, ...]


def compare(parent_id: int, parent: tuple[Decimal, float], children: dict[int, tuple[Decimal, float]],
            tolerance: float) -> Imbalance | None:
    """Pure: ``parent`` and each child as (consumption, standard uncertainty); the imbalance if flagged."""
    total = sum((c for c, _ in children.values()), Decimal(0))
    diff = parent[0] - total
    expanded_u = 2 * math.sqrt(float(parent[1]) ** 2 + sum(float(u) ** 2 for _, u in children.values()))
    base = abs(parent[0])
    relative = float(abs(diff) / base) if base else (math.inf if diff else 0.0)
    if abs(diff) <= Decimal(repr(tolerance)) * base or float(abs(diff)) <= expanded_u:
        return None
    return Imbalance(parent_id, parent[0], total, diff, relative, expanded_u, tuple(sorted(children)))


def imbalances(day_start: dt.datetime, *, tolerance: float | None = None,
               enterprise_ids: Iterable[int] | None = None) -> list[Imbalance]:
    """Parent points out of balance with their children on the local day starting at ``day_start``."""
    tol = tolerance if tolerance is not None else getattr(settings, "JILIANG_TELEMETRY_IMBALANCE_TOLERANCE",
                                                          DEFAULT_IMBALANCE_TOLERANCE)
    children_qs = MeteringPoint.objects.filter(parent__isnull=False, active=True)
    if enterprise_ids is not None:
        children_qs = children_qs.filter(enterprise_id__in=list(enterprise_ids))
    kids: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in children_qs.values_list("pk", "parent_id"):
        kids[parent_id].append(pk)
    if not kids:
        return []
    ids = set(kids) | {c for cs in kids.values() for c in cs}
    day = {p: (c, float(u)) for p, c, u in PointRollup.objects.filter(
        period="day", start=day_start, point_id__in=ids).values_list("point_id", "consumption", "u")}
    out = []
    for parent_id, child_ids in sorted(kids.items()):
        if parent_id not in day and not any(c in day for c in child_ids):
            continue  # no data that day: a gap, not an imbalance
        found = compare(parent_id, day.get(parent_id, (Decimal(0), 0.0)),
                        {c: day.get(c, (Decimal(0), 0.0)) for c in child_ids}, tol)
        if found:
            out.append(found)
    return out


@transaction.atomic
def raise_imbalances(day_start: dt.datetime, **kwargs) -> list[Anomaly]:
    """Raise (or add to) an imbalance anomaly per flagged parent point; a day already recorded is skipped."""
    found = imbalances(day_start, **kwargs)
    if not found:
        return []
    points = dict(MeteringPoint.objects.filter(pk__in=[f.parent_id for f in found])
                  .values_list("pk", "enterprise_id"))
    current = {a.point_id: a for a in Anomaly.objects.select_for_update().filter(
        point_id__in=points, kind=AnomalyKind.IMBALANCE, state__in=[AnomalyState.OPEN, AnomalyState.ACKNOWLEDGED])}
    day = day_start.date().isoformat()
    out = []
    for f in found:
        evidence = {"day": day, "parent": _num(f.parent), "children": _num(f.children),
                    "difference": _num(f.difference), "relative": round(f.relative, 6) if math.isfinite(f.relative)
                    else None, "expanded_uncertainty": round(f.expanded_u, 6), "child_points": list(f.child_ids)}
        a = current.get(f.parent_id)
        if a is None:
            a = Anomaly.objects.create(point_id=f.parent_id, enterprise_id=points[f.parent_id],
                                       kind=AnomalyKind.IMBALANCE, first_seen=day_start, last_seen=day_start,
                                       evidence={"first": evidence, "last": evidence, "days": [day]})
        elif day not in a.evidence.get("days", []):
            a.occurrences += 1
            a.last_seen = max(a.last_seen, day_start)
            a.evidence = {**a.evidence, "last": evidence, "days": [*a.evidence.get("days", []), day][-62:]}
            a.save(update_fields=["occurrences", "last_seen", "evidence"])
        out.append(a)
    return out


_num = decimal_text
