"""`jiliang audit-anchor`: append the audit chain's head, signed with the audit key, to the anchor file.

Run it periodically (hourly, say) and ship the file off the database server (log shipping, a WORM bucket,
e-mail to the auditor): `jiliang verify-audit --anchors <shipped copy>` then catches a database that was
rolled back or rewritten as a whole, which the chain alone cannot see.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from jiliang.core.audit import write_anchor


class Command(BaseCommand):
    help = "Append the audit chain's signed head to the anchor file (JILIANG_AUDIT_ANCHOR_FILE or --file)."

    def add_arguments(self, parser):
        parser.add_argument("--file", help="anchor file (default: JILIANG_AUDIT_ANCHOR_FILE)")

    def handle(self, *args, file=None, **options):
        path = Path(file) if file else Path(settings.JILIANG_AUDIT_ANCHOR_FILE)
        anchor = write_anchor(path)
        self.stdout.write(f"anchored entry #{anchor['entry_id']} ({anchor['entries']} entries) in {path}")
