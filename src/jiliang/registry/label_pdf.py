"""Label sheets as a PDF: per label the QR code of the instrument's public page, its code in text, what it is,
its owner, and on the wider layouts a Code 128 bar code of the code.

Pure: reportlab and segno, never Django. Every label is drawn with reportlab's canvas (text, the QR code's
modules as filled rectangles, the bar code widget); the sheets are then written to the file one by one as they
are finished (:class:`PdfSheetWriter`), because reportlab's own document keeps every page in memory until
``save()``: with it, 50,000 labels would hold 2,400 pages of drawing at once. Memory stays that of one sheet,
plus two integers per page for the cross-reference table.

Text: the code in Helvetica-Bold (ASCII only), everything else in the project's CJK font (core.pdf_fonts).
A line that is too long shrinks to its smallest size and is then cut with an ellipsis; the code is never cut:
it is wrapped at its groups instead. Nothing is drawn outside the label's safe area (``INSET`` from its edges,
the usual allowance for a sheet's feed registration).

QR code: ISO/IEC 18004 with error correction level M (segno raises it where the same version allows) and the
standard's quiet zone of four modules inside the square. Code 128: ISO/IEC 15417, drawn only where its narrowest
bar is at least ``MIN_BAR_MM`` wide with its quiet zones of ten modules, else left out for that label.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

import segno
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from jiliang.core.pdf_fonts import cjk_font, cjk_text

from .codes import group
from .label_layouts import LabelLayout

INSET = 1.5 * mm  # nothing is drawn closer than this to a label's edge
QUIET = 4  # QR quiet zone, modules (ISO/IEC 18004)
MIN_BAR_MM = 0.19  # narrowest Code 128 bar that common scanners read from a laser print
MAX_BAR_MM = 0.33
CODE_FONT = "Helvetica-Bold"
ELLIPSIS = "…"


@dataclass(frozen=True)
class LabelData:
    """What one label shows: the code, the URL its QR code encodes, the instrument's name and serial, the owner."""

    code: str
    url: str
    name: str
    owner: str
    serial: str = ""


@dataclass(frozen=True)
class _Style:
    code_max: float  # font sizes in points
    code_min: float
    text_max: float
    text_min: float


def _style(layout: LabelLayout) -> _Style:
    if layout.height < 25:
        return _Style(code_max=6, code_min=4.5, text_max=5, text_min=3.5)
    return _Style(code_max=10, code_min=6, text_max=8, text_min=5)


def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules (True: dark), without the quiet zone: what a label draws for ``url``."""
    qr = segno.make_qr(url, error="m")
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


def draw_qr(canvas: Canvas, matrix, x: float, y: float, side: float) -> None:
    """Draw ``matrix`` in the square of ``side`` points whose lower-left corner is (x, y), with its quiet zone:
    each row's runs of dark modules as one filled rectangle each, in a single path."""
    n = len(matrix)
    module = side / (n + 2 * QUIET)
    x0, top = x + QUIET * module, y + side - QUIET * module
    path = canvas.beginPath()
    for r, row in enumerate(matrix):
        yy = top - (r + 1) * module
        c = 0
        while c < n:
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                path.rect(x0 + start * module, yy, (c - start) * module, module)
            else:
                c += 1
    canvas.drawPath(path, stroke=0, fill=1)


def fit_line(text: str, font: str, width: float, largest: float, smallest: float) -> tuple[str, float]:
    """``text`` at the largest size from ``largest`` down to ``smallest`` (half-point steps) that fits ``width``;
    at ``smallest`` still too wide, cut with an ellipsis."""
    size = largest
    while size >= smallest:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return text, size
        size -= 0.5
    size = smallest
    cut = text
    while cut and pdfmetrics.stringWidth(cut + ELLIPSIS, font, size) > width:
        cut = cut[:-1]
    return (cut.rstrip() + ELLIPSIS) if cut else "", size


