"""Pages of traceability: external laboratories (list with filters and Excel export, detail, add and edit for the
provincial bureau: ExternalNode's ScopeSpec) and the links of the graph (list with filters and Excel export, detail;
read-only: links are derived from certificates and calibrations or imported). Reads start from
``restrict(user, VIEW)``: external nodes are shared; links are scoped like what they lead from (the child's region
and organisation)."""

from __future__ import annotations

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy

from jiliang.core.filters import RegionSubtreeFilter, SearchFilterSet
from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, ScopedFormMixin, register

from .models import ExternalKind, ExternalNode, Link, LinkSource, NodeKind


class ExternalNodeFilterSet(SearchFilterSet):
    search_fields = ("name", "name_en", "aliases", "accreditation_no")
    kind = df.MultipleChoiceFilter(choices=ExternalKind.choices)
    accepted = df.BooleanFilter()

    class Meta:
        model = ExternalNode
        fields = ["name", "kind", "country", "accepted", "accreditation_body", "accreditation_no",
                  "accreditation_valid_until"]


class ExternalNodeForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = ExternalNode
        fields = ["name", "name_en", "aliases", "kind", "country", "accreditation_body", "accreditation_no",
                  "accreditation_valid_until", "scope_text", "accepted", "description", "comments"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3}), "scope_text": forms.Textarea(attrs={"rows": 4})}


EXTERNAL_COLUMNS = [
    Column("name", gettext_lazy("name"), order_by="name", link=True),
    Column("kind", gettext_lazy("kind"), order_by="kind"),
    Column("country", gettext_lazy("country"), order_by="country"),
    Column("accreditation_body", gettext_lazy("accreditation body")),
    Column("accreditation_no", gettext_lazy("accreditation number")),
    Column("accreditation_valid_until", gettext_lazy("accreditation valid until"),
           order_by="accreditation_valid_until"),
    Column("accepted", gettext_lazy("accepted as a root"), order_by="accepted"),
]

external_ui = register(ModelUI(
    model=ExternalNode, slug="external-labs", columns=EXTERNAL_COLUMNS, filterset=ExternalNodeFilterSet,
    form=ExternalNodeForm, default_order="name", filter_fields=["q", "kind", "accepted"],
    detail_fields=["name", "name_en", "aliases", "kind", "country", "accreditation_body", "accreditation_no",
                   "accreditation_valid_until", "scope_text", "accepted", "description", "comments"]))


class LinkFilterSet(SearchFilterSet):
    search_fields = ("certificate_no", "parent_name", "parameter")
    child_kind = df.MultipleChoiceFilter(choices=NodeKind.choices)
    parent_kind = df.MultipleChoiceFilter(choices=NodeKind.choices)
    source = df.MultipleChoiceFilter(choices=LinkSource.choices)
    region = RegionSubtreeFilter(path="region")
    void = df.BooleanFilter()
    unresolved = df.BooleanFilter(field_name="parent_id", lookup_expr="isnull",
                                  label=gettext_lazy("calibrating node unknown"))
    on_after = df.DateFilter(field_name="on", lookup_expr="gte", label=gettext_lazy("calibrated from"))
    on_before = df.DateFilter(field_name="on", lookup_expr="lte", label=gettext_lazy("calibrated until"))
    valid_after = df.DateFilter(field_name="valid_until", lookup_expr="gte", label=gettext_lazy("valid until from"))

    class Meta:
        model = Link
        fields = ["child_kind", "child_id", "parent_kind", "parent_id", "parent_name", "on", "valid_until", "source",
                  "source_id", "certificate_no", "parameter", "range_unit", "uncertainty_unit", "void", "region",
                  "organisation"]


LINK_COLUMNS = [
    Column("id", gettext_lazy("id"), order_by="id", link=True),
    Column("child_kind", gettext_lazy("child kind"), order_by="child_kind"),
    Column("child_id", gettext_lazy("child id")),
    Column("parent_kind", gettext_lazy("parent kind")),
    Column("parent_id", gettext_lazy("parent id")),
    Column("parent_name", gettext_lazy("parent as named")),
    Column("on", gettext_lazy("calibrated or verified on"), order_by="on"),
    Column("valid_until", gettext_lazy("valid until"), order_by="valid_until"),
    Column("certificate_no", gettext_lazy("certificate number"), order_by="certificate_no"),
    Column("parameter", gettext_lazy("parameter")),
    Column("uncertainty", gettext_lazy("expanded uncertainty U")),
    Column("uncertainty_unit", gettext_lazy("unit of U")),
    Column("source", gettext_lazy("source"), order_by="source"),
    Column("void", gettext_lazy("void")),
]

link_ui = register(ModelUI(
    model=Link, slug="traceability-links", columns=LINK_COLUMNS, filterset=LinkFilterSet, read_only=True,
    default_order="-on",
    filter_fields=["q", "source", "child_kind", "parent_kind", "region", "void", "unresolved", "on_after",
                   "on_before"]))

urlpatterns = [*external_ui.urls(), *link_ui.urls()]
