import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry

# Primary keys are 64-bit (BigAutoField); a larger number is an invalid filter (400 in the API, an empty
# list with the field's error on a page), never a query the database cannot take.
MAX_ID = 2**63 - 1


class IdFilter(df.NumberFilter):
    """``<fk>_id=<n>``: a whole number from 1 to 2⁶³−1."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class AuditEntryFilterSet(df.FilterSet):
    object_type = df.CharFilter()
    object_id = df.CharFilter()
    actor_name = df.CharFilter(lookup_expr="icontains", label=_("actor"))
    since = df.DateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("since"))
    until = df.DateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("until"))

    class Meta:
        model = AuditEntry
        fields = ["action", "channel", "object_type", "object_id", "actor_name", "request_id"]
