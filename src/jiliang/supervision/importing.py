"""Excel/CSV import of reported verification records, read with the registry's column reader
(registry/importing.py ColumnReader): the columns and their headers in Chinese and English, the header check (a wrong or missing column is an error of
the whole file, naming the columns), the cell parsing; each row then goes through records.py like an API record.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from jiliang.core.tabular import Table
from jiliang.registry.importing import ColumnReader, ImportColumn

from . import records
from .models import Result, VerificationKind

KIND = "verification-records"


class RecordImporter(ColumnReader):
    """Reads the file's rows into records; :func:`check` and :func:`apply` do the rest (records.py, as for the API's
    records)."""

    kind = KIND
    label = gettext_lazy("verification records")
    columns = [
        ImportColumn("institution_uscc", gettext_lazy("institution USCC"), required=True),
        ImportColumn("number", gettext_lazy("certificate or notice number"), required=True),
        ImportColumn("instrument", gettext_lazy("jiliang instrument id")),
        ImportColumn("owner_uscc", gettext_lazy("owner USCC")),
        ImportColumn("manufacturer", gettext_lazy("manufacturer")),
        ImportColumn("model", gettext_lazy("model")),
        ImportColumn("serial_number", gettext_lazy("serial number")),
        ImportColumn("kind", gettext_lazy("verification kind"), required=True, kind="choice",
                     choices=VerificationKind),
        ImportColumn("verified_on", gettext_lazy("verified on"), required=True, kind="date"),
        ImportColumn("result", gettext_lazy("result"), required=True, kind="choice", choices=Result),
        ImportColumn("next_due", gettext_lazy("next due"), kind="date"),
        ImportColumn("certificate_valid_until", gettext_lazy("certificate valid until"), kind="date"),
        ImportColumn("free_of_charge", gettext_lazy("free of charge"), kind="bool"),
    ]
    def rows(self, table: Table) -> tuple[list[int], list[dict], dict[int, list[records.Problem]]]:
        """(row numbers, records, cell problems by position): wrong columns raise TableError."""
        index = self.map_headers(table.headers)
        numbers, rows, cell_problems = [], [], {}
        for position, (row_no, cells) in enumerate(table.rows, start=1):
            read, unread = self.read_row(index, cells)
            values = {k: v for k, v in read.items() if v is not None}
            problems = [records.Problem(col.key, reason) for col, reason in unread]
            numbers.append(row_no)
            rows.append(values)
            if problems:
                cell_problems[position] = problems
        return numbers, rows, cell_problems


def _header_of(importer: RecordImporter) -> dict[str, str]:
    return {c.key: c.header() for c in importer.columns}


def _as_report(numbers, reports, cell_problems, headers) -> dict:
    out = []
    for r in reports:
        problems = cell_problems.get(r.row) or r.errors
        status = records.ERROR if problems else r.status
        out.append({"row": numbers[r.row - 1], "status": status, "event": r.event, "conflict": r.conflict,
                    "errors": [{"column": ", ".join(headers.get(f.strip(), f.strip()) for f in p.field.split(","))
                                if p.field else "", "reason": p.message} for p in problems]})
    counts = {k: sum(1 for r in out if r["status"] == k) for k in
              (records.CREATED, records.UNCHANGED, records.CONFLICT, records.ERROR)}
    return {"total": len(out), "counts": counts, "rows": out}


def check(table: Table, *, actor) -> dict:
    """What importing the file would do, row by row, writing nothing."""
    importer = RecordImporter(actor)
    numbers, rows, cell_problems = importer.rows(table)
    good = [i for i in range(1, len(rows) + 1) if i not in cell_problems]
    reports, _plan = records.check_records([rows[i - 1] for i in good], actor=actor)
    for r, i in zip(reports, good, strict=True):
        r.row = i
    reports += [records.RowReport(i, records.ERROR) for i in cell_problems]
    reports.sort(key=lambda r: r.row)
    return _as_report(numbers, reports, cell_problems, _header_of(importer))


def apply(table: Table, *, actor, batch=None) -> dict:
    """Store the file's good rows (records.report_records); rows with errors are reported and left out."""
    importer = RecordImporter(actor)
    numbers, rows, cell_problems = importer.rows(table)
    good = [i for i in range(1, len(rows) + 1) if i not in cell_problems]
    reports = records.report_records([rows[i - 1] for i in good], actor=actor, batch=batch)
    for r, i in zip(reports, good, strict=True):
        r.row = i
    reports += [records.RowReport(i, records.ERROR) for i in cell_problems]
    reports.sort(key=lambda r: r.row)
    return _as_report(numbers, reports, cell_problems, _header_of(importer))
