"""FilterSets of supervision, shared by list pages, the API and Excel export."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter

from . import models as m


class VerificationEventFilterSet(FilterSet):
    instrument_id = IdFilter(field_name="instrument_id")
    institution_id = IdFilter(field_name="institution_id")
    institution = df.CharFilter(field_name="institution__uscc", label=_("institution (USCC)"))
    region = RegionSubtreeFilter(path="instrument__region")
    verified_after = df.DateFilter(field_name="verified_on", lookup_expr="gte", label=_("verified on or after"))
    verified_before = df.DateFilter(field_name="verified_on", lookup_expr="lte", label=_("verified on or before"))
    result = df.ChoiceFilter(choices=m.Result.choices)
    source = df.ChoiceFilter(choices=m.EventSource.choices)
    kind = df.ChoiceFilter(choices=m.VerificationKind.choices)
    number = df.CharFilter(field_name="number", label=_("certificate or notice number"))

    class Meta:
        model = m.VerificationEvent
        fields = ["instrument_id", "institution_id", "institution", "region", "verified_after", "verified_before",
                  "result", "source", "kind", "number", "void"]


class RecordConflictFilterSet(FilterSet):
    status = df.ChoiceFilter(choices=m.ConflictStatus.choices)
    institution_id = IdFilter(field_name="event__institution_id")
    instrument_id = IdFilter(field_name="event__instrument_id")
    region = RegionSubtreeFilter(path="event__instrument__region")

    class Meta:
        model = m.RecordConflict
        fields = ["status", "institution_id", "instrument_id", "region"]
