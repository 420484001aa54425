"""FilterSets of household meters and batches, shared by the list pages, their Excel export and the API."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter

from . import service_life
from .models import FirstResult, HouseholdMeter, MeterBatch, MeterKind

RULE_CHOICES = [(r.category, r.category) for r in service_life.RULES]


class HouseholdMeterFilterSet(FilterSet):
    utility = IdFilter(field_name="utility_id", label=_("utility"))
    region = RegionSubtreeFilter()
    kind = df.ChoiceFilter(choices=MeterKind.choices)
    rule = df.ChoiceFilter(choices=RULE_CHOICES, label=_("regulation row"))
    batch = IdFilter(field_name="batch_id", label=_("batch"))
    first_result = df.ChoiceFilter(choices=FirstResult.choices)
    # a year or quarter no date can have matches nothing (filter_due_quarter), never a date overflow
    due_year = df.NumberFilter(method="filter_due_quarter", label=_("due in year"))
    due_quarter = df.NumberFilter(method="filter_due_quarter", label=_("due in quarter (1–4)"))
    due_before = df.DateFilter(field_name="rotation_due", lookup_expr="lte", label=_("rotate by, on or before"))
    overdue = df.BooleanFilter(method="filter_overdue", label=_("past its rotation deadline"))
    retired = df.BooleanFilter(field_name="retired_on", lookup_expr="isnull", exclude=True, label=_("retired"))
    code = df.CharFilter(field_name="instrument__instrument_code", label=_("instrument code"))

    class Meta:
        model = HouseholdMeter
        fields = ["utility", "region", "kind", "rule", "batch", "first_result", "due_year", "due_quarter",
                  "due_before", "overdue", "retired", "code"]

    def filter_due_quarter(self, qs, name, value):
        year, quarter = self.data.get("due_year"), self.data.get("due_quarter")
        if name == "due_quarter" and year:
            return qs  # applied once, with the year
        try:
            year = int(year)
            if quarter:
                start, end = service_life.quarter_bounds(year, int(quarter))
            else:
                start, end = service_life.quarter_bounds(year, 1)[0], service_life.quarter_bounds(year, 4)[1]
        except (TypeError, ValueError, OverflowError):
            return qs.none()
        return qs.filter(rotation_due__range=(start, end))

    def filter_overdue(self, qs, name, value):
        from django.utils import timezone

        today = timezone.localdate()
        q = {"retired_on__isnull": True, "rotation_due__lt": today}
        return qs.filter(**q) if value else qs.exclude(**q)


class MeterBatchFilterSet(FilterSet):
    utility = IdFilter(field_name="utility_id", label=_("utility"))
    region = RegionSubtreeFilter(path="utility__region")
    kind = df.ChoiceFilter(choices=MeterKind.choices)
    biased = df.BooleanFilter()
    number = df.CharFilter(field_name="number", label=_("batch number"))

    class Meta:
        model = MeterBatch
        fields = ["utility", "region", "kind", "biased", "number"]
