"""The plan's indicators the registry holds the data for (contributed to kpi as core.extending.IndicatorSource).

* indicator 3 (专栏1; 专栏6 items 1 and 3): new social public standards, counted by their first assessment date
  (建标, ``MeasurementStandard.first_assessed_on``) in the plan's period, by the level of the institute's region;
* indicator 4: the share of provincial highest standards in use rated at domestic / international advanced level;
* indicators 5 and 6 (and 专栏9): organisations holding a designation;
* indicator 8, second part: organisations with a measurement management system (GB/T 19022) established or
  certified.

Designations, ratings and MMS status carry no dates in the registry: a value asked for a past date counts today's
holders, and the note says so; the monthly snapshots (kpi) keep each month's count as it was.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jiliang.core.extending import Drill, IndicatorValue
from jiliang.core.models import RegionLevel
from jiliang.core.regions import PROVINCE_CODE, subtree_codes, totals_by_region

from . import models as m

VERSION = "jiliang-kpi-2026.1"
SOCIAL_PUBLIC = (m.StandardLevel.PROVINCIAL_HIGHEST, m.StandardLevel.SOCIAL_PUBLIC)
INSTITUTE_LEVELS = {
    "province": (RegionLevel.PROVINCE,),
    "city": (RegionLevel.PREFECTURE,),
    "county": (RegionLevel.DISTRICT, RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY),
}
RATINGS = {
    "domestic": (m.StandardRating.DOMESTIC_ADVANCED, m.StandardRating.INTERNATIONAL_ADVANCED),
    "international": (m.StandardRating.INTERNATIONAL_ADVANCED,),
}
MMS_HELD = (m.MMSStatus.ESTABLISHED, m.MMSStatus.CERTIFIED)
NOT_MMS_KINDS = (m.OrganisationKind.BUREAU,)
AS_OF_TODAY = gettext_noop("Designations, ratings and MMS status have no dates: a past date counts today's holders.")


def _as_of(day: dt.date) -> str:
    """The note on a past date: undated registry facts are counted as they stand today."""
    return _(AS_OF_TODAY) if day < timezone.localdate() else ""


def _in_region(path: str, region: str) -> Q:
    return Q() if region == PROVINCE_CODE else Q(**{f"{path}__in": subtree_codes(region)})


def _level(institute_level: str) -> tuple:
    if institute_level not in INSTITUTE_LEVELS:
        raise ValueError(f"institute_level must be one of {', '.join(INSTITUTE_LEVELS)}, not {institute_level!r}")
    return INSTITUTE_LEVELS[institute_level]


def _new_standards(region: str, day: dt.date, since: dt.date, institute_level: str):
    base = m.MeasurementStandard.objects.filter(
        _in_region("institute__region_id", region), level__in=SOCIAL_PUBLIC,
        institute__region__level__in=_level(institute_level))
    return base.filter(first_assessed_on__gte=since, first_assessed_on__lte=day), base


def new_standards(region: str, day: dt.date, since: dt.date, institute_level: str = "province") -> IndicatorValue:
    """Social public standards (provincial highest and social public levels) of institutes of the given level in
    the region, first assessed between ``since`` and ``day``."""
    counted, base = _new_standards(region, day, since, institute_level)
    return _new_standards_value(counted.count(), base.filter(first_assessed_on__isnull=True).count(), day, since,
                                institute_level)


def _new_standards_value(n: int, undated: int, day: dt.date, since: dt.date, institute_level: str) -> IndicatorValue:
    note = (_("%(n)d social public standards have no first assessment date and are not counted.") % {"n": undated}
            if undated else "")
    return IndicatorValue(n, n, None, f"social public standards of {institute_level}-level institutes first assessed "
                                      f"from {since} to {day}", VERSION, note)


def new_standards_many(regions: list[str], day: dt.date, since: dt.date, institute_level: str = "province") -> dict:
    """:func:`new_standards` of several regions from one count grouped by the institute's region."""
    _counted, base = _new_standards(PROVINCE_CODE, day, since, institute_level)
    rows = (base.order_by().values_list("institute__region_id")
            .annotate(n=Count("pk", filter=Q(first_assessed_on__gte=since, first_assessed_on__lte=day)),
                      undated=Count("pk", filter=Q(first_assessed_on__isnull=True))))
    counted = totals_by_region({r: n for r, n, _u in rows}, regions)
    undated = totals_by_region({r: u for r, _n, u in rows}, regions)
    return {r: _new_standards_value(counted[r], undated[r], day, since, institute_level) for r in regions}


def new_standards_drill(region, day, since, limit, institute_level="province") -> Drill:
    counted, _base = _new_standards(region, day, since, institute_level)
    rows = [(s.pk, s.name, s.institute.name, s.get_level_display(), s.certificate_no, s.first_assessed_on,
             s.get_status_display())
            for s in counted.select_related("institute").order_by("first_assessed_on", "pk")[:limit]]
    return Drill((_("id"), _("standard"), _("institute"), _("level"), _("assessment certificate number"),
                  _("first assessed on"), _("status")), rows, counted.count())


def _highest(region: str):
    return m.MeasurementStandard.objects.filter(_in_region("institute__region_id", region),
                                                level=m.StandardLevel.PROVINCIAL_HIGHEST,
                                                status=m.StandardStatus.IN_USE)


