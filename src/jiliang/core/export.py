"""Excel export of the filtered rows of a list (openpyxl, write-only mode so large lists stream)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

# A sheet row cap keeps one export request bounded; larger extracts go through the API with paging.
MAX_EXPORT_ROWS = 200_000


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None) if value.tzinfo is None else value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, (dt.date, int, float, Decimal, bool)):
        return value
    return str(value)


def workbook_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence], note: str = "") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "export")
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=str(h))
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    count = 0
    for row in rows:
        if count >= MAX_EXPORT_ROWS:
            ws.append([f"… truncated at {MAX_EXPORT_ROWS} rows; narrow the filter or use the API"])
            break
        ws.append([_cell(v) for v in row])
        count += 1
    if note:
        meta = wb.create_sheet(title="about")
        meta.append([note])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
