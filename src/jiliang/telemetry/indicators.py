"""Indicator 9 of the plan (专栏1: 全省列入国家万家重点耗能企业能源资源计量数据实现实时、在线采集), contributed to kpi as a
core.extending.IndicatorSource: the listed key energy-consuming enterprises of the region whose data were collected
online with completeness ≥ 90 % over the month of the day asked (to now in the current month) ÷ the listed
enterprises (quality.coverage; DOMAIN.md: the instantaneous online rate is an operating view, not this indicator)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiliang.core.extending import Drill, IndicatorValue
from jiliang.core.regions import PROVINCE_CODE, group_under, subtree_codes
from jiliang.registry.models import Organisation

from . import quality
from .models import KEY_ENERGY_DESIGNATION

VERSION = "jiliang-kpi9-2026.1"


def _listed(region: str):
    qs = Organisation.objects.filter(designations__code=KEY_ENERGY_DESIGNATION, deregistered_on__isnull=True)
    return qs if region == PROVINCE_CODE else qs.filter(region_id__in=subtree_codes(region))


def _coverage(region: str, day: dt.date) -> quality.Coverage:
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=quality.LOCAL)
    from django.utils import timezone

    return quality.coverage(None, day, now=min(timezone.now(), end_of_day), enterprises=_listed(region))


def key_energy_coverage(region: str, day: dt.date, since: dt.date) -> IndicatorValue:
    c = _coverage(region, day)
    return _value(c, c.total)


def _value(c: quality.Coverage, row: quality.CoverageRow) -> IndicatorValue:
    note = (_("%(n)d listed enterprises have no required metering point.") % {"n": row.not_connected}
            if row.not_connected else "")
    return IndicatorValue(row.rate, row.covered, row.listed, _definition(c), VERSION, note)


def _definition(c: quality.Coverage) -> str:
    return (f"listed key energy-consuming enterprises with completeness ≥ {quality.COMPLETENESS_FLAG:.0%} "
            f"from {c.month} to {c.until:%Y-%m-%d %H:%M} ÷ listed enterprises")


def key_energy_coverage_many(regions: list[str], day: dt.date, since: dt.date) -> dict[str, IndicatorValue]:
    """The province and its cities from one computation over the province (its rows by city)."""
    cities = set(group_under(PROVINCE_CODE).values()) - {PROVINCE_CODE}
    wanted = [r for r in regions if r == PROVINCE_CODE or r in cities]
    if not wanted:
        return {}
    c = _coverage(PROVINCE_CODE, day)
    rows = {row.code: row for row in c.regions}
    out = {}
    for r in wanted:
        out[r] = _value(c, c.total if r == PROVINCE_CODE else rows.get(r, quality.CoverageRow(r, r)))
    return out


def key_energy_coverage_drill(region, day, since, limit) -> Drill:
    c = _coverage(region, day)
    rows = [(e.enterprise.pk, e.enterprise.name, e.enterprise.uscc, str(e.enterprise.region), e.received, e.due,
             None if e.completeness is None else round(100 * e.completeness, 1), e.covered)
            for e in c.enterprises[:limit]]
    return Drill((_("id"), _("enterprise"), _("unified social credit code"), _("region"), _("readings received"),
                  _("readings due"), _("completeness %"), _("covered")), rows, len(c.enterprises))
