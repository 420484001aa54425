"""`jiliang telemetry-checks [--day YYYY-MM-DD]`: raise the anomalies of a closed day that need more than one
reading: parent points out of balance with their children (from the daily rollups). Run it daily after
midnight; running it twice for a day changes nothing."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jiliang.telemetry.checks import raise_imbalances
from jiliang.telemetry.consumption import LOCAL, local_day_start


class Command(BaseCommand):
    help = "Raise imbalance anomalies (parent point against the sum of its children) for a day."

    def add_arguments(self, parser):
        parser.add_argument("--day", default=None, help="local day YYYY-MM-DD (default yesterday)")
        parser.add_argument("--tolerance", type=float, default=None,
                            help="relative tolerance (default JILIANG_TELEMETRY_IMBALANCE_TOLERANCE or 0.05)")

    def handle(self, *args, day, tolerance, **options):
        try:
            d = dt.date.fromisoformat(day) if day else timezone.now().astimezone(LOCAL).date() - dt.timedelta(days=1)
        except ValueError as exc:
            raise CommandError(f"--day: {exc}") from exc
        start = local_day_start(d)
        found = raise_imbalances(start, tolerance=tolerance)
        self.stdout.write(f"{d}: {len(found)} parent points out of balance")
