"""Registering household meters in bulk (meter_import): a file with every bad input, the good rows kept, the
instruments, profiles and first verifications written, supervision's state following (valid, service life ended)."""

import csv
import datetime as dt
import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from jiliang.core.audit import audit_context
from jiliang.core.models import AuditEntry
from jiliang.core.tabular import read_table
from jiliang.livelihood import meter_batches, meter_import
from jiliang.livelihood.models import HouseholdMeter
from jiliang.registry.models import Instrument
from jiliang.supervision.models import InstrumentState, VerificationEvent

from .conftest import TODAY

HEAD = ["识别编码", "编码体系", "表类", "规格", "气种", "准确度等级", "常用流量Q3", "制造商", "型号", "出厂编号", "批次号",
        "区划代码", "安装地址", "户号片区", "安装日期", "首次检定日期", "首次检定结论", "检定机构统一社会信用代码"]


def row(serial, code="", kind="水表", size="DN20", gas="", cls="", q3="", batch="", region="320583",
        installed="2021-04-01", verified="2021-03-01", result="合格", institution=None, maker="宁波水表", model="LXS-20E"):
    return [code, "GB/T 36377" if code else "", kind, size, gas, cls, q3, maker, model, serial, batch, region,
            "昆山市前进路", "片区A-01", installed, verified, result, institution or ""]


def csv_bytes(rows, head=HEAD):
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(head)
    w.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def register(lworld, data, name="meters.csv", utility=None, actor=None, language="en"):
    table = read_table(name, data)
    rows, problems = meter_import.table_rows(table)
    assert problems == []
    actor = actor or lworld.users["water_ks"]
    with audit_context(actor=actor, channel="web"), translation.override(language):
        return meter_import.register_rows(rows, utility=utility or lworld.water_ks, actor=actor, today=TODAY)


@pytest.fixture
def uscc_p(lworld):
    return lworld.world.inst_p.uscc


def test_good_rows_are_registered_with_their_rule_and_state(lworld, uscc_p):
    with audit_context(actor=lworld.admin, channel="command"):
        meter_batches.register_batch(utility=lworld.water_ks, number="B-2020-01", kind="water", manufacturer="宁波水表",
                                     declared_count=2, institution=lworld.world.inst_p, actor=lworld.admin, today=TODAY)
    data = csv_bytes([
        row("S1", institution=uscc_p),
        row("S2", code="WM-0002", size="DN40", verified="2019-05-10", installed="2019-06-01", institution=uscc_p),
        row("S3", verified="2020-01-05", installed="2020-02-01", batch="B-2020-01"),  # institution from the batch
        row("S4", verified="", result="", installed=""),
    ])
    result = register(lworld, data)
    assert result.errors == [] and result.created == 4 and result.verified == 3
    m2 = HouseholdMeter.objects.get(instrument__instrument_code="WM-0002")
    assert (m2.rule, m2.service_life_years, m2.rotation_due) == ("water-meter-dn32-50", 4, dt.date(2023, 5, 9))
    assert m2.instrument.category.code == "water-meter-dn32-50" and m2.instrument.mandatory
    m1 = HouseholdMeter.objects.get(instrument__serial_number="S1")
    assert m1.instrument.instrument_code.startswith("JL")  # issued by jiliang
    assert m1.rotation_due == dt.date(2027, 2, 28)
    # supervision's state: a DN40 past its 4 years is "service life ended", a DN20 within its 6 years valid
    states = dict(InstrumentState.objects.filter(pk__in=result.instrument_ids).values_list("instrument_id", "status"))
    assert states[m2.pk] == "life_ended" and states[m1.pk] == "valid"
    assert states[HouseholdMeter.objects.get(instrument__serial_number="S4").pk] == "never_verified"
    ev = VerificationEvent.objects.get(instrument_id=m2.pk)
    assert (ev.kind, ev.result, ev.next_due, ev.institution) == ("first", "pass", m2.rotation_due, lworld.world.inst_p)
    assert VerificationEvent.objects.get(
        instrument__serial_number="S3").institution == lworld.world.inst_p
    assert AuditEntry.objects.filter(object_type="registry.instrument", object_id=str(m2.pk)).exists()


def test_every_bad_input_is_reported_by_row_and_field_and_the_rest_kept(lworld, uscc_p):
    with audit_context(actor=lworld.admin, channel="command"):
        taken = lworld.meter(instrument_code="WM-TAKEN", code_scheme="GB/T 36377").instrument.serial_number
    data = csv_bytes([
        row("G1", code="WM-1", institution=uscc_p),              # 2: good
        row("D1", code="WM-1", institution=uscc_p),              # 3: code also in row 2
        row("D2", code="WM-TAKEN", institution=uscc_p),          # 4: code in the register
        row("U1", size="DN100", institution=uscc_p),             # 5: above DN50
        row("U2", size="DN18", institution=uscc_p),              # 6: no such size
        row("F1", installed="2026-07-01", institution=uscc_p),   # 7: future installation
        row("F2", verified="2027-01-01", institution=uscc_p),    # 8: future verification
        row("B1", batch="NO-SUCH", institution=uscc_p),          # 9: unknown batch
        row("R1", region="320500", institution=uscc_p),          # 10: a city, not a county
        row("R2", region="999999", institution=uscc_p),          # 11: unknown
        row("G1", institution=uscc_p),                           # 12: serial also in row 2
        row("K1", kind="热表", institution=uscc_p),               # 13: kind
        row("GK", kind="燃气表", size="G4", gas="沼气", institution=uscc_p),  # 14: gas kind
        row("E1", kind="电能表", size="", cls="3", institution=uscc_p),     # 15: class
        row("N1"),                                               # 16: a result without institution
        row("Q1", q3="25", institution=uscc_p),                  # 17: Q3 above 16
        row("I1", installed="2020-01-01", verified="2020-03-01", institution=uscc_p),  # 18: installed before verified
        row(taken, maker="宁波水表", model="LXS-20E", institution=uscc_p),  # 19: serial in the register
        row("X1", verified="2021-13-01", institution=uscc_p),    # 20: no date
        row("G2", kind="燃气表", size="G4", gas="天然气", institution=uscc_p),  # 21: good gas meter
    ])
    result = register(lworld, data)
    got = {(e.row, e.field) for e in result.errors}
    assert got == {(3, "instrument_code"), (4, "instrument_code"), (5, "size"), (6, "size"), (7, "installed_on"),
                   (8, "first_verified_on"), (9, "batch_number"), (10, "region_code"), (11, "region_code"),
                   (12, "serial_number"), (13, "kind"), (14, "gas_kind"), (15, "accuracy_class"), (16, "first_result"),
                   (17, "q3"), (18, "installed_on"), (19, "serial_number"), (20, "first_verified_on")}
    messages = {(e.row, e.field): e.message for e in result.errors}
    assert "row 2" in messages[(3, "instrument_code")]
    assert "row 2" in messages[(12, "serial_number")]
    assert result.created == 2
    assert set(HouseholdMeter.objects.filter(instrument_id__in=result.instrument_ids)
               .values_list("instrument__serial_number", flat=True)) == {"G1", "G2"}


