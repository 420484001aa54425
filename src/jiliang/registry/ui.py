"""List columns and page declarations of the registry (see core.ui)."""

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register
from jiliang.core.values.decimals import decimal_text

from . import filters, forms
from . import models as m

ORGANISATION_COLUMNS = [
    Column("name", _("name"), order_by="name", link=True),
    Column("uscc", _("unified social credit code"), order_by="uscc"),
    Column("kind", _("kind"), order_by="kind"),
    Column("region", _("region"), accessor="region", order_by="region"),
    Column("designations", _("designations"), accessor=lambda o: ", ".join(str(d) for d in o.designations.all())),
    Column("mms_status", _("measurement management system"), order_by="mms_status"),
    Column("deregistered_on", _("deregistered on"), order_by="deregistered_on"),
]
INSTRUMENT_COLUMNS = [
    Column("serial_number", _("serial number"), order_by="serial_number", link=True),
    Column("instrument_code", _("instrument code"), order_by="instrument_code"),
    Column("category", _("category"), accessor="category.short_name", order_by="category__name"),
    Column("manufacturer", _("manufacturer"), order_by="manufacturer"),
    Column("model", _("model"), order_by="model"),
    Column("accuracy_class", _("accuracy class")),
    Column("range", _("measuring range"),
           accessor=lambda o: f"{decimal_text(o.range_min)}–{decimal_text(o.range_max)} {o.range_unit}"
           if o.range_min is not None and o.range_max is not None else ""),
    Column("owner", _("owner"), accessor="owner.name", order_by="owner__name"),
    Column("region", _("region"), accessor="region", order_by="region"),
    Column("usage", _("usage"), order_by="usage"),
    Column("mandatory", _("mandatory verification"), order_by="mandatory"),
    Column("status", _("status"), order_by="status"),
]
PERSON_COLUMNS = [
    Column("name", _("name"), order_by="name", link=True),
    Column("organisation", _("organisation"), accessor="organisation.name", order_by="organisation__name"),
    Column("position", _("position")),
    Column("metrologist_certificate", _("metrologist certificate number"), order_by="metrologist_certificate"),
    Column("metrologist_level", _("metrologist level"), order_by="metrologist_level"),
    Column("certificate_valid_until", _("certificate valid until"), order_by="certificate_valid_until"),
]
STANDARD_COLUMNS = [
    Column("name", _("name"), order_by="name", link=True),
    Column("institute", _("institute"), accessor="institute.name", order_by="institute__name"),
    Column("domain", _("measurement domain"), order_by="domain"),
    Column("parameter", _("parameter")),
    Column("uncertainty", _("expanded uncertainty U"),
           accessor=lambda o: f"U = {decimal_text(o.uncertainty)} {o.uncertainty_unit} (k = {decimal_text(o.coverage_factor)})"
           if o.uncertainty is not None and o.coverage_factor is not None else (o.accuracy_class or o.mpe)),
    Column("level", _("level"), order_by="level"),
    Column("certificate_no", _("assessment certificate number")),
    Column("valid_until", _("certificate valid until"), order_by="valid_until"),
    Column("status", _("status"), order_by="status"),
]
RM_COLUMNS = [
    Column("gbw_number", _("GBW number"), order_by="gbw_number", link=True),
    Column("name", _("name"), order_by="name"),
    Column("property", _("certified property")),
    Column("certified", _("certified value"),
           accessor=lambda o: f"{decimal_text(o.certified_value)} ± {decimal_text(o.uncertainty)} {o.unit} "
                              f"(k = {decimal_text(o.coverage_factor)})"),
    Column("holder", _("holder"), accessor="holder.name", order_by="holder__name"),
    Column("expiry_date", _("expiry date"), order_by="expiry_date"),
]
def _in_chinese_only(text: str) -> str:
    # Chinese-only text of the catalogue (its English name says it all in English).
    return "" if (get_language() or "").startswith("en") else text


CATEGORY_COLUMNS = [
    Column("name", _("name"), accessor=lambda o: o.display_name if (get_language() or "").startswith("en")
           else o.name, order_by="name", link=True),
    Column("second_level", _("second-level entry"), accessor=lambda o: _in_chinese_only(o.second_level)),
    Column("domain", _("measurement domain"), order_by="domain"),
    Column("regulation", _("verification regulation"), order_by="regulation"),
    Column("supervision_mode", _("supervision mode"), order_by="supervision_mode"),
    Column("verification_mode", _("verification mode"), order_by="verification_mode"),
    Column("period_months", _("verification period (months)")),
    Column("service_life_years", _("service life (years)")),
    Column("confidence", _("confidence"), order_by="confidence", provenance=True),
]


