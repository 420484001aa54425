"""Periodic jobs: declared in code (each app's ``extensions.py``, see core/extending.py), enqueued by ``jiliang scheduler``.

Each schedule divides time into slots (every 15 minutes from midnight, or once a day at a local time). A tick
enqueues a schedule's task for the latest slot that has begun, once: the (schedule, slot) row of
:class:`~.models.ScheduleSlot` is inserted in the same transaction as the task, and its unique constraint
turns a second scheduler's insert into a no-op. Only the latest slot is looked at, so a scheduler that was
down for a day catches up once, not 96 times. The task receives the slot's start (ISO 8601) as ``slot``.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from ..extending import contributed
from .models import ScheduleSlot
from .slots import Schedule


def schedules() -> tuple[Schedule, ...]:
    """The schedules the installed apps contribute (their ``extensions.py``)."""
    return contributed(Schedule)


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
