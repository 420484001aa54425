"""Periodic tasks of livelihood metering (their Schedules are in livelihood/extensions.py)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from jiliang.core.audit import audit_context
from jiliang.core.jobs.slots import LOCAL

from . import area_services

ESTIMATE_WEEKDAY = 0  # Monday


@task()
def estimate_areas(slot: str) -> dict[str, int]:
    """The weekly transformer-area error estimates: the schedule fires daily at 02:00 (Asia/Shanghai) and the
    estimate runs on Mondays, over the 90 days that end the day before."""
    day = dt.datetime.fromisoformat(slot).astimezone(LOCAL).date()
    if day.weekday() != ESTIMATE_WEEKDAY:
        return {"skipped": 1}
    with audit_context(channel="task"):
        return area_services.estimate_all(days=area_services.DEFAULT_DAYS, today=day)
