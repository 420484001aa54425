"""FilterSets shared by the list pages, the API and the Excel export."""

import django_filters as df
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import IdFilter, RegionSubtreeFilter, SearchFilterSet

from .models import BudgetTemplate, SavedBudget


class BudgetTemplateFilterSet(SearchFilterSet):
    search_fields = ("name", "procedure", "description")
    institute_id = IdFilter(field_name="institute_id", label=_("institute (id)"))
    region = RegionSubtreeFilter(path="institute__region")
    procedure = df.CharFilter(lookup_expr="icontains", label=_("calibration procedure"))

    class Meta:
        model = BudgetTemplate
        fields = ["institute_id", "procedure", "region"]


class SavedBudgetFilterSet(SearchFilterSet):
    search_fields = ("title", "description")
    institute_id = IdFilter(field_name="institute_id", label=_("institute (id)"))
    template_id = IdFilter(field_name="template_id", label=_("template (id)"))
    region = RegionSubtreeFilter(path="institute__region")
    created_after = df.DateFilter(field_name="created", lookup_expr="date__gte", label=_("created on or after"))
    created_before = df.DateFilter(field_name="created", lookup_expr="date__lte", label=_("created on or before"))
    attached = df.BooleanFilter(field_name="attached_type", lookup_expr="isnull", exclude=True,
                                label=_("attached to a record"))

    class Meta:
        model = SavedBudget
        fields = ["institute_id", "template_id", "region", "created_after", "created_before", "attached"]
