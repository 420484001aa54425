from django import forms

from jiliang.core.ui import ScopedFormMixin
from jiliang.registry.models import INSTITUTE_KINDS

from . import models as m

JSON_WIDGET = forms.Textarea(attrs={"rows": 12, "class": "form-control font-monospace", "spellcheck": "false"})


class _InstituteFormMixin(ScopedFormMixin):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["institute"]
        field.queryset = field.queryset.filter(kind__in=INSTITUTE_KINDS)
        organisation = getattr(self.user, "organisation", None)
        if self.instance.pk is None and organisation is not None and organisation.is_institute:
            field.initial = organisation.pk


class BudgetTemplateForm(_InstituteFormMixin, forms.ModelForm):
    class Meta:
        model = m.BudgetTemplate
        fields = ["institute", "name", "procedure", "template", "description", "comments"]
        widgets = {"template": JSON_WIDGET}


class SavedBudgetForm(_InstituteFormMixin, forms.ModelForm):
    class Meta:
        model = m.SavedBudget
        fields = ["institute", "template", "title", "payload", "description", "comments"]
        widgets = {"payload": JSON_WIDGET}

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and self.user is not None:
            data["created_by"] = self.user  # the generic edit view passes concrete fields on to the service
        return data
