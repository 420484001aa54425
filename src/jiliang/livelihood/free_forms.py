"""Forms of free verification: a programme (provincial bureau), marking one verification free, the bulk file, and
the fee schedule."""

from django import forms
from django.utils.translation import gettext_lazy as _

from jiliang.core.ui import ScopedFormMixin

from . import models as m


class FreeProgrammeForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.FreeProgramme
        fields = ["code", "name", "name_en", "kind", "region", "basis", "starts_on", "ends_on", "active",
                  "categories", "owners", "description", "comments"]
        widgets = {"starts_on": forms.DateInput, "ends_on": forms.DateInput, "comments": forms.Textarea(
            attrs={"rows": 3})}


class FeeScheduleItemForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = m.FeeScheduleItem
        fields = ["category", "fee", "basis"]


class MarkFreeForm(forms.Form):
    number = forms.CharField(label=_("certificate or notice number"), max_length=100)
    institution_uscc = forms.CharField(label=_("institution USCC"), max_length=18, required=False,
                                       help_text=_("only where two institutions used the same number"))
    programme = forms.ModelChoiceField(label=_("programme"), queryset=m.FreeProgramme.objects.filter(active=True))
    fee_waived = forms.CharField(label=_("fee waived (yuan)"), required=False,
                                 help_text=_("empty: the fee schedule's fee of the instrument's category"))
    fee_basis = forms.CharField(label=_("fee basis"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.widget.attrs.setdefault("class", "form-select" if isinstance(f.widget, forms.Select) else "form-control")


class BulkMarkForm(forms.Form):
    file = forms.FileField(label=_("file (.xlsx or .csv)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["class"] = "form-control"
