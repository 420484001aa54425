"""Online rate (KPI 9) and data quality as the national online monitoring system defines them.

* An enterprise is **online** when every required, active metering point has reported within its interval
  plus ``JILIANG_TELEMETRY_ONLINE_TOLERANCE_S``; the online rate is online ÷ key energy-consuming enterprises.
  An enterprise without required points is offline. Counted in the database (one GROUP BY over the points
  and their :class:`PointState`), region-scoped like every other query.
* **Over time**: :class:`OnlineSnapshot` rows per region, written by :func:`record_online_snapshot` every
  15 minutes (``jiliang telemetry-snapshot``) and backfilled hourly from the hourly point rollups by
  :func:`backfill_online_snapshots`; :func:`online_history` sums them per city for the dashboard's chart.
* **Completeness** of a point for a day: readings received ÷ readings due (86 400 s ÷ interval), flagged
  under 90 % (reference protocols-energy-dcc.md §4, "actual uploads ÷ expected uploads ≥ 90 %").
* **Daily against monthly**: the sum of a month's daily totals against the month's total, flagged when
  more than 5 % apart.
* The **data-quality report** (:func:`data_quality`, :func:`point_quality`; the page ``telemetry/quality/``)
  puts the three measures of the national system, with timestamp alignment, per enterprise and per point.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Least, NullIf, Substr, TruncHour
from django.utils import timezone

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Organisation

from .consumption import LOCAL, local_day_start
from .models import (
    KEY_ENERGY_DESIGNATION,
    EnergyType,
    EnterpriseRollup,
    MeteringPoint,
    OnlineSnapshot,
    PointRole,
    PointRollup,
    SnapshotBasis,
)

COMPLETENESS_FLAG = 0.90
DAILY_MONTHLY_FLAG = 0.05
HOUR = dt.timedelta(hours=1)
ONE_SECOND = Value(dt.timedelta(seconds=1), output_field=DurationField())


@dataclass
class EnterpriseStatus:
    enterprise: Organisation
    online: bool
    required: int
    reporting: int
    offline_since: dt.datetime | None

    @property
    def city_code(self) -> str:
        return city_of(self.enterprise.region_id)

    @property
    def connected(self) -> bool:
        """Whether the enterprise has a required metering point at all (未接入 when not): one without is not
        online, but it is not offline either."""
        return self.required > 0


def city_of(region_code: str) -> str:
    """The prefecture-level city of a GB/T 2260 code (its first four digits)."""
    return region_code[:4] + "00"


def key_enterprises(user):
    return Organisation.objects.restrict(user, VIEW).filter(designations__code=KEY_ENERGY_DESIGNATION)


def _cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.JILIANG_TELEMETRY_ONLINE_TOLERANCE_S)


def _due():
    """When a point's next reading is due: its last reading time plus its interval (NULL if it never reported).

    A point is reporting at ``now`` iff ``last_ts >= now - interval - tolerance``, i.e. ``due >= now -
    tolerance``. Django turns the sum into ``last_ts + interval_seconds * interval '1 second'`` on PostgreSQL
    and into its own timestamp arithmetic on SQLite."""
    seconds = ExpressionWrapper(F("interval_seconds"), output_field=IntegerField())  # SQLite: a plain integer
    step = ExpressionWrapper(seconds * ONE_SECOND, output_field=DurationField())
    return ExpressionWrapper(F("state__last_ts") + step, output_field=DateTimeField())


def required_points(points=None):
    """The points that decide whether their enterprise is online: active and required for online, never a
    utility's household meter (livelihood-iot.md: household meters stay out of the key consumers' figures)."""
    points = MeteringPoint.objects.all() if points is None else points
    return points.filter(active=True, required_for_online=True).exclude(role=PointRole.HOUSEHOLD)


def point_counts(points, now: dt.datetime) -> dict[int, tuple[int, int, dt.datetime | None]]:
    """Per enterprise of ``points`` (a queryset of metering points): required points, points reporting at
    ``now``, and when the earliest of the late points became due (last reading + interval; points that never
    reported have no such time). One GROUP BY query."""
    cutoff = _cutoff(now)
    rows = (required_points(points).alias(due=_due()).order_by().values("enterprise_id")
            .annotate(required=Count("pk"), reporting=Count("pk", filter=Q(due__gte=cutoff)),
                      since=Min("due", filter=Q(due__lt=cutoff)))
            .values_list("enterprise_id", "required", "reporting", "since"))
    return {e: (required, reporting, since) for e, required, reporting, since in rows}


def late_points(points, now: dt.datetime):
    """The required points of ``points`` not reporting at ``now``: never reported, or their next reading is late."""
    return required_points(points).alias(due=_due()).filter(Q(due__lt=_cutoff(now)) | Q(due__isnull=True))


def enterprise_statuses(user, now: dt.datetime | None = None, enterprise=None) -> list[EnterpriseStatus]:
    """Whether each key enterprise ``user`` may see is online at ``now`` (default: now), ordered by region and
    name; only ``enterprise`` when given. Two queries: the per-enterprise counts and the enterprises."""
    now = now or timezone.now()
    points = MeteringPoint.objects.restrict(user, VIEW)
    orgs = key_enterprises(user)
    if enterprise is not None:
        points, orgs = points.filter(enterprise=enterprise), orgs.filter(pk=enterprise.pk)
    per = point_counts(points, now)
    out = []
    for org in orgs.select_related("region").order_by("region_id", "name"):
        required, reporting, since = per.get(org.pk, (0, 0, None))
        online = required > 0 and reporting == required
        out.append(EnterpriseStatus(org, online, required, reporting, None if online else since))
    return out


def online_rate(statuses: list[EnterpriseStatus]) -> float | None:
    return (sum(s.online for s in statuses) / len(statuses)) if statuses else None


def _region_names(level: str) -> dict[str, str]:
    from jiliang.core.models import Region

    return dict(Region.objects.filter(level=level).values_list("code", "name"))


def _region_labels(codes) -> dict[str, str]:
    """Region names in the active language (the map keeps the Chinese names its GeoJSON uses)."""
    from jiliang.core.models import Region

    return {r.code: r.display_name for r in Region.objects.filter(code__in=set(codes))}


def online_by_city(statuses: list[EnterpriseStatus]) -> list[dict]:
    names = _region_names("prefecture")
    per = defaultdict(lambda: [0, 0, 0])
    for s in statuses:
        per[s.city_code][0] += 1
        per[s.city_code][1] += s.online
        per[s.city_code][2] += not s.connected
    labels = _region_labels(per)
    return [{"code": c, "name": names.get(c, c), "label": labels.get(c, c), "enterprises": n, "online": k,
             "rate": k / n, "not_connected": x} for c, (n, k, x) in sorted(per.items())]


# --- the online rate over time ------------------------------------------------------------------------------

def online_counts_by_region(now: dt.datetime) -> list[tuple[str, int, int]]:
    """(region code, key enterprises, online) at ``now`` over the whole province, by region code: the same
    per-enterprise GROUP BY as :func:`enterprise_statuses` (on PostgreSQL a parallel hash join; correlated
    EXISTS subqueries per enterprise were twice as slow at 200 000 points), then the enterprises' regions."""
    per = point_counts(MeteringPoint.objects.all(), now)
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pk, region in (Organisation.objects.filter(designations__code=KEY_ENERGY_DESIGNATION)
                       .values_list("pk", "region_id")):
        required, reporting, _since = per.get(pk, (0, 0, None))
        counts[region][0] += 1
        counts[region][1] += required > 0 and reporting == required
    return [(region, n, k) for region, (n, k) in sorted(counts.items())]


