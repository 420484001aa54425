"""Periodic jobs: declared in code (``jiliang/schedule.py``), enqueued by ``jiliang scheduler``.

Each schedule divides time into slots (every 15 minutes from midnight, or once a day at a local time). A tick
enqueues a schedule's task for the latest slot that has begun, once: the (schedule, slot) row of
:class:`~.models.ScheduleSlot` is inserted in the same transaction as the task, and its unique constraint
turns a second scheduler's insert into a no-op. Only the latest slot is looked at, so a scheduler that was
down for a day catches up once, not 96 times. The task receives the slot's start (ISO 8601) as ``slot``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduleSlot

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no daylight saving since 1991


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str  # dotted path of a django-tasks task taking ``slot``
    every: dt.timedelta | None = None  # slots from local midnight, this long
    daily_at: dt.time | None = None  # or one slot a day at this local time
    enabled: Callable[[], bool] = lambda: True
    about: str = ""

    def __post_init__(self):
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"schedule {self.name}: give either every or daily_at")

    def slot(self, now: dt.datetime) -> dt.datetime:
        """The start of the latest slot that has begun at ``now``."""
        local = now.astimezone(LOCAL)
        midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
        if self.every is not None:
            n = (local - midnight) // self.every
            return (midnight + n * self.every).astimezone(dt.UTC)
        at = midnight.replace(hour=self.daily_at.hour, minute=self.daily_at.minute)
        return (at if at <= local else at - dt.timedelta(days=1)).astimezone(dt.UTC)

    def next_slot(self, now: dt.datetime) -> dt.datetime:
        return self.slot(now) + (self.every or dt.timedelta(days=1))

    def describe(self) -> str:
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            return f"every {minutes} min" if minutes < 60 else f"every {minutes // 60} h"
        return f"daily at {self.daily_at:%H:%M} (Asia/Shanghai)"


def schedules() -> list[Schedule]:
    from jiliang.schedule import SCHEDULES

    return SCHEDULES


def tick(now: dt.datetime | None = None, schedules_: list[Schedule] | None = None) -> list[tuple[str, dt.datetime]]:
    """Enqueue every enabled schedule's latest slot not yet enqueued; returns what this call enqueued."""
    now = now or timezone.now()
    enqueued = []
    for s in schedules_ if schedules_ is not None else schedules():
        if not s.enabled():
            continue
        slot = s.slot(now)
        if ScheduleSlot.objects.filter(schedule=s.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                row = ScheduleSlot.objects.create(schedule=s.name, slot=slot)
                result = import_string(s.task).enqueue(slot=slot.isoformat())
                ScheduleSlot.objects.filter(pk=row.pk).update(task_id=str(result.id)[:64])
        except IntegrityError:  # another scheduler enqueued this slot between our look and our insert
            continue
        enqueued.append((s.name, slot))
    return enqueued


def last_enqueued() -> dict[str, dt.datetime]:
    out = {}
    for name, slot in ScheduleSlot.objects.order_by("schedule", "-slot").values_list("schedule", "slot"):
        out.setdefault(name, slot)
    return out
