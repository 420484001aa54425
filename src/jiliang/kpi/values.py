"""An indicator's value for a region at a date, live or from a snapshot, with its target and status (docs/kpi.md).

A computed indicator asks its source (core.extending.IndicatorSource, registered by the app that owns the data);
an entered one reads the latest :class:`~.models.EnteredValue` on or before the date. A failed computation is a
reading in state ``failed`` with the reason, never a 0; an indicator whose source app is not installed fails the
same way ("not available here").
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from jiliang.core.extending import IndicatorValue, indicator_sources
from jiliang.core.models import Region, RegionLevel

from . import status as st
from .models import EnteredValue, Indicator, Plan, Snapshot, SnapshotState, SourceKind, Target

log = logging.getLogger("jiliang.kpi")
PLACES = Decimal("0.000001")


@dataclass
class Reading:
    indicator: Indicator
    region: str
    on: dt.date
    state: str
    value: Decimal | None = None  # in the indicator's unit (a share in %)
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    definition: str = ""
    version: str = ""
    note: str = ""
    reason: str = ""
    evidence: EnteredValue | None = None
    goal: st.Goal | None = None
    status: str = st.NO_VALUE
    snapshot: Snapshot | None = None

    @property
    def expected(self) -> Decimal | None:
        return None if self.goal is None else st.expected(self.goal, self.on)

    @property
    def target(self) -> Decimal | None:
        return None if self.goal is None else self.goal.target

    def as_dict(self) -> dict:
        def num(v):
            return None if v is None else float(v)

        return {"indicator": self.indicator.code, "region": self.region, "on": self.on.isoformat(),
                "state": self.state, "value": num(self.value), "unit": self.indicator.unit,
                "numerator": num(self.numerator), "denominator": num(self.denominator),
                "target": num(self.target), "target_year": self.goal.by.year if self.goal else None,
                "expected": num(self.expected), "status": self.status, "definition": self.definition,
                "version": self.version, "note": self.note, "reason": self.reason,
                "source": self.indicator.source_kind, "snapshot": self.snapshot.pk if self.snapshot else None}


def _dec(v) -> Decimal | None:
    return None if v is None else Decimal(str(v)).quantize(PLACES)


def targets_by(indicators, regions) -> dict[tuple[int, str], list]:
    out: dict[tuple[int, str], list] = {}
    for t in Target.objects.filter(indicator__in=list(indicators), region_id__in=list(regions)):
        out.setdefault((t.indicator_id, t.region_id), []).append((t.year, t.value, t.baseline, t.baseline_on))
    return out


def _judge(reading: Reading, targets: list) -> Reading:
    reading.goal = st.goal_for(targets, reading.on, reading.indicator.direction == "at_least")
    reading.status = st.judge(reading.value, reading.goal, reading.on, failed=reading.state == SnapshotState.FAILED)
    return reading


def compute(indicator: Indicator, region: str, day: dt.date) -> Reading:
    """The value now of ``indicator`` for ``region`` as of the end of ``day`` (no target applied)."""
    if indicator.source_kind == SourceKind.ENTERED:
        ev = (EnteredValue.objects.filter(indicator=indicator, region_id=region, on__lte=day)
              .order_by("-on", "-pk").first())
        return _entered(indicator, region, day, ev)
    source = indicator_sources().get(indicator.source_key)
    if source is None:
        return Reading(indicator, region, day, SnapshotState.FAILED,
                       reason=_("The source %(s)s is not available here (its app is not installed).")
                       % {"s": indicator.source_key})
    try:
        v: IndicatorValue = source.compute(region, day, indicator.plan.starts_on, **indicator.params)
    except Exception as exc:  # a failed source is shown as failed with its reason, the others go on
        log.warning("kpi %s %s %s failed: %r", indicator.code, region, day, exc)
        return Reading(indicator, region, day, SnapshotState.FAILED, reason=f"{type(exc).__name__}: {exc}"[:500])
    return reading_of(indicator, region, day, v)


def _entered(indicator: Indicator, region: str, day: dt.date, ev: EnteredValue | None) -> Reading:
    """The reading of an entered indicator from its latest value on or before ``day`` (``ev``; None: missing)."""
    if ev is None:
        return Reading(indicator, region, day, SnapshotState.MISSING, note=indicator.display_entered_note)
    return Reading(indicator, region, day, SnapshotState.OK, value=ev.value, numerator=ev.value,
                   definition=indicator.definition, version=f"entered {ev.on}",
                   note=f"{ev.document_number} ({ev.document_date})", evidence=ev)


def _entered_regions(indicator: Indicator, regions: list[str], day: dt.date) -> dict[str, Reading]:
    """:func:`compute` of an entered indicator for many regions: their values on or before ``day`` in one query,
    the latest of each region kept (the same order as one by one: date, then entry)."""
    latest: dict[str, EnteredValue] = {}
    for ev in (EnteredValue.objects.filter(indicator=indicator, region_id__in=regions, on__lte=day)
               .order_by("region_id", "-on", "-pk")):
        latest.setdefault(ev.region_id, ev)
    return {r: _entered(indicator, r, day, latest.get(r)) for r in regions}


def compute_regions(indicator: Indicator, regions: list[str], day: dt.date) -> dict[str, Reading]:
    """:func:`compute` for many regions: one call of the source's ``compute_many`` where it has one (the province
    and its cities from one grouped query), one by one for the rest (and for all, should it fail)."""
    if indicator.source_kind == SourceKind.ENTERED and len(regions) > 1:
        return _entered_regions(indicator, regions, day)
    out: dict[str, Reading] = {}
    source = indicator_sources().get(indicator.source_key) if indicator.source_kind == SourceKind.COMPUTED else None
    if source is not None and source.compute_many is not None and len(regions) > 1:
        try:
            many = source.compute_many(regions, day, indicator.plan.starts_on, **indicator.params)
        except Exception as exc:  # each region is then computed alone and fails (or not) with its own reason
            log.warning("kpi %s compute_many failed: %r", indicator.code, exc)
            many = {}
        out = {r: reading_of(indicator, r, day, v) for r, v in many.items() if r in regions}
    for r in regions:
        if r not in out:
            out[r] = compute(indicator, r, day)
    return out


def reading_of(indicator: Indicator, region: str, day: dt.date, v: IndicatorValue) -> Reading:
    if v.value is None:
        return Reading(indicator, region, day, SnapshotState.EMPTY, numerator=_dec(v.numerator),
                       denominator=_dec(v.denominator), definition=v.definition, version=v.version, note=v.note)
    value = Decimal(str(v.value)) * (100 if indicator.is_share else 1)
    return Reading(indicator, region, day, SnapshotState.OK, value=value.quantize(PLACES), numerator=_dec(v.numerator),
                   denominator=_dec(v.denominator), definition=v.definition[:300], version=v.version, note=v.note)


def live(indicators, regions, day: dt.date) -> dict[tuple[str, str], Reading]:
    """{(indicator code, region): reading} computed now, with targets and statuses."""
    indicators, regions = list(indicators), list(regions)
    targets = targets_by(indicators, regions)
    out = {}
    for i in indicators:
        for r, reading in compute_regions(i, regions, day).items():
            out[(i.code, r)] = _judge(reading, targets.get((i.pk, r), []))
    return out


def from_snapshot(s: Snapshot, targets: list) -> Reading:
    r = Reading(s.indicator, s.region_id, s.on, s.state, s.value, s.numerator, s.denominator, s.definition,
                s.version, s.note, s.reason, s.evidence, snapshot=s)
    return _judge(r, targets)


def stored(indicators, regions, day: dt.date) -> dict[tuple[str, str], Reading]:
    """The readings of the snapshots of ``day`` (those that exist), with targets and statuses."""
    indicators, regions = list(indicators), list(regions)
    targets = targets_by(indicators, regions)
    qs = (Snapshot.objects.filter(indicator__in=indicators, region_id__in=regions, on=day)
          .select_related("indicator__plan", "evidence"))
    return {(s.indicator.code, s.region_id): from_snapshot(s, targets.get((s.indicator_id, s.region_id), []))
            for s in qs}


def plan_regions(plan: Plan) -> list[str]:
    """The plan's region and the prefecture-level cities below it (the city table)."""
    cities = (Region.objects.filter(parent_id=plan.region_id, level=RegionLevel.PREFECTURE, is_current=True)
              .order_by("code").values_list("code", flat=True))
    return [plan.region_id, *cities]


def history(indicator: Indicator, region: str) -> list[Reading]:
    """The snapshots of one indicator and region, oldest first (the trend)."""
    targets = targets_by([indicator], [region]).get((indicator.pk, region), [])
    return [from_snapshot(s, targets) for s in Snapshot.objects.filter(indicator=indicator, region_id=region)
            .select_related("indicator__plan", "evidence").order_by("on")]
