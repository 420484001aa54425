"""`jiliang scheduler [--list] [--once]`: enqueue the periodic jobs the installed apps declare (Schedule contributions) when they are due.

Several schedulers may run (one per host, say): each (schedule, slot) is enqueued once. A scheduler that was
down catches up the latest missed slot of each schedule once. ``--list`` shows the schedules with their next
and last slots; ``--once`` ticks once and stops (for cron-less tests and for checking).
"""

import signal
import time

from django.core.management.base import BaseCommand
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from jiliang.core.jobs.scheduler import last_enqueued, schedules, tick
from jiliang.core.jobs.slots import LOCAL


class Command(BaseCommand):
    help = "Enqueue the periodic jobs the apps declare as their slots come (Ctrl-C stops)."

    def add_arguments(self, parser):
        parser.add_argument("--list", action="store_true", help="show the schedules, their next and last slots")
        parser.add_argument("--once", action="store_true", help="enqueue what is due now, then stop")
        parser.add_argument("--interval", type=float, default=10, help="seconds between ticks (default 10)")

    def handle(self, *args, list, once, interval, **options):
        if list:
            self._list()
            return
        stop = {"flag": False}
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.update(flag=True))
            self.stdout.write(f"scheduler: {len(schedules())} schedules; Ctrl-C stops")
        while not stop["flag"]:
            try:
                close_old_connections()
                for name, slot in tick():
                    self.stdout.write(f"{timezone.now().astimezone(LOCAL):%H:%M:%S} enqueued {name} for "
                                      f"{slot.astimezone(LOCAL):%Y-%m-%d %H:%M}")
            except OperationalError as exc:  # the database went away or is busy: try again next tick
                self.stderr.write(f"database error, trying again: {exc}")
                connection.close()
            if once:
                return
            deadline = time.monotonic() + interval
            while not stop["flag"] and time.monotonic() < deadline:
                time.sleep(0.2)
        self.stdout.write("scheduler stopped")

    def _list(self):
        now = timezone.now()
        last = last_enqueued()
        rows = [("schedule", "when", "on", "next slot", "last enqueued", "task")]
        for s in schedules():
            prev = last.get(s.name)
            rows.append((s.name, s.describe(), "yes" if s.enabled() else "no",
                         f"{s.next_slot(now).astimezone(LOCAL):%Y-%m-%d %H:%M}",
                         f"{prev.astimezone(LOCAL):%Y-%m-%d %H:%M}" if prev else "—", s.task))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            self.stdout.write("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip())
        for s in schedules():
            self.stdout.write(f"  {s.name}: {s.about}")
