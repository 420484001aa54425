"""The monthly snapshot (a schedule of kpi's extensions): on each slot, the snapshots of the last month's end that
are missing are taken, so a stopped scheduler catches up on its next run and a second run writes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from jiliang.core.audit import audit_context

from . import services


def last_month_end(today: dt.date) -> dt.date:
    return today.replace(day=1) - dt.timedelta(days=1)


@task()
def monthly_snapshots(slot: str | None = None) -> int:
    with audit_context(channel="task"):
        return services.snapshot_all(last_month_end(timezone.localdate()))
