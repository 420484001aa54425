"""List columns and page declarations of telemetry (see core.ui)."""

from django.utils.translation import gettext_lazy as _

from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register
from jiliang.core.values.decimals import decimal_text

from . import filters, forms
from . import models as m


def _last(p):
    state = getattr(p, "state", None)
    return f"{state.last_ts:%Y-%m-%d %H:%M} · {decimal_text(state.last_value)}" if state and state.last_ts else ""


POINT_COLUMNS = [
    Column("code", _("code"), order_by="code", link=True),
    Column("name", _("name"), order_by="name"),
    Column("enterprise", _("enterprise"), accessor="enterprise.name", order_by="enterprise__name"),
    Column("energy_type", _("energy type"), order_by="energy_type"),
    Column("unit", _("unit")),
    Column("role", _("role"), order_by="role"),
    Column("multiplier", _("multiplier")),
    Column("meter_address", _("meter address")),
    Column("last", _("last reading"), accessor=_last),
]
BATCH_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("received_at", _("received"), order_by="received_at"),
    Column("enterprise", _("enterprise"), accessor="enterprise.name"),
    Column("channel", _("channel"), order_by="channel"),
    Column("reference", _("reference")),
    Column("accepted", _("accepted"), order_by="accepted"),
    Column("duplicate", _("duplicates"), order_by="duplicate"),
    Column("conflict", _("conflicts"), order_by="conflict"),
    Column("rejected", _("rejected"), order_by="rejected"),
]
ANOMALY_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("kind", _("kind"), order_by="kind"),
    Column("state", _("state"), order_by="state"),
    Column("point", _("metering point"), accessor="point.code"),
    Column("enterprise", _("enterprise"), accessor="enterprise.name", order_by="enterprise__name"),
    Column("first_seen", _("first seen"), order_by="first_seen"),
    Column("last_seen", _("last seen"), order_by="last_seen"),
    Column("occurrences", _("occurrences"), order_by="occurrences"),
    Column("owner", _("owner"), accessor="owner"),
]
CONFLICT_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("point", _("metering point"), accessor="point.code"),
    Column("ts", _("time"), order_by="ts"),
    Column("stored_value", _("stored value")),
    Column("received_value", _("received value")),
    Column("source", _("channel")),
    Column("reviewed", _("reviewed"), order_by="reviewed"),
]

point_ui = register(ModelUI(
    model=m.MeteringPoint, slug="metering-points", columns=POINT_COLUMNS, filterset=filters.MeteringPointFilterSet,
    form=forms.MeteringPointForm, default_order="code",
    related=[(_("child points"), "children", POINT_COLUMNS[:4]), (_("anomalies"), "anomalies", ANOMALY_COLUMNS[:4])],
))
# Written by ingest, never edited by hand: list and detail pages only.
batch_ui = register(ModelUI(model=m.IngestBatch, slug="ingest-batches", columns=BATCH_COLUMNS,
                            filterset=filters.IngestBatchFilterSet, default_order="-id", read_only=True))
anomaly_ui = register(ModelUI(model=m.Anomaly, slug="anomalies", columns=ANOMALY_COLUMNS,
                              filterset=filters.AnomalyFilterSet, default_order="-last_seen", read_only=True))
conflict_ui = register(ModelUI(model=m.ReadingConflict, slug="reading-conflicts", columns=CONFLICT_COLUMNS,
                               filterset=filters.ReadingConflictFilterSet, default_order="-id", read_only=True))
equal_price_ui = register(ModelUI(
    model=m.EqualPriceElectricity, slug="equal-price-electricity",
    columns=[Column("year", _("year"), order_by="year", link=True),
             Column("kgce_per_kwh", _("kgce per kWh"), order_by="kgce_per_kwh"),
             Column("confidence", _("confidence"), order_by="confidence"),
             Column("source", _("source"))],
    filterset=filters.EqualPriceElectricityFilterSet, form=forms.EqualPriceElectricityForm, default_order="-year",
))

