"""Reading uploaded workbooks: what the user typed (no phonetic guides glued on, dates as dates), and
workbooks that unpack to more than the limits are refused before they are read."""

import datetime as dt
import io
import zipfile

import pytest
from django.utils import translation

from jiliang.core.tabular import TableError, read_table

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

STYLES = f"""<styleSheet {NS}>
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></numFmts>
<fonts count="1"><font/></fonts><fills count="1"><fill/></fills><borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/>
<xf numFmtId="2" applyNumberFormat="1"/></cellXfs></styleSheet>"""


def package(sheet_xml: str, shared: str | None = None, extra: dict | None = None) -> bytes:
    """A minimal .xlsx written by hand, as Excel or WPS would write it (shared strings, styles)."""
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook {NS} xmlns:r="{REL}"><sheets><sheet name="仪器" sheetId="1" r:id="rId1"/>'
        '</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        "xl/styles.xml": STYLES,
        "xl/worksheets/sheet1.xml": f"<worksheet {NS}><sheetData>{sheet_xml}</sheetData></worksheet>",
        "xl/sharedStrings.xml": f"<sst {NS}>{shared or ''}</sst>",
    }
    files.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_a_phonetic_guide_is_not_glued_to_the_text():
    shared = ('<si><t>地址</t></si>'
              '<si><t>东京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="0" type="noConversion"/></si>'
              '<si><r><t>上海</t></r><r><rPr><b/></rPr><t>友声</t></r><rPh sb="0" eb="2"><t>シャンハイ</t></rPh></si>')
    data = package('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
                   '<row r="2"><c r="A2" t="s"><v>1</v></c></row>'
                   '<row r="3"><c r="A3" t="s"><v>2</v></c></row>', shared)
    table = read_table("x.xlsx", data)
    assert table.headers == ["地址"]
    assert table.rows == [(2, ["东京"]), (3, ["上海友声"])]


def test_number_formats_give_dates_as_dates_and_numbers_as_numbers():
    # 45000 is 2023-03-15 as an Excel date serial; style 1 is the built-in date format, 2 a Chinese one.
    data = package('<row r="1"><c r="A1" t="inlineStr"><is><t>安装日期</t></is></c>'
                   '<c r="B1" t="inlineStr"><is><t>状态日期</t></is></c><c r="C1" t="inlineStr"><is><t>上限</t></is></c>'
                   '<c r="D1" t="inlineStr"><is><t>强检</t></is></c></row>'
                   '<row r="2"><c r="A2" s="1"><v>45000</v></c><c r="B2" s="2"><v>45001</v></c>'
                   '<c r="C2" s="3"><v>0.1</v></c><c r="D2" t="b"><v>1</v></c></row>')
    table = read_table("x.xlsx", data)
    assert table.rows == [(2, [dt.date(2023, 3, 15), dt.date(2023, 3, 16), 0.1, True])]


def test_row_numbers_are_the_files_own_after_empty_rows():
    data = package('<row r="1"><c r="A1" t="inlineStr"><is><t>型号</t></is></c></row>'
                   '<row r="4"><c r="A4" t="inlineStr"><is><t>TCS-30</t></is></c></row>')
    assert read_table("x.xlsx", data).rows == [(4, ["TCS-30"])]


def test_a_workbook_that_unpacks_past_the_size_limit_is_refused_before_reading(settings):
    settings.JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES = 2_000_000
    # 3 MB of one repeated cell compresses to a few kilobytes: a small zip bomb.
    cells = '<row r="2"><c r="A2" t="inlineStr"><is><t>' + "x" * 3_000_000 + "</t></is></c></row>"
    data = package('<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c></row>' + cells)
    assert len(data) < 50_000
    with translation.override("en"), pytest.raises(TableError, match="unpacks to 3 MB; the limit is 2 MB"):
        read_table("bomb.xlsx", data)


def test_a_workbook_lying_about_its_sizes_is_refused(settings):
    settings.JILIANG_XLSX_MAX_UNCOMPRESSED_BYTES = 2_000_000
    data = bytearray(package('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "y" * 3_000_000 + "</t></is></c></row>"))
    # Rewrite the sheet's uncompressed size in the central directory to 1 kB: the reading stops there.
    name = b"xl/worksheets/sheet1.xml"
    offset = data.find(b"PK\x01\x02")
    while data[offset + 46:offset + 46 + len(name)] != name:
        offset = data.find(b"PK\x01\x02", offset + 4)
    data[offset + 24:offset + 28] = (1000).to_bytes(4, "little")
    with translation.override("en"), pytest.raises(TableError, match="cannot be read: Bad CRC-32"):
        read_table("liar.xlsx", bytes(data))


def test_too_many_rows_are_refused(settings):
    settings.JILIANG_XLSX_MAX_ROWS = 100
    rows = "".join(f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(1, 103))
    with translation.override("en"), pytest.raises(TableError, match="reaches row 102; the limit is 100 rows"):
        read_table("rows.xlsx", package(rows))
    settings.JILIANG_XLSX_MAX_ROWS = 101
    assert len(read_table("rows.xlsx", package(rows)).rows) == 101


def test_a_far_away_cell_that_would_make_a_huge_grid_is_refused():
    # Two cells, A1 and XFD1000: a reader builds a grid of 16,384 × 1,000 cells from a 1 kB file.
    data = package('<row r="1"><c r="A1"><v>1</v></c></row><row r="1000"><c r="XFD1000"><v>2</v></c></row>')
    with translation.override("en"), pytest.raises(TableError, match="spans 1000 rows × 16384 columns"):
        read_table("wide.xlsx", data)


def test_cells_without_references_count_as_one_wide_row(settings):
    settings.JILIANG_XLSX_MAX_CELLS = 10_000
    wide = "<row>" + "<c><v>1</v></c>" * 5_000 + "</row>"
    data = package(wide + '<row r="3"><c r="A3"><v>2</v></c></row>')
    with translation.override("en"), pytest.raises(TableError, match="spans 3 rows × 5026 columns"):
        read_table("norefs.xlsx", data)


def test_too_many_shared_strings_are_refused(settings):
    settings.JILIANG_XLSX_MAX_SHARED_STRINGS = 1000
    shared = "".join(f"<si><t>{i}</t></si>" for i in range(1001))
    data = package('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', shared)
    with translation.override("en"), pytest.raises(TableError, match="more than 1000 different texts"):
        read_table("strings.xlsx", data)
