"""First-verification batches: the results of every meter at once, the statistics per flow (batch_stats), the
meters' rotation deadlines and supervision events, and the refusals (count, other utility, unknown code)."""

import datetime as dt
import random

import pytest
from django.utils import translation

from jiliang.core.audit import audit_context
from jiliang.core.tabular import read_table
from jiliang.livelihood import meter_batches
from jiliang.livelihood.models import HouseholdMeter
from jiliang.supervision.models import InstrumentState, VerificationEvent

from .conftest import TODAY


@pytest.fixture
def batch(lworld):
    with audit_context(actor=lworld.admin, channel="command"):
        b = meter_batches.register_batch(utility=lworld.water_ks, number="B-2019-07", kind="water",
                                         manufacturer="宁波水表", declared_count=30, institution=lworld.world.inst_p,
                                         verified_on=dt.date(2019, 7, 1), actor=lworld.admin, today=TODAY)
        meters = [lworld.meter(batch=b, size="DN20") for _ in range(30)]
    return b, meters


def results(meters, bias=0.0, seed=1):
    rng = random.Random(seed)
    return [(i, {"instrument_code": m.instrument.instrument_code, "result": "pass" if i % 10 else "fail",
                 "errors": {f: rng.gauss(bias, 0.5) for f in ("Q1", "Q2", "Q3")}}) for i, m in enumerate(meters, 1)]


def record(lworld, b, rows, **kw):
    with audit_context(actor=lworld.users["water_ks"], channel="web"), translation.override("en"):
        return meter_batches.record_results(b, rows, actor=lworld.users["water_ks"], today=TODAY, **kw)


def test_unbiased_batch_statistics_and_meters(lworld, batch):
    b, meters = batch
    b = record(lworld, b, results(meters))
    assert (b.passed, b.failed, b.biased) == (27, 3, False)
    flows = {f["flow"]: f for f in b.statistics["flows"]}
    assert set(flows) == {"Q1", "Q2", "Q3"} and flows["Q2"]["n"] == 30
    assert "Student t" in b.statistics["method"]
    m = HouseholdMeter.objects.get(pk=meters[0].pk)
    assert (m.first_verified_on, m.first_result, m.rotation_due) == (dt.date(2019, 7, 1), "pass", dt.date(2025, 6, 30))
    assert set(m.first_errors) == {"Q1", "Q2", "Q3"}
    # the first verification is supervision's event; a 2019 DN20 meter is past its 6 years on TODAY (2026-06-15)
    ev = VerificationEvent.objects.get(instrument_id=m.pk, void=False)
    assert (ev.kind, ev.institution, ev.next_due, ev.number) == ("first", lworld.world.inst_p, m.rotation_due,
                                                                 f"B-2019-07:{m.instrument.instrument_code}")
    from jiliang.supervision import state
    state.refresh([m.pk, meters[9].pk], today=TODAY)
    assert InstrumentState.objects.get(pk=m.pk).status == "life_ended"
    assert InstrumentState.objects.get(pk=meters[9].pk).status == "failed"


def test_biased_batch_is_flagged(lworld, batch):
    b, meters = batch
    b = record(lworld, b, results(meters, bias=0.8))
    assert b.biased and any(f["significant"] for f in b.statistics["flows"])


def test_count_mismatch_names_both_numbers(lworld, batch):
    b, meters = batch
    with pytest.raises(meter_batches.BatchRefused) as exc:
        record(lworld, b, results(meters[:29]))
    assert any("29" in e.message and "30" in e.message for e in exc.value.rows)
    assert HouseholdMeter.objects.filter(batch=b, first_result="").count() == 30  # nothing written


def test_unknown_foreign_and_duplicate_codes_refuse_the_batch(lworld, batch):
    b, meters = batch
    foreign = lworld.meter(utility=lworld.water_xw, region="320102")
    rows = results(meters)
    rows[3][1]["instrument_code"] = "NO-SUCH-CODE"
    rows[4][1]["instrument_code"] = foreign.instrument.instrument_code
    rows[5][1]["instrument_code"] = rows[0][1]["instrument_code"]
    rows[6][1]["result"] = "maybe"
    rows[7][1]["errors"]["Q1"] = "abc"
    with pytest.raises(meter_batches.BatchRefused) as exc:
        record(lworld, b, rows)
    got = {(e.row, e.field) for e in exc.value.rows}
    assert {(4, "instrument_code"), (5, "instrument_code"), (6, "instrument_code"), (7, "result"),
            (8, "Q1")} <= got
    assert "row 1" in next(e.message for e in exc.value.rows if e.row == 6)
    assert not VerificationEvent.objects.filter(instrument__household_meter__batch=b).exists()


def test_results_file(lworld, batch):
    b, meters = batch
    lines = ["识别编码,结论,Q1,Q2,Q3"] + [f"{m.instrument.instrument_code},合格,0.1,-0.2,0.05" for m in meters]
    table = read_table("r.csv", "\n".join(lines).encode())
    flows, rows, problems = meter_batches.rows_from_table(table)
    assert flows == ["Q1", "Q2", "Q3"] and problems == []
    b = record(lworld, b, rows, flows=flows)
    assert b.passed == 30 and b.biased  # every meter +0.1 at Q1: the mean is exactly non-zero


def test_a_second_recording_is_refused(lworld, batch):
    b, meters = batch
    record(lworld, b, results(meters))
    with pytest.raises(meter_batches.BatchRefused):
        record(lworld, b, results(meters))
