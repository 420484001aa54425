"""`jiliang telemetry-rollups`: fold queued rollup increments into the rollups (deferred rollups).

With ``JILIANG_TELEMETRY_ROLLUPS = "deferred"`` ingest queues each transaction's rollup increments instead of
adding them inline; this worker folds them, oldest first, ``--batch`` at a time, each batch in one
transaction (``rollups.fold``). Run one or more next to the ingest processes (an idle ``ingest-mqtt`` folds
too); ``--once`` folds what is queued and stops, with a progress bar.
"""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections, connection
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jiliang.telemetry import rollups


class Command(BaseCommand):
    help = "Fold queued rollup increments into the point and enterprise rollups."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=50_000, help="increments per transaction (default 50000)")
        parser.add_argument("--once", action="store_true", help="fold what is queued now, then stop")
        parser.add_argument("--idle-ms", type=int, default=500, help="wait this long when nothing is queued")

    def handle(self, *args, batch, once, idle_ms, **options):
        if batch < 1:
            raise CommandError("--batch must be at least 1")
        if once:
            self._once(batch)
            return
        stop = {"flag": False}
        signal.signal(signal.SIGTERM, lambda *_: stop.update(flag=True))
        signal.signal(signal.SIGINT, lambda *_: stop.update(flag=True))
        total = 0
        while not stop["flag"]:
            try:
                close_old_connections()
                n = rollups.fold(batch)
            except OperationalError as exc:  # the database went away: the batch was rolled back, try again
                self.stderr.write(f"database error, retrying in 2 s: {exc}")
                connection.close()
                time.sleep(2)
                continue
            total += n
            if not n:
                time.sleep(idle_ms / 1000)
        self.stdout.write(f"folded {total} increments")

    def _once(self, batch: int) -> None:
        queued = rollups.pending()
        total = 0
        with Progress(TextColumn("folding rollup increments"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), transient=True) as progress:
            task = progress.add_task("fold", total=queued)
            while total < queued:
                n = rollups.fold(batch)
                if not n:
                    break
                total += n
                progress.update(task, completed=min(total, queued))
        self.stdout.write(f"folded {total} increments")
