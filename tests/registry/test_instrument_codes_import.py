"""Instrument codes in the Excel/CSV import (issue #14, item 1): optional columns instrument_code and code_scheme,
each fault named by row, column and reason, nothing half-written, and an instrument's code stable for its life."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from tests.registry.test_import import HEADERS, plan, row, xlsx

from jiliang.core.identities import CLASH_MESSAGE
from jiliang.core.models import AuditEntry
from jiliang.core.tabular import read_table
from jiliang.registry import codes
from jiliang.registry import models as m
from jiliang.registry.importing import InstrumentImporter

KEYS = codes.round_keys("import tests")


def sgcc(serial: str) -> str:
    body = f"33000{'01'}{serial:0>14}"
    return body + codes.gs1_check_digit(body)


def with_code(world, owner, region, serial, code, scheme="SGCC"):
    """An instrument registered with a utility's code (through the service, as the API or a page would)."""
    from jiliang.core import services

    return services.create_record(m.Instrument, {
        "owner": owner, "category": world.scale, "manufacturer": "威胜", "model": "DDZY", "serial_number": serial,
        "usage": "trade", "region_id": region, "instrument_code": code, "code_scheme": scheme}, actor=world.admin)


def by_column(report) -> dict:
    with translation.override("en"):
        keys = {c.header(): c.key for c in InstrumentImporter.columns}
    return {(e.row, keys.get(e.column, e.column)): e.reason for e in report.errors}


def apply(world, role, data, valid_only=False):
    importer = InstrumentImporter(world.users[role])
    return importer.apply(importer.plan(read_table("codes.xlsx", data)), valid_only=valid_only)


def test_codes_given_are_stored_with_their_scheme_and_the_others_get_jiliangs_own(world):
    data = xlsx(HEADERS, [
        row(world, "C-1", instrument_code=sgcc("1")),  # no scheme, 22 digits: State Grid
        row(world, "C-2", instrument_code="yh-2024 0001", code_scheme="GB/T 36377"),
        row(world, "C-3", instrument_code=sgcc("3"), code_scheme="State Grid asset code"),  # the scheme's label
        row(world, "C-4"),
    ])
    assert apply(world, "kunshan", data)["created"] == 4
    got = {i.serial_number: (i.instrument_code, i.code_scheme)
           for i in m.Instrument.objects.filter(serial_number__startswith="C-")}
    assert got["C-1"] == (sgcc("1"), "SGCC") and got["C-3"] == (sgcc("3"), "SGCC")
    assert got["C-2"] == ("YH-20240001", "GB/T 36377")  # compact, upper case
    assert got["C-4"][1] == "local" and codes.validate(got["C-4"][0], codes.LOCAL)


def test_each_bad_code_is_named_by_row_column_and_reason_and_nothing_is_half_written(world):
    local = codes.local_code(123, KEYS)
    wrong_local = local[:-1] + codes.ALPHABET[(codes.ALPHABET.index(local[-1]) + 1) % 31]
    wrong_sgcc = sgcc("5")[:-1] + str((int(sgcc("5")[-1]) + 1) % 10)
    taken_code = with_code(world, world.ent_ks, "320583", "W-1", sgcc("7")).instrument_code
    data = xlsx(HEADERS, [
        row(world, "B-1", instrument_code=wrong_sgcc),  # row 2
        row(world, "B-2", instrument_code=wrong_local, code_scheme="local"),  # row 3
        row(world, "B-3", instrument_code=local),  # row 4: a jiliang-shaped code given as a maker's
        row(world, "B-4", instrument_code=local, code_scheme="local"),  # row 5: jiliang issues these itself
        row(world, "B-5", instrument_code="MAKER-77"),  # row 6
        row(world, "B-6", instrument_code="maker-77"),  # row 7: the same code again
        row(world, "B-7", instrument_code=taken_code),  # row 8: taken in scope
        row(world, "B-8", instrument_code="ABC", code_scheme="SGCC"),  # row 9
        row(world, "B-9", code_scheme="SGCC"),  # row 10: a scheme without a code
        row(world, "B-10", instrument_code="代码"),  # row 11
    ])
    with translation.override("en"):
        report = plan(world, "kunshan", data)
        taken = str(m.Instrument.identity_taken_message)
    errors = by_column(report)
    assert "check digit" in errors[(2, "instrument_code")] and "misread" in errors[(2, "instrument_code")]
    assert "check character is wrong" in errors[(3, "instrument_code")]
    assert "shape of a jiliang code" in errors[(4, "instrument_code")]
    assert "issues its own codes" in errors[(5, "code_scheme")]
    assert (6, "instrument_code") not in errors
    assert "also given in row 6" in errors[(7, "instrument_code")]
    assert "cannot be registered again" in errors[(8, "instrument_code")] and errors[(8, "instrument_code")] != taken
    assert "22 digits" in errors[(9, "instrument_code")]
    assert "scheme without a code" in errors[(10, "code_scheme")]
    assert "at most 40 letters, digits and dashes" in errors[(11, "instrument_code")]
    assert report.count("create") == 1 and report.error_rows == 9
    with pytest.raises(ValidationError):
        InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=False)
    assert not m.Instrument.objects.filter(serial_number__startswith="B-").exists()
    InstrumentImporter(world.users["kunshan"]).apply(report, valid_only=True)
    assert list(m.Instrument.objects.filter(serial_number__startswith="B-").values_list("instrument_code", flat=True)) \
        == ["MAKER-77"]