def fit_code(code: str, width: float, largest: float, smallest: float) -> tuple[list[str], float]:
    """The code grouped for reading, on one line if it fits at ``smallest`` or more, else wrapped at its groups
    (or, for a code without groups, in equal pieces): never cut."""
    text = group(code)
    size = largest
    while size >= smallest:
        if pdfmetrics.stringWidth(text, CODE_FONT, size) <= width:
            return [text], size
        size -= 0.5
    size = smallest
    parts = text.split("-") if "-" in text else [text]
    lines: list[str] = []
    for i, part in enumerate(parts):
        piece = part + ("-" if i < len(parts) - 1 else "")
        if lines and pdfmetrics.stringWidth(lines[-1] + piece, CODE_FONT, size) <= width:
            lines[-1] += piece
            continue
        while pdfmetrics.stringWidth(piece, CODE_FONT, size) > width and len(piece) > 1:
            # a group (or a code without groups) wider than the line: as many characters as fit
            k = len(piece)
            while k > 1 and pdfmetrics.stringWidth(piece[:k], CODE_FONT, size) > width:
                k -= 1
            lines.append(piece[:k])
            piece = piece[k:]
        lines.append(piece)
    return lines, size


def barcode_for(code: str, width: float, height: float) -> Code128 | None:
    """A Code 128 of ``code`` as wide as fits ``width`` (quiet zones included), or None if its bars would be
    narrower than ``MIN_BAR_MM``."""
    modules = Code128(code, barWidth=1, quiet=True).width
    bar = min(MAX_BAR_MM * mm, width / modules)
    if bar < MIN_BAR_MM * mm:
        return None
    return Code128(code, barWidth=bar, barHeight=height, quiet=True, humanReadable=False)


class LabelPainter:
    """Draws the labels of one layout onto a canvas (bottom-left origin, points)."""

    def __init__(self, layout: LabelLayout):
        self.layout = layout
        self.style = _style(layout)
        self.font = cjk_font()
        self.page_height = layout.page_height * mm
        self.width, self.height = layout.width * mm, layout.height * mm
        self.qr_side = min(self.height - 2 * INSET, self.width * 0.5)
        self.text_x = INSET + self.qr_side + 0.5 * mm
        self.text_width = self.width - self.text_x - INSET

    def origin(self, index: int) -> tuple[float, float]:
        """The lower-left corner of label ``index`` on its sheet, in points."""
        left, top = self.layout.position(index)
        return left * mm, self.page_height - (top + self.layout.height) * mm

    def draw(self, canvas: Canvas, index: int, label: LabelData, matrix=None) -> None:
        x, y = self.origin(index)
        s = self.style
        draw_qr(canvas, matrix or qr_matrix(label.url), x + INSET, y + (self.height - self.qr_side) / 2,
                self.qr_side)
        tx, tw = x + self.text_x, self.text_width
        cursor = y + self.height - INSET
        lines, size = fit_code(label.code, tw, s.code_max, s.code_min)
        canvas.setFont(CODE_FONT, size)
        for line in lines:
            cursor -= size
            canvas.drawString(tx, cursor, line)
            cursor -= size * 0.2
        cursor -= s.text_min * 0.3
        for text in (label.name, label.serial and f"#{label.serial}", label.owner):
            if not text:
                continue
            shown, size = fit_line(cjk_text(text), self.font, tw, s.text_max, s.text_min)
            cursor -= size
            if cursor < y + INSET:
                break  # the label is full: the line is left out rather than drawn over the edge
            canvas.setFont(self.font, size)
            canvas.drawString(tx, cursor, shown)
            cursor -= size * 0.25
        if self.layout.barcode:
            room = cursor - (y + INSET) - 1 * mm
            if room >= 6 * mm:
                bar = barcode_for(label.code, tw, min(room, 12 * mm))
                if bar is not None:
                    bar.drawOn(canvas, tx, y + INSET)


