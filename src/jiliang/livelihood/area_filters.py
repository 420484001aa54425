"""FilterSets of transformer areas and their estimates, shared by the list pages, the API and Excel export."""

import django_filters as df
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter, SearchFilterSet

from .models import AreaEstimate, MeterKind, TransformerArea


def _latest():
    return AreaEstimate.objects.filter(area=OuterRef("pk")).order_by("-created", "-pk")


def with_latest(qs):
    """Areas with their household electricity meter count and their latest estimate's id, date and flags."""
    if "latest_id" in qs.query.annotations:
        return qs
    latest = _latest()
    return qs.annotate(
        meter_count=Count("meters", filter=Q(meters__kind=MeterKind.ELECTRICITY, meters__retired_on__isnull=True)),
        latest_id=Subquery(latest.values("pk")[:1]),
        latest_created=Subquery(latest.values("created")[:1]),
        latest_flagged=Subquery(latest.values("flagged")[:1]),
    )


class TransformerAreaFilterSet(SearchFilterSet):
    search_fields = ("code", "name")
    utility_id = IdFilter(field_name="utility_id")
    utility = df.CharFilter(field_name="utility__uscc", label=_("utility (USCC)"))
    region = RegionSubtreeFilter(path="region")
    flagged = df.BooleanFilter(method="filter_flagged", label=_("meters flagged in the latest estimate"))

    class Meta:
        model = TransformerArea
        fields = ["utility_id", "utility", "region", "code", "flagged"]

    @property
    def qs(self):
        return with_latest(super().qs)

    def filter_flagged(self, qs, name, value):
        qs = qs.annotate(flagged_now=Subquery(_latest().values("flagged")[:1]))
        return qs.filter(flagged_now__gt=0) if value else qs.exclude(flagged_now__gt=0)


class AreaEstimateFilterSet(FilterSet):
    area_id = IdFilter(field_name="area_id")
    area = df.CharFilter(field_name="area__code", label=_("area (code)"))
    utility_id = IdFilter(field_name="area__utility_id")
    region = RegionSubtreeFilter(path="area__region")
    flagged = df.BooleanFilter(method="filter_flagged", label=_("has flagged meters"))
    after = df.DateFilter(field_name="last_day", lookup_expr="gte", label=_("data until, from"))
    before = df.DateFilter(field_name="last_day", lookup_expr="lte", label=_("data until, to"))

    class Meta:
        model = AreaEstimate
        fields = ["area_id", "area", "utility_id", "region", "flagged", "after", "before"]

    def filter_flagged(self, qs, name, value):
        return qs.filter(flagged__gt=0) if value else qs.filter(flagged=0)
