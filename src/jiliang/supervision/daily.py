"""The daily run of supervision (`jiliang supervision-daily`, and the periodic job ``supervision-daily``).

Steps, each idempotent, in order: states for instruments that have none (registered in bulk); the statuses the
date alone moves (state.advance_calendar); then the steps in :data:`STEPS` (reminders and notices, reminders.py).
Running it twice on a day changes nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from . import reminders, state


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[dt.date, Callable[[int, int], None]], int]  # (today, progress(done, total)) -> how many changed


def _missing_states(today: dt.date, progress) -> int:
    done = 0
    while ids := state.missing():
        done += state.refresh(ids, today)
        progress(done, done + len(state.missing()))
    return done


def _calendar(today: dt.date, progress) -> int:
    moved = state.advance_calendar(today)
    progress(1, 1)
    return moved


STEPS: list[Step] = [
    Step("states of new instruments", _missing_states),
    Step("statuses moved by the date", _calendar),
    Step("due-soon reminders", reminders.due_soon),
    Step("overdue reminders", reminders.overdue),
    Step("notices complied or lapsed", reminders.notices),
]


def run(today: dt.date | None = None, progress: Callable[[str, int, int], None] | None = None) -> dict[str, int]:
    """Every step for ``today`` (Beijing's date); returns {step name: how many records it changed}."""
    today = today or timezone.localdate()
    out = {}
    for step in STEPS:
        out[step.name] = step.run(today, (lambda d, t, n=step.name: progress(n, d, t)) if progress
                                  else (lambda d, t: None))
    return out
