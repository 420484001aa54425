"""`jiliang telemetry-snapshot [--backfill-from YYYY-MM-DD [--backfill-to YYYY-MM-DD]]`: store how many key
energy-consuming enterprises of each region are online now (the online rate over time, KPI 9).

`jiliang scheduler` runs it every 15 minutes (a Schedule in telemetry/extensions.py); this command is for running it by hand.

Running it twice in the same minute replaces that minute's rows. ``--backfill-from`` instead writes hourly
snapshots for past local days from the hourly point rollups (an enterprise counts as online at the end of an
hour when each required point has readings in that hour), up to the start of ``--backfill-to`` (default: up
to the last full hour).
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiliang.telemetry.consumption import LOCAL, local_day_start
from jiliang.telemetry.quality import backfill_online_snapshots, record_online_snapshot


def _day(value: str, option: str) -> dt.datetime:
    try:
        d = dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from exc
    return local_day_start(d)


class Command(BaseCommand):
    help = "Store the number of online key energy-consuming enterprises per region now (run every 15 minutes)."

    def add_arguments(self, parser):
        parser.add_argument("--backfill-from", default=None, help="local day YYYY-MM-DD: backfill hourly from it")
        parser.add_argument("--backfill-to", default=None, help="local day YYYY-MM-DD (exclusive; default now)")

    def handle(self, *args, backfill_from, backfill_to, **options):
        if backfill_to and not backfill_from:
            raise CommandError("--backfill-to needs --backfill-from")
        if backfill_from:
            start = _day(backfill_from, "--backfill-from")
            end = _day(backfill_to, "--backfill-to") if backfill_to else timezone.now()
            if end <= start:
                raise CommandError("--backfill-to must come after --backfill-from")
            n = backfill_online_snapshots(start, end)
            self.stdout.write(f"{n} hourly snapshot rows from {start:%Y-%m-%d} to {end.astimezone(LOCAL):%Y-%m-%d %H:%M}")
            return
        now = timezone.now().replace(second=0, microsecond=0)
        n = record_online_snapshot(now)
        self.stdout.write(f"{now.astimezone(LOCAL):%Y-%m-%d %H:%M}: {n} regions")
