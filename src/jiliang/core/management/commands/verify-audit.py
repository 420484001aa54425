"""`jiliang verify-audit`: walk the hash chain and report the first broken entry, if any."""

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from jiliang.core.audit import verify_chain
from jiliang.core.models import AuditEntry


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; exit 1 and name the first broken entry if a row was altered."

    def handle(self, *args, **options):
        total = AuditEntry.objects.count()
        with Progress(transient=True) as progress:
            task = progress.add_task("verifying audit trail", total=total or 1)
            checked, brk = verify_chain(progress=lambda n: progress.update(task, completed=n))
        if brk:
            raise CommandError(f"audit chain broken at entry #{brk.entry_id}: {brk.reason} "
                               f"({checked} entries before it verified)")
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} entries verified"))
