from django import forms

from jiliang.core.ui import ScopedFormMixin

from . import models as m


class MeteringPointForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.MeteringPoint
        fields = ["enterprise", "code", "name", "energy_type", "unit", "meter", "multiplier", "register_capacity",
                  "role", "parent", "interval_seconds", "protocol", "meter_address", "rated_capacity",
                  "accuracy_class", "coefficient_variant", "required_for_online", "active", "description", "comments"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = self.fields["enterprise"].queryset.filter(
            designations__code=m.KEY_ENERGY_DESIGNATION)


class EqualPriceElectricityForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.EqualPriceElectricity
        fields = ["year", "kgce_per_kwh", "source", "confidence", "note"]
