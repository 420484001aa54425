"""List columns and page declarations of free verification (see core.ui): programmes (the provincial bureau
writes, everyone signed in reads), free verifications (marked through free_services: list and detail only) and
the fee schedule."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register

from . import free_filters, free_forms, free_services
from . import models as m

PROGRAMME_COLUMNS = [
    Column("code", _("code"), order_by="code", link=True),
    Column("name", _("name"), order_by="name", link=True),
    Column("kind", _("kind"), order_by="kind"),
    Column("region", _("region"), accessor=lambda p: p.region or _("the whole province")),
    Column("starts_on", _("from"), order_by="starts_on"),
    Column("ends_on", _("until"), order_by="ends_on"),
    Column("active", _("active"), order_by="active"),
]
FREE_COLUMNS = [
    Column("number", _("certificate or notice number"), accessor="event.number", order_by="event__number",
           link=True),
    Column("verified_on", _("verified on"), accessor="event.verified_on", order_by="event__verified_on"),
    Column("instrument", _("instrument"), accessor="event.instrument"),
    Column("region", _("region"), accessor="event.instrument.region"),
    Column("institution", _("institution"), accessor="event.institution.name"),
    Column("result", _("result"), accessor=lambda f: f.event.get_result_display()),
    Column("programme", _("programme"), accessor="programme.name", order_by="programme__code"),
    Column("fee_waived", _("fee waived (yuan)"), order_by="fee_waived"),
]
FEE_COLUMNS = [
    Column("category", _("category"), accessor="category", order_by="category__name", link=True),
    Column("fee", _("fee per unit (yuan)"), order_by="fee"),
    Column("basis", _("basis")),
]


programme_ui = register(ModelUI(
    model=m.FreeProgramme, slug="free-programmes", columns=PROGRAMME_COLUMNS,
    filterset=free_filters.FreeProgrammeFilterSet, form=free_forms.FreeProgrammeForm, default_order="code",
    filter_fields=["kind", "region", "active"], create=free_services.create_programme,
    update=free_services.update_programme,
    related=[(_("free verifications"), "verifications", FREE_COLUMNS)]))
free_ui = register(ModelUI(
    model=m.FreeVerification, slug="free-verifications", columns=FREE_COLUMNS,
    filterset=free_filters.FreeVerificationFilterSet, default_order="-event__verified_on", read_only=True,
    filter_fields=["year", "programme", "region", "result", "number"],
    detail_fields=["event", "programme", "fee_waived", "fee_basis", "marked_by", "created"]))
fee_ui = register(ModelUI(
    model=m.FeeScheduleItem, slug="free-fees", columns=FEE_COLUMNS, filterset=free_filters.FeeScheduleFilterSet,
    form=free_forms.FeeScheduleItemForm, default_order="category__name"))
