"""List columns and page declarations of the reported-records side of supervision (see core.ui)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register

from . import filters
from . import models as m

EVENT_COLUMNS = [
    Column("number", _("certificate or notice number"), order_by="number", link=True),
    Column("verified_on", _("verified on"), order_by="verified_on"),
    Column("instrument", _("instrument"), accessor="instrument"),
    Column("institution", _("institution"), accessor="institution.name", order_by="institution__name"),
    Column("kind", _("verification kind"), order_by="kind"),
    Column("result", _("result"), order_by="result"),
    Column("next_due", _("next due"), order_by="next_due"),
    Column("source", _("source"), order_by="source"),
    Column("void", _("void"), order_by="void"),
]
CONFLICT_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("event", _("stored event"), accessor="event.number"),
    Column("differences", _("differences"), accessor=lambda c: "; ".join(
        f"{k}: {v[0]} → {v[1]}" for k, v in (c.differences or {}).items())),
    Column("status", _("status"), order_by="status"),
    Column("created", _("received"), order_by="created"),
]


def _conflict_context(request, obj):
    from .views import resolve_context

    return resolve_context(request, obj)


# Written by certificates, the API and imports, never edited by hand: list and detail pages only.
event_ui = register(ModelUI(
    model=m.VerificationEvent, slug="records", columns=EVENT_COLUMNS, filterset=filters.VerificationEventFilterSet,
    default_order="-verified_on", read_only=True,
    filter_fields=["region", "institution", "instrument_id", "verified_after", "verified_before", "result",
                   "source", "kind"],
    detail_fields=["number", "institution", "instrument", "source", "certificate", "kind", "verified_on", "result",
                   "next_due", "certificate_valid_until", "void", "void_reason", "reported_by", "batch", "received"],
    related=[(_("conflicting records"), "conflicts", CONFLICT_COLUMNS)]))
conflict_ui = register(ModelUI(
    model=m.RecordConflict, slug="record-conflicts", columns=CONFLICT_COLUMNS,
    filterset=filters.RecordConflictFilterSet, default_order="-id", read_only=True,
    filter_fields=["status", "region"], detail_context=_conflict_context,
    detail_template="supervision/conflict_detail.html"))