def _save_snapshots(rows: list[OnlineSnapshot]) -> int:
    """Insert the snapshots; a row for a (time, region) already stored is replaced, so reruns are harmless."""
    OnlineSnapshot.objects.bulk_create(rows, batch_size=2000, update_conflicts=True,
                                       unique_fields=["taken_at", "region"],
                                       update_fields=["enterprises", "online", "basis"])
    return len(rows)


@transaction.atomic
def record_online_snapshot(now: dt.datetime | None = None) -> int:
    """Store, per region with key enterprises, how many of them are online at ``now`` (default: now, to the
    minute). Two queries and one bulk insert; returns the number of rows. Run every 15 minutes
    (``jiliang telemetry-snapshot``)."""
    now = now or timezone.now().replace(second=0, microsecond=0)
    return _save_snapshots([OnlineSnapshot(taken_at=now, region_id=region, enterprises=n, online=k,
                                           basis=SnapshotBasis.LIVE)
                            for region, n, k in online_counts_by_region(now)])


def _hour_floor(t: dt.datetime) -> dt.datetime:
    return t.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def backfill_online_snapshots(start: dt.datetime, end: dt.datetime) -> int:
    """Hourly snapshots for a past range from the hourly point rollups: for each hour that starts at or after
    ``start`` (rounded down to the hour) and ends by ``end``, a row per region taken at the end of the hour, in
    which an enterprise counts as online iff it has required points and each has readings in the hour's
    rollup. Uses today's points and designations (their history is not kept). Existing rows at the same times
    are replaced. Returns the number of rows written."""
    first, last = _hour_floor(start), _hour_floor(end)  # hours [first, last): each ends by ``end``
    if last <= first:
        return 0
    required = dict(required_points().order_by().values("enterprise_id").annotate(n=Count("pk"))
                    .values_list("enterprise_id", "n"))
    region_of = dict(Organisation.objects.filter(designations__code=KEY_ENERGY_DESIGNATION)
                     .values_list("pk", "region_id"))
    enterprises = defaultdict(int)
    for region in region_of.values():
        enterprises[region] += 1
    written = 0
    day = first
    while day < last:  # a day at a time bounds the rows held in memory
        stop = min(day + dt.timedelta(days=1), last)
        online = defaultdict(int)  # (hour, region) -> enterprises online
        rows = (PointRollup.objects.filter(period="hour", start__gte=day, start__lt=stop, readings__gt=0,
                                           point__active=True, point__required_for_online=True)
                .order_by().values("start", "point__enterprise_id").annotate(n=Count("point_id"))
                .values_list("start", "point__enterprise_id", "n"))
        for hour, enterprise_id, n in rows:
            if enterprise_id in region_of and n == required.get(enterprise_id):
                online[(_hour_floor(hour), region_of[enterprise_id])] += 1
        snapshots = []
        hour = day
        while hour < stop:
            snapshots += [OnlineSnapshot(taken_at=hour + HOUR, region_id=region, enterprises=n,
                                         online=online[(hour, region)], basis=SnapshotBasis.ROLLUP)
                          for region, n in sorted(enterprises.items())]
            hour += HOUR
        written += _save_snapshots(snapshots)
        day = stop
    return written


