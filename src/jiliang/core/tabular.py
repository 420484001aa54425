"""Reading uploaded tables (Excel .xlsx or CSV) with checks that name what is wrong and where."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineError, CalamineWorkbook


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
    """Read the first (or named) sheet with python-calamine, after checking what the package unpacks to.

    calamine reads shared strings without their phonetic-guide runs (a cell 东京 with a furigana run is
    東京, not 东京トウキョウ) and applies the cells' number formats: a date cell comes back as a date,
    a number as a number, a boolean as a boolean. It builds the sheet as one dense grid, so the grid's
    size is bounded first (:func:`check_xlsx_package`): a small zip can unpack to gigabytes.
    """
    if not data.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise TableError(_("The file is named .xlsx but is not an Excel workbook (its content is not an Office Open "
                           "XML package). Save it from Excel as .xlsx and upload it again."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            check_xlsx_package(z)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = workbook.sheet_names
        if not names:
            raise TableError(_("The workbook has no sheet."))
        ws = workbook.get_sheet_by_name(sheet if sheet in names else names[0])
        grid = ws.to_python(skip_empty_area=False)
    except TableError:
        raise
    except (KeyError, zipfile.BadZipFile, CalamineError, ValueError, OSError) as exc:
        raise TableError(_("The workbook cannot be read: %(reason)s") % {"reason": exc}) from exc
    return _table_from_grid(grid)


def _table_from_grid(grid: list[list]) -> Table:
    headers: list[str] | None = None
    body = []
    for number, values in enumerate(grid, start=1):
        if headers is None:
            if all(v in ("", None) for v in values):
                continue
            headers = [_header_text(v) for v in values]
            while headers and not headers[-1]:
                headers.pop()
            continue
        cells = [(values[i] if i < len(values) else None) for i in range(len(headers))]
        cells = [None if v == "" else v for v in cells]
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in cells):
            continue
        body.append((number, cells))
    if headers is None:
        raise TableError(_("The first sheet is empty: the first row must hold the column headers."))
    return Table(headers, body)


def _header_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value if value is not None else "").strip()


# -- what a workbook unpacks to ---------------------------------------------------------------------

_CHUNK = 1 << 20
_CELL_ROW = re.compile(rb'r="[A-Z]{1,3}(\d+)"')  # the row of every cell reference (and then some: an upper bound)
_WIDE_COLUMN = re.compile(rb'r="([A-Z]{2,3})\d')  # one-letter columns (A–Z) cannot make a sheet wide
_ROW_OPEN = (b"<row ", b"<row>", b":row ", b":row>")
_CELL_OPEN = (b"<c ", b"<c>", b":c ", b":c>")
_CELL_WITH_REF = (b'<c r="', b':c r="')  # text cannot hold '<', so these are cells
_SI_OPEN = (b"<si>", b"<si ", b":si>", b":si ")


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def check_xlsx_package(z: zipfile.ZipFile) -> None:
    """Refuse a workbook that unpacks to more than the settings allow, before anything is parsed.

    Three bounds (settings in docs/settings.md): the package's total uncompressed size, the number of
    shared strings, and the sheets' rows and dense cell grid (last row × last column, which is what a
    reader allocates). The sheet and shared-string parts are streamed in 1 MB pieces and counted, not
    parsed; the sizes the zip declares are not trusted.
    """
    max_bytes = settings.JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES
    declared = sum(i.file_size for i in z.infolist())
    if declared > max_bytes:
        raise TableError(_("The workbook unpacks to %(size).0f MB; the limit is %(limit).0f MB. Split it into "
                           "smaller files.") % {"size": declared / 1e6, "limit": max_bytes / 1e6})
    budget = [max_bytes]
    for info in z.infolist():
        name = info.filename.lower()
        if name.endswith("sharedstrings.xml"):
            _check_shared_strings(z, info, budget)
        elif name.startswith("xl/worksheets/") and name.endswith(".xml"):
            _check_sheet(z, info, budget)


def _stream(z: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]):
    """The part's bytes in pieces, keeping a few bytes of overlap so that no tag is cut in two."""
    tail = b""
    with z.open(info) as f:
        while True:
            piece = f.read(_CHUNK)
            if not piece:
                break
            budget[0] -= len(piece)
            if budget[0] < 0:
                limit = settings.JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES
                raise TableError(_("The workbook unpacks to more than %(limit).0f MB. Split it into smaller files.")
                                 % {"limit": limit / 1e6})
            cut = piece.rfind(b"<")
            if cut < 0:
                yield tail + piece
                tail = b""
            else:
                yield tail + piece[:cut]
                tail = piece[cut:]
    if tail:
        yield tail


def _check_shared_strings(z, info, budget) -> None:
    limit = settings.JILIANG_XLSX_MAX_SHARED_STRINGS
    count = 0
    for piece in _stream(z, info, budget):
        count += sum(piece.count(tag) for tag in _SI_OPEN)
        if count > limit:
            raise TableError(_("The workbook holds more than %(limit)d different texts (shared strings). Split it "
                               "into smaller files.") % {"limit": limit})


def _check_sheet(z, info, budget) -> None:
    max_rows, max_cells = settings.JILIANG_XLSX_MAX_ROWS, settings.JILIANG_XLSX_MAX_CELLS
    last_row = rows = wide = cells = referenced = 0
    for piece in _stream(z, info, budget):
        cell_rows = _CELL_ROW.findall(piece)
        referenced += sum(piece.count(tag) for tag in _CELL_WITH_REF)
        if cell_rows:
            last_row = max(last_row, max(map(int, set(cell_rows))))
        for letters in set(_WIDE_COLUMN.findall(piece)):
            wide = max(wide, _column_number(letters))
        rows += sum(piece.count(tag) for tag in _ROW_OPEN)
        cells += sum(piece.count(tag) for tag in _CELL_OPEN)
        last_row = max(last_row, rows)  # rows that name no number follow one another
        if last_row > max_rows + 1:
            raise TableError(_("The sheet %(sheet)s reaches row %(row)d; the limit is %(limit)d rows. Split it "
                               "into smaller files.") % {"sheet": info.filename, "row": last_row, "limit": max_rows})
    # Cells without a reference are placed after the others in their row; at worst they are all in one row.
    width = max(wide, 26 if referenced else 0) + max(0, cells - referenced)
    if last_row * width > max_cells:
        raise TableError(_("The sheet %(sheet)s spans %(rows)d rows × %(cols)d columns; the limit is %(limit)d "
                           "cells. Remove the empty rows and columns or split it into smaller files.")
                         % {"sheet": info.filename, "rows": last_row, "cols": width, "limit": max_cells})


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
