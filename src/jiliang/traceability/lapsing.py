"""Early warning (预警): measurement standards whose assessment certificate (计量标准考核证书,
MeasurementStandard.valid_until) or latest calibration (StandardCalibration.valid_until) lapses within
``JILIANG_TRACEABILITY_WARNING_DAYS`` (60 by default; configuration, not law), each with what depends on it.

* **Dependants** are counted down the graph through the links in force on the day (not void, not expired): the
  standards calibrated by it, transitively (each once, cycles included), and the distinct instruments verified or
  calibrated with any of them (each instrument's chain runs through the standard).
* **Notices**: the owning institute is told once per standard, kind and lapse date (:class:`StandardWarning`
  is written with the notification; a renewed certificate has a new date and is warned again). The daily
  Schedule ``traceability-warnings`` runs :func:`send_warnings`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from jiliang.registry.models import MeasurementStandard, Organisation, StandardStatus

from .models import LapseKind, Link, NodeKind, StandardWarning


def warning_days() -> int:
    return int(getattr(settings, "JILIANG_TRACEABILITY_WARNING_DAYS", 60))


@dataclass(frozen=True)
class Lapse:
    standard: MeasurementStandard
    kind: str
    lapses_on: dt.date
    days_left: int
    instruments: int
    standards: int

    @property
    def kind_label(self) -> str:
        return str(LapseKind(self.kind).label)


def _in_force(today: dt.date) -> Q:
    return Q(void=False) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))


def dependants(standard_ids: list[int], today: dt.date) -> dict[int, tuple[int, int]]:
    """standard id → (instruments, standards) depending on it through the links in force on ``today``."""
    below: dict[int, set[int]] = defaultdict(set)
    for parent, child in (Link.objects.filter(_in_force(today), parent_kind=NodeKind.STANDARD,
                                              child_kind=NodeKind.STANDARD, parent_id__isnull=False)
                          .values_list("parent_id", "child_id").iterator(chunk_size=20000)):
        below[parent].add(child)
    out = {}
    for sid in standard_ids:
        seen, stack = {sid}, [sid]
        while stack:
            for c in below.get(stack.pop(), ()):
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        instruments = (Link.objects.filter(_in_force(today), parent_kind=NodeKind.STANDARD, parent_id__in=seen,
                                           child_kind=NodeKind.INSTRUMENT).values("child_id").distinct().count())
        out[sid] = (instruments, len(seen) - 1)
    return out


def lapsing(standards, today: dt.date, days: int | None = None) -> list[Lapse]:
    """What lapses within ``days`` of ``today`` among ``standards`` (a queryset; the caller restricts it)."""
    days = warning_days() if days is None else days
    end = today + dt.timedelta(days=days)
    live = standards.exclude(status=StandardStatus.RETIRED)
    found: list[tuple[MeasurementStandard, str, dt.date]] = [
        (s, LapseKind.ASSESSMENT, s.valid_until)
        for s in live.filter(valid_until__gte=today, valid_until__lte=end).select_related("institute")]
    from jiliang.verification.models import StandardCalibration

    latest = (StandardCalibration.objects.filter(standard__in=live).values("standard_id")
              .annotate(until=Max("valid_until")).filter(until__gte=today, until__lte=end))
    cal = {row["standard_id"]: row["until"] for row in latest}
    for s in live.filter(pk__in=list(cal)).select_related("institute"):
        found.append((s, LapseKind.CALIBRATION, cal[s.pk]))
    counts = dependants(sorted({s.pk for s, _k, _d in found}), today)
    return sorted((Lapse(s, kind, day, (day - today).days, *counts[s.pk]) for s, kind, day in found),
                  key=lambda lp: (lp.lapses_on, lp.standard.institute.name, lp.standard.name, lp.kind))


@transaction.atomic
def send_warnings(today: dt.date) -> int:
    """Tell each institute once about its standards lapsing soon; returns how many warnings were new."""
    from jiliang.verification.services.base import notify_organisation

    lapses = lapsing(MeasurementStandard.objects.all(), today)
    sent = set(StandardWarning.objects.filter(standard_id__in=[lp.standard.pk for lp in lapses])
               .values_list("standard_id", "kind", "lapses_on"))
    new = [lp for lp in lapses if (lp.standard.pk, lp.kind, lp.lapses_on) not in sent]
    by_institute: dict[int, list[Lapse]] = defaultdict(list)
    for lp in new:
        by_institute[lp.standard.institute_id].append(lp)
    StandardWarning.objects.bulk_create(
        [StandardWarning(standard=lp.standard, kind=lp.kind, lapses_on=lp.lapses_on, instruments=lp.instruments,
                         standards=lp.standards, region_id=lp.standard.institute.region_id,
                         organisation_id=lp.standard.institute_id) for lp in new], ignore_conflicts=True)
    with translation.override(settings.LANGUAGE_CODE):
        for inst in Organisation.objects.filter(pk__in=list(by_institute)).order_by("pk"):
            rows = by_institute[inst.pk]
            lines = [_("%(standard)s: %(what)s lapses on %(day)s; %(n)d instruments and %(m)d standards depend on "
                       "it") % {"standard": lp.standard.name, "what": lp.kind_label, "day": lp.lapses_on,
                                "n": lp.instruments, "m": lp.standards} for lp in rows]
            head = _("%(institute)s: %(n)d of your measurement standards lapse within %(days)d days.") % {
                "institute": inst.name, "n": len(rows), "days": warning_days()}
            notify_organisation(inst, "\n".join([head, *(f"- {line}" for line in lines)]),
                                subject=_("[jiliang] Standards lapsing soon: %(n)d") % {"n": len(rows)})
    return len(new)


@task()
def warnings_daily(slot: str) -> int:
    """The daily early warning (Schedule ``traceability-warnings``)."""
    from jiliang.core.audit import audit_context
    from jiliang.core.jobs.slots import LOCAL

    today = dt.datetime.fromisoformat(slot).astimezone(LOCAL).date()
    with audit_context(channel="task"):
        return send_warnings(today)