def online_history(user, since: dt.datetime) -> dict:
    """The online rate over time as ``user`` may see it, from the snapshots taken since ``since``, per hour
    (the snapshots of an hour pooled: Σ online ÷ Σ enterprises): the whole of the user's scope (``total``) and
    each city in it (``cities``; for a city or county bureau, its one city)."""
    rows = (OnlineSnapshot.objects.restrict(user, VIEW).filter(taken_at__gte=since).order_by()
            .annotate(hour=TruncHour("taken_at", tzinfo=dt.UTC), city=Substr("region_id", 1, 4))
            .values("hour", "city").annotate(n=Sum("enterprises"), k=Sum("online"))
            .values_list("hour", "city", "n", "k"))
    names = _region_names("prefecture")
    hours: dict[dt.datetime, list[int]] = defaultdict(lambda: [0, 0])
    per_city: dict[str, dict[dt.datetime, tuple[int, int]]] = defaultdict(dict)
    for hour, city, n, k in rows:
        code = city + "00"
        per_city[code][hour] = (n, k)
        hours[hour][0] += n
        hours[hour][1] += k
    times = sorted(hours)

    def rate(n, k):
        return round(k / n, 4) if n else None

    return {
        "times": times,
        "total": [rate(*hours[t]) for t in times],
        "cities": [{"code": code, "name": names.get(code, code),
                    "rates": [rate(*per_city[code][t]) if t in per_city[code] else None for t in times]}
                   for code in sorted(per_city)],
        "counts": [tuple(hours[t]) for t in times],
    }


