"""The estimate on the telemetry's daily rollups (area_services.py): readings in through ingest, estimate
stored with per-meter results, refusals stored with their reason, audit, the command and the weekly task."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from jiliang.core.audit import audit_context
from jiliang.core.models import AuditEntry
from jiliang.livelihood import area_services
from jiliang.livelihood.models import AreaEstimate

from . import areas_fixtures
from .areas_fixtures import DAYS, FAULTS, METERS, TODAY, build_area

aworld = areas_fixtures.aworld  # the fixture

pytestmark = pytest.mark.django_db


def test_estimate_from_rollups_flags_the_faulty_meters(aworld):
    est = aworld.estimate
    assert "refused" not in est.line_loss
    assert est.first_day == TODAY - dt.timedelta(days=DAYS) and est.last_day == TODAY - dt.timedelta(days=1)
    assert est.days == DAYS
    assert len(est.results) == METERS
    flagged = {r["instrument"] for r in est.results if r["decision"] == "exceeds"}
    assert flagged == {aworld.area_meters[i].pk for i in FAULTS}
    assert est.flagged == 2
    by_id = {r["instrument"]: r for r in est.results}
    for i, err in FAULTS.items():
        r = by_id[aworld.area_meters[i].pk]
        assert r["error_pct"] == pytest.approx(err, abs=1.0)  # relative to the median meter (healthy sd 0.3 %)
        assert r["low_pct"] < r["error_pct"] < r["high_pct"]
        assert r["mpe_pct"] == 2.0 and r["code"] == aworld.area_meters[i].instrument.instrument_code
    assert est.line_loss["proportional_pct"] == pytest.approx(3.0, abs=1.0)
    assert AuditEntry.objects.filter(object_type="livelihood.areaestimate", object_id=str(est.pk)).exists()


def test_missing_readings_are_merged(lworld):
    built = build_area(lworld, code="KS-T2", missing=0.003, seed=11)
    first, last = area_services.window(DAYS, TODAY)
    with audit_context(actor=lworld.admin, channel="command"):
        est = area_services.estimate_area(built.area, first_day=first, last_day=last)
    assert "refused" not in est.line_loss, est.line_loss
    assert est.line_loss["periods"] < DAYS
    assert {r["instrument"] for r in est.results if r["decision"] == "exceeds"} == \
        {built.meters[i].pk for i in FAULTS}


def test_too_few_days_stored_as_refused(aworld):
    with audit_context(actor=aworld.admin, channel="command"):
        est = area_services.estimate_area(aworld.area, first_day=TODAY - dt.timedelta(days=20),
                                          last_day=TODAY - dt.timedelta(days=1))
    assert est.line_loss["refused"]["reason"] == "too_few_days"
    assert "at least 35" in est.line_loss["refused"]["message"]
    assert est.results == [] and est.flagged == 0


def test_meter_without_point_refused(lworld):
    built = build_area(lworld, code="KS-T3", with_points=False)
    with audit_context(actor=lworld.admin, channel="command"):
        est = area_services.estimate_area(built.area, first_day=TODAY - dt.timedelta(days=DAYS),
                                          last_day=TODAY - dt.timedelta(days=1))
    refused = est.line_loss["refused"]
    assert refused["reason"] == "no_points"
    assert refused["meters"] == [built.meters[-1].instrument.instrument_code]


def test_actor_out_of_scope_refused(aworld):
    with pytest.raises(PermissionDenied), audit_context(actor=aworld.users["water_ks"], channel="web"):
        area_services.estimate_area(aworld.area, first_day=TODAY - dt.timedelta(days=DAYS),
                                    last_day=TODAY - dt.timedelta(days=1), actor=aworld.users["water_ks"])


def test_command_and_weekly_task(aworld, monkeypatch):
    import io

    from jiliang.livelihood import tasks

    monkeypatch.setattr(area_services, "window", lambda days, today=None: (TODAY - dt.timedelta(days=days),
                                                                           TODAY - dt.timedelta(days=1)))
    out = io.StringIO()
    call_command("livelihood-estimate-areas", "--days", str(DAYS), stdout=out)
    assert "flagged meters: 2" in out.getvalue()
    assert AreaEstimate.objects.filter(area=aworld.area).count() == 2
    assert tasks.estimate_areas.call("2026-06-16T18:00:00+00:00") == {"skipped": 1}  # a Wednesday in Shanghai
    result = tasks.estimate_areas.call("2026-06-14T18:00:00+00:00")  # Monday 15 June, 02:00 in Shanghai
    assert result["areas"] == 1 and result["estimated"] == 1
