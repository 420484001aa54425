"""Forms of the market pages; each is read by one service of market_services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region, RegionLevel
from jiliang.core.scoping import VIEW
from jiliang.registry.models import InstrumentCategory, Organisation, OrganisationKind

from . import market_services as ms
from .models import Stall, Unification

COUNTY_LEVELS = (RegionLevel.DISTRICT, RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY)


class BootstrapMixin:
    def style(self):
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.Select):
                w.attrs.setdefault("class", "form-select form-select-sm")
            else:
                w.attrs.setdefault("class", "form-control form-control-sm")
            if isinstance(w, forms.DateInput):
                w.input_type = "date"


class MarketForm(BootstrapMixin, forms.Form):
    operator = forms.ModelChoiceField(Organisation.objects.none(), label=_("operator"))
    name = forms.CharField(label=_("name"), max_length=200)
    region = forms.ModelChoiceField(Region.objects.none(), label=_("region"))
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    opened_on = forms.DateField(label=_("opened on"), required=False, widget=forms.DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].queryset = Organisation.objects.restrict(user, VIEW).filter(
            kind=OrganisationKind.MARKET).order_by("name")
        self.fields["region"].queryset = Region.objects.filter(level__in=COUNTY_LEVELS, is_current=True).order_by("code")
        self.style()


class StallForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("stall number"), max_length=30)
    trader = forms.CharField(label=_("trader"), max_length=100)
    trader_uscc = forms.CharField(label=_("trader's unified social credit code"), max_length=18, required=False)
    goods = forms.CharField(label=_("goods sold"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ScaleForm(BootstrapMixin, forms.Form):
    stall = forms.ModelChoiceField(Stall.objects.none(), label=_("stall"), required=False)
    fair_scale = forms.BooleanField(label=_("public fair scale"), required=False)
    instrument = forms.IntegerField(label=_("instrument number in jiliang"), required=False, min_value=1,
                                    help_text=_("an instrument of the operator already registered; else describe it"))
    category = forms.ChoiceField(label=_("category"), choices=[(c, c) for c in ms.SCALE_CATEGORIES], required=False)
    manufacturer = forms.CharField(label=_("manufacturer"), max_length=200, required=False)
    model = forms.CharField(label=_("model"), max_length=100, required=False)
    serial_number = forms.CharField(label=_("serial number"), max_length=100, required=False)
    accuracy_class = forms.CharField(label=_("accuracy class"), max_length=30, required=False)
    range_max = forms.DecimalField(label=_("maximum capacity (kg)"), required=False, min_value=0, max_digits=12,
                                   decimal_places=3)

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stall"].queryset = market.stalls.filter(active=True)
        self.fields["category"].choices = [("", "---------")] + [
            (c.code, str(c)) for c in InstrumentCategory.objects.filter(code__in=ms.SCALE_CATEGORIES).order_by("code")]
        self.style()


class MoveForm(BootstrapMixin, forms.Form):
    stall = forms.ModelChoiceField(Stall.objects.none(), label=_("to stall"), required=False,
                                   help_text=_("empty: a public fair scale of the market"))

    def __init__(self, *args, market, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stall"].queryset = market.stalls.filter(active=True)
        self.style()


class UnificationForm(BootstrapMixin, forms.Form):
    item = forms.ChoiceField(label=_("item"), choices=Unification.choices, widget=forms.HiddenInput)
    met = forms.BooleanField(label=_("met"), required=False)
    responsible = forms.CharField(label=_("responsible party"), max_length=200, required=False)
    detail = forms.CharField(label=_("evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_date = forms.DateField(label=_("date of the evidence"), required=False, widget=forms.DateInput)
    document = forms.FileField(label=_("document (PDF, JPEG or PNG, at most 10 MB)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"))