def completeness(point: MeteringPoint, day_start: dt.datetime) -> float:
    """Readings received ÷ due for the local day starting at ``day_start``."""
    row = PointRollup.objects.filter(point=point, period="day", start=day_start).values_list("readings", flat=True)
    due = 86400 // point.interval_seconds
    return (row[0] if row else 0) / due


def flagged_completeness(user, day_start: dt.datetime) -> list[tuple[MeteringPoint, float]]:
    """Required points under 90 % completeness on the day."""
    got = dict(PointRollup.objects.restrict(user, VIEW).filter(period="day", start=day_start)
               .values_list("point_id", "readings"))
    out = []
    for p in required_points(MeteringPoint.objects.restrict(user, VIEW)).select_related("enterprise"):
        c = got.get(p.pk, 0) / (86400 // p.interval_seconds)
        if c < COMPLETENESS_FLAG:
            out.append((p, c))
    return out


def _next_month(month_start: dt.datetime) -> dt.datetime:
    return (month_start + dt.timedelta(days=32)).replace(day=1)


def deviation(daily_sum, monthly) -> float:
    """How far the sum of a month's daily totals is from the month's total, relative to the month's total:
    0 when both are zero, 1 (100 %) when there is no monthly total but daily totals do not sum to zero."""
    if monthly:
        return float(abs(daily_sum - monthly) / abs(monthly))
    return 0.0 if not daily_sum else 1.0


def daily_vs_monthly(enterprise, month_start: dt.datetime, energy_type: str) -> dict:
    """Sum of the daily totals of a month against the monthly total, and whether they are > 5 % apart."""
    qs = EnterpriseRollup.objects.filter(enterprise=enterprise, energy_type=energy_type)
    daily = qs.filter(period="day", start__gte=month_start, start__lt=_next_month(month_start)) \
        .aggregate(s=Sum("consumption"))["s"] or 0
    monthly = qs.filter(period="month", start=month_start).aggregate(s=Sum("consumption"))["s"] or 0
    gap = deviation(daily, monthly)
    return {"daily_sum": daily, "monthly": monthly, "deviation": gap, "flagged": gap > DAILY_MONTHLY_FLAG}


def consumption_by_city(user, day_start: dt.datetime) -> list[dict]:
    """The enterprises' consumption on the local day starting at ``day_start`` by city (prefecture), in tce
    (equivalent value) and per energy type in native units, from the daily enterprise rollups (grouped by city
    in the database)."""
    names = _region_names("prefecture")
    per: dict[str, dict] = {}
    rows = (EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start=day_start).order_by()
            .annotate(city=Substr("enterprise__region_id", 1, 4)).values("city", "energy_type", "unit")
            .annotate(c=Sum("consumption"), t=Sum("tce_equivalent"))
            .values_list("city", "energy_type", "unit", "c", "t"))
    for city4, energy_type, unit, c, t in rows:
        code = city4 + "00"
        city = per.setdefault(code, {"code": code, "name": names.get(code, code), "tce": 0.0, "by_type": {}})
        city["tce"] += float(t)
        key = (energy_type, unit)
        city["by_type"][key] = city["by_type"].get(key, 0.0) + float(c)
    return [per[c] for c in sorted(per)]