def highest_rated(region: str, day: dt.date, since: dt.date, rating: str = "domestic") -> IndicatorValue:
    """Provincial highest standards in use rated at ``rating`` level or above ÷ provincial highest standards in use
    (jiliang's reading of 专栏1 item 4: a standard at international advanced level is also at domestic advanced
    level)."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    base = _highest(region)
    return _rated_value(base.filter(rating__in=RATINGS[rating]).count(), base.count(), day, rating)


def _rated_value(rated: int, total: int, day: dt.date, rating: str) -> IndicatorValue:
    return IndicatorValue(rated / total if total else None, rated, total,
                          f"provincial highest standards in use rated {rating} advanced or above ÷ provincial "
                          f"highest standards in use", VERSION, _as_of(day))


def highest_rated_many(regions: list[str], day: dt.date, since: dt.date, rating: str = "domestic") -> dict:
    """:func:`highest_rated` of several regions from one count grouped by the institute's region."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {', '.join(RATINGS)}, not {rating!r}")
    rows = (_highest(PROVINCE_CODE).order_by().values_list("institute__region_id")
            .annotate(total=Count("pk"), rated=Count("pk", filter=Q(rating__in=RATINGS[rating]))))
    totals = totals_by_region({r: t for r, t, _n in rows}, regions)
    rated = totals_by_region({r: n for r, _t, n in rows}, regions)
    return {r: _rated_value(rated[r], totals[r], day, rating) for r in regions}


def highest_rated_drill(region, day, since, limit, rating="domestic") -> Drill:
    base = _highest(region).select_related("institute").order_by("institute__name", "name")
    rows = [(s.pk, s.name, s.institute.name, s.get_rating_display() or "—", s.rating in RATINGS.get(rating, ()))
            for s in base[:limit]]
    return Drill((_("id"), _("standard"), _("institute"), _("rating"), _("counted")), rows, base.count())


def _holders(region: str, day: dt.date, designation: str):
    return (m.Organisation.objects.filter(_in_region("region_id", region), designations__code=designation)
            .filter(Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=day)))


def designated(region: str, day: dt.date, since: dt.date, designation: str = "") -> IndicatorValue:
    """Organisations of the region holding ``designation`` (registry.reference.DESIGNATIONS), not deregistered."""
    if not m.Designation.objects.filter(code=designation).exists():
        raise ValueError(f"no designation has the code {designation!r}")
    n = _holders(region, day, designation).count()
    return IndicatorValue(n, n, None, f"organisations holding the designation {designation}", VERSION,
                          _as_of(day))


def designated_drill(region, day, since, limit, designation="") -> Drill:
    qs = _holders(region, day, designation).select_related("region").order_by("name")
    rows = [(o.pk, o.name, o.uscc, str(o.region), o.get_kind_display()) for o in qs[:limit]]
    return Drill((_("id"), _("organisation"), _("unified social credit code"), _("region"), _("kind")), rows,
                 qs.count())


def _mms(region: str, day: dt.date):
    return (m.Organisation.objects.filter(_in_region("region_id", region), mms_status__in=MMS_HELD)
            .exclude(kind__in=NOT_MMS_KINDS).filter(Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=day)))


def mms(region: str, day: dt.date, since: dt.date) -> IndicatorValue:
    """Organisations (not bureaus) with a measurement management system established or certified (GB/T 19022),
    not deregistered: 专栏1 item 8, 计量检测体系."""
    n = _mms(region, day).count()
    return IndicatorValue(n, n, None, "organisations with a measurement management system established or certified",
                          VERSION, _as_of(day))


def mms_drill(region, day, since, limit) -> Drill:
    qs = _mms(region, day).select_related("region").order_by("name")
    rows = [(o.pk, o.name, o.uscc, str(o.region), o.get_mms_status_display(), o.mms_certificate) for o in qs[:limit]]
    return Drill((_("id"), _("organisation"), _("unified social credit code"), _("region"),
                  _("measurement management system"), _("MMS certificate number")), rows, qs.count())


def _by_region(qs) -> dict[str, int]:
    return dict(qs.order_by().values_list("region_id").annotate(n=Count("pk")))


def designated_many(regions: list[str], day: dt.date, since: dt.date, designation: str = "") -> dict:
    """:func:`designated` of several regions from one count grouped by region."""
    if not m.Designation.objects.filter(code=designation).exists():
        raise ValueError(f"no designation has the code {designation!r}")
    totals = totals_by_region(_by_region(_holders(PROVINCE_CODE, day, designation)), regions)
    note = _as_of(day)
    return {r: IndicatorValue(n, n, None, f"organisations holding the designation {designation}", VERSION, note)
            for r, n in totals.items()}


def mms_many(regions: list[str], day: dt.date, since: dt.date) -> dict:
    """:func:`mms` of several regions from one count grouped by region."""
    totals = totals_by_region(_by_region(_mms(PROVINCE_CODE, day)), regions)
    note = _as_of(day)
    return {r: IndicatorValue(n, n, None, "organisations with a measurement management system established or "
                                          "certified", VERSION, note) for r, n in totals.items()}
