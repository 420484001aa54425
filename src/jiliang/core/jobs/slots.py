"""A periodic job's schedule: what runs and in which slots of local time (pure; see :mod:`.scheduler`).

Apps contribute their schedules through core/extending.py; ``jiliang scheduler --list`` shows them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

LOCAL = dt.timezone(dt.timedelta(hours=8))  # Asia/Shanghai has had no daylight saving since 1991


@dataclass(frozen=True)
class Schedule:
    name: str
    task: str  # dotted path of a django-tasks task taking ``slot``
    every: dt.timedelta | None = None  # slots from local midnight, this long
    daily_at: dt.time | None = None  # or one slot a day at this local time
    enabled: Callable[[], bool] = lambda: True
    about: str = ""
    order: int = 100

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
