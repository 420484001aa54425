"""Snapshots are taken once and never changed; entered values need their evidence; who may enter what."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from jiliang.core.models import AuditEntry
from jiliang.kpi import services, values
from jiliang.kpi.models import EnteredValue, Snapshot
from jiliang.kpi.tasks import last_month_end
from jiliang.registry import models as m

PDF = b"%PDF-1.4\n%evidence\n"


@pytest.fixture(autouse=True)
def _english():
    """These tests read the messages in English (the pages' tests read both languages)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pdf(name="evidence.pdf", data=PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def enter(world, plan, who="province", code="8.1", **over):
    kw = {"region": "320000", "on": dt.date(2017, 12, 31), "value": "1234", "document_number": "苏市监计〔2018〕3号",
          "document_date": dt.date(2018, 1, 20), "attachment": pdf(), "note": ""}
    kw.update(over)
    return services.enter_value(plan.indicators.get(code=code), actor=world.users[who], **kw)


def test_snapshots_are_taken_once_and_kept_as_they_were(world, plan):
    day = dt.date(2020, 12, 31)
    designation = m.Designation.objects.get(code="brand-laboratory")
    world.inst_p.designations.add(designation)
    n = services.take_snapshots(plan, day)
    assert n == 26 * 14 == Snapshot.objects.filter(on=day).count()
    assert services.take_snapshots(plan, day) == 0
    s = Snapshot.objects.get(indicator__code="6", region_id="320000", on=day)
    assert s.value == 1 and s.state == "ok"
    with pytest.raises(ValidationError):
        s.save()
    with pytest.raises(ValidationError):
        s.delete()
    world.inst_nj.designations.add(designation)  # the data change afterwards
    live = values.live([s.indicator], ["320000"], day)[("6", "320000")]
    kept = values.stored([s.indicator], ["320000"], day)[("6", "320000")]
    assert (live.value, kept.value) == (2, 1)
    assert kept.snapshot == s and kept.status == "not_met"  # 1 of the 2 laboratories the plan asks for


def test_an_evaluation_reads_the_snapshot_of_its_date_taking_missing_ones(world, plan):
    day = dt.date(2017, 12, 31)
    readings = services.readings_at(plan, day, ["320000", "320500"])
    assert len(readings) == 26 * 2
    assert Snapshot.objects.filter(on=day).count() == 26 * 2
    assert readings[("8.1", "320000")].state == "missing"  # entered indicator not entered: no value, never a 0
    assert readings[("8.1", "320000")].status == "no_value"


def test_a_snapshot_keeps_an_entered_value_and_its_evidence(world, plan):
    ev = enter(world, plan)
    assert AuditEntry.objects.filter(object_type="kpi.enteredvalue", object_id=str(ev.pk)).exists()
    r = values.live([ev.indicator], ["320000"], dt.date(2017, 12, 31))[("8.1", "320000")]
    assert r.value == Decimal("1234") and r.evidence == ev and "苏市监计〔2018〕3号" in r.note
    # the straight line from 0 (2014-01-01) to 5,000 (2020-12-31) stands at 5000 × 1460/2556 = 2,856.0 on 2017-12-31
    assert r.status == "behind" and abs(r.expected - Decimal("2856.03")) < Decimal("0.01")
    before = values.live([ev.indicator], ["320000"], dt.date(2017, 12, 30))[("8.1", "320000")]
    assert before.state == "missing"
    services.take_snapshots(plan, dt.date(2017, 12, 31), regions=["320000"])
    s = Snapshot.objects.get(indicator=ev.indicator, region_id="320000", on=dt.date(2017, 12, 31))
    assert (s.value, s.evidence, s.source_kind) == (Decimal("1234"), ev, "entered")


@pytest.mark.parametrize(("over", "field", "words"), [
    ({"document_number": " "}, "document_number", "number of the document"),
    ({"document_date": None}, "document_date", "date of the document"),
    ({"attachment": None}, "attachment", "Attach the document"),
    ({"attachment": pdf("x.exe", b"MZ", "application/x-msdownload")}, "attachment", "PDF, JPEG or PNG"),
    ({"on": dt.date(2999, 1, 1)}, "on", "in the future"),
    ({"document_date": dt.date(2999, 1, 1)}, "document_date", "in the future"),
    ({"value": "abc"}, "value", "Give a number"),
    ({"value": "1e400"}, "value", "out of range"),
])
def test_an_entered_value_without_evidence_is_refused_naming_the_field(world, plan, over, field, words):
    with pytest.raises(ValidationError) as exc:
        enter(world, plan, **over)
    assert words in " ".join(exc.value.message_dict[field])
    assert not EnteredValue.objects.exists()


def test_a_huge_attachment_is_refused(world, plan, monkeypatch):
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 10)
    with pytest.raises(ValidationError, match="at most 20 MB"):
        enter(world, plan)


