"""Online rate (KPI 9) and data quality as the national online monitoring system defines them.

* An enterprise is **online** when every required, active metering point has reported within its interval
  plus ``JILIANG_TELEMETRY_ONLINE_TOLERANCE_S``; the online rate is online ÷ key energy-consuming enterprises.
* **Completeness** of a point for a day: readings received ÷ readings due (86 400 s ÷ interval), flagged
  under 90 % (reference protocols-energy-dcc.md §4, "actual uploads ÷ expected uploads ≥ 90 %").
* **Daily against monthly**: the sum of a month's daily totals against the month's total, flagged when
  more than 5 % apart.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Organisation

from .models import KEY_ENERGY_DESIGNATION, EnterpriseRollup, MeteringPoint, PointRollup

COMPLETENESS_FLAG = 0.90
DAILY_MONTHLY_FLAG = 0.05


@dataclass
class EnterpriseStatus:
    enterprise: Organisation
    online: bool
    required: int
    reporting: int
    offline_since: dt.datetime | None

    @property
    def city_code(self) -> str:
        return self.enterprise.region_id[:4] + "00"


def key_enterprises(user):
    return Organisation.objects.restrict(user, VIEW).filter(designations__code=KEY_ENERGY_DESIGNATION)


def enterprise_statuses(user, now: dt.datetime | None = None) -> list[EnterpriseStatus]:
    now = now or timezone.now()
    tolerance = dt.timedelta(seconds=settings.JILIANG_TELEMETRY_ONLINE_TOLERANCE_S)
    per = defaultdict(lambda: [0, 0, None])  # required, reporting, oldest stale last_ts
    rows = (MeteringPoint.objects.restrict(user, VIEW).filter(active=True, required_for_online=True)
            .values_list("enterprise_id", "interval_seconds", "state__last_ts"))
    for enterprise_id, interval, last_ts in rows:
        entry = per[enterprise_id]
        entry[0] += 1
        if last_ts is not None and last_ts >= now - dt.timedelta(seconds=interval) - tolerance:
            entry[1] += 1
        else:
            since = (last_ts + dt.timedelta(seconds=interval)) if last_ts else None
            if entry[2] is None or (since is not None and since < entry[2]):
                entry[2] = since
    out = []
    for org in key_enterprises(user).select_related("region").order_by("region_id", "name"):
        required, reporting, since = per.get(org.pk, [0, 0, None])
        online = required > 0 and reporting == required
        out.append(EnterpriseStatus(org, online, required, reporting, None if online else since))
    return out


def online_rate(statuses: list[EnterpriseStatus]) -> float | None:
    return (sum(s.online for s in statuses) / len(statuses)) if statuses else None


def online_by_city(statuses: list[EnterpriseStatus]) -> list[dict]:
    from jiliang.core.models import Region

    names = dict(Region.objects.filter(level="prefecture").values_list("code", "name"))
    per = defaultdict(lambda: [0, 0])
    for s in statuses:
        per[s.city_code][0] += 1
        per[s.city_code][1] += s.online
    return [{"code": c, "name": names.get(c, c), "enterprises": n, "online": k, "rate": k / n}
            for c, (n, k) in sorted(per.items())]


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
    for p in MeteringPoint.objects.restrict(user, VIEW).filter(active=True, required_for_online=True) \
            .select_related("enterprise"):
        c = got.get(p.pk, 0) / (86400 // p.interval_seconds)
        if c < COMPLETENESS_FLAG:
            out.append((p, c))
    return out


def daily_vs_monthly(enterprise, month_start: dt.datetime, energy_type: str) -> dict:
    """Sum of the daily totals of a month against the monthly total, and whether they are > 5 % apart."""
    nxt = (month_start + dt.timedelta(days=32)).replace(day=1)
    qs = EnterpriseRollup.objects.filter(enterprise=enterprise, energy_type=energy_type)
    daily = qs.filter(period="day", start__gte=month_start, start__lt=nxt).aggregate(s=Sum("consumption"))["s"] or 0
    monthly = qs.filter(period="month", start=month_start).aggregate(s=Sum("consumption"))["s"] or 0
    gap = abs(daily - monthly) / abs(monthly) if monthly else (0 if not daily else 1)
    return {"daily_sum": daily, "monthly": monthly, "deviation": float(gap), "flagged": gap > DAILY_MONTHLY_FLAG}


def consumption_by_city(user, day_start: dt.datetime) -> list[dict]:
    """The enterprises' consumption on the local day starting at ``day_start`` by city (prefecture), in tce
    (equivalent value) and per energy type in native units, from the daily enterprise rollups."""
    from jiliang.core.models import Region

    names = dict(Region.objects.filter(level="prefecture").values_list("code", "name"))
    per: dict[str, dict] = {}
    rows = (EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start=day_start)
            .values_list("enterprise__region_id", "energy_type", "unit")
            .annotate(c=Sum("consumption"), t=Sum("tce_equivalent")))
    for region, energy_type, unit, c, t in rows:
        code = region[:4] + "00"
        city = per.setdefault(code, {"code": code, "name": names.get(code, code), "tce": 0.0, "by_type": {}})
        city["tce"] += float(t)
        key = (energy_type, unit)
        city["by_type"][key] = city["by_type"].get(key, 0.0) + float(c)
    return [per[c] for c in sorted(per)]
