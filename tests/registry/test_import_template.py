"""The import template people can fill in (headers in their language, an example row, drop-down lists,
the catalogue), and the import report listing every error of a row, downloadable as the uploaded file
with an error column (issue 10, item 19)."""

import io

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook
from tests.conftest import web_client_for

from jiliang.core.models import ImportBatch
from jiliang.core.tabular import read_table
from jiliang.registry import models as m
from jiliang.registry.importing import InstrumentImporter, template_workbook


def download_template(user, lang="zh-hans"):
    client = web_client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(reverse("import-template", args=["instruments"]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def validation_lists(wb) -> dict[str, list[str]]:
    """Header of each column with a drop-down → the names the drop-down offers."""
    ws = wb.worksheets[0]
    headers = {c.column_letter: c.value for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        sheet_name, cells = dv.formula1.split("!")
        source = wb[sheet_name.strip("'")]
        first, last = cells.replace("$", "").split(":")
        values = [c.value for row in source[first:last] for c in row]
        for ref in str(dv.sqref).split():
            out[headers[ref[0]]] = values
    return out


def test_the_template_speaks_the_users_language_offers_lists_and_the_catalogue(world):
    wb = download_template(world.users["kunshan"])
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["使用单位统一社会信用代码", "器具类别（名称或代码）", "制造单位"]
    assert ws.freeze_panes == "A2"
    example = dict(zip(headers, [c.value for c in ws[2]], strict=True))
    assert example["用途"] == "贸易结算" and example["状态"] == "在用" and example["出厂编号"]
    lists = validation_lists(wb)
    assert set(lists) == {"器具类别（名称或代码）", "用途", "所在行政区划（名称或代码）", "状态", "编码体系"}
    assert "贸易结算" in lists["用途"] and "在用" in lists["状态"]
    assert str(world.scale) in lists["器具类别（名称或代码）"]
    # A county bureau is offered its own county (and what lies below it), not Nanjing's districts.
    assert "苏州市 昆山市" in lists["所在行政区划（名称或代码）"]
    assert not any("玄武" in r for r in lists["所在行政区划（名称或代码）"])
    catalogue = wb["目录"]
    rows = {r[0].value: r[1].value for r in catalogue.iter_rows(min_row=2)}
    assert rows["nawi-price-scale"] == str(world.scale)
    assert [c.value for c in catalogue[1]][:2] == ["代码", "名称"]

    english = download_template(world.users["kunshan"], "en").worksheets[0]
    assert [c.value for c in english[1]][:3] == ["owner's unified social credit code", "category (name or code)",
                                                 "manufacturer"]


def test_a_filled_in_template_is_read_by_names_and_its_example_row_skipped(world):
    with translation.override("zh-hans"):
        wb = load_workbook(io.BytesIO(template_workbook("instruments", world.users["kunshan"])))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    filled = {"使用单位统一社会信用代码": world.ent_ks.uscc, "器具类别（名称或代码）": str(world.scale),
              "制造单位": "凯丰衡器", "型号规格": "ACS-30", "出厂编号": "TPL-1", "用途": "贸易结算",
              "所在行政区划（名称或代码）": "苏州市 昆山市", "状态": "在用", "安装日期": "2024-06-01"}
    ws.append([filled.get(h) for h in headers])
    by_code = dict(filled, **{"器具类别（名称或代码）": "nawi-price-scale", "所在行政区划（名称或代码）": "320583",
                              "用途": "trade", "状态": "in_service", "出厂编号": "TPL-2"})
    ws.append([by_code.get(h) for h in headers])
    buf = io.BytesIO()
    wb.save(buf)
    with translation.override("zh-hans"):
        report = InstrumentImporter(world.users["kunshan"]).plan(read_table("t.xlsx", buf.getvalue()))
    assert not report.errors, report.errors
    assert report.total == 2 and report.count("create") == 2
    assert report.notices == ["第 2 行是模板的示例，已跳过。"]
    instruments = [p.obj for p in report.planned]
    assert {i.category for i in instruments} == {world.scale}
    assert {i.region_id for i in instruments} == {"320583"} and {i.status for i in instruments} == {"in_service"}


def bad_rows_file(world) -> bytes:
    with translation.override("zh-hans"):
        headers = [c.header() for c in InstrumentImporter.columns]
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    good = {"owner_uscc": world.ent_ks.uscc, "category_code": "nawi-price-scale", "manufacturer": "凯丰衡器",
            "model": "ACS-30", "serial_number": "ERR-1", "usage": "trade", "region_code": "320583"}
    ws.append([good.get(c.key) for c in InstrumentImporter.columns])
    bad = dict(good, serial_number="ERR-2", category_code="没有这种器具", installation_date="2024-13-45",
               region_code="火星", usage="卖菜")
    ws.append([bad.get(c.key) for c in InstrumentImporter.columns])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_the_report_lists_every_error_of_a_row_in_the_users_language(world):
    with translation.override("zh-hans"):
        report = InstrumentImporter(world.users["kunshan"]).plan(read_table("e.xlsx", bad_rows_file(world)))
    row3 = {e.column: e.reason for e in report.errors if e.row == 3}
    assert set(row3) == {"器具类别（名称或代码）", "安装日期", "所在行政区划（名称或代码）", "用途"}
    assert "没有这种器具" in row3["器具类别（名称或代码）"] and "火星" in row3["所在行政区划（名称或代码）"]
    assert "贸易结算" in row3["用途"]  # the allowed values by name, in the user's language
    assert report.count("create") == 1


def test_the_report_downloads_as_the_uploaded_file_with_an_error_column(world):
    client = web_client_for(world.users["kunshan"])
    response = client.post(reverse("instruments-import"), {"file": SimpleUploadedFile("我的器具.xlsx", bad_rows_file(world))})
    batch = ImportBatch.objects.get()
    page = client.get(response["Location"])
    assert 'id="download-errors"' in page.content.decode()
    response = client.get(reverse("instruments-import"), {"batch": batch.pk, "download": "errors"})
    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    headers = [c.value for c in ws[1]]
    assert headers[-1] == "导入发现的错误" and headers[:-1] == [c.value for c in load_workbook(
        io.BytesIO(bad_rows_file(world))).worksheets[0][1]]
    assert ws.cell(2, len(headers)).value is None
    errors = ws.cell(3, len(headers)).value
    assert errors.count(";") == 3 and "安装日期" in errors and "火星" in errors
    assert ws.cell(3, 5).value == "ERR-2"  # the user's own cells are kept

    # Corrected and uploaded again, the error column is ignored.
    ws.cell(3, 2).value, ws.cell(3, 12).value, ws.cell(3, 14).value, ws.cell(3, 11).value = \
        "nawi-price-scale", "320583", None, "trade"
    buf = io.BytesIO()
    ws.parent.save(buf)
    with translation.override("zh-hans"):
        report = InstrumentImporter(world.users["kunshan"]).plan(read_table("again.xlsx", buf.getvalue()))
    assert not report.errors and report.count("create") == 2
    assert not m.Instrument.objects.filter(serial_number__startswith="ERR-").exists()

    other = web_client_for(world.users["xuanwu"])
    assert other.get(reverse("instruments-import"), {"batch": batch.pk, "download": "errors"}).status_code in (403, 404)


def test_a_csv_report_downloads_as_csv_with_an_error_column_and_no_formulas(world):
    with translation.override("zh-hans"):
        headers = [c.header() for c in InstrumentImporter.columns]
    good = {"owner_uscc": world.ent_ks.uscc, "category_code": "nawi-price-scale", "manufacturer": "凯丰衡器",
            "model": "ACS-30", "serial_number": "CSV-1", "usage": "trade", "region_code": "320583"}
    bad = dict(good, serial_number="=CSV-2", region_code="火星")
    lines = [",".join(headers)] + [",".join(str(r.get(c.key) or "") for c in InstrumentImporter.columns)
                                   for r in (good, bad)]
    client = web_client_for(world.users["kunshan"])
    client.post(reverse("instruments-import"), {"file": SimpleUploadedFile("i.csv", "\n".join(lines).encode())})
    batch = ImportBatch.objects.get()
    response = client.get(reverse("instruments-import"), {"batch": batch.pk, "download": "errors"})
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig").splitlines()
    assert text[0].endswith(",导入发现的错误")
    assert text[1].endswith(",")  # no error on the good row
    assert "火星" in text[2].rsplit(",", 1)[1] and "'=CSV-2" in text[2]
