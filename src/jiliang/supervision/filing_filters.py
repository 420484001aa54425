"""FilterSets of filings, filing entries, designations and the unfiled-instrument list: pages, API and export."""

import django_filters as df
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter, SearchFilterSet

from .models import Filing, FilingEntry, FilingState, InstitutionDesignation, InstrumentState


class FilingFilterSet(FilterSet):
    owner_id = IdFilter(field_name="owner_id")
    region = RegionSubtreeFilter(path="bureau_region")
    state = df.ChoiceFilter(choices=FilingState.choices, field_name="entries__state", distinct=True,
                            label=_("an entry in state"))

    class Meta:
        model = Filing
        fields = ["owner_id", "region", "state"]

    @property
    def qs(self):
        return super().qs.select_related("owner", "bureau_region", "bureau_region__parent")


class FilingEntryFilterSet(SearchFilterSet):
    search_fields = ("instrument__serial_number",)
    state = df.MultipleChoiceFilter(choices=FilingState.choices)
    filing_id = IdFilter(field_name="filing_id")
    instrument_id = IdFilter(field_name="instrument_id")
    owner_id = IdFilter(field_name="instrument__owner_id")
    region = RegionSubtreeFilter(path="instrument__region")

    class Meta:
        model = FilingEntry
        fields = ["state", "filing_id", "instrument_id", "owner_id", "region"]

    @property
    def qs(self):
        return super().qs.select_related("filing", "instrument", "instrument__owner", "instrument__category",
                                         "designated_institution")


class DesignationFilterSet(FilterSet):
    owner_id = IdFilter(field_name="owner_id")
    institution_id = IdFilter(field_name="institution_id")
    region = RegionSubtreeFilter(path="owner__region")

    class Meta:
        model = InstitutionDesignation
        fields = ["owner_id", "institution_id", "region"]


class UnfiledFilterSet(SearchFilterSet):
    """Instruments under mandatory verification, in service, whose filing is missing or was returned."""

    search_fields = ("instrument__serial_number",)
    region = RegionSubtreeFilter(path="region")
    owner_id = IdFilter(field_name="owner_id")
    category_id = IdFilter(field_name="category_id")
    filing_state = df.ChoiceFilter(choices=[(FilingState.UNFILED, FilingState.UNFILED.label),
                                            (FilingState.RETURNED, FilingState.RETURNED.label)],
                                   label=_("filing"))

    class Meta:
        model = InstrumentState
        fields = ["region", "owner_id", "category_id", "filing_state"]

    @property
    def qs(self):
        return unfiled(super().qs).select_related("instrument", "owner", "category", "region", "region__parent")


def unfiled(queryset):
    """The unfiled instruments in service of ``queryset`` (InstrumentState rows, already restricted)."""
    return queryset.filter(Q(filing_state=FilingState.UNFILED) | Q(filing_state=FilingState.RETURNED),
                           instrument__mandatory=True, instrument__status="in_service")
