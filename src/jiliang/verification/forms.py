"""Forms of the verification pages. The workflow's acts validate in services; a form only shapes and scopes input."""

from django import forms
from django.utils.translation import gettext_lazy

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, Organisation

from .models import WorkKind
from .rules import available_regulations


class WorkRequestForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("owner"))
    institute = forms.ModelChoiceField(queryset=Organisation.objects.filter(kind__in=["institute", "authorised"]),
                                       label=gettext_lazy("institute"))
    kind = forms.ChoiceField(choices=WorkKind.choices, label=gettext_lazy("kind"))
    location = forms.ChoiceField(choices=[("laboratory", gettext_lazy("in the laboratory")),
                                          ("on_site", gettext_lazy("on site"))], label=gettext_lazy("where"))
    instruments = forms.ModelMultipleChoiceField(queryset=Instrument.objects.none(),
                                                 label=gettext_lazy("instruments"))
    regulation = forms.ChoiceField(required=False, label=gettext_lazy("regulation"))
    method = forms.CharField(required=False, label=gettext_lazy("calibration method"))
    stage = forms.ChoiceField(choices=[("initial", gettext_lazy("initial verification")),
                                       ("subsequent", gettext_lazy("subsequent verification")),
                                       ("in_service", gettext_lazy("in-service inspection"))],
                              label=gettext_lazy("stage"))
    decision_rule = forms.ChoiceField(choices=[("simple", gettext_lazy("simple acceptance (w = 0)")),
                                               ("guarded", gettext_lazy("guarded acceptance (w = U)"))],
                                      label=gettext_lazy("decision rule"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("note"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.restrict(user, VIEW).exclude(
            kind__in=["bureau"]).order_by("name")
        # Chosen by search (instrument_search below), never one <option> per instrument: the field only
        # validates the ids posted against what the user may see.
        self.fields["instruments"].queryset = Instrument.objects.restrict(user, VIEW).select_related("category")
        self.fields["instruments"].widget = forms.MultipleHiddenInput()
        self.fields["regulation"].choices = [("", "—"), *[(r, r) for r in available_regulations()]]
        for f in self.fields.values():
            w = f.widget
            w.attrs.setdefault("class", "form-select" if isinstance(w, (forms.Select, forms.SelectMultiple))
                               else "form-control")
