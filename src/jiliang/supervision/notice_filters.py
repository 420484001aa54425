"""FilterSets of supervision's notices, findings and reminders, shared by the list pages, the API and Excel export."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter, SearchFilterSet

from . import models as m


class NoticeFilterSet(SearchFilterSet):
    search_fields = ("number", "owner__name")
    status = df.MultipleChoiceFilter(choices=m.NoticeStatus.choices)
    owner_id = IdFilter(field_name="owner_id")
    region = RegionSubtreeFilter(path="owner__region")
    issued_after = df.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("issued from"))
    issued_before = df.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("issued until"))

    class Meta:
        model = m.Notice
        fields = ["number", "status", "owner_id", "region"]

    @property
    def qs(self):
        return super().qs.select_related("owner", "bureau_region").defer("pdf")


class FindingFilterSet(SearchFilterSet):
    search_fields = ("instrument__serial_number", "instrument__owner__name", "detail")
    kind = df.MultipleChoiceFilter(choices=m.FindingKind.choices)
    instrument_id = IdFilter(field_name="instrument_id")
    notice_id = IdFilter(field_name="notice_id")
    region = RegionSubtreeFilter(path="instrument__region")
    found_after = df.DateFilter(field_name="found_on", lookup_expr="gte", label=_("found from"))
    found_before = df.DateFilter(field_name="found_on", lookup_expr="lte", label=_("found until"))

    class Meta:
        model = m.Finding
        fields = ["kind", "instrument_id", "notice_id", "region"]

    @property
    def qs(self):
        return super().qs.select_related("instrument__owner", "instrument__category", "inspector", "notice")


class ReminderFilterSet(FilterSet):
    kind = df.ChoiceFilter(choices=m.ReminderKind.choices)
    instrument_id = IdFilter(field_name="instrument_id")
    due_after = df.DateFilter(field_name="due", lookup_expr="gte", label=_("due from"))
    due_before = df.DateFilter(field_name="due", lookup_expr="lte", label=_("due until"))

    class Meta:
        model = m.Reminder
        fields = ["kind", "instrument_id"]

    @property
    def qs(self):
        return super().qs.select_related("instrument__category", "instrument__owner")