# Detail pages with the registry's acts (deregister, propose a change; a proposal's page decides it).
RECORD_DETAIL = "registry/record_detail.html"


def _import_view():
    from .views import ImportView

    return ImportView


organisation_ui = register(ModelUI(
    model=m.Organisation, slug="organisations", columns=ORGANISATION_COLUMNS,
    filterset=filters.OrganisationPageFilterSet, form=forms.OrganisationForm, default_order="name",
    filter_fields=["q", "region", "kind", "designation", "mms_status", "uscc", "registration"],
    related=[(_("instruments"), "instruments", INSTRUMENT_COLUMNS[:5]),
             (_("measurement standards"), "standards", STANDARD_COLUMNS[:4]),
             (_("people"), "people", PERSON_COLUMNS[:4])],
    import_view=_import_view(), detail_template=RECORD_DETAIL,
))
person_ui = register(ModelUI(
    model=m.Person, slug="people", columns=PERSON_COLUMNS, filterset=filters.PersonFilterSet,
    form=forms.PersonForm, default_order="name", filter_fields=["q", "region", "metrologist_level", "certified"],
    detail_template=RECORD_DETAIL,
))
category_ui = register(ModelUI(
    model=m.InstrumentCategory, slug="categories", columns=CATEGORY_COLUMNS,
    filterset=filters.InstrumentCategoryFilterSet, form=forms.InstrumentCategoryForm, default_order="domain",
    provenance_fields=("source", "confidence"), chinese_only_fields=("name", "second_level", "scope_text"),
    import_view=_import_view(),
))
instrument_ui = register(ModelUI(
    model=m.Instrument, slug="instruments", columns=INSTRUMENT_COLUMNS, filterset=filters.InstrumentPageFilterSet,
    form=forms.InstrumentForm, import_view=_import_view(),
    filter_fields=["q", "instrument_code", "region", "category", "status", "usage", "mandatory", "owner", "manufacturer",
                   "installed_after", "installed_before", "registration"],
    detail_template=RECORD_DETAIL, list_actions=((_("Print labels"), "instrument-labels", "bi-printer"),),
))
standard_ui = register(ModelUI(
    model=m.MeasurementStandard, slug="standards", columns=STANDARD_COLUMNS,
    filterset=filters.MeasurementStandardFilterSet, form=forms.MeasurementStandardForm, default_order="name",
    filter_fields=["q", "region", "domain", "level", "rating", "status", "valid_on", "expires_before"],
    detail_template=RECORD_DETAIL,
))
reference_material_ui = register(ModelUI(
    model=m.ReferenceMaterial, slug="reference-materials", columns=RM_COLUMNS,
    filterset=filters.ReferenceMaterialFilterSet, form=forms.ReferenceMaterialForm, default_order="gbw_number",
    filter_fields=["q", "region", "grade", "expires_before"],
))

PROPOSAL_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("object_repr", _("record"), order_by="object_repr", link=True),
    Column("content_type", _("record type"),  # get_for_id is cached: no query per row
           accessor=lambda o: ContentType.objects.get_for_id(o.content_type_id).model_class()._meta.verbose_name),
    Column("organisation", _("holder"), accessor="organisation.name", order_by="organisation__name"),
    Column("status", _("status"), order_by="status"),
    Column("proposed_by", _("proposed by"), accessor="proposed_by"),
    Column("created", _("proposed at"), accessor=lambda o: timezone.localtime(o.created).strftime("%Y-%m-%d %H:%M"),
           order_by="created"),
]
change_proposal_ui = register(ModelUI(
    model=m.ChangeProposal, slug="change-proposals", columns=PROPOSAL_COLUMNS,
    filterset=filters.ChangeProposalFilterSet, default_order="-id", filter_fields=["q", "status", "region"],
    detail_fields=["object_repr", "organisation", "status", "reason", "proposed_by", "created", "decided_by",
                   "decided_at", "decision_note"],
    detail_template="registry/proposal_detail.html",
))