def test_a_share_out_of_range_and_a_computed_indicator(world, plan):
    with pytest.raises(ValidationError, match="between 0 and 100"):
        enter(world, plan, code="3.2", value="140")
    with pytest.raises(ValidationError, match="computed from the data"):
        enter(world, plan, code="7", value="99")


@pytest.mark.parametrize(("who", "region", "allowed"), [
    ("province", "320500", True), ("suzhou", "320500", True), ("suzhou", "320583", True),
    ("suzhou", "320100", False), ("suzhou", "320000", False), ("kunshan", "320583", False),
    ("institute", "320000", False), ("enterprise", "320583", False),
])
def test_who_enters_values_where(world, plan, who, region, allowed):
    if allowed:
        assert enter(world, plan, who=who, region=region).region_id == region
    else:
        with pytest.raises(ValidationError, match="may not enter"):
            enter(world, plan, who=who, region=region)


def test_a_region_that_does_not_exist(world, plan):
    with pytest.raises(ValidationError, match="No current region"):
        enter(world, plan, region="329999")
    with pytest.raises(ValidationError, match="No current region"):
        services.set_target(plan.indicators.get(code="7"), region="329999", year=2020, value=98,
                            actor=world.users["province"])


def test_targets_are_set_by_the_province_with_their_audit(world, plan):
    ind = plan.indicators.get(code="7")
    t = services.set_target(ind, region="320500", year=2020, value="99", actor=world.users["province"])
    assert t.value == 99 and ind.targets.filter(region_id="320500").count() == 1
    assert AuditEntry.objects.filter(object_type="kpi.target", object_id=str(t.pk), action="update").exists()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.set_target(ind, region="320500", year=2020, value="90", actor=world.users["suzhou"])
    with pytest.raises(ValidationError, match="together"):
        services.set_target(ind, region="320500", year=2020, value="90", baseline="80", actor=world.users["province"])


def test_the_monthly_task_takes_the_last_month_end_once(world, plan, monkeypatch):
    from jiliang.kpi import tasks

    assert last_month_end(dt.date(2026, 3, 1)) == dt.date(2026, 2, 28)
    assert last_month_end(dt.date(2024, 3, 17)) == dt.date(2024, 2, 29)
    monkeypatch.setattr(tasks.timezone, "localdate", lambda: dt.date(2021, 1, 5))
    assert tasks.monthly_snapshots.call() == 26 * 14
    assert tasks.monthly_snapshots.call() == 0
    assert Snapshot.objects.filter(on=dt.date(2020, 12, 31)).count() == 26 * 14


def test_entered_values_of_many_regions_at_once_are_those_of_each_alone(world, plan):
    enter(world, plan, value="10", on=dt.date(2016, 12, 31))
    enter(world, plan, value="20", on=dt.date(2017, 12, 31))
    enter(world, plan, value="21", on=dt.date(2017, 12, 31), document_number="苏市监计〔2018〕4号")  # later entry
    enter(world, plan, region="320500", value="5", on=dt.date(2017, 6, 30))
    enter(world, plan, region="320100", value="7", on=dt.date(2018, 6, 30))
    indicator = plan.indicators.get(code="8.1")
    regions = ["320000", "320500", "320100", "320200"]
    for day in (dt.date(2016, 12, 31), dt.date(2017, 12, 31), dt.date(2018, 12, 31)):
        many = values.compute_regions(indicator, regions, day)
        for r in regions:
            one = values.compute(indicator, r, day)
            assert (many[r].state, many[r].value, many[r].version, many[r].note, many[r].evidence) == (
                one.state, one.value, one.version, one.note, one.evidence), (r, day)
    assert many["320000"].value == Decimal("21") and many["320200"].state == "missing"
