"""Reported verification records (issue #13 item 2): every bad input named by row and field, idempotence, conflicts,
scope of who reports, and the instrument's state after a record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from jiliang.core.models import AuditEntry
from jiliang.registry.models import Instrument, InstrumentCategory
from jiliang.supervision import records
from jiliang.supervision.models import InstrumentState, RecordConflict, VerificationEvent

from .records_helpers import TODAY, record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def report(w, rows, role="province"):
    return records.report_records(rows, actor=w.users[role], today=TODAY)


def errors(r):
    return {(p.field, p.message) for p in r.errors}


def fields(r):
    return {p.field for p in r.errors}


def test_good_record_creates_event_audited_and_refreshes_state(world):
    [r] = report(world, [record(world)])
    assert r.status == "created"
    event = VerificationEvent.objects.get(pk=r.event)
    assert (event.source, event.kind, event.result, event.next_due) == ("reported", "periodic", "pass",
                                                                        dt.date(2027, 5, 31))
    assert event.reported_by == world.users["province"]
    assert AuditEntry.objects.filter(object_type="supervision.verificationevent", object_id=str(event.pk)).exists()
    s = InstrumentState.objects.get(pk=world.instrument_ks.pk)
    assert (s.status, s.next_due, s.last_event_id) == ("valid", dt.date(2027, 5, 31), event.pk)


def test_state_after_records_due_soon_overdue_failed(world):
    report(world, [record(world, number="A", verified_on="2025-12-01", next_due="2026-11-30",
                          certificate_valid_until=None)])
    assert InstrumentState.objects.get(pk=world.instrument_ks.pk).status == "overdue"
    report(world, [record(world, number="B", verified_on="2026-12-01", next_due="2026-12-20")])
    s = InstrumentState.objects.get(pk=world.instrument_ks.pk)
    assert (s.status, s.next_due) == ("due_soon", dt.date(2026, 12, 20))
    report(world, [record(world, number="C", verified_on="2026-12-03", result="fail", next_due=None,
                          certificate_valid_until=None)])
    assert InstrumentState.objects.get(pk=world.instrument_ks.pk).status == "failed"


def test_no_next_due_gets_the_regulations_maximum(world):
    [r] = report(world, [record(world, next_due=None)])
    # nawi-price-scale: 12 months (JJG 539)
    assert VerificationEvent.objects.get(pk=r.event).next_due == dt.date(2027, 5, 31)


def test_same_record_again_is_unchanged(world):
    [first] = report(world, [record(world)])
    [again] = report(world, [record(world)])
    assert (again.status, again.event) == ("unchanged", first.event)
    assert VerificationEvent.objects.count() == 1


def test_duplicate_within_one_batch(world):
    a, b = report(world, [record(world), record(world)])
    assert (a.status, b.status) == ("created", "unchanged") and a.event == b.event


def test_conflicting_record_is_kept_for_review_never_overwrites(world):
    [first] = report(world, [record(world)])
    [clash] = report(world, [record(world, result="fail", next_due=None)])
    assert clash.status == "conflict"
    assert clash.differences == {"result": ["pass", "fail"], "next_due": ["2027-05-31", None]}
    event = VerificationEvent.objects.get(pk=first.event)
    assert event.result == "pass"
    conflict = RecordConflict.objects.get(pk=clash.conflict)
    assert conflict.event == event and conflict.status == "open"
    # the same contradicting record again (twice in one batch) is the same open conflict
    again = report(world, [record(world, result="fail", next_due=None)] * 2)
    assert [(r.status, r.conflict) for r in again] == [("conflict", conflict.pk)] * 2
    assert RecordConflict.objects.count() == 1


def test_resolve_conflict_keep_or_accept(world):
    report(world, [record(world)])
    [clash] = report(world, [record(world, next_due="2027-03-31")])
    conflict = RecordConflict.objects.get(pk=clash.conflict)
    with pytest.raises(PermissionDenied):
        records.resolve_conflict(conflict, actor=world.users["institute"], accept=True, resolution="x")
    with pytest.raises(PermissionDenied):  # Xuanwu does not see a Kunshan instrument's conflict
        records.resolve_conflict(conflict, actor=world.users["xuanwu"], accept=True, resolution="x")
    records.resolve_conflict(conflict, actor=world.users["kunshan"], accept=True, resolution="查证后以新记录为准")
    conflict.refresh_from_db()
    assert conflict.status == "resolved" and conflict.resolved_by == world.users["kunshan"]
    assert VerificationEvent.objects.get().next_due == dt.date(2027, 3, 31)
    assert InstrumentState.objects.get(pk=world.instrument_ks.pk).next_due == dt.date(2027, 3, 31)


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"verified_on": "2026-12-05"}, "verified_on", "lies in the future"),
    ({"verified_on": "2026-13-01"}, "verified_on", "not a date"),
    ({"next_due": "2026-05-31"}, "next_due", "before the verification date"),
    ({"next_due": "2027-06-01"}, "next_due", "maximum period of 12 months"),
    ({"certificate_valid_until": "2026-01-01"}, "certificate_valid_until", "before the verification date"),
    ({"result": "ok"}, "result", "not one of"),
    ({"kind": "yearly"}, "kind", "not one of"),
    ({"number": ""}, "number", "is required"),
    ({"institution_uscc": ""}, "institution_uscc", "is required"),
    ({"result": "fail"}, "next_due", "has no next due"),
    ({"instrument": 999999}, "instrument", "no instrument has the jiliang id 999999"),
    ({"colour": "red"}, "colour", "unknown field"),
])
def test_bad_input_names_the_field(world, over, field, words):
    [r] = report(world, [record(world, **over)])
    assert r.status == "error"
    assert any(p.field == field and words in p.message for p in r.errors), r.errors


def test_maximum_for_first_only_meter_is_its_service_life(world):
    gas = InstrumentCategory.objects.get(code="gas-meter-natural")  # first only, 10 years
    Instrument.objects.filter(pk=world.instrument_ks.pk).update(category=gas)
    [bad] = report(world, [record(world, kind="first", verified_on="2020-01-10", next_due="2030-01-10")])
    assert any(p.field == "next_due" and "120 months" in p.message for p in bad.errors)
    [good] = report(world, [record(world, kind="first", verified_on="2020-01-10", next_due="2030-01-09")])
    assert good.status == "created"


def test_not_a_verification_institution(world):
    [r] = report(world, [record(world, institution_uscc=world.ent_xw.uscc)])
    assert ("institution_uscc", f"{world.ent_xw} is not a verification institution") in errors(r)
    [r] = report(world, [record(world, institution_uscc="91320000MA00000000")])
    assert fields(r) == {"institution_uscc"}


def test_unknown_instrument_names_the_identity_fields_that_did_not_match(world):
    ident = {"instrument": None, "owner_uscc": world.ent_ks.uscc, "manufacturer": "凯丰衡器", "model": "ACS-15",
             "serial_number": "KS-0001"}
    [ok] = report(world, [record(world, **ident)])
    assert ok.status == "created"
    [r] = report(world, [record(world, number="2", **{**ident, "serial_number": "KS-9999"})])
    assert fields(r) == {"serial_number"} and "did not match: serial_number" in r.errors[0].message
    [r] = report(world, [record(world, number="3", **{**ident, "model": "ACS-30"})])
    assert fields(r) == {"manufacturer, model"}
    [r] = report(world, [record(world, number="4", **{**ident, "owner_uscc": world.ent_xw.uscc})])
    assert fields(r) == {"owner_uscc"}
    [r] = report(world, [record(world, number="5", **{**ident, "model": ""})])
    assert fields(r) == {"model"}
    [r] = report(world, [record(world, number="6", instrument=None, instrument_code="JS-320583-0001")])
    assert fields(r) == {"instrument_code"}


def test_good_rows_kept_when_others_fail(world):
    rows = [record(world, number="1"), record(world, number="2", verified_on="2030-01-01"),
            record(world, number="3", verified_on="2026-07-01", next_due="2027-06-30"), "not an object"]
    out = report(world, rows)
    assert [r.status for r in out] == ["created", "error", "created", "error"]
    assert [r.row for r in out] == [1, 2, 3, 4]
    assert VerificationEvent.objects.count() == 2


def test_who_may_report(world):
    with pytest.raises(PermissionDenied):
        report(world, [record(world)], role="enterprise")
    # an institute reports as itself only
    [r] = report(world, [record(world, institution_uscc=world.inst_nj.uscc)], role="institute")
    assert ("institution_uscc", "you may report only as your own institution") in errors(r)
    [r] = report(world, [record(world)], role="institute")
    assert r.status == "created"
    # a county bureau: instruments and institutions in its county only
    [r] = report(world, [record(world, number="X1")], role="xuanwu")
    assert fields(r) == {"institution_uscc", "instrument"}
    [r] = report(world, [record(world, number="X2", instrument=world.instrument_xw.pk)], role="kunshan")
    assert "instrument" in fields(r)
    # Kunshan reports for the institute of its own county
    from tests.conftest import uscc_for

    from jiliang.core import services
    from jiliang.registry.models import Organisation

    inst_ks = services.create_record(Organisation, {"name": "昆山市计量测试所", "uscc": uscc_for("12", "320583", 9),
                                                    "kind": "institute", "region_id": "320583"}, actor=world.admin)
    [r] = report(world, [record(world, number="X3", institution_uscc=inst_ks.uscc)], role="kunshan")
    assert r.status == "created", r.errors
