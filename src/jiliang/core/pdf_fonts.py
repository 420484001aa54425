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
