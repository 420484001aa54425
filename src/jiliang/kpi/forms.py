"""The kpi pages' forms. They only read what was posted; kpi.services checks it (each missing or wrong field is named
there) and the view puts the service's errors back on the fields."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import DocumentKind

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _apply_bootstrap(form: forms.Form) -> None:
    for f in form.fields.values():
        if isinstance(f.widget, forms.Select):
            f.widget.attrs.setdefault("class", "form-select")
        elif isinstance(f.widget, forms.CheckboxInput):
            f.widget.attrs.setdefault("class", "form-check-input")
        else:
            f.widget.attrs.setdefault("class", "form-control")


class ServiceForm(forms.Form):
    """A form whose fields are checked by a service: ``put_errors`` places a ValidationError's messages on the
    fields they name (others above the form)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _apply_bootstrap(self)

    def put_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            for m in exc.messages:
                self.add_error(None, m)
            return
        for field, messages in exc.message_dict.items():
            for m in messages:
                self.add_error(field if field in self.fields else None, m)


class EnterValueForm(ServiceForm):
    prefix = "enter"
    region = forms.ChoiceField(label=_("region"), required=False)
    on = forms.DateField(label=_("as of"), required=False, widget=DATE)
    value = forms.CharField(label=_("value"), required=False, max_length=40)
    document_number = forms.CharField(label=_("evidence document number"), required=False, max_length=100)
    document_date = forms.DateField(label=_("evidence document date"), required=False, widget=DATE)
    attachment = forms.FileField(label=_("evidence (PDF, JPEG or PNG, at most 20 MB)"), required=False)
    note = forms.CharField(label=_("note"), required=False, max_length=300)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class TargetForm(ServiceForm):
    prefix = "target"
    region = forms.ChoiceField(label=_("region"), required=False)
    year = forms.IntegerField(label=_("year"), required=False, min_value=1990, max_value=2100)
    value = forms.CharField(label=pgettext_lazy("kpi", "target"), required=False, max_length=40)
    baseline = forms.CharField(label=_("baseline"), required=False, max_length=40)
    baseline_on = forms.DateField(label=_("baseline date"), required=False, widget=DATE)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class DocumentForm(ServiceForm):
    number = forms.CharField(label=_("document number"), required=False, max_length=100)
    title = forms.CharField(label=_("title"), required=False, max_length=300)
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=[("", "—"), *DocumentKind.choices])
    issuer = forms.CharField(label=_("issuer"), required=False, max_length=200)
    issued_on = forms.DateField(label=pgettext_lazy("kpi", "issued on"), required=False, widget=DATE)
    region = forms.ChoiceField(label=_("region where it applies"), required=False)
    revision = forms.BooleanField(label=_("a revision of an earlier text"), required=False)
    file = forms.FileField(label=_("file"), required=False)

    def __init__(self, *args, regions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = list(regions)


class PlanUploadForm(ServiceForm):
    file = forms.FileField(label=_("plan file (TOML, UTF-8)"), required=True)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > 2 * 1024 * 1024:
            raise ValidationError(_("The file has %(n)s bytes; a plan file has at most 2 MB.") % {"n": f"{f.size:,}"})
        return f
