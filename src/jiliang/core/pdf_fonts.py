"""The CJK font of every PDF jiliang draws (certificates, uncertainty budgets, reports to come).

reportlab's built-in CID font STSong-Light (Adobe-GB1 character collection, Adobe Technical Note #5079)
is named in the PDF and rendered by the reader's own font for the collection, so no font file ships with
jiliang and the output stays byte-stable. It covers GB 2312 Chinese, Latin, Greek (ν δ μ Ω) and the
signs ± ∞ ≤ ° ℃ × ‰; it lacks subscript letters, superscript digits, U+2212 minus, the en and em dashes,
U+00B5 micro and the middle dot, which :func:`cjk_text` writes as plain stand-ins.

Pure: imports reportlab, never Django.
"""

from __future__ import annotations

import re

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

CJK_FONT = "STSong-Light"

_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_MISSING = str.maketrans({"ᵢ": "i", "−": "-", "–": "-", "—": "-", "µ": "μ", "·": "*", "ⱼ": "j"})


def cjk_font() -> str:
    """The registered CJK font's name (registered with reportlab on first use, once per process)."""
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def cjk_text(s: str) -> str:
    """``s`` with the characters STSong-Light lacks replaced (``m²`` → ``m^2``, ``µ`` → ``μ``)."""
    s = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), s)
    return s.translate(_MISSING)


class ReportKit:
    """The paragraph styles and the two helpers every report PDF draws with: ``p(text)`` (escaped, in the CJK
    font, stand-ins for missing signs) and ``table(header, rows)`` (a grid with a shaded, repeated header)."""

    def __init__(self, cell_size: float = 8.5, cell_leading: float = 11) -> None:
        from reportlab.lib.enums import TA_CENTER
        from reportlab.lib.styles import ParagraphStyle

        font = cjk_font()
        self.body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
        self.cell = ParagraphStyle("cell", fontName=font, fontSize=cell_size, leading=cell_leading)
        self.head = ParagraphStyle("head", fontName=font, fontSize=12.5, leading=18, spaceBefore=6, spaceAfter=3)
        self.title = ParagraphStyle("title", fontName=font, fontSize=17, leading=24, alignment=TA_CENTER)

    def p(self, text, style=None):
        from xml.sax.saxutils import escape

        from reportlab.platypus import Paragraph

        return Paragraph(escape(cjk_text(str(text))), style or self.body)

    def table(self, header, rows, widths=None):
        from reportlab.lib import colors
        from reportlab.platypus import Table, TableStyle

        data = [[self.p(h, self.cell) for h in header]] + [[self.p(v, self.cell) for v in r] for r in rows]
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return t
