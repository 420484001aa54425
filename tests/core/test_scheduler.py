"""The scheduler: slots of every schedule, each enqueued once however many schedulers tick, a missed slot
caught up once; the periodic tasks run and the live demo keeps the demo's points reporting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError
from django_tasks_db.models import DBTaskResult

from jiliang.core.jobs.models import ScheduleSlot
from jiliang.core.jobs.scheduler import tick
from jiliang.core.jobs.slots import LOCAL, Schedule

UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """A local (Asia/Shanghai) time as aware UTC."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=LOCAL).astimezone(UTC)


QUARTER = Schedule("test-quarter", "jiliang.telemetry.tasks.online_snapshot", every=dt.timedelta(minutes=15))
DAILY = Schedule("test-daily", "jiliang.core.tasks.audit_anchor", daily_at=dt.time(0, 30))
OFF = Schedule("test-off", "jiliang.core.tasks.audit_anchor", every=dt.timedelta(minutes=1), enabled=lambda: False)


@pytest.fixture
def db_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_slots_are_local_quarter_hours_and_local_days():
    assert QUARTER.slot(at("2026-12-04 11:14:59")) == at("2026-12-04 11:00")
    assert QUARTER.slot(at("2026-12-04 11:15:00")) == at("2026-12-04 11:15")
    assert DAILY.slot(at("2026-12-04 00:29")) == at("2026-12-03 00:30")
    assert DAILY.slot(at("2026-12-04 00:30")) == at("2026-12-04 00:30")
    assert DAILY.next_slot(at("2026-12-04 08:00")) == at("2026-12-05 00:30")
    with pytest.raises(ValueError):
        Schedule("bad", "x", every=dt.timedelta(minutes=1), daily_at=dt.time(1))


def test_a_slot_is_enqueued_once_however_often_the_schedulers_tick(db, db_queue):
    now = at("2026-12-04 11:20")
    assert tick(now, [QUARTER, DAILY, OFF]) == [("test-quarter", at("2026-12-04 11:15")),
                                                ("test-daily", at("2026-12-04 00:30"))]
    assert tick(now, [QUARTER, DAILY, OFF]) == []
    assert tick(now + dt.timedelta(minutes=5), [QUARTER, DAILY]) == []
    assert DBTaskResult.objects.count() == 2
    queued = DBTaskResult.objects.get(task_path="jiliang.telemetry.tasks.online_snapshot")
    assert queued.args_kwargs == {"args": [], "kwargs": {"slot": at("2026-12-04 11:15").isoformat()}}
    assert ScheduleSlot.objects.get(schedule="test-quarter").task_id == str(queued.id)


def test_a_scheduler_that_loses_the_race_enqueues_nothing(db, db_queue, monkeypatch):
    now = at("2026-12-04 11:20")
    tick(now, [QUARTER])
    # the other scheduler looked before this one inserted: its insert hits the unique (schedule, slot)
    real_filter = ScheduleSlot.objects.filter
    monkeypatch.setattr(ScheduleSlot.objects, "filter",
                        lambda *a, **k: real_filter(pk=-1) if "schedule" in k else real_filter(*a, **k))
    assert tick(now, [QUARTER]) == []
    assert DBTaskResult.objects.count() == 1 and ScheduleSlot.objects.count() == 1
    with pytest.raises(IntegrityError):
        ScheduleSlot.objects.create(schedule="test-quarter", slot=at("2026-12-04 11:15"))


def test_a_missed_slot_is_caught_up_once_not_once_per_missed_slot(db, db_queue):
    tick(at("2026-12-04 08:00"), [QUARTER])
    # the scheduler was down for three hours (twelve quarter-hours)
    assert tick(at("2026-12-04 11:07"), [QUARTER]) == [("test-quarter", at("2026-12-04 11:00"))]
    assert ScheduleSlot.objects.count() == 2 and DBTaskResult.objects.count() == 2


def test_the_declared_schedules_name_real_tasks():
    from django.utils.module_loading import import_string

    from jiliang.core.jobs.scheduler import schedules

    names = [s.name for s in schedules()]
    assert len(set(names)) == len(names)
    assert {"telemetry-snapshot", "telemetry-partitions", "telemetry-checks", "telemetry-rollups", "audit-anchor",
            "demo-live"} <= set(names)
    for s in schedules():
        assert hasattr(import_string(s.task), "enqueue"), s.task


def test_schedules_are_contributed_by_the_apps_that_own_their_tasks(settings):
    """One shape for periodic work (#12 items 1, 6): an app's schedules come and go with the app."""
    from jiliang.core.jobs.scheduler import schedules

    assert {"telemetry-snapshot", "demo-live"} <= {s.name for s in schedules()}
    settings.INSTALLED_APPS = [a for a in settings.INSTALLED_APPS if a != "jiliang.telemetry"]
    names = {s.name for s in schedules()}
    assert "audit-anchor" in names and not any(n.startswith("telemetry-") or n == "demo-live" for n in names)


def test_deferred_rollups_and_the_live_demo_are_switched_by_their_settings(settings):
    from jiliang.core.jobs.scheduler import schedules

    by_name = {s.name: s for s in schedules()}
    settings.JILIANG_TELEMETRY_ROLLUPS, settings.JILIANG_DEMO_LIVE = "inline", False
    assert not by_name["telemetry-rollups"].enabled() and not by_name["demo-live"].enabled()
    settings.JILIANG_TELEMETRY_ROLLUPS, settings.JILIANG_DEMO_LIVE = "deferred", True
    assert by_name["telemetry-rollups"].enabled() and by_name["demo-live"].enabled()


def test_the_periodic_tasks_run(db, world, settings, tmp_path):
    from jiliang.core import tasks as core_tasks
    from jiliang.telemetry import tasks as tel_tasks

    settings.JILIANG_AUDIT_ANCHOR_FILE = tmp_path / "anchors.jsonl"
    slot = at("2026-12-04 11:15").isoformat()
    core_tasks.audit_anchor.call(slot=slot)
    assert settings.JILIANG_AUDIT_ANCHOR_FILE.read_text().count("\n") == 1
    assert tel_tasks.daily_checks.call(slot=slot) == 0
    assert tel_tasks.fold_rollups.call(slot=slot) == 0
