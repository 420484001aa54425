"""One module registers the CJK font for every PDF (certificates, uncertainty budgets)."""

import subprocess
import sys

from reportlab.pdfbase import pdfmetrics

from jiliang.core.pdf_fonts import CJK_FONT, cjk_font, cjk_text


def test_registered_once_by_name():
    assert cjk_font() == CJK_FONT == "STSong-Light"
    assert cjk_font() == CJK_FONT
    assert pdfmetrics.getRegisteredFontNames().count(CJK_FONT) == 1
    assert pdfmetrics.stringWidth("计量", CJK_FONT, 10) == 20  # full-width glyphs of the Adobe-GB1 font


def test_text_stand_ins_for_missing_glyphs():
    assert cjk_text("m² · µm − 1–2 xᵢ") == "m^2 * μm - 1-2 xi"
    assert cjk_text("±0.5 ℃, ν = 9") == "±0.5 ℃, ν = 9"


def test_pure():
    code = ("import sys, jiliang.core.pdf_fonts;"
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
