"""`jiliang telemetry-partitions`: create the readings table's monthly partitions ahead (PostgreSQL).

Run it daily (cron or a scheduled task); ingest also creates a missing month on demand. On SQLite it says
so and does nothing.
"""

from django.core.management.base import BaseCommand
from django.db import connection

from jiliang.telemetry import partitions


class Command(BaseCommand):
    help = "Create monthly partitions of telemetry_reading ahead of time (PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=3, help="months after this one (default 3)")
        parser.add_argument("--back", type=int, default=1, help="months before this one (default 1)")

    def handle(self, *args, ahead, back, **options):
        if not partitions.is_partitioned(connection):
            self.stdout.write("The database is not PostgreSQL: readings are a plain table, nothing to do.")
            return
        partitions.ensure_ahead(months_ahead=ahead, months_back=back)
        names = partitions.list_partitions()
        self.stdout.write(f"{len(names)} partitions: " + ", ".join(names))
