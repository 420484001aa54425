"""Periodic tasks of supervision (their Schedules are in supervision/extensions.py)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from jiliang.core.audit import audit_context
from jiliang.core.jobs.slots import LOCAL

from . import daily


@task()
def supervision_daily(slot: str) -> dict[str, int]:
    """`jiliang supervision-daily`: new states, statuses moved by the date, reminders and notices."""
    today = dt.datetime.fromisoformat(slot).astimezone(LOCAL).date()
    with audit_context(channel="task"):
        return daily.run(today)
