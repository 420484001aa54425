"""Excel/CSV import of instruments, organisations and the catalogue: errors by row, column and reason;
valid rows or nothing; idempotent by natural key."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from tests.conftest import uscc_for, web_client_for

from jiliang.core.models import AuditEntry, ImportBatch
from jiliang.core.tabular import TableError, read_table
from jiliang.registry import models as m
from jiliang.registry.importing import IMPORTERS, InstrumentImporter, template_workbook

HEADERS = [c.header() for c in InstrumentImporter.columns]


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(world, serial, region="320583", owner=None, **over):
    values = {"owner_uscc": (owner or world.ent_ks).uscc, "category_code": "nawi-price-scale",
              "manufacturer": "上海友声衡器", "model": "TCS-30", "serial_number": serial, "accuracy_class": "III",
              "range_min": 0, "range_max": 30, "range_unit": "kg", "usage": "trade settlement", "region_code": region,
              "installation_date": "2024-05-01"}
    values.update(over)
    return [values.get(c.key) for c in InstrumentImporter.columns]


def plan(world, role, data, name="instruments.xlsx"):
    with translation.override("en"):
        return InstrumentImporter(world.users[role]).plan(read_table(name, data))


def test_template_has_every_column_and_round_trips(world):
    wb = load_workbook(io.BytesIO(template_workbook("instruments")))
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    report = plan(world, "kunshan", template_workbook("instruments"))
    assert report.total == 0 and not report.errors


def test_errors_are_listed_by_row_column_and_reason_and_valid_rows_can_be_imported(world):
    bad_uscc = world.ent_ks.uscc[:-1] + ("0" if world.ent_ks.uscc[-1] != "0" else "1")
    data = xlsx(HEADERS, [
        row(world, "IMP-1"),
        row(world, "IMP-2", owner_uscc=bad_uscc),
        row(world, "IMP-3", region_code="329999"),
        row(world, "IMP-4", installation_date="2024-13-45"),
        row(world, "IMP-1"),  # duplicate of row 2
        row(world, "IMP-6", range_min=50),  # range upside down
        row(world, "IMP-7", usage="卖菜"),
        row(world, "IMP-8"),
    ])
    report = plan(world, "kunshan", data)
    with translation.override("en"):  # the report names columns by their headers in the user's language
        keys = {c.header(): c.key for c in InstrumentImporter.columns}
    errors = {(e.row, keys.get(e.column, e.column)): e.reason for e in report.errors}
    assert "check character" in errors[(3, "owner_uscc")]
    assert "unknown region code 329999" in errors[(4, "region_code")]
    assert "not a date" in errors[(5, "installation_date")]
    assert any(r == 6 and "duplicates row 2" in reason for (r, _), reason in errors.items())
    assert (7, "range_max") in errors
    assert "not one of" in errors[(8, "usage")]
    assert report.count("create") == 2 and report.error_rows == 6
    with pytest.raises(ValidationError):
        InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=False)
    assert not m.Instrument.objects.filter(serial_number__startswith="IMP-").exists()  # nothing half-written
    result = InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=True)
    assert result == {"created": 2, "updated": 0, "unchanged": 0, "skipped_error_rows": 6}
    assert set(m.Instrument.objects.filter(serial_number__startswith="IMP-").values_list("serial_number", flat=True)) \
        == {"IMP-1", "IMP-8"}
    created = AuditEntry.objects.filter(object_type="registry.instrument", action="create", message__startswith="import")
    assert created.count() == 2 and created.first().actor == world.users["kunshan"]
    from jiliang.core.audit import verify_chain

    assert verify_chain()[1] is None  # bulk-appended entries continue the hash chain


def test_reimporting_the_same_file_changes_nothing(world):
    data = xlsx(HEADERS, [row(world, f"IDEM-{i}") for i in range(5)])
    first = InstrumentImporter(world.users["kunshan"])
    assert first.apply(first.plan(read_table("a.xlsx", data)), valid_only=False)["created"] == 5
    audit_count = AuditEntry.objects.count()
    again = plan(world, "kunshan", data)
    assert again.count("unchanged") == 5 and again.count("create") == 0 and again.count("update") == 0
    assert InstrumentImporter(world.users["kunshan"]).apply(again, valid_only=False)["created"] == 0
    assert AuditEntry.objects.count() == audit_count
    changed = xlsx(HEADERS, [row(world, "IDEM-0", accuracy_class="IIII")])
    report = plan(world, "kunshan", changed)
    assert report.count("update") == 1
    InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=False)
    entry = AuditEntry.objects.filter(action="update", object_type="registry.instrument").last()
    assert entry.before == {"accuracy_class": "III"} and entry.after == {"accuracy_class": "IIII"}


def test_rows_outside_the_users_scope_are_refused(world):
    data = xlsx(HEADERS, [row(world, "OUT-1", region="320102", owner=world.ent_xw), row(world, "IN-1")])
    report = plan(world, "kunshan", data)
    reasons = [e.reason for e in report.errors if e.row == 2]
    assert any("no organisation with code" in r for r in reasons)  # Xuanwu's owner does not exist for Kunshan
    # An enterprise's instruments may stand anywhere, but only the enterprise itself can own them.
    enterprise = plan(world, "enterprise", xlsx(HEADERS, [row(world, "E-1", region="320102"),
                                                          row(world, "E-2", region="320102", owner=world.ent_xw)]))
    assert enterprise.count("create") == 1
    assert [e.row for e in enterprise.errors] == [3] and "no organisation with code" in enterprise.errors[0].reason


def test_existing_record_of_another_county_is_not_overwritten(world):
    data = xlsx(HEADERS, [row(world, "XW-0001", manufacturer="凯丰衡器", model="ACS-15")])
    report = plan(world, "province", data)  # the province may, and sees an update
    assert report.count("update") == 1
    report = plan(world, "kunshan", data)
    with translation.override("en"):  # one answer wherever the registered instrument is (issue 11, item 16)
        assert report.errors and report.errors[0].reason == str(m.Instrument.identity_taken_message)


def test_missing_and_renamed_columns_name_them(world):
    headers = [h for h in HEADERS if h != "出厂编号"] + ["出厂编码"]
    with translation.override("en"), pytest.raises(TableError) as exc:
        InstrumentImporter(world.users["kunshan"]).plan(read_table("x.xlsx", xlsx(headers, [])))
    assert "serial number" in str(exc.value) and "出厂编码" in str(exc.value)  # named in the user's language


def test_plain_keys_or_chinese_labels_are_accepted_as_headers(world):
    keys = [c.key for c in InstrumentImporter.columns]
    assert plan(world, "kunshan", xlsx(keys, [row(world, "K-1")])).count("create") == 1
    earlier = [c.alias for c in InstrumentImporter.columns]  # the headers of the templates before this one
    assert plan(world, "kunshan", xlsx(earlier, [row(world, "K-2")])).count("create") == 1
    earlier = [f"{c.alias} ({c.key})" for c in InstrumentImporter.columns]
    assert plan(world, "kunshan", xlsx(earlier, [row(world, "K-3")])).count("create") == 1
    with translation.override("en"):
        english = [c.header() for c in InstrumentImporter.columns]
    assert plan(world, "kunshan", xlsx(english, [row(world, "K-4")])).count("create") == 1


def test_large_upload_is_refused_with_the_limit(world, settings):
    settings.JILIANG_MAX_UPLOAD_BYTES = 1024 * 1024
    with translation.override("en"), pytest.raises(TableError, match="the limit is 1.0 MB"):
        read_table("big.xlsx", b"PK\x03\x04" + b"\0" * (2 * 1024 * 1024))


def test_a_50_mb_upload_through_the_page_is_refused_and_nothing_is_written(world):
    client = web_client_for(world.users["kunshan"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + b"\0" * (50 * 1024 * 1024))
    response = client.post(reverse("instruments-import"), {"file": big}, HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert response.status_code == 200
    assert "limit" in response.content.decode() or "限" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_a_non_excel_file_named_xlsx_is_refused():
    with translation.override("en"), pytest.raises(TableError, match="not an Excel workbook"):
        read_table("fake.xlsx", b"serial,model\n1,2\n")


def test_a_gbk_csv_is_read_and_the_user_is_told(world):
    keys = [c.key for c in InstrumentImporter.columns]
    text = ",".join(keys) + "\n" + ",".join("" if v is None else str(v) for v in row(world, "GBK-1")) + "\n"
    with translation.override("en"):
        report = InstrumentImporter(world.users["kunshan"]).plan(read_table("x.csv", text.encode("gbk")))
    assert report.count("create") == 1 and "GBK" in report.notices[0]
    planned = report.planned[0].obj
    assert planned.manufacturer == "上海友声衡器"


def test_an_undecodable_csv_names_the_byte():
    with translation.override("en"), pytest.raises(TableError, match="position"):
        read_table("x.csv", b"a,b\n\xff\xfe\xff\x80\x80\n")


def test_the_upload_page_flow_valid_rows_or_nothing(world):
    client = web_client_for(world.users["kunshan"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = xlsx(HEADERS, [row(world, "WEB-1"), row(world, "WEB-2", region_code="329999")])
    response = client.post(reverse("instruments-import"), {"file": SimpleUploadedFile("i.xlsx", data)})
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.report["create"] == 1 and batch.report["error_rows"] == 1
    page = client.get(response["Location"]).content.decode()
    assert "329999" in page
    response = client.post(reverse("instruments-import"), {"batch": batch.pk, "choice": "cancel"})
    assert not m.Instrument.objects.filter(serial_number__startswith="WEB-").exists()
    response = client.post(reverse("instruments-import"), {"file": SimpleUploadedFile("i.xlsx", data)})
    batch = ImportBatch.objects.latest("id")
    client.post(reverse("instruments-import"), {"batch": batch.pk, "choice": "valid"})
    assert list(m.Instrument.objects.filter(serial_number__startswith="WEB-").values_list("serial_number", flat=True)) \
        == ["WEB-1"]
    batch.refresh_from_db()
    assert batch.status == "applied" and batch.result["created"] == 1


def test_another_users_batch_cannot_be_applied(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = xlsx(HEADERS, [row(world, "STEAL-1")])
    web_client_for(world.users["kunshan"]).post(reverse("instruments-import"), {"file": SimpleUploadedFile("i.xlsx", data)})
    batch = ImportBatch.objects.get()
    response = web_client_for(world.users["suzhou"]).post(reverse("instruments-import"),
                                                          {"batch": batch.pk, "choice": "all"})
    assert response.status_code == 404
    assert not m.Instrument.objects.filter(serial_number="STEAL-1").exists()


def test_organisation_import(world):
    from jiliang.registry.importing import OrganisationImporter

    headers = [c.header() for c in OrganisationImporter.columns]
    good = ["昆山新设计量有限公司", uscc_for("91", "320583", 501), "enterprise", "320583", "", "", "", "",
            "key-energy-consumer", "", "", None]
    bad = ["坏的", uscc_for("91", "320583", 502), "enterprise", "320583", "", "", "", "", "no-such", "", "", None]
    imp = OrganisationImporter(world.users["kunshan"])
    with translation.override("en"):
        report = imp.plan(read_table("o.xlsx", xlsx(headers, [good, bad])))
    assert report.count("create") == 1
    assert report.errors[0].row == 3 and "unknown designation" in report.errors[0].reason
    imp.apply(report, valid_only=True)
    org = m.Organisation.objects.get(name="昆山新设计量有限公司")
    assert list(org.designations.values_list("code", flat=True)) == ["key-energy-consumer"]
    assert OrganisationImporter(world.users["kunshan"]).plan(
        read_table("o.xlsx", xlsx(headers, [good]))).count("unchanged") == 1


def test_catalogue_import_is_for_the_province(world):
    from jiliang.registry.importing import InstrumentCategoryImporter

    headers = [c.key for c in InstrumentCategoryImporter.columns]
    new = ["heat-meter", "热能表", "", "Heat meter", "thermal", "JJG 225", "P+V", "", "", "", "是", "否", "否", "否",
           "用于贸易结算", "test", "L"]
    with translation.override("en"):
        report = InstrumentCategoryImporter(world.users["suzhou"]).plan(read_table("c.xlsx", xlsx(headers, [new])))
    assert report.errors and "may not add" in report.errors[0].reason
    report = InstrumentCategoryImporter(world.users["province"]).plan(read_table("c.xlsx", xlsx(headers, [new])))
    assert not report.errors, report.errors
    InstrumentCategoryImporter(world.users["province"]).apply(report, valid_only=False)
    cat = m.InstrumentCategory.objects.get(code="heat-meter")
    assert cat.domain == "thermal" and cat.mandatory_trade and cat.supervision_mode == "P+V"


@pytest.mark.parametrize("kind", sorted(IMPORTERS))
def test_every_template_downloads(world, kind):
    response = web_client_for(world.users["province"]).get(reverse("import-template", args=[kind]))
    assert response.status_code == 200 and response.content.startswith(b"PK")


def test_excel_date_cells_numbers_and_booleans_are_read_exactly(world):
    import datetime as dt

    data = xlsx(HEADERS, [row(world, "DATE-1", installation_date=dt.datetime(2023, 2, 28), range_max=0.1)])
    report = plan(world, "kunshan", data)
    obj = report.planned[0].obj
    assert obj.installation_date == dt.date(2023, 2, 28)
    assert str(obj.range_max) == "0.1"  # no float artefacts such as 0.1000000000000000055


def test_a_damaged_workbook_is_refused():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("xl/workbook.xml", "<not-xml")
    with translation.override("en"), pytest.raises(TableError, match="cannot be read"):
        read_table("broken.xlsx", buf.getvalue())
