"""Forms of supervision's pages: issuing a notice, recording an on-site finding (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, Organisation

from .models import FindingKind, Notice, NoticeStatus
from .notices import NOTICE_STATUSES


def _style(form) -> None:
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, (forms.Select, forms.SelectMultiple)):
            w.attrs.setdefault("class", "form-select")
        else:
            w.attrs.setdefault("class", "form-control")
        if isinstance(w, forms.DateInput):
            w.input_type = "date"


class NoticeForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("owner"),
                                   help_text=_("choose the owner, then its instruments"))
    instruments = forms.ModelMultipleChoiceField(
        queryset=Instrument.objects.none(), label=_("instruments"),
        help_text=_("the owner's instruments that are overdue, never verified or failed"))
    deadline = forms.DateField(label=_("verify by"))

    def __init__(self, *args, user=None, owner_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (Organisation.objects.restrict(user, VIEW)
                                         .filter(instruments__supervision__status__in=NOTICE_STATUSES)
                                         .distinct().order_by("name"))
        if owner_id:
            self.fields["instruments"].queryset = (
                Instrument.objects.restrict(user, VIEW)
                .filter(owner_id=owner_id, supervision__status__in=NOTICE_STATUSES)
                .select_related("category").order_by("pk"))
            self.fields["instruments"].label_from_instance = (
                lambda i: f"{i.category.name} {i.model} {i.serial_number} · {i.supervision.get_status_display()}")
        _style(self)


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (onsite.read_uploads, onsite.record_finding)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"multiple": True, "accept": "image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        return [super(PhotosField, self).clean(f, initial) for f in files]


class FindingForm(forms.Form):
    instrument = forms.ModelChoiceField(queryset=Instrument.objects.none(), label=_("instrument"),
                                        widget=forms.NumberInput, help_text=_("the instrument's id in the registry"))
    found_on = forms.DateField(label=_("date"))
    kind = forms.ChoiceField(choices=FindingKind.choices, label=_("finding"))
    detail = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label=_("details"))
    measure = forms.CharField(required=False, max_length=300, label=_("measure ordered"))
    photos = PhotosField(required=False, label=_("photos"), help_text=_("JPEG or PNG, at most 10 MB each"))
    latitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90,
                                  label=_("latitude"))
    longitude = forms.DecimalField(required=False, max_digits=9, decimal_places=6, min_value=-180, max_value=180,
                                   label=_("longitude"))
    notice = forms.ModelChoiceField(queryset=Notice.objects.none(), required=False, label=_("notice"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["instrument"].queryset = Instrument.objects.restrict(user, VIEW)
        self.fields["notice"].queryset = (Notice.objects.restrict(user, VIEW).filter(status=NoticeStatus.OPEN)
                                          .order_by("-pk"))
        self.fields["found_on"].initial = timezone.localdate()
        _style(self)