# --- the data-quality report: completeness, daily against monthly, timestamp alignment --------------------

SECONDS_PER_DAY = 86400


def yesterday() -> dt.date:
    return timezone.now().astimezone(LOCAL).date() - dt.timedelta(days=1)


def _energy_label(energy_type: str) -> str:
    return str(dict(EnergyType.choices).get(energy_type, energy_type))


def _incomplete(counted: int, due: int) -> bool:
    """Under 90 % (received ÷ due < 0.9), in integers so that exactly 90 % is never flagged by rounding; a
    point that is due nothing (interval 0 or longer than a day) is incomplete by definition."""
    return not due or counted * 10 < due * 9


@dataclass
class PointQuality:
    """One required, active point on one local day: readings due (86 400 s ÷ interval), received (those
    that ended in the day, from the day's :class:`PointRollup`) and misaligned (off the collection grid by
    more than ``JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S``)."""

    point_id: int
    code: str
    name: str
    energy_type: str
    unit: str
    interval: int
    due: int
    received: int
    misaligned: int

    @property
    def energy_label(self) -> str:
        return _energy_label(self.energy_type)

    @property
    def counted(self) -> int:
        """Received readings counted toward completeness: at most the readings due (surplus readings, e.g. a
        meter sending every 5 min on a 15 min point, do not make up for a gap elsewhere)."""
        return min(self.received, self.due)

    @property
    def completeness(self) -> float | None:
        return self.counted / self.due if self.due else None

    @property
    def incomplete(self) -> bool:
        return _incomplete(self.counted, self.due)

    @property
    def misaligned_share(self) -> float | None:
        return self.misaligned / self.received if self.received else None

    @property
    def flagged(self) -> bool:
        return self.incomplete or self.misaligned > 0


@dataclass
class EnergyCheck:
    """The daily totals of one enterprise, energy type and unit in a month, summed, against the month's total
    (``monthly`` is None when there is no monthly row)."""

    energy_type: str
    unit: str
    daily_sum: Decimal
    monthly: Decimal | None

    @property
    def energy_label(self) -> str:
        return _energy_label(self.energy_type)

    @property
    def deviation(self) -> float:
        return deviation(self.daily_sum, self.monthly or 0)

    @property
    def flagged(self) -> bool:
        return self.deviation > DAILY_MONTHLY_FLAG


class Flag:
    """Why an enterprise is flagged on the data-quality report."""

    NO_POINTS = "no_points"
    COMPLETENESS = "completeness"
    POINTS = "points"
    MISALIGNED = "misaligned"
    DAILY_MONTHLY = "daily_monthly"


@dataclass
class EnterpriseQuality:
    """One key energy-consuming enterprise on one local day; see :func:`data_quality`."""

    enterprise: Organisation
    points: int = 0
    due: int = 0
    received: int = 0
    counted: int = 0
    misaligned: int = 0
    points_incomplete: int = 0
    energy: list[EnergyCheck] = field(default_factory=list)

    @property
    def completeness(self) -> float | None:
        return self.counted / self.due if self.due else None

    @property
    def incomplete(self) -> bool:
        return self.points > 0 and _incomplete(self.counted, self.due)

    @property
    def misaligned_share(self) -> float | None:
        return self.misaligned / self.received if self.received else None

    @property
    def max_deviation(self) -> float | None:
        return max((e.deviation for e in self.energy), default=None)

    @property
    def flags(self) -> list[str]:
        out = []
        if not self.points:
            out.append(Flag.NO_POINTS)
        if self.incomplete:
            out.append(Flag.COMPLETENESS)
        if self.points_incomplete:
            out.append(Flag.POINTS)
        if self.misaligned:
            out.append(Flag.MISALIGNED)
        if any(e.flagged for e in self.energy):
            out.append(Flag.DAILY_MONTHLY)
        return out

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


