"""Excel exports of the lists: exactly the filtered rows, the filters in words, a sheet people can work
with (widths, frozen header, autofilter, dates, 是/否), and never a live formula from a user's text."""

import datetime as dt
import io
import zipfile

from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.export import csv_safe, workbook_bytes
from jiliang.registry import models as m

PLANTED = '=HYPERLINK("http://evil.example/x","点此查看")'


def export(user, url, params, lang="zh-hans"):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(url, {**params, "export": "xlsx"})
    assert response.status_code == 200, response.content[:300]
    return response.content


def sheets(data: bytes):
    wb = load_workbook(io.BytesIO(data))
    return wb.worksheets[0], wb.worksheets[1]


def about(sheet) -> dict:
    return {r[0].value: r[1].value for r in sheet.iter_rows() if r[0].value}


def test_a_name_planted_as_a_formula_is_exported_as_text(world):
    with audit_context(actor=world.admin, channel="command"):
        for name in (PLANTED, "+1+1", "-2+3", "@SUM(A1)"):
            services.update_record(world.ent_ks, {"name": name}, actor=world.admin)
            data = export(world.users["province"], reverse("organisations-list"), {"q": world.ent_ks.uscc})
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                xml = z.read("xl/worksheets/sheet1.xml").decode()
            assert "<f>" not in xml
            sheet, _ = sheets(data)
            cell = sheet.cell(2, 1)
            assert cell.value == name and cell.data_type == "s" and cell.quotePrefix


def test_formula_texts_are_text_in_every_writer():
    sheet = load_workbook(io.BytesIO(workbook_bytes("t", ["a"], [[PLANTED]], about=[("x", PLANTED)])))
    assert sheet.worksheets[0]["A2"].data_type == "s" and sheet.worksheets[0]["A2"].value == PLANTED
    assert sheet.worksheets[1]["B1"].data_type == "s"
    assert csv_safe(PLANTED) == "'" + PLANTED and csv_safe("-5") == "'-5" and csv_safe(3) == 3
    assert csv_safe("昆山") == "昆山" and csv_safe(None) == ""


def test_the_export_holds_the_filtered_sorted_rows_and_says_which_filters_in_words(world):
    admin = world.admin
    with audit_context(actor=admin, channel="command"):
        for serial in ("KS-0002", "KS-0003"):
            services.create_record(m.Instrument, {
                "owner": world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-30",
                "serial_number": serial, "accuracy_class": "III", "range_unit": "kg", "usage": "trade",
                "region_id": "320583", "status": "in_service"}, actor=admin)
        services.create_record(m.Instrument, {
            "owner": world.ent_ks, "category": world.scale, "manufacturer": "凯丰衡器", "model": "ACS-30",
            "serial_number": "KS-0004", "accuracy_class": "III", "range_unit": "kg", "usage": "trade",
            "region_id": "320583", "status": "suspended", "status_reason": "损坏"}, actor=admin)
    params = {"q": "ACS-30", "status": "in_service", "region": "320583", "sort": "-serial_number"}
    data, sheet_about = sheets(export(world.users["suzhou"], reverse("instruments-list"), params))
    serials = [r[0].value for r in data.iter_rows(min_row=2)]
    assert serials == ["KS-0003", "KS-0002"]
    lines = about(sheet_about)
    assert data.title == "计量器具"
    assert sheet_about.title == "导出说明"
    assert lines["搜索"] == "ACS-30"
    assert lines["状态"] == "在用"
    assert lines["排序"] == "出厂编号（降序）"
    assert "昆山" in lines["行政区划（含下级区划）"]
    assert lines["行数"] == 2
    assert "export=xlsx" not in str(lines) and "filter:" not in str(lines)

    data, sheet_about = sheets(export(world.users["suzhou"], reverse("instruments-list"), params, lang="en"))
    lines = {k.lower(): v for k, v in about(sheet_about).items()}
    assert lines["status"] == "in service" and lines["rows"] == 2 and sheet_about.title == "About this export"


def test_an_unfiltered_export_says_so(world):
    _, sheet_about = sheets(export(world.users["kunshan"], reverse("instruments-list"), {}))
    assert about(sheet_about)["筛选条件"] == "无：您可查看的全部记录"


def test_the_sheet_has_widths_a_frozen_header_an_autofilter_dates_and_yes_no(world):
    sheet, _ = sheets(export(world.users["province"], reverse("reference-materials-list"), {"sort": "gbw_number"}))
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    headers = [c.value for c in sheet[1]]
    expiry = sheet.cell(2, headers.index("有效期至") + 1)
    assert expiry.is_date and expiry.value.date() == dt.date(2027, 6, 30) and expiry.number_format == "yyyy-mm-dd"
    assert sheet.column_dimensions["A"].width >= len("GBW(E)130001")
    assert sheet.cell(1, 1).font.bold

    sheet, _ = sheets(export(world.users["kunshan"], reverse("instruments-list"), {}))
    headers = [c.value for c in sheet[1]]
    assert sheet.cell(2, headers.index("强制检定") + 1).value == "是"
