"""IoT status of smart household meters, per utility: what the telemetry ingest says about them.

For each utility the user may see (a bureau: the utilities of its region and below; a utility: itself), counted
over the household meters the user may see that are not retired:

* **registered**: household meters (livelihood.HouseholdMeter, not retired);
* **with a point**: those with an active metering point of role *household* (iot_services);
* **reporting**: those whose point's last reading is at most N days old (N = ``JILIANG_LIVELIHOOD_IOT_SILENT_DAYS``,
  default 2 for meters read once a day: a configuration, not a regulation);
* **silent**: those with a point whose last reading is older than N days, or that never reported;
* **alarms by kind**: meters with an open (or acknowledged, not yet resolved) telemetry anomaly of each event kind
  (valve closed, battery low, magnetic tampering, cover opened; one per meter and kind, as ingest keeps them);
* **past their service life, still reporting**: reporting meters whose rotation deadline
  (``HouseholdMeter.rotation_due``, the last day of the service life) is before today.

Three queries whatever the number of meters: the counts grouped by utility, the alarms grouped by utility and
kind, and the utilities.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Organisation, OrganisationKind
from jiliang.telemetry.models import EVENT_KINDS, Anomaly, AnomalyState, MeteringPoint, PointRole, PointState

from .models import HouseholdMeter

STATUSES = ("registered", "with_point", "no_point", "reporting", "silent", "past_life", "alarm")
OPEN_STATES = (AnomalyState.OPEN, AnomalyState.ACKNOWLEDGED)


def silent_days() -> int:
    return settings.JILIANG_LIVELIHOOD_IOT_SILENT_DAYS


@dataclass
class UtilityIot:
    utility: Organisation
    registered: int = 0
    with_point: int = 0
    reporting: int = 0
    past_life: int = 0
    alarms: dict[str, int] = field(default_factory=dict)

    @property
    def silent(self) -> int:
        return self.with_point - self.reporting

    @property
    def no_point(self) -> int:
        return self.registered - self.with_point

    @property
    def alarm_counts(self) -> list[tuple[str, int]]:
        return [(k, self.alarms.get(k, 0)) for k in EVENT_KINDS]

    @property
    def reporting_rate(self) -> float | None:
        return self.reporting / self.with_point if self.with_point else None

    def as_dict(self) -> dict:
        return {"utility": self.utility.pk, "utility_name": self.utility.name, "uscc": self.utility.uscc,
                "region": self.utility.region_id, "registered": self.registered, "with_point": self.with_point,
                "no_point": self.no_point, "reporting": self.reporting, "silent": self.silent,
                "past_life_reporting": self.past_life, "alarms": {k: self.alarms.get(k, 0) for k in EVENT_KINDS}}


def cutoff(now: dt.datetime | None = None, days: int | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=silent_days() if days is None else days)


def utilities(user):
    return Organisation.objects.restrict(user, VIEW).filter(kind=OrganisationKind.UTILITY).select_related("region")


def meters(user):
    """The household meters ``user`` may see that are in service (not retired)."""
    return HouseholdMeter.objects.restrict(user, VIEW).filter(retired_on__isnull=True)


def _points():
    return MeteringPoint.objects.filter(role=PointRole.HOUSEHOLD, active=True)


def annotated(qs, since: dt.datetime):
    """Household meters with ``point_id``, ``last_ts`` (their household point's last reading) and ``has_point``."""
    point = _points().filter(meter_id=OuterRef("instrument_id")).order_by("pk")
    return qs.annotate(point_id=Subquery(point.values("pk")[:1]),
                       last_ts=Subquery(PointState.objects.filter(point_id=OuterRef("point_id")).values("last_ts")[:1]),
                       has_point=Exists(point))


def status_filter(status: str, since: dt.datetime, today: dt.date, kind: str = "") -> Q:
    """The meters of one status (STATUSES) as a Q on :func:`annotated` meters; ``alarm`` with ``kind``."""
    reporting = Q(has_point=True, last_ts__gte=since)
    return {
        "registered": Q(),
        "with_point": Q(has_point=True),
        "no_point": Q(has_point=False),
        "reporting": reporting,
        "silent": Q(has_point=True) & (Q(last_ts__isnull=True) | Q(last_ts__lt=since)),
        "past_life": reporting & Q(rotation_due__lt=today),
        "alarm": Q(instrument_id__in=Anomaly.objects.filter(
            point__role=PointRole.HOUSEHOLD, state__in=OPEN_STATES,
            **({"kind": kind} if kind else {"kind__in": EVENT_KINDS})).values("point__meter_id")),
    }[status]


def utility_status(user, *, now: dt.datetime | None = None, today: dt.date | None = None,
                   utility: Organisation | None = None) -> list[UtilityIot]:
    """One :class:`UtilityIot` per utility ``user`` may see (only ``utility`` when given), by region and name."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = cutoff(now)
    orgs = utilities(user)
    visible = meters(user)
    if utility is not None:
        orgs, visible = orgs.filter(pk=utility.pk), visible.filter(utility=utility)
    per: dict[int, UtilityIot] = {o.pk: UtilityIot(o) for o in orgs.order_by("region_id", "name")}
    rows = (annotated(visible, since).order_by().values("utility_id")
            .annotate(registered=Count("pk"), with_point=Count("pk", filter=Q(has_point=True)),
                      reporting=Count("pk", filter=status_filter("reporting", since, today)),
                      past_life=Count("pk", filter=status_filter("past_life", since, today))))
    for r in rows:
        u = per.get(r["utility_id"])
        if u is not None:
            u.registered, u.with_point, u.reporting, u.past_life = (r["registered"], r["with_point"],
                                                                    r["reporting"], r["past_life"])
    alarms = (Anomaly.objects.filter(point__role=PointRole.HOUSEHOLD, state__in=OPEN_STATES, kind__in=EVENT_KINDS,
                                     point__meter_id__in=visible.values("instrument_id"))
              .order_by().values("point__enterprise_id", "kind").annotate(n=Count("point_id", distinct=True)))
    for r in alarms:
        u = per.get(r["point__enterprise_id"])
        if u is not None:
            u.alarms[r["kind"]] = r["n"]
    return list(per.values())


def totals(rows: list[UtilityIot]) -> dict:
    keys = ("registered", "with_point", "no_point", "reporting", "silent", "past_life")
    out = {k: sum(getattr(r, k) for r in rows) for k in keys}
    out["alarms"] = {k: sum(r.alarms.get(k, 0) for r in rows) for k in EVENT_KINDS}
    return out


def meter_list(user, utility: Organisation, status: str, *, kind: str = "", now: dt.datetime | None = None,
               today: dt.date | None = None):
    """The meters of ``utility`` the user may see with one status (a drill-down of :func:`utility_status`)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    since = cutoff(now)
    qs = annotated(meters(user).filter(utility=utility), since)
    return (qs.filter(status_filter(status, since, today, kind)).select_related("instrument", "region")
            .order_by("instrument_id"))