@dataclass
class QualityReport:
    day: dt.date
    day_start: dt.datetime
    month_start: dt.datetime
    enterprises: list[EnterpriseQuality]

    @property
    def flagged(self) -> list[EnterpriseQuality]:
        return [e for e in self.enterprises if e.flagged]


def _with_day_counts(points, day_start: dt.datetime):
    """``points`` narrowed to the required, active ones and joined (LEFT JOIN, one row per point: the rollup
    key is unique) to their day rollup of ``day_start``, with ``q_due``, ``q_got`` and ``q_off`` aliased:
    readings due, received and misaligned. The rollup is found through its key (point, period, start), so the
    join is one index probe per point on PostgreSQL."""
    interval = NullIf(F("interval_seconds"), Value(0))
    return (required_points(points)
            .annotate(q_day=FilteredRelation("rollups", condition=Q(rollups__period="day",
                                                                     rollups__start=day_start)))
            .alias(q_due=Coalesce(ExpressionWrapper(Value(SECONDS_PER_DAY) / interval, output_field=IntegerField()),
                                  Value(0)),
                   q_got=Coalesce(F("q_day__readings"), Value(0)),
                   q_off=Coalesce(F("q_day__misaligned"), Value(0))))


def _completeness_by_enterprise(points, day_start: dt.datetime) -> dict[int, tuple[int, int, int, int, int, int]]:
    """Per enterprise: (required points, due, received, counted, misaligned, points under 90 %). One GROUP BY."""
    rows = (_with_day_counts(points, day_start)
            .alias(q_counted=Least(F("q_got"), F("q_due")), q_got10=F("q_got") * 10, q_due9=F("q_due") * 9)
            .order_by().values("enterprise_id")
            .annotate(n=Count("pk"), due=Sum("q_due"), got=Sum("q_got"), counted=Sum("q_counted"), off=Sum("q_off"),
                      under=Count("pk", filter=Q(q_due=0) | Q(q_got10__lt=F("q_due9"))))
            .values_list("enterprise_id", "n", "due", "got", "counted", "off", "under"))
    return {e: tuple(v or 0 for v in rest) for e, *rest in rows}


def _daily_vs_monthly_by_enterprise(rollups, month_start: dt.datetime) -> dict[int, list[EnergyCheck]]:
    """Per enterprise of ``rollups`` (enterprise rollups), per energy type and unit: the month's daily totals
    summed against its monthly total. Two queries (a GROUP BY over the month's day rows, and the month rows),
    both on the (period, start) index."""
    daily = (rollups.filter(period="day", start__gte=month_start, start__lt=_next_month(month_start)).order_by()
             .values("enterprise_id", "energy_type", "unit").annotate(s=Sum("consumption"))
             .values_list("enterprise_id", "energy_type", "unit", "s"))
    sums: dict[tuple[int, str, str], list] = {(e, t, u): [s or Decimal(0), None] for e, t, u, s in daily}
    for e, t, u, c in rollups.filter(period="month", start=month_start).values_list(
            "enterprise_id", "energy_type", "unit", "consumption"):
        sums.setdefault((e, t, u), [Decimal(0), None])[1] = c
    out: dict[int, list[EnergyCheck]] = defaultdict(list)
    for (e, t, u), (d, m) in sorted(sums.items()):
        out[e].append(EnergyCheck(t, u, d, m))
    return out


