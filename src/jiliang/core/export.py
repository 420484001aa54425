"""Excel export of the rows of a list (openpyxl, write-only mode so large lists stream).

Every export is laid out the same way: a bold, frozen header row with an autofilter, columns as wide as
their content, dates and times as Excel dates (local time, Asia/Shanghai), booleans as 是/否 (yes/no),
and a second sheet describing the export (what, when, which filters) in the user's language.

A text that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return) is written as text,
never as a formula: an organisation named ``=HYPERLINK(...)`` must not become a live link in the
bureau's spreadsheet (OWASP, "CSV injection"). The functions take plain values and return bytes, so
that a background task can call them as well as a view.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

# A sheet row cap keeps one export bounded (an immediate one stays far below it: JILIANG_EXPORT_SYNC_ROWS);
# larger extracts go through the API with paging.
MAX_EXPORT_ROWS = 200_000
PROGRESS_ROWS = 1000

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_WIDTH_SAMPLE = 500  # rows looked at to size the columns
_MAX_WIDTH = 60


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_safe(value):
    """A value for a CSV export: a formula-like text gets a leading apostrophe, so no spreadsheet runs it."""
    if value is None:
        return ""
    return "'" + value if is_formula_like(value) else value


def _plain(value):
    """The value as Excel should hold it: numbers, dates and local naive date-times stay typed."""
    if value is None:
        return None
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, (dt.date, int, float, Decimal)):
        return value
    return str(value)


def _cell(ws, value) -> WriteOnlyCell:
    value = _plain(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and is_formula_like(value):
        cell.data_type = "s"  # openpyxl would store "=..." as a formula
        cell.quotePrefix = True  # and Excel keeps it text when the cell is edited
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def _text_width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    # CJK characters take two columns of Excel's width unit.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence], note: str = "",
                   *, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """The rows as one sheet, with a second sheet describing the export: ``about`` as (label, value)
    lines, then the row count and ``note``. Labels and values are expected in the user's language."""
    buf = io.BytesIO()
    write_workbook(buf, title, headers, rows, note, about=about)
    return buf.getvalue()


def write_workbook(target, title: str, headers: Sequence[str], rows: Iterable[Sequence], note: str = "",
                   *, about: Sequence[tuple[str, str]] = (), max_rows: int = MAX_EXPORT_ROWS,
                   progress: Callable[[int], None] | None = None) -> int:
    """:func:`workbook_bytes` into ``target`` (a path or a binary file); returns the number of rows written.

    openpyxl's write-only mode streams rows to a temporary file, so memory stays flat however many rows
    come (a background export writes straight to its result file); ``progress(n)`` is called as rows go."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=_sheet_title(title) or "export")
    rows = iter(rows)
    head = [[_plain(v) for v in row] for row in itertools.islice(rows, _WIDTH_SAMPLE)]
    widths = [_text_width(h) for h in headers]
    for row in head:
        for i, v in enumerate(row[:len(widths)]):
            widths[i] = max(widths[i], _text_width(v))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(_MAX_WIDTH, max(8, w + 2))
    ws.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(vertical="center")
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=str(h))
        c.font, c.alignment = bold, wrap
        header_cells.append(c)
    ws.append(header_cells)
    count = 0
    truncated = False
    for row in itertools.chain(head, rows):
        if count >= max_rows:
            truncated = True
            break
        ws.append([_cell(ws, v) for v in row])
        count += 1
        if progress is not None and count % PROGRESS_ROWS == 0:
            progress(count)
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    if truncated:
        ws.append([_("… only the first %(n)d rows were exported; narrow the filter or use the API.")
                   % {"n": max_rows}])
    meta = wb.create_sheet(title=_sheet_title(_("About this export")))
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 80
    lines = [*about, (_("rows"), count)]
    if note:
        lines.append((_("note"), note))
    for label, value in lines:
        label_cell = WriteOnlyCell(meta, value=str(label))
        label_cell.font = bold
        meta.append([label_cell, _cell(meta, value)])
    wb.save(target)
    return count


def write_sheets(target, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]], *,
                 about: Sequence[tuple[str, str]] = ()) -> None:
    """Several tables in one workbook, one sheet each (title, headers, rows), laid out like :func:`write_workbook`
    (bold frozen header, autofilter, typed cells, formula-like text kept as text), then the describing sheet."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(title=_sheet_title(title) or "sheet")
        rows = [[_plain(v) for v in row] for row in rows]
        widths = [_text_width(h) for h in headers]
        for row in rows[:_WIDTH_SAMPLE]:
            for i, v in enumerate(row[:len(widths)]):
                widths[i] = max(widths[i], _text_width(v))
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = min(_MAX_WIDTH, max(8, w + 2))
        ws.freeze_panes = "A2"
        header_cells = []
        for h in headers:
            c = WriteOnlyCell(ws, value=str(h))
            c.font = bold
            header_cells.append(c)
        ws.append(header_cells)
        for row in rows:
            ws.append([_cell(ws, v) for v in row])
        if headers:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{len(rows) + 1}"
    meta = wb.create_sheet(title=_sheet_title(_("About this export")))
    meta.column_dimensions["A"].width = 24
    meta.column_dimensions["B"].width = 80
    for label, value in about:
        label_cell = WriteOnlyCell(meta, value=str(label))
        label_cell.font = bold
        meta.append([label_cell, _cell(meta, value)])
    wb.save(target)


def _sheet_title(text: str) -> str:
    # Excel forbids []:*?/\ in sheet names and allows 31 characters.
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in str(text))[:31].strip()
