"""FilterSets of the verification app, shared by list pages, the API and Excel export."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter, SearchFilterSet

from . import models as m


class WorkOrderFilterSet(SearchFilterSet):
    search_fields = ("number",)
    status = df.MultipleChoiceFilter(choices=m.WorkStatus.choices)
    kind = df.ChoiceFilter(choices=m.WorkKind.choices)
    owner_id = IdFilter(field_name="owner_id")
    institute_id = IdFilter(field_name="institute_id")
    region = RegionSubtreeFilter(path="owner__region")
    requested_after = df.DateFilter(field_name="requested_at", lookup_expr="date__gte", label=_("requested from"))
    requested_before = df.DateFilter(field_name="requested_at", lookup_expr="date__lte", label=_("requested until"))

    class Meta:
        model = m.WorkOrder
        fields = ["number", "status", "kind", "location", "owner_id", "institute_id", "region"]

    @property
    def qs(self):  # the list columns show the owner, institute and technician
        return super().qs.select_related("owner", "institute", "technician")


class WorkOrderItemFilterSet(FilterSet):
    work_order_id = IdFilter(field_name="work_order_id")
    instrument_id = IdFilter(field_name="instrument_id")

    class Meta:
        model = m.WorkOrderItem
        fields = ["work_order_id", "instrument_id", "regulation", "stage"]

    @property
    def qs(self):
        return super().qs.select_related("work_order", "instrument__category")


class CertificateFilterSet(SearchFilterSet):
    search_fields = ("number",)
    kind = df.MultipleChoiceFilter(choices=m.CertificateKind.choices)
    status = df.MultipleChoiceFilter(choices=m.CertificateStatus.choices, field_name="effective_status_code",
                                      label=_("status"))
    owner_id = IdFilter(field_name="owner_id")
    institute_id = IdFilter(field_name="institute_id")
    instrument_id = IdFilter(field_name="instrument_id")
    region = RegionSubtreeFilter(path="owner__region")
    issued_after = df.DateFilter(field_name="issued_on", lookup_expr="gte", label=_("issued from"))
    issued_before = df.DateFilter(field_name="issued_on", lookup_expr="lte", label=_("issued until"))

    class Meta:
        model = m.Certificate
        fields = ["number", "kind", "status", "owner_id", "institute_id", "instrument_id", "region"]

    def __init__(self, data=None, queryset=None, **kwargs):
        # ``status`` is the effective status (Certificate.effective_status), the one the list shows.
        queryset = (m.Certificate.objects.all() if queryset is None else queryset).with_effective_status()
        super().__init__(data, queryset, **kwargs)

    @property
    def qs(self):
        return super().qs.select_related("instrument__category", "owner", "institute").defer("pdf")


class StandardCalibrationFilterSet(SearchFilterSet):
    search_fields = ("certificate_no", "laboratory")
    standard_id = IdFilter(field_name="standard_id")

    class Meta:
        model = m.StandardCalibration
        fields = ["standard_id", "source", "certificate_no"]

    @property
    def qs(self):
        return super().qs.select_related("standard")


class NotificationFilterSet(FilterSet):
    work_order_id = IdFilter(field_name="work_order_id")

    class Meta:
        model = m.Notification
        fields = ["work_order_id"]

    @property
    def qs(self):
        return super().qs.select_related("work_order")
