"""`jiliang coverage-recount [--check]`: compare coverage's counters (coverage_counts.py) with the registry's
instruments and rebuild them where they differ; with ``--check`` only report (exit status 1 when they differ)."""

from django.core.management.base import BaseCommand

from jiliang.traceability import coverage_counts


class Command(BaseCommand):
    help = ("Compare the coverage counters (plan indicator 2) with the instruments in use and rebuild them if they "
            "differ; --check only reports.")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report the differences, change nothing")

    def handle(self, *args, check, **options):
        found = coverage_counts.recount(check_only=check)
        self.stdout.write(f"instruments counted wrongly: {found.members_wrong}")
        self.stdout.write(f"counters that differ: {len(found.counts_wrong)}")
        for (key, month), (stored, actual) in sorted(found.counts_wrong.items())[:20]:
            self.stdout.write(f"  {key} {month or '-'}: stored {stored}, registry {actual}")
        if found.fixed:
            self.stdout.write(self.style.SUCCESS("counters rebuilt"))
        elif found.ok:
            self.stdout.write(self.style.SUCCESS("counters agree with the registry"))
        if check and not found.ok:
            raise SystemExit(1)
