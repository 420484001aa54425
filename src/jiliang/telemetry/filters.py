"""FilterSets of telemetry, shared by list pages, the API and Excel export."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter, SearchFilterSet

from . import models as m


class MeteringPointFilterSet(SearchFilterSet):
    search_fields = ("code", "name", "meter_address")
    enterprise_id = IdFilter(field_name="enterprise_id")
    enterprise = df.CharFilter(field_name="enterprise__uscc", label=_("enterprise (USCC)"))
    region = RegionSubtreeFilter(path="enterprise__region")
    energy_type = df.MultipleChoiceFilter(choices=m.EnergyType.choices)
    role = df.MultipleChoiceFilter(choices=m.PointRole.choices)
    parent_id = IdFilter(field_name="parent_id")
    meter_id = IdFilter(field_name="meter_id")

    class Meta:
        model = m.MeteringPoint
        fields = ["enterprise_id", "enterprise", "region", "code", "energy_type", "role", "parent_id", "meter_id",
                  "protocol", "meter_address", "interval_seconds", "required_for_online", "active"]


class IngestBatchFilterSet(FilterSet):
    enterprise_id = IdFilter(field_name="enterprise_id")
    enterprise = df.CharFilter(field_name="enterprise__uscc", label=_("enterprise (USCC)"))
    region = RegionSubtreeFilter(path="enterprise__region")
    channel = df.MultipleChoiceFilter(choices=m.Channel.choices)
    received_after = df.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = df.IsoDateTimeFilter(field_name="received_at", lookup_expr="lte")
    has_rejections = df.BooleanFilter(method="filter_rejected", label=_("has rejected rows"))

    class Meta:
        model = m.IngestBatch
        fields = ["enterprise_id", "enterprise", "region", "channel", "received_after", "received_before",
                  "has_rejections"]

    def filter_rejected(self, qs, name, value):
        return qs.filter(rejected__gt=0) if value else qs.filter(rejected=0)


class AnomalyFilterSet(FilterSet):
    point_id = IdFilter(field_name="point_id")
    enterprise_id = IdFilter(field_name="enterprise_id")
    region = RegionSubtreeFilter(path="enterprise__region")
    kind = df.MultipleChoiceFilter(choices=m.AnomalyKind.choices)
    state = df.MultipleChoiceFilter(choices=m.AnomalyState.choices)

    class Meta:
        model = m.Anomaly
        fields = ["point_id", "enterprise_id", "region", "kind", "state", "owner"]


class ReadingConflictFilterSet(FilterSet):
    point_id = IdFilter(field_name="point_id")
    enterprise_id = IdFilter(field_name="point__enterprise_id")
    region = RegionSubtreeFilter(path="point__enterprise__region")

    class Meta:
        model = m.ReadingConflict
        fields = ["point_id", "enterprise_id", "region", "reviewed", "source"]


class ReadingFilterSet(FilterSet):
    point_id = IdFilter(field_name="point_id")
    after = df.IsoDateTimeFilter(field_name="ts", lookup_expr="gte")
    before = df.IsoDateTimeFilter(field_name="ts", lookup_expr="lt")

    class Meta:
        model = m.Reading
        fields = ["point_id", "after", "before", "source"]


class EnterpriseRollupFilterSet(FilterSet):
    enterprise_id = IdFilter(field_name="enterprise_id")
    region = RegionSubtreeFilter(path="enterprise__region")
    after = df.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    before = df.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = m.EnterpriseRollup
        fields = ["enterprise_id", "region", "energy_type", "period", "after", "before"]


class PointRollupFilterSet(FilterSet):
    point_id = IdFilter(field_name="point_id")
    after = df.IsoDateTimeFilter(field_name="start", lookup_expr="gte")
    before = df.IsoDateTimeFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = m.PointRollup
        fields = ["point_id", "period", "after", "before"]


class EqualPriceElectricityFilterSet(FilterSet):
    class Meta:
        model = m.EqualPriceElectricity
        fields = ["year", "confidence"]
