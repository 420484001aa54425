"""The FilterSet base of every app, and the audit trail's FilterSet.

django-filter computes a filter's label the first time anyone reads it and caches it on the filter; the
OpenAPI generator reads the class-level filters, so whichever language generated the schema first stayed in
every list page of the process ("Status", "Usage" for Chinese users after one visit to /api/docs/ in
English). :class:`FilterSet` gives each filter without an explicit label a lazy one, evaluated in the
language of the request that renders it, and phrases lookups in words of that language.
"""

from __future__ import annotations

import copy

import django_filters as df
from django import forms
from django.db import models
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field, label_for_filter, verbose_field_name

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

_DATE_FIELDS = (models.DateField, models.DateTimeField, models.TimeField)


def _lookup_phrases(is_date: bool) -> dict[str, str]:
    # Evaluated in the active language each time a label is rendered.
    if is_date:
        return {"gte": gettext("%(name)s from"), "gt": gettext("%(name)s after"),
                "lte": gettext("%(name)s until"), "lt": gettext("%(name)s before")}
    return {"gte": gettext("%(name)s at least"), "gt": gettext("%(name)s more than"),
            "lte": gettext("%(name)s at most"), "lt": gettext("%(name)s less than")}


def filter_label(model, field_name: str, lookup_expr, exclude: bool = False) -> str:
    """A filter's label in the active language: the field's verbose name and the lookup in words."""
    name = verbose_field_name(model, field_name)
    if name == "[invalid name]":
        return capfirst(label_for_filter(model, field_name, lookup_expr, exclude))
    lookup = lookup_expr.split("__")[-1] if isinstance(lookup_expr, str) else "exact"
    field = get_model_field(model, field_name)
    is_date = isinstance(field, _DATE_FIELDS) or (isinstance(lookup_expr, str) and "date__" in lookup_expr)
    phrases = {**_lookup_phrases(is_date), "exact": "%(name)s", "iexact": "%(name)s", "in": "%(name)s",
               "contains": gettext("%(name)s contains"), "icontains": gettext("%(name)s contains"),
               "startswith": gettext("%(name)s starts with"), "istartswith": gettext("%(name)s starts with"),
               "isnull": gettext("%(name)s is empty")}
    if lookup not in phrases:
        return capfirst(label_for_filter(model, field_name, lookup_expr, exclude))
    label = phrases[lookup] % {"name": name}
    if exclude:
        label = gettext("not %(label)s") % {"label": label}
    return capfirst(label)


lazy_filter_label = lazy(filter_label, str)


class FilterSet(df.FilterSet):
    """django-filter's FilterSet with labels that follow the language of each request."""

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        if model is None:
            return filters
        for name, f in list(filters.items()):
            if f._label is None and f.field_name:
                f = filters[name] = copy.deepcopy(f)  # declared filters are shared with subclasses
                f._label = lazy_filter_label(model, f.field_name, f.lookup_expr, f.exclude)
        return filters


class AuditEntryFilterSet(FilterSet):
    object_type = df.CharFilter()
    object_id = df.CharFilter()
    actor_name = df.CharFilter(lookup_expr="icontains", label=_("actor"))
    since = df.DateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("since"))
    until = df.DateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("until"))

    class Meta:
        model = AuditEntry
        fields = ["action", "channel", "object_type", "object_id", "actor_name", "request_id"]
