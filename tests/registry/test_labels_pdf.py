"""Label sheets without the database: the layouts' geometry, and the PDF a user prints (text, QR, Code 128)."""

from __future__ import annotations

import io
import math

import pytest
import segno
from label_helpers import decoded, pdf_pages
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from jiliang.core.pdf_fonts import cjk_font
from jiliang.registry import label_pdf
from jiliang.registry.codes import group
from jiliang.registry.label_layouts import LAYOUTS, UnknownLayout, layout
from jiliang.registry.label_pdf import CODE_FONT, LabelData, fit_code, fit_line, qr_matrix, render_labels

BASE = "https://jiliang.example.gov.cn"


def labels(n: int, *, name="电子计价秤 ACS-15", owner="昆山精密机械有限公司") -> list[LabelData]:
    # Real local codes differ in every character; these only need to differ from each other.
    return [LabelData(code=f"JL{i:010d}X", url=f"{BASE}/i/JL{i:010d}X", name=name, owner=f"{owner}{i}",
                      serial=f"KS-{i:04d}") for i in range(n)]


def render(sheet, items, **kw) -> bytes:
    out = io.BytesIO()
    render_labels(out, sheet, items, **kw)
    return out.getvalue()


# -- geometry ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "per_sheet", "size"), [
    ("L7160", 21, (63.5, 38.1)), ("L7163", 14, (99.06, 38.1)), ("L7173", 10, (99.06, 57.0)),
    ("L7651", 65, (38.1, 21.17)),
])
def test_layouts_as_sold(key, per_sheet, size):
    sheet = LAYOUTS[key]
    assert sheet.per_sheet == per_sheet
    assert (sheet.width, sheet.height) == size
    # A4, labels inside the sheet, never overlapping, and the same margin on both sides (the sheets are centred)
    assert (sheet.page_width, sheet.page_height) == (210, 297)
    assert sheet.pitch_x >= sheet.width and sheet.pitch_y >= sheet.height
    assert sheet.left > 0 and sheet.top > 0
    assert sheet.right == pytest.approx(sheet.left, abs=0.05)
    assert sheet.bottom == pytest.approx(sheet.top, abs=0.05)
    assert sheet.sheets(per_sheet) == 1 and sheet.sheets(per_sheet + 1) == 2 and sheet.sheets(0) == 0
    last = sheet.position(per_sheet - 1)
    assert last == pytest.approx((sheet.left + (sheet.columns - 1) * sheet.pitch_x,
                                  sheet.top + (sheet.rows - 1) * sheet.pitch_y))
    assert sheet.position(per_sheet) == sheet.position(0)  # the next sheet starts at the top left again


def test_unknown_layout():
    with pytest.raises(UnknownLayout):
        layout("L9999")


# -- fitting text -------------------------------------------------------------------------------------------


def test_long_line_shrinks_then_is_cut_with_an_ellipsis():
    font = cjk_font()
    width = 30 * mm
    text, size = fit_line("昆山市" * 4, font, width, 8, 5)
    assert text == "昆山市" * 4 and size < 8  # shrunk, whole
    long = "江苏省苏州市昆山市玉山镇人民路农贸市场第一百二十三号摊位经营者" * 2
    text, size = fit_line(long, font, width, 8, 5)
    assert size == 5 and text.endswith("…") and long.startswith(text[:-1])
    assert pdfmetrics.stringWidth(text, font, size) <= width


@pytest.mark.parametrize("code", ["JL2K8H3MQX4T7", "1234567890123456789012", "A" * 40])
@pytest.mark.parametrize("key", list(LAYOUTS))
def test_code_wraps_but_is_never_cut(code, key):
    painter = label_pdf.LabelPainter(LAYOUTS[key])
    lines, size = fit_code(code, painter.text_width, 10, 4.5)
    assert "".join(lines) == group(code)
    assert all(pdfmetrics.stringWidth(line, CODE_FONT, size) <= painter.text_width for line in lines)


# -- the PDF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(LAYOUTS))
def test_sheets_text_and_qr_codes(key):
    sheet = LAYOUTS[key]
    n = sheet.per_sheet + 3  # a full sheet and three labels on the next
    items = labels(n)
    data = render(sheet, items, title="标签")
    pages = pdf_pages(data)
    assert len(pages) == math.ceil(n / sheet.per_sheet) == 2
    flat = "".join("".join(pages).split())
    for item in items:
        assert group(item.code).replace(" ", "") in flat  # the code as printed, in its groups
        assert item.owner in flat  # the owner in Chinese, readable
        assert "电子计价秤ACS-15" in flat
    assert flat.count("电子计价秤") == n
    # What a phone reads: every label on the first sheet gives its instrument's public page, nothing else.
    found = decoded(data, 0)
    qr = sorted(text for kind, text in found if kind == "QRCode")
    assert qr == sorted(item.url for item in items[:sheet.per_sheet])
    bars = sorted(text for kind, text in found if kind == "Code128")
    assert bars == (sorted(item.code for item in items[:sheet.per_sheet]) if sheet.barcode else [])


def test_qr_is_segnos_code_of_the_public_url():
    url = f"{BASE}/i/JL2K8H3MQX4T7"
    expected = segno.make_qr(url, error="m")
    assert qr_matrix(url) == tuple(tuple(bool(v) for v in row) for row in expected.matrix)
    assert expected.error in ("M", "Q", "H")  # at least level M


def test_long_names_stay_on_the_label():
    sheet = LAYOUTS["L7651"]
    name = "非自动衡器（电子计价秤）" + "超长型号" * 20
    owner = "江苏省苏州市昆山市玉山镇人民路农贸市场经营管理有限公司" * 2
    data = render(sheet, labels(3, name=name, owner=owner))
    text = "".join(pdf_pages(data)[0].split())
    assert text.count("…") >= 6  # name and owner of each label cut with an ellipsis
    assert name not in text and owner not in text
    # and the codes still read
    qr = [t for kind, t in decoded(data, 0) if kind == "QRCode"]
    assert len(qr) == 3


def test_progress_every_so_many_labels_and_at_the_end():
    seen = []
    render(LAYOUTS["L7651"], labels(130), progress=seen.append, progress_every=50)
    assert seen == [50, 100, 130]


def test_no_labels_no_pages():
    assert pdf_pages(render(LAYOUTS["L7160"], [])) == []
