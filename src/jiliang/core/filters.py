"""The FilterSet bases of every app (labels per request, search, region subtree), and the audit trail's FilterSet.

django-filter computes a filter's label the first time anyone reads it and caches it on the filter; the
OpenAPI generator reads the class-level filters, so whichever language generated the schema first stayed in
every list page of the process ("Status", "Usage" for Chinese users after one visit to /api/docs/ in
English). :class:`FilterSet` gives each filter without an explicit label a lazy one, evaluated in the
language of the request that renders it, and phrases lookups in words of that language.
"""

from __future__ import annotations

import copy
from functools import partial

import django_filters as df
from django import forms
from django.db import models
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.utils import get_model_field, label_for_filter, verbose_field_name

from . import extending
from .models import AuditEntry, Region
from .regions import subtree_codes

# Primary keys are 64-bit (BigAutoField); a larger number is an invalid filter (400 in the API, an empty
# list with the field's error on a page), never a query the database cannot take.
MAX_ID = 2**63 - 1


def posted_ids(values) -> list[int]:
    """The whole numbers among posted ids that can be primary keys (others match nothing)."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]


def id_or_404(value: str) -> int:
    """A primary key from a URL or form value, or 404 (never a query the database cannot take)."""
    from django.http import Http404

    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        raise Http404
    return int(value)


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


def region_choices(user) -> list[tuple[str, str]]:
    """Current regions the user can filter by: their own subtree, or the province for unrestricted users."""
    from .scoping import REGIONAL_ROLES, user_role

    qs = Region.objects.filter(is_current=True).select_related("parent").order_by("code")
    if user is not None and user_role(user) in REGIONAL_ROLES and user.region_id:
        qs = qs.filter(code__in=subtree_codes(user.region_id))
    return [("", "—")] + [(r.code, f"{r.code} {r}") for r in qs]


class RegionSubtreeFilter(df.CharFilter):
    """``region=320100`` matches the city and every district and county below it.

    ``path`` is the record's way to its region (``"region"``, ``"owner__region"``, ``"enterprise__region"``).
    """

    def __init__(self, *args, path: str = "region", **kwargs):
        self.path = path
        kwargs.setdefault("label", _("region (with the regions below it)"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        codes = []
        for code in str(value).replace(" ", "").split(","):
            if code:
                codes.extend(subtree_codes(code))
        return qs.filter(**{f"{self.path}__in": codes})

    def page_choices(self, user) -> list[tuple[str, str]]:
        return region_choices(user)


class SearchFilterSet(FilterSet):
    """Adds ``q``: a case-insensitive search over a few indexed or short columns of the model itself.

    On pages, a filter that offers ``page_choices(user)`` (the region subtree, an app's code lists) is a
    drop-down limited to what the user may see; the API takes the same parameters as plain codes.
    """

    search_fields: tuple[str, ...] = ()
    q = df.CharFilter(method="search", label=_("search"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.DateInput):
                field.widget.input_type = "date"
        # Choices are callables, so the queries run only when a page renders the form, never for the API.
        for name, f in self.filters.items():
            choices = getattr(f, "page_choices", None)
            if choices is not None and name in self.form.fields:
                self.form.fields[name].widget = forms.Select(choices=partial(choices, user))

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)


class AuditEntryFilterSet(FilterSet):
    object_type = df.CharFilter()
    object_id = df.CharFilter()
    actor_name = df.CharFilter(lookup_expr="icontains", label=_("actor"))
    since = df.DateTimeFilter(field_name="timestamp", lookup_expr="gte", label=_("since"))
    until = df.DateTimeFilter(field_name="timestamp", lookup_expr="lte", label=_("until"))

    class Meta:
        model = AuditEntry
        fields = ["action", "channel", "object_type", "object_id", "actor_name", "request_id"]


_extended_filtersets = extending.cache()


def extended_filterset(filterset: type, model) -> type:
    """``filterset`` with the filters other apps contribute to lists of ``model`` (extending.ListExtension); the
    class itself when none do."""
    extensions = extending.list_extensions(model)
    if not extensions:
        return filterset
    made = _extended_filtersets.get(filterset)
    if made is None:
        extra = {}
        for ext in extensions:
            extra.update(ext.filters() if ext.filters else {})
        made = _extended_filtersets[filterset] = type(filterset.__name__, (filterset,), {
            **extra, "__module__": filterset.__module__, "__qualname__": filterset.__qualname__})
    return made


def extension_filter_names(model) -> list[str]:
    names: list[str] = []
    for ext in extending.list_extensions(model):
        names.extend(ext.filters() if ext.filters else {})
    return names


def extension_select_related(model) -> list[str]:
    return [rel for ext in extending.list_extensions(model) for rel in ext.select_related]
