"""Indicator 1 of the plan (专栏1 item 1): regulations, measures, normative documents and local technical
specifications issued in the plan's period, counted from kpi's own small registry (models.PlanDocument)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext as _

from jiliang.core.extending import Drill, IndicatorValue
from jiliang.core.regions import PROVINCE_CODE, subtree_codes, totals_by_region

from .models import DocumentKind, PlanDocument

VERSION = "jiliang-kpi1-2026.1"


def _issued(region: str, day: dt.date, since: dt.date, kind: str):
    if kind not in DocumentKind.values:
        raise ValueError(f"kind must be one of {', '.join(DocumentKind.values)}, not {kind!r}")
    return PlanDocument.objects.filter(kind=kind, issued_on__gte=since, issued_on__lte=day,
                                       region_id__in=subtree_codes(region))


def issued(region: str, day: dt.date, since: dt.date, kind: str = "") -> IndicatorValue:
    """Documents of ``kind`` issued (enacted or revised) from ``since`` to ``day``, applying in the region."""
    n = _issued(region, day, since, kind).count()
    return IndicatorValue(n, n, None, f"documents of kind {kind} issued from {since} to {day}", VERSION)


def issued_drill(region, day, since, limit, kind="") -> Drill:
    qs = _issued(region, day, since, kind).order_by("issued_on", "number")
    rows = [(d.pk, d.number, d.title, d.issuer, d.issued_on, _("revision") if d.revision else _("new"))
            for d in qs[:limit]]
    return Drill((_("id"), _("document number"), _("title"), _("issuer"), _("issued on"), _("new or revised")), rows,
                 qs.count())


def issued_many(regions: list[str], day: dt.date, since: dt.date, kind: str = "") -> dict:
    """:func:`issued` of several regions from one count grouped by region."""
    counts = dict(_issued(PROVINCE_CODE, day, since, kind).order_by().values_list("region_id")
                  .annotate(n=Count("pk")))
    return {r: IndicatorValue(n, n, None, f"documents of kind {kind} issued from {since} to {day}", VERSION)
            for r, n in totals_by_region(counts, regions).items()}
