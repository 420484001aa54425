"""Batch filing from an Excel or CSV file, read with the registry's column reader (registry/importing.py
ColumnReader): the header is checked like every import's (missing or unknown columns are refused with the template's names), each
row names one instrument of the owner by its jiliang number or by manufacturer + model + serial number, and the
report lists every row that was not filed with the column and the reason; the other rows are filed."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.export import workbook_bytes
from jiliang.core.tabular import Table
from jiliang.registry.importing import CellError, ColumnReader, ImportColumn, RowError
from jiliang.registry.models import Instrument, Organisation

from . import filing


@dataclass
class FilingImportReport:
    total: int = 0
    filed_rows: list[int] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    filings: list = field(default_factory=list)


class FilingImporter(ColumnReader):
    """Reads the rows of a filing file; :meth:`file` files the instruments they name."""

    kind = "filing"
    label = gettext_lazy("filing of instruments")
    columns = [
        ImportColumn("instrument", gettext_lazy("instrument number in jiliang"), kind="int",
                     help=gettext_lazy("or give manufacturer, model and serial number")),
        ImportColumn("manufacturer", gettext_lazy("manufacturer")),
        ImportColumn("model", gettext_lazy("model")),
        ImportColumn("serial_number", gettext_lazy("serial number")),
    ]

    def __init__(self, user, owner: Organisation):
        super().__init__(user)
        self.owner = owner

    def example(self):
        return {"manufacturer": "凯丰衡器", "model": "ACS-15", "serial_number": "SN-000123"}

    def natural_key(self, values):
        if values.get("instrument"):
            return ("id", values["instrument"])
        return ("identity", values.get("manufacturer") or "", values.get("model") or "",
                values.get("serial_number") or "")

    def existing(self, keys):
        ids = [k[1] for k in keys if k[0] == "id"]
        serials = [k[3] for k in keys if k[0] == "identity" and k[3]]
        found = {}
        for inst in Instrument.objects.filter(Q(pk__in=ids) | Q(owner=self.owner, serial_number__in=serials)):
            found[("id", inst.pk)] = inst
            if inst.owner_id == self.owner.pk:
                found[("identity", inst.manufacturer, inst.model, inst.serial_number)] = inst
        return found

    def build(self, values, current):
        """The instrument a row names (nothing is built: filing creates entries, not instruments)."""
        if current is None:
            if values.get("instrument"):
                raise CellError(_("no instrument number %(n)s") % {"n": values["instrument"]})
            raise CellError(_("no instrument of %(owner)s with this manufacturer, model and serial number")
                            % {"owner": self.owner})
        return current, {}

    def file(self, table: Table, note: str = "") -> FilingImportReport:
        index = self.map_headers(table.headers)  # TableError for wrong columns
        cols = {c.key: c for c in self.columns}
        report = FilingImportReport()
        rows: list[tuple[int, dict]] = []
        for row_no, cells in table.rows:
            values, unread = self.read_row(index, cells)
            report.errors.extend(RowError(row_no, col.header(), reason) for col, reason in unread)
            bad = bool(unread)
            filled = {k: str(v) for k, v in values.items() if v not in (None, "")}
            if not bad and (not filled or filled == self.example()):
                continue  # a blank row, or the template's example left in
            report.total += 1
            if bad:
                continue
            if not values.get("instrument") and not all(values.get(k) for k in ("manufacturer", "model",
                                                                                 "serial_number")):
                report.errors.append(RowError(row_no, cols["instrument"].header(),
                                              _("give the instrument number, or manufacturer, model and serial "
                                                "number")))
                continue
            rows.append((row_no, values))
        found = self.existing([self.natural_key(v) for _n, v in rows])
        by_instrument: dict[int, int] = {}
        for row_no, values in rows:
            key = self.natural_key(values)
            column = cols["instrument" if key[0] == "id" else "serial_number"].header()
            try:
                inst, _m2m = self.build(values, found.get(key))
            except CellError as exc:
                report.errors.append(RowError(row_no, column, str(exc)))
                continue
            if inst.pk in by_instrument:
                report.errors.append(RowError(row_no, column, _("the same instrument as row %(row)d")
                                              % {"row": by_instrument[inst.pk]}))
                continue
            by_instrument[inst.pk] = row_no
        result = filing.file_instruments(self.owner, list(by_instrument), self.user, note=note)
        refused = {getattr(r.instrument, "pk", r.instrument): r.reason for r in result.refused}
        for pk, row_no in by_instrument.items():
            if pk in refused:
                report.errors.append(RowError(row_no, cols["instrument"].header(), refused[pk]))
            else:
                report.filed_rows.append(row_no)
        report.errors.sort(key=lambda e: e.row)
        report.filings = result.filings
        return report


def template_bytes(user, owner) -> bytes:
    imp = FilingImporter(user, owner)
    headers, rows = imp.template_rows()
    return workbook_bytes(str(imp.label), headers, rows)
