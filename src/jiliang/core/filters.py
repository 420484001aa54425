import django_filters as df
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


class AuditEntryFilterSet(df.FilterSet):
    object_type = df.CharFilter()
    object_id = df.CharFilter()
    actor_name = df.CharFilter(lookup_expr="icontains", label=_("actor"))
    since = df.DateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("since"))
    until = df.DateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("until"))

    class Meta:
        model = AuditEntry
        fields = ["action", "channel", "object_type", "object_id", "actor_name", "request_id"]
