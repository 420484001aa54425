from django import forms
from django.core.exceptions import ValidationError
from django.db import models as djm
from django.utils.translation import gettext_lazy as _

from jiliang.core.ui import ScopedFormMixin

from . import models as m


class OrganisationForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.Organisation
        fields = ["name", "uscc", "kind", "region", "address", "contact_name", "contact_phone", "contact_email",
                  "designations", "mms_status", "mms_certificate", "mms_valid_until", "description", "comments"]
        widgets = {"designations": forms.CheckboxSelectMultiple, "mms_valid_until": forms.DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(is_current=True)
        self.fields["designations"].widget.attrs["class"] = "form-check-input"


class PersonForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.Person
        fields = ["name", "organisation", "position", "phone", "email", "metrologist_certificate",
                  "metrologist_level", "qualified_items", "certificate_valid_from", "certificate_valid_until",
                  "description", "comments"]
        widgets = {"certificate_valid_from": forms.DateInput, "certificate_valid_until": forms.DateInput,
                   "qualified_items": forms.Textarea(attrs={"rows": 3})}


class InstrumentCategoryForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.InstrumentCategory
        fields = ["code", "name", "name_en", "second_level", "domain", "regulation", "supervision_mode",
                  "verification_mode", "period_months", "service_life_years", "mandatory_trade", "mandatory_safety",
                  "mandatory_medical", "mandatory_environment", "scope_text", "source", "confidence", "is_active",
                  "description", "comments"]
        widgets = {"scope_text": forms.Textarea(attrs={"rows": 3}), "source": forms.Textarea(attrs={"rows": 2})}


class InstrumentForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.Instrument
        fields = ["owner", "category", "manufacturer", "model", "serial_number", "pattern_approval_no",
                  "accuracy_class", "range_min", "range_max", "range_unit", "usage", "region", "address",
                  "installation_date", "status", "status_reason", "status_date", "instrument_code", "code_scheme",
                  "description", "comments"]
        widgets = {"installation_date": forms.DateInput, "status_date": forms.DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(is_current=True)
        self.fields["category"].queryset = self.fields["category"].queryset.filter(is_active=True)
        scheme = self.fields["code_scheme"]
        scheme.required = False
        scheme.choices = [("", _("by the code: State Grid for 22 digits, else GB/T 36377")),
                          (m.CodeScheme.GBT36377, m.CodeScheme.GBT36377.label),
                          (m.CodeScheme.SGCC, m.CodeScheme.SGCC.label)]
        if self.instance.pk:  # stable for the instrument's life (registry.instrument_codes)
            scheme.choices = m.CodeScheme.choices
            for name in ("instrument_code", "code_scheme"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("An instrument's code is stable for its life.")

    def _get_validation_exclusions(self):
        # A taken code gets the register's one answer in clean(), not the unique check's.
        return super()._get_validation_exclusions() | {"instrument_code"}

    def clean(self):
        from jiliang.core.identities import answering_clashes

        from . import instrument_codes

        data = super().clean()
        if self.instance.pk:
            return data
        try:
            found = instrument_codes.given_code(data.get("instrument_code"), data.get("code_scheme") or None)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)
            return data
        if found is None:
            data["instrument_code"], data["code_scheme"] = "", m.CodeScheme.LOCAL
            return data
        try:
            with answering_clashes(self.user):
                instrument_codes.check_free(found[0], self.user)
        except ValidationError as exc:
            self.add_error("instrument_code", exc.message_dict["instrument_code"])
            return data
        data["instrument_code"], data["code_scheme"] = found
        return data


class MeasurementStandardForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.MeasurementStandard
        fields = ["institute", "name", "domain", "parameter", "range_min", "range_max", "range_unit", "uncertainty",
                  "uncertainty_unit", "coverage_factor", "accuracy_class", "mpe", "level", "certificate_no",
                  "valid_from", "valid_until", "first_assessed_on", "rating", "status", "description", "comments"]
        widgets = {"valid_from": forms.DateInput, "valid_until": forms.DateInput, "first_assessed_on": forms.DateInput}


class ReferenceMaterialForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.ReferenceMaterial
        fields = ["gbw_number", "name", "property", "certified_value", "uncertainty", "coverage_factor", "unit",
                  "producer", "holder", "lot", "expiry_date", "description", "comments"]
        widgets = {"expiry_date": forms.DateInput}


class _Styled:
    def style(self):
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxSelectMultiple):
                w.attrs["class"] = "form-check-input"
            elif isinstance(w, (forms.Select, forms.SelectMultiple)):
                w.attrs.setdefault("class", "form-select")
            else:
                w.attrs.setdefault("class", "form-control")
            if isinstance(w, forms.DateInput):
                w.input_type = "date"


class DeregisterForm(_Styled, forms.Form):
    """注销: reason and date; the record stays in the register, marked."""

    reason = forms.CharField(label=_("reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    date = forms.DateField(label=_("date"), widget=forms.DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class DecisionForm(_Styled, forms.Form):
    note = forms.CharField(label=_("decision note"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when rejecting: the holder reads it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


class ProposalFormBase(_Styled, forms.ModelForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What the bureau should check, e.g. the number of the renewed certificate."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style()


def proposal_form(model, fields: list[str]) -> type[forms.ModelForm]:
    """A form over the fields only the bureau writes, plus the holder's reason (the record is not saved by it)."""
    widgets = {f: forms.DateInput for f in fields if isinstance(model._meta.get_field(f), djm.DateField)}
    widgets.update({f: forms.CheckboxSelectMultiple for f in fields if model._meta.get_field(f).many_to_many})
    if "qualified_items" in fields:
        widgets["qualified_items"] = forms.Textarea(attrs={"rows": 3})
    return forms.models.modelform_factory(model, form=ProposalFormBase, fields=fields, widgets=widgets)
