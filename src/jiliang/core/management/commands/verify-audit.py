"""`jiliang verify-audit`: check the keyed chain and the signed anchors; say which check failed."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from jiliang.core.audit import verify_anchors, verify_chain
from jiliang.core.models import AuditEntry


class Command(BaseCommand):
    help = ("Check the audit trail: the HMAC-keyed chain in the database and the signed head anchors written by "
            "`jiliang audit-anchor`; exit 1 and say which check failed and where.")

    def add_arguments(self, parser):
        parser.add_argument("--anchors", help="anchor file (default: JILIANG_AUDIT_ANCHOR_FILE); the copy shipped "
                                              "elsewhere is the one to trust")

    def handle(self, *args, anchors=None, **options):
        failures = []
        total = AuditEntry.objects.count()
        with Progress(transient=True) as progress:
            task = progress.add_task("verifying audit trail", total=total or 1)
            checked, brk = verify_chain(progress=lambda n: progress.update(task, completed=n))
        if brk:
            failures.append(f"chain: broken at entry #{brk.entry_id}: {brk.reason} "
                            f"({checked} entries before it verified)")
        else:
            self.stdout.write(f"chain: intact, {checked} entries verified")

        path = Path(anchors) if anchors else Path(settings.JILIANG_AUDIT_ANCHOR_FILE)
        if path.is_file():
            n, problems = verify_anchors(path.read_text(encoding="utf-8").splitlines())
            for p in problems:
                failures.append(f"anchors: {path} line {p.line}: {p.reason}")
            if not problems:
                self.stdout.write(f"anchors: {n} anchors in {path} match")
        elif anchors:
            failures.append(f"anchors: {path} does not exist")
        else:
            self.stdout.write(self.style.WARNING(f"anchors: none yet ({path} does not exist; run `jiliang "
                                                 "audit-anchor` periodically)"))
        if failures:
            raise CommandError("audit trail does not verify:\n" + "\n".join(failures))
        self.stdout.write(self.style.SUCCESS(f"audit chain intact: {checked} entries verified"))