def data_quality(user, day: dt.date | None = None, enterprise=None) -> QualityReport:
    """The data quality of the key energy-consuming enterprises ``user`` may see (``restrict(user, VIEW)``) on
    the local (Asia/Shanghai) ``day`` (default: yesterday), as the national online monitoring system of key
    energy-consuming units defines it; only ``enterprise`` when given. Ordered by region and name.

    The thresholds are those of the national system as recorded in ``../shared/reference/
    protocols-energy-dcc.md`` §4 ("Data quality", confidence M: a vendor copy of the system's rules):

    * **completeness** = actual uploads ÷ expected uploads ≥ 90 %: per required, active point, readings
      received (the day's :class:`PointRollup` ``readings``, i.e. readings that ended in the day) ÷ readings
      due (86 400 s ÷ the point's interval); per enterprise Σ received ÷ Σ due, a point's surplus readings
      not counted. Flagged under 90 % (:data:`COMPLETENESS_FLAG`), as is an enterprise with no required point;
      an enterprise is also flagged (:attr:`Flag.POINTS`) when any of its points is under 90 %;
    * **daily sum against monthly total** deviation ≤ 5 %: for the month containing ``day``, per energy type
      and unit, Σ of the enterprise's daily :class:`EnterpriseRollup` rows of the whole month (days after
      ``day`` included, as far as they exist, since the monthly row holds them too) against its monthly row,
      |Σ daily − monthly| ÷ |monthly| (100 % when the monthly row is missing and the days do not sum to zero);
      flagged over 5 % (:data:`DAILY_MONTHLY_FLAG`);
    * **timestamp alignment**: daily data at 00:00 ± 1 min; jiliang applies
      ``JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S`` (60 s) around each point's collection grid at ingest and
      counts the readings off it in the rollups' ``misaligned``; reported as a count and a share of the
      readings received, and flagged when there is any.

    Four queries whatever the number of enterprises (the per-point counts grouped by enterprise in the
    database, the enterprises, the month's daily sums grouped by enterprise and energy type, the month's rows).
    """
    day = day or yesterday()
    day_start = local_day_start(day)
    month_start = day_start.replace(day=1)
    points = MeteringPoint.objects.restrict(user, VIEW)
    orgs = key_enterprises(user)
    rollups = EnterpriseRollup.objects.restrict(user, VIEW)
    if enterprise is not None:
        points, orgs = points.filter(enterprise=enterprise), orgs.filter(pk=enterprise.pk)
        rollups = rollups.filter(enterprise=enterprise)
    counts = _completeness_by_enterprise(points, day_start)
    energy = _daily_vs_monthly_by_enterprise(rollups, month_start)
    rows = []
    for org in orgs.select_related("region").order_by("region_id", "name"):
        n, due, got, counted, off, under = counts.get(org.pk, (0, 0, 0, 0, 0, 0))
        rows.append(EnterpriseQuality(org, n, due, got, counted, off, under, energy.get(org.pk, [])))
    return QualityReport(day, day_start, month_start, rows)


def point_quality(user, enterprise, day: dt.date | None = None) -> list[PointQuality]:
    """Completeness and alignment of each required, active point of ``enterprise`` that ``user`` may see on
    the local ``day`` (default: yesterday), by point code; see :func:`data_quality`. One query."""
    day_start = local_day_start(day or yesterday())
    rows = (_with_day_counts(MeteringPoint.objects.restrict(user, VIEW).filter(enterprise=enterprise), day_start)
            .annotate(due=F("q_due"), got=F("q_got"), off=F("q_off")).order_by("code")
            .values_list("pk", "code", "name", "energy_type", "unit", "interval_seconds", "due", "got", "off"))
    return [PointQuality(*row) for row in rows]


# --- KPI 9 as the plan means it: coverage of the listed enterprises by month ------------------------------

@dataclass
class CoverageRow:
    """One region's (or the whole scope's) KPI 9 for a month."""

    code: str
    name: str
    listed: int = 0  # key energy-consuming enterprises on the list
    covered: int = 0  # of them, with completeness ≥ 90 % over the period
    not_connected: int = 0  # of them, without a required metering point

    @property
    def rate(self) -> float | None:
        return self.covered / self.listed if self.listed else None


