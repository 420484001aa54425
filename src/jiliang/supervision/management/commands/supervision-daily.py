"""`jiliang supervision-daily [--date YYYY-MM-DD]`: the daily run of supervision by hand (supervision/daily.py)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from jiliang.core.audit import audit_context
from jiliang.supervision import daily


class Command(BaseCommand):
    help = ("States for new instruments, statuses the date moves (due soon, overdue, service life ended), then "
            "reminders and notices; idempotent: a second run on the same day changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the day to run for (default: today in Asia/Shanghai)")

    def handle(self, *args, date=None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"--date: {date!r} is not a date (YYYY-MM-DD)") from exc
        with Progress(transient=True) as progress, audit_context(channel="command"):
            tasks = {}

            def report(name, done, total):
                if name not in tasks:
                    tasks[name] = progress.add_task(name, total=max(total, 1))
                progress.update(tasks[name], completed=done, total=max(total, 1))

            result = daily.run(today, report)
        for name, n in result.items():
            self.stdout.write(f"{name}: {n}")
