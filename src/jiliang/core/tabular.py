"""Reading uploaded tables (Excel .xlsx or CSV) with checks that name what is wrong and where."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _


class TableError(ValueError):
    """The file as a whole cannot be read (size, type, encoding, header)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list]]  # (row number as the user sees it in the file, cell values)
    notices: list[str] = field(default_factory=list)


def read_table(name: str, data: bytes, sheet: str | None = None) -> Table:
    limit = settings.JILIANG_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise TableError(_("The file is %(size).1f MB; the limit is %(limit).1f MB. Split it into smaller files.")
                         % {"size": len(data) / 1e6, "limit": limit / 1e6})
    if not data:
        raise TableError(_("The file is empty."))
    lower = name.lower()
    if lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, sheet)
    if lower.endswith((".csv", ".txt")):
        return _read_csv(data)
    raise TableError(_("%(name)s is neither an Excel workbook (.xlsx) nor a CSV file.") % {"name": name})


def _read_xlsx(data: bytes, sheet: str | None) -> Table:
    from openpyxl import load_workbook

    if not data.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError(_("The file is named .xlsx but is not an Excel workbook (its content is not an Office Open "
                           "XML package). Save it from Excel as .xlsx and upload it again."))
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged packages
        raise TableError(_("The workbook cannot be opened: %(reason)s") % {"reason": exc}) from exc
    ws = wb[sheet] if sheet and sheet in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        raise TableError(_("The first sheet is empty: the first row must hold the column headers.")) from None
    while headers and not headers[-1]:
        headers.pop()
    body = []
    for i, row in enumerate(rows, start=2):
        values = list(row[: len(headers)])
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        body.append((i, values + [None] * (len(headers) - len(values))))
    wb.close()
    return Table(headers, body)


def _read_csv(data: bytes) -> Table:
    notices = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError as exc:
            raise TableError(_("The CSV file is neither UTF-8 nor GBK/GB18030 text (undecodable byte at position "
                               "%(pos)d).") % {"pos": exc.start}) from exc
        notices.append(_("The CSV file is not UTF-8; it was read as GBK (GB18030). Check the Chinese text below."))
    reader = csv.reader(io.StringIO(text))
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        raise TableError(_("The CSV file is empty: the first row must hold the column headers.")) from None
    body = []
    for i, row in enumerate(reader, start=2):
        if not any(c.strip() for c in row):
            continue
        values = [c if c.strip() else None for c in row[: len(headers)]]
        body.append((i, values + [None] * (len(headers) - len(values))))
    return Table(headers, body, notices)
