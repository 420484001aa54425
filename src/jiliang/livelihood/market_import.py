"""Excel or CSV import of a market's stalls and scales: the file is read with the registry's column reader
(registry/importing.py ColumnReader: the header is checked like every import's, cells are read by parse_cell) and
each row is applied by the market services.

One row is a stall, a scale, or both: a stall number opens the stall if the market has none of that number (the
trader is then required); scale columns register a scale on that stall, or a public fair scale when "fair scale" is
yes and the stall is left empty. A scale is named by its jiliang number or instrument code (an instrument of the
operator already in the registry) or by manufacturer, model and serial number (a new instrument, or the operator's
instrument with that identity). Each row is applied in its own savepoint: a bad row is reported with its row number,
column and reason and leaves nothing behind; the other rows are kept. A scale named twice (in the file, or already
on a stall) is refused with the stall that has it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.services import validation_messages
from jiliang.core.tabular import Table
from jiliang.registry.importing import ColumnReader, ImportColumn, RowError
from jiliang.registry.models import Instrument

from . import market_services as ms
from .models import Market, Stall


@dataclass
class MarketImportReport:
    total: int = 0
    stalls_created: int = 0
    scales_registered: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> dict:
        return {"total": self.total, "stalls_created": self.stalls_created,
                "scales_registered": self.scales_registered, "error_rows": self.error_rows,
                "errors": [e.as_dict() for e in self.errors]}


class MarketImporter(ColumnReader):
    """Reads a market's stall-and-scale file; :meth:`run` applies it row by row."""

    kind = "market"
    label = gettext_lazy("stalls and scales of a market")
    columns = [
        ImportColumn("stall", gettext_lazy("stall number"), kind="code"),
        ImportColumn("trader", gettext_lazy("trader")),
        ImportColumn("trader_uscc", gettext_lazy("trader's unified social credit code"), kind="code"),
        ImportColumn("goods", gettext_lazy("goods sold")),
        ImportColumn("fair_scale", gettext_lazy("public fair scale"), kind="bool"),
        ImportColumn("instrument", gettext_lazy("instrument number in jiliang"), kind="int"),
        ImportColumn("instrument_code", gettext_lazy("instrument code"), kind="code"),
        ImportColumn("category", gettext_lazy("category code"),
                     help=gettext_lazy("the catalogue code; empty: electronic price scale")),
        ImportColumn("manufacturer", gettext_lazy("manufacturer")),
        ImportColumn("model", gettext_lazy("model")),
        ImportColumn("serial_number", gettext_lazy("serial number"), kind="code"),
        ImportColumn("accuracy_class", gettext_lazy("accuracy class")),
        ImportColumn("range_max", gettext_lazy("maximum capacity (kg)"), kind="decimal"),
    ]
    # where a service's error on a field is shown
    FIELD_COLUMNS = {"number": "stall", "stall": "stall", "trader": "trader", "trader_uscc": "trader_uscc",
                     "goods": "goods", "instrument": "instrument", "instrument_code": "instrument_code",
                     "category": "category", "manufacturer": "manufacturer", "model": "model",
                     "serial_number": "serial_number", "accuracy_class": "accuracy_class",
                     "range_max": "range_max", "fair_scale": "fair_scale"}

    def __init__(self, user, market: Market):
        super().__init__(user)
        self.market = market

    def example(self):
        return {"stall": "A-01", "trader": "张三", "goods": "蔬菜", "manufacturer": "凯丰衡器", "model": "ACS-30",
                "serial_number": "SN-000123"}

    def run(self, table: Table) -> MarketImportReport:
        ms.check_market_writable(self.market, self.user)
        index = self.map_headers(table.headers)  # TableError for wrong columns
        cols = {c.key: c for c in self.columns}
        report = MarketImportReport()
        example = {k: str(v) for k, v in self.example().items()}
        for row_no, cells in table.rows:
            values, unread = self.read_row(index, cells)
            bad = [RowError(row_no, col.header(), reason) for col, reason in unread]
            filled = {k: v for k, v in values.items() if v not in (None, "", False)}
            if not bad and (not filled or {k: str(v) for k, v in filled.items()} == example):
                continue  # a blank row, or the template's example left in
            report.total += 1
            if bad:
                report.errors.extend(bad)
                continue
            try:
                with transaction.atomic():
                    self._apply(values, report)
            except ValidationError as exc:
                for name, messages in validation_messages(exc).items():
                    column = cols[self.FIELD_COLUMNS.get(name, "serial_number")].header()
                    report.errors.extend(RowError(row_no, column, m) for m in messages)
            except PermissionDenied as exc:
                report.errors.append(RowError(row_no, cols["instrument"].header(), str(exc)))
        return report

    def _apply(self, values: dict, report: MarketImportReport) -> None:
        stall = None
        number = values.get("stall")
        fair = bool(values.get("fair_scale"))
        scale_named = any(values.get(k) for k in ("instrument", "instrument_code", "manufacturer", "model",
                                                 "serial_number"))
        if number:
            stall = Stall.objects.filter(market=self.market, number=number).first()
            if stall is None:
                if not values.get("trader"):
                    raise ValidationError({"trader": _("is required to open stall %(n)s") % {"n": number}})
                stall = ms.add_stall(market=self.market, number=number, trader=values["trader"],
                                     trader_uscc=values.get("trader_uscc") or "", goods=values.get("goods") or "",
                                     actor=self.user)
                report.stalls_created += 1
        elif not fair:
            raise ValidationError({"stall": _("give the stall number, or mark the scale a public fair scale")})
        if not scale_named:
            if fair:
                raise ValidationError({"serial_number": _("name the fair scale (manufacturer, model and serial "
                                                          "number, or its instrument number)")})
            return
        instrument = self._instrument(values)
        ms.register_scale(market=self.market, stall=stall, fair_scale=fair, instrument=instrument,
                          category=values.get("category") or None, manufacturer=values.get("manufacturer") or "",
                          model=values.get("model") or "", serial_number=values.get("serial_number") or "",
                          accuracy_class=values.get("accuracy_class") or "", range_max=values.get("range_max"),
                          actor=self.user)
        report.scales_registered += 1

    def _instrument(self, values: dict) -> Instrument | None:
        """The operator's instrument the row names by number, code or identity; None: a new one is registered."""
        if values.get("instrument") or values.get("instrument_code"):
            q = Q(pk=values["instrument"]) if values.get("instrument") else Q(instrument_code=values["instrument_code"])
            found = Instrument.objects.restrict(self.user).filter(q).first()
            if found is None:
                key = "instrument" if values.get("instrument") else "instrument_code"
                raise ValidationError({key: _("no instrument %(v)s that you may see") % {"v": values[key]}})
            return found
        return Instrument.objects.filter(owner=self.market.operator, manufacturer=values.get("manufacturer") or "",
                                         model=values.get("model") or "",
                                         serial_number=values.get("serial_number") or "").first()