def test_errors_read_in_the_users_language(lworld, uscc_p):
    """Every message of a Chinese import is Chinese, the service-life refusals included."""
    data = csv_bytes([row("U1", size="DN100", institution=uscc_p), row("U2", size="DN18", institution=uscc_p),
                      row("Q1", q3="25", institution=uscc_p), row("F1", installed="2026-07-01", institution=uscc_p)])
    messages = {(e.row, e.field): e.message for e in register(lworld, data, language="zh-hans").errors}
    assert messages[(2, "size")].startswith("DN100 大于 DN50：此类水表实行周期检定（JJG 162-2019）")
    assert messages[(3, "size")] == "DN18 不是水表口径（DN15、20、25、32、40、50）"
    assert messages[(4, "q3")].startswith("Q3 = 25.0 m³/h 大于 16 m³/h")
    assert "晚于今天" in messages[(5, "installed_on")]
    assert not [m for m in messages.values() if any(w in m for w in (" is ", " the ", " a ", " not "))]


def test_xlsx_with_english_headers(lworld, uscc_p):
    wb = Workbook()
    ws = wb.active
    ws.append([str(c.key) for c in meter_import.COLUMNS])
    ws.append(["", "", "gas", "G2.5", "natural", "", None, "金卡", "G2.5-A", "X-1", "", "320583", "", "area 9",
               dt.date(2022, 1, 10), dt.date(2022, 1, 5), "pass", uscc_p])
    out = io.BytesIO()
    wb.save(out)
    result = register(lworld, out.getvalue(), name="m.xlsx")
    assert result.errors == [] and result.created == 1
    m = HouseholdMeter.objects.get(instrument_id=result.instrument_ids[0])
    assert (m.rule, m.rotation_due) == ("gas-meter-natural", dt.date(2032, 1, 4))


def test_headers_are_checked(lworld):
    table = read_table("m.csv", csv_bytes([], head=["表类", "nonsense"]))
    _rows, problems = meter_import.table_rows(table)
    assert any("nonsense" in p for p in problems)
    assert any("serial_number" in p for p in problems)


def test_a_utility_cannot_register_for_another(lworld):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        register(lworld, csv_bytes([row("Z1", verified="", result="")]), utility=lworld.water_xw)
    assert not Instrument.objects.filter(serial_number="Z1").exists()


def test_the_imported_meters_state_is_the_row_by_row_state(lworld, uscc_p):
    """The import's state comes from supervision's set-wise path (state._insert_new): taking the meters out of the
    counters and refreshing them row by row (lifecycle.py) gives the same rows and counters; the bad rows are
    reported by row and field as before."""
    from jiliang.supervision import state
    from jiliang.supervision.models import DueCount, DueOccurrence, EventCount, StatusCount

    data = csv_bytes([
        row("P1", institution=uscc_p),  # valid
        row("P2", size="DN40", verified="2019-05-10", installed="2019-06-01", institution=uscc_p),  # life ended
        row("P3", kind="燃气表", size="G2.5", gas="天然气", verified="2024-01-10", installed="2024-02-01",
            institution=uscc_p),
        row("P4", result="不合格", institution=uscc_p),  # failed
        row("P5", verified="", result="", installed=""),  # never verified, not installed
        row("P6", size="DN999", institution=uscc_p),  # refused: no such size
        row("P7", installed="2999-01-01", institution=uscc_p),  # refused: in the future
    ])
    result = register(lworld, data)
    assert result.created == 5 and {(e.row, e.field) for e in result.errors} == {(7, "size"), (8, "installed_on")}
    ids = result.instrument_ids

    def snapshot():
        states = {s["instrument_id"]: s for s in InstrumentState.objects.filter(pk__in=ids).values()}
        occ = sorted(DueOccurrence.objects.filter(instrument_id__in=ids).values_list("instrument_id", "due", "met_on",
                                                                                     "first"))
        counters = [sorted(tuple(v for k, v in r.items() if k != "id") for r in model.objects.exclude(n=0).values())
                    for model in (StatusCount, DueCount, EventCount)]
        return states, occ, counters

    setwise = snapshot()
    assert {s["status"] for s in setwise[0].values()} >= {"valid", "life_ended", "failed", "never_verified"}
    state.forget(ids)
    state.refresh(ids, setwise=False)  # today, as records_written's refresh
    assert snapshot() == setwise