class PdfSheetWriter:
    """A PDF written page by page to ``out``: the pages' content comes from a reportlab canvas that is never
    saved (its drawing operators are taken after each sheet), the font objects from reportlab's own fonts.

    Holds one page's drawing at a time; the catalogue, the page tree and the cross-reference table are written
    at the end from the page objects' numbers and offsets (integers)."""

    FONTS = (CODE_FONT,)

    def __init__(self, out: BinaryIO, page_width: float, page_height: float, *, title: str = ""):
        self.out = out
        self.canvas = Canvas(out, pagesize=(page_width, page_height), invariant=1)
        self.page_width, self.page_height = page_width, page_height
        self.title = title
        # Fonts are registered with the canvas before any drawing, so their resource names are fixed.
        for font in (*self.FONTS, cjk_font()):
            self.canvas.setFont(font, 8)
        self.canvas._code.clear()
        self.offsets: dict[int, int] = {}
        self.pages: list[int] = []
        self.next_id = 4  # 1 catalogue, 2 page tree, 3 font resources
        self.position = 0
        self._write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        self._fonts()

    def _write(self, data: bytes) -> None:
        self.out.write(data)
        self.position += len(data)

    def _object(self, number: int, body: bytes, stream: bytes | None = None) -> None:
        self.offsets[number] = self.position
        if stream is None:
            self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        else:
            self._write(b"%d 0 obj\n%s\nstream\n%s\nendstream\nendobj\n" % (number, body, stream))

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _fonts(self) -> None:
        doc = self.canvas._doc
        refs = []
        for name, internal in doc.fontMapping.items():
            number = self._new_id()
            if name in pdfmetrics.standardFonts:  # Helvetica & co.: named, never embedded (PDF 1.7 §9.6.2.2)
                self._object(number, b"<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding >>"
                             % name.encode("ascii"))
            else:  # the CID font: its dictionary as reportlab writes it
                holder = pdfdoc.PDFDocument(invariant=1)
                pdfmetrics.getFont(name).addObjects(holder)
                obj = holder.idToObject[holder.fontMapping[name][1:]]
                obj.Name = internal[1:]
                self._object(number, pdfdoc.format(obj, holder))
            refs.append(b"%s %d 0 R" % (internal.encode("ascii"), number))
        self._object(3, b"<< " + b" ".join(refs) + b" >>")

    def end_page(self) -> None:
        """Write the canvas's drawing since the last page as the next page, and start a fresh one."""
        code = self.canvas._code
        content = ("\n".join(code) + "\n").encode("latin-1")
        code.clear()
        stream = zlib.compress(content, 6)
        content_id, page_id = self._new_id(), self._new_id()
        self._object(content_id, b"<< /Filter /FlateDecode /Length %d >>" % len(stream), stream)
        self._object(page_id, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R "
                              b"/Resources << /Font 3 0 R /ProcSet [/PDF /Text] >> >>"
                     % (_num(self.page_width), _num(self.page_height), content_id))
        self.pages.append(page_id)

    def close(self) -> None:
        if self.canvas._code:
            self.end_page()
        kids = b" ".join(b"%d 0 R" % p for p in self.pages)
        self._object(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self.pages), kids))
        self._object(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        info = self._new_id()
        title = pdfdoc.PDFString(self.title).format(self.canvas._doc) if self.title else b"()"
        self._object(info, b"<< /Producer (jiliang) /Title %s >>" % title)
        xref_at = self.position
        size = self.next_id
        lines = [b"xref\n0 %d\n" % size, b"0000000000 65535 f \n"]
        lines += [b"%010d 00000 n \n" % self.offsets[i] for i in range(1, size)]
        self._write(b"".join(lines))
        self._write(b"trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                    % (size, info, xref_at))


def _num(value: float) -> bytes:
    return (b"%.4f" % value).rstrip(b"0").rstrip(b".")


def render_labels(out: BinaryIO, layout: LabelLayout, labels: Iterable[LabelData], *, title: str = "",
                  progress: Callable[[int], None] | None = None, progress_every: int = 250) -> int:
    """Write the labels, in order, onto sheets of ``layout`` into ``out``; return how many were drawn.

    ``progress(done)`` is called every ``progress_every`` labels and once at the end."""
    painter = LabelPainter(layout)
    writer = PdfSheetWriter(out, layout.page_width * mm, layout.page_height * mm, title=title)
    count = 0
    for label in labels:
        if count and count % layout.per_sheet == 0:
            writer.end_page()
        painter.draw(writer.canvas, count, label)
        count += 1
        if progress is not None and count % progress_every == 0:
            progress(count)
    writer.close()
    if progress is not None:
        progress(count)
    return count
