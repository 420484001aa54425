"""`jiliang kpi-snapshot [--on YYYY-MM-DD] [--plan CODE]`: take the plan indicators' snapshots of a day (default the
last month's end) where missing; a snapshot is never rewritten, so a second run writes nothing. `jiliang scheduler`
runs it every night (kpi/extensions.py); this command is for running it by hand or catching up a date."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.progress import Progress

from jiliang.core.audit import audit_context
from jiliang.kpi import services, values
from jiliang.kpi.models import Plan, Snapshot
from jiliang.kpi.tasks import last_month_end


class Command(BaseCommand):
    help = ("Take the snapshots of the plan indicators for a day (default: the last month's end), for each plan's "
            "region and its cities, where none was taken; prints how many were written.")

    def add_arguments(self, parser):
        parser.add_argument("--on", help="the day (YYYY-MM-DD, not in the future; default: the last month's end)")
        parser.add_argument("--plan", help="one plan's code (default: every plan whose period has begun by then)")

    def handle(self, *args, on=None, plan=None, **options):
        today = timezone.localdate()
        try:
            day = dt.date.fromisoformat(on) if on else last_month_end(today)
        except ValueError as exc:
            raise CommandError(f"--on: {on!r} is not a date (YYYY-MM-DD)") from exc
        if day > today:
            raise CommandError(f"--on: {day} lies in the future; a snapshot keeps what was recorded by its day")
        if plan:
            plans = list(Plan.objects.filter(code=plan))
            if not plans:
                known = ", ".join(Plan.objects.values_list("code", flat=True)) or "none"
                raise CommandError(f"--plan: no plan has the code {plan!r} (loaded: {known})")
            if day < plans[0].starts_on:
                raise CommandError(f"--on: {day} comes before the plan's start on {plans[0].starts_on}")
        else:
            plans = list(Plan.objects.filter(starts_on__lte=day))
        written = existing = 0
        with Progress(transient=True, disable=not self.stdout.isatty()) as progress, \
                audit_context(channel="command", actor=None):
            for p in plans:
                regions = values.plan_regions(p)
                existing += Snapshot.objects.filter(indicator__plan=p, region_id__in=regions, on=day).count()
                task = progress.add_task(p.code, total=None)
                written += services.take_snapshots(
                    p, day, regions=regions,
                    progress=lambda n, total, task=task: progress.update(task, completed=n, total=total))
        self.stdout.write(f"{day}: {written} snapshots written, {existing} already taken "
                          f"({len(plans)} plan{'s' if len(plans) != 1 else ''})")
