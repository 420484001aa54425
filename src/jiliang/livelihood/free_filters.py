"""FilterSets of free verification, shared by the list pages, their Excel export and the API."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import FilterSet, IdFilter, RegionSubtreeFilter

from . import models as m


class FreeProgrammeFilterSet(FilterSet):
    kind = df.ChoiceFilter(choices=m.ProgrammeKind.choices)
    region = RegionSubtreeFilter(path="region")
    code = df.CharFilter(field_name="code", label=_("code"))

    class Meta:
        model = m.FreeProgramme
        fields = ["kind", "region", "code", "active"]


class FreeVerificationFilterSet(FilterSet):
    year = df.NumberFilter(method="filter_year", label=_("year"))
    programme = df.CharFilter(field_name="programme__code", label=_("programme (code)"))
    programme_id = IdFilter(field_name="programme_id")
    region = RegionSubtreeFilter(path="event__instrument__region")
    institution_id = IdFilter(field_name="event__institution_id")
    instrument_id = IdFilter(field_name="event__instrument_id")
    result = df.ChoiceFilter(field_name="event__result", choices=(("pass", _("pass")), ("fail", _("fail"))),
                             label=_("result"))
    number = df.CharFilter(field_name="event__number", label=_("certificate or notice number"))

    class Meta:
        model = m.FreeVerification
        fields = ["year", "programme", "programme_id", "region", "institution_id", "instrument_id", "result",
                  "number"]

    def filter_year(self, qs, name, value):
        """A calendar year; one no date can have (beyond 9999) matches nothing."""
        year = int(value)
        return qs.filter(event__verified_on__year=year) if 1 <= year <= 9999 else qs.none()


class FeeScheduleFilterSet(FilterSet):
    category_id = IdFilter(field_name="category_id")

    class Meta:
        model = m.FeeScheduleItem
        fields = ["category_id"]
