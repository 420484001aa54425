"""The campaign list's FilterSet (page, Excel and API) and the form that defines a campaign."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from jiliang.core.filters import RegionSubtreeFilter, SearchFilterSet
from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes
from jiliang.core.roles import BUREAU_ROLES
from jiliang.registry.models import InstrumentCategory, OrganisationKind, Usage

from . import models as m
from .campaigns import COUNTY_LEVELS, CampaignSpec


class CampaignFilterSet(SearchFilterSet):
    search_fields = ("number", "title")
    status = df.MultipleChoiceFilter(choices=m.CampaignStatus.choices)
    target_kind = df.ChoiceFilter(choices=m.CampaignTargetKind.choices)
    region = RegionSubtreeFilter(path="bureau_region")
    starts_after = df.DateFilter(field_name="period_start", lookup_expr="gte", label=_("starting from"))
    ends_before = df.DateFilter(field_name="period_end", lookup_expr="lte", label=_("ending by"))

    class Meta:
        model = m.Campaign
        fields = ["number", "status", "target_kind", "region"]

    @property
    def qs(self):
        return super().qs.select_related("bureau_region").defer("population_snapshot")


class InspectorChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj} ({obj.region.display_name if obj.region_id else '—'})"


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    period_start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))
    target_kind = forms.ChoiceField(label=_("draw"), choices=m.CampaignTargetKind.choices,
                                    initial=m.CampaignTargetKind.INSTRUMENTS)
    sample_size = forms.IntegerField(label=_("sample size"), min_value=1)
    min_per_county = forms.IntegerField(label=_("at least per county"), min_value=0, initial=0)
    exclude_own_county = forms.BooleanField(label=_("inspectors never check their own county"), required=False)
    mandatory_only = forms.BooleanField(label=_("mandatory verification only"), required=False, initial=True)
    regions = forms.ModelMultipleChoiceField(label=_("regions"), queryset=Region.objects.none(), required=False,
                                             help_text=_("Empty: the bureau's whole region"))
    categories = forms.ModelMultipleChoiceField(label=_("categories"), required=False,
                                                queryset=InstrumentCategory.objects.order_by("name"),
                                                help_text=_("Empty: every category"))
    owner_kinds = forms.MultipleChoiceField(label=_("owner kinds"), choices=OrganisationKind.choices, required=False)
    usages = forms.MultipleChoiceField(label=_("usages"), choices=Usage.choices, required=False)
    inspectors = InspectorChoice(label=_("inspectors"), queryset=get_user_model().objects.none(),
                                 help_text=_("Bureau users of county-level regions within your region; each checks "
                                             "from the county they work in."))

    def __init__(self, *args, bureau_region: str, **kwargs):
        super().__init__(*args, **kwargs)
        within = subtree_codes(bureau_region)
        self.fields["regions"].queryset = Region.objects.filter(code__in=within, is_current=True).order_by("code")
        self.fields["inspectors"].queryset = (
            get_user_model().objects.filter(role__in=BUREAU_ROLES, is_active=True, region__in=within,
                                            region__level__in=COUNTY_LEVELS)
            .select_related("region").order_by("region_id", "username"))
        for f in self.fields.values():
            if isinstance(f.widget, forms.CheckboxInput):
                f.widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(f.widget, forms.SelectMultiple):
                f.widget.attrs.setdefault("class", "form-select")
                f.widget.attrs.setdefault("size", "6")
            else:
                f.widget.attrs.setdefault("class", "form-control")

    def spec(self) -> CampaignSpec:
        d = self.cleaned_data
        return CampaignSpec(
            title=d["title"], period_start=d["period_start"], period_end=d["period_end"],
            sample_size=d["sample_size"], target_kind=d["target_kind"], min_per_county=d["min_per_county"] or 0,
            exclude_own_county=d["exclude_own_county"], mandatory_only=d["mandatory_only"],
            regions=[r.code for r in d["regions"]], categories=[c.pk for c in d["categories"]],
            owner_kinds=list(d["owner_kinds"]), usages=list(d["usages"]),
            inspectors=[(u.pk, u.region_id) for u in d["inspectors"]])