def test_a_code_held_outside_the_scope_gets_the_same_answer_and_its_bureau_is_told(world):
    inside = with_code(world, world.ent_ks, "320583", "W-1", sgcc("11")).instrument_code
    held = with_code(world, world.ent_xw, "320102", "W-2", sgcc("12"))  # Xuanwu's: Kunshan cannot see it
    outside = held.instrument_code
    with translation.override("en"):
        report = plan(world, "kunshan", xlsx(HEADERS, [row(world, "T-1", instrument_code=inside),
                                                       row(world, "T-2", instrument_code=outside)]))
    errors = by_column(report)
    assert errors[(2, "instrument_code")] == errors[(3, "instrument_code")]  # nothing says where it is
    notes = AuditEntry.objects.filter(message=CLASH_MESSAGE)
    assert [(n.object_id, n.region_code) for n in notes] == [(str(held.pk), "320102")]


def test_an_update_row_may_repeat_the_code_but_never_change_it(world):
    ks = world.instrument_ks
    same = dict(manufacturer=ks.manufacturer, model=ks.model, serial_number=ks.serial_number, owner=world.ent_ks)
    unchanged = plan(world, "kunshan", xlsx(HEADERS, [row(world, ks.serial_number, **same, usage="trade",
                                                          accuracy_class="III", range_min=0, range_max=15,
                                                          instrument_code=ks.instrument_code.lower(),
                                                          installation_date=None)]))
    assert not unchanged.errors
    new_code = sgcc("9")
    with translation.override("en"):
        changed = plan(world, "kunshan", xlsx(HEADERS, [row(world, ks.serial_number, **same,
                                                            instrument_code=new_code)]))
        rescheme = plan(world, "kunshan", xlsx(HEADERS, [row(world, ks.serial_number, **same,
                                                             instrument_code=ks.instrument_code,
                                                             code_scheme="GB/T 36377")]))
    reason = by_column(changed)[(2, "instrument_code")]
    assert "stable for its life" in reason and ks.instrument_code in reason
    assert "stable for its life" in by_column(rescheme)[(2, "code_scheme")]
    # Without a code the row keeps the instrument's code.
    apply(world, "kunshan", xlsx(HEADERS, [row(world, ks.serial_number, **same, accuracy_class="II")]))
    ks.refresh_from_db()
    assert ks.accuracy_class == "II" and ks.instrument_code == world.instrument_ks.instrument_code


def test_a_22_digit_code_typed_as_a_number_is_refused_with_the_reason(world):
    with translation.override("en"):
        report = plan(world, "kunshan", xlsx(HEADERS, [row(world, "N-1", instrument_code=float(sgcc("1"))),
                                                       row(world, "N-2", instrument_code=12345)]))
    errors = by_column(report)
    assert "keeps only 15 digits" in errors[(2, "instrument_code")]
    assert (3, "instrument_code") not in errors  # a short number is a code like any other


def test_the_template_and_its_notes_name_the_code_columns(world):
    import io

    from openpyxl import load_workbook

    from jiliang.registry.importing import template_workbook

    with translation.override("zh-hans"):
        wb = load_workbook(io.BytesIO(template_workbook("instruments", world.users["kunshan"])))
    headers = [c.value for c in wb.worksheets[0][1]]
    assert headers[-2:] == ["器具识别码", "编码体系"]
    notes = {r[0].value: r[2].value for r in wb.worksheets[-1].iter_rows(min_row=2)}
    assert "国家电网" in notes["器具识别码"] and "国家电网资产编码" in notes["编码体系"]
