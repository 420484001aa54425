"""`jiliang traceability-rebuild`: derive every link of the calibration graph afresh from certificates and standards'
calibrations (graph.rebuild), with progress; imported links stay."""

from django.core.management.base import BaseCommand
from rich.progress import Progress

from jiliang.core.audit import audit_context
from jiliang.traceability import graph


class Command(BaseCommand):
    help = ("Derive every traceability link afresh from certificates (standards used) and standards' calibrations; "
            "imported links are kept.")

    def handle(self, *args, **options):
        with Progress(transient=True) as progress, audit_context(channel="command"):
            task = progress.add_task("links", total=1)

            def report(done, total):
                progress.update(task, completed=done, total=max(total, 1))

            counts = graph.rebuild(report)
        for name, n in counts.items():
            self.stdout.write(f"{name}: {n}")