@dataclass
class EnterpriseCoverage:
    enterprise: Organisation
    received: int
    due: int

    @property
    def completeness(self) -> float | None:
        return min(self.received / self.due, 1.0) if self.due else None

    @property
    def covered(self) -> bool:
        return self.due > 0 and self.received >= COMPLETENESS_FLAG * self.due


@dataclass
class Coverage:
    """KPI 9 for one month: listed enterprises whose data were collected online with completeness ≥ 90 %
    over the month (to ``until`` in the current month) ÷ listed enterprises, for the user's scope and by
    the region one level below it."""

    month: dt.date
    until: dt.datetime
    total: CoverageRow
    regions: list[CoverageRow]
    enterprises: list[EnterpriseCoverage]


def month_start(month: dt.date) -> dt.datetime:
    return dt.datetime(month.year, month.month, 1, tzinfo=LOCAL)


def _child_region(user, region_code: str) -> str:
    """The region one level below the user's scope that holds ``region_code``: the city for the province,
    the county for a city bureau, the region itself below that."""
    from jiliang.core.scoping import is_unrestricted

    if user is None or is_unrestricted(user) or not user.region_id or user.region_id.endswith("0000"):
        return city_of(region_code)
    return region_code


def coverage(user, month: dt.date, now: dt.datetime | None = None, enterprises=None) -> Coverage:
    """KPI 9 of ``month`` (any day in it) as ``user`` may see it. Completeness of an enterprise is the
    readings its required, active points delivered in the month (the month's point rollups) ÷ the readings
    due (the period's seconds ÷ each point's interval), over the month or, in the current month, until now;
    an enterprise without a required point has nothing due and is not covered. Three queries.
    ``enterprises``: the listed enterprises to count instead of those ``user`` may see (kpi asks by region)."""
    now = now or timezone.now()
    start = month_start(month)
    end = min(_next_month(start), max(now, start))
    seconds = int((end - start).total_seconds())
    listed = key_enterprises(user) if enterprises is None else enterprises
    orgs = list(listed.select_related("region").order_by("region_id", "name"))
    ids = [o.pk for o in orgs]
    points = required_points(MeteringPoint.objects.filter(enterprise_id__in=ids))
    due: dict[int, int] = defaultdict(int)
    for enterprise_id, interval, n in (points.order_by().values("enterprise_id", "interval_seconds")
                                       .annotate(n=Count("pk")).values_list("enterprise_id", "interval_seconds", "n")):
        due[enterprise_id] += n * (seconds // interval)
    received = dict(PointRollup.objects.filter(period="month", start=start, point__in=points).order_by()
                    .values("point__enterprise_id").annotate(n=Sum("readings"))
                    .values_list("point__enterprise_id", "n"))
    names = _region_labels({city_of(o.region_id) for o in orgs} | {o.region_id for o in orgs})
    total = CoverageRow("", "")
    regions: dict[str, CoverageRow] = {}
    rows = []
    for org in orgs:
        ec = EnterpriseCoverage(org, int(received.get(org.pk) or 0), due.get(org.pk, 0))
        rows.append(ec)
        code = _child_region(user, org.region_id)
        region = regions.setdefault(code, CoverageRow(code, names.get(code, code)))
        for row in (total, region):
            row.listed += 1
            row.covered += ec.covered
            row.not_connected += ec.due == 0
    return Coverage(month.replace(day=1), end, total, [regions[c] for c in sorted(regions)], rows)


def coverage_trend(user, months: int = 12, now: dt.datetime | None = None) -> list[tuple[dt.date, float | None]]:
    """KPI 9 of the scope for the last ``months`` months, oldest first (the current month to now)."""
    now = now or timezone.now()
    local = now.astimezone(LOCAL).date().replace(day=1)
    out = []
    for k in range(months - 1, -1, -1):
        y, m = divmod(local.year * 12 + local.month - 1 - k, 12)
        month = dt.date(y, m + 1, 1)
        out.append((month, coverage(user, month, now).total.rate))
    return out
