"""`jiliang livelihood-estimate-areas [--days N] [--area CODE]`: estimate the household electricity meters' errors
of every transformer area from its energy balance (livelihood/area_errors.py) and store the estimates."""

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from jiliang.core.audit import audit_context
from jiliang.livelihood import area_services
from jiliang.livelihood.models import TransformerArea


class Command(BaseCommand):
    help = ("Estimate the errors of the household electricity meters of every transformer area over the days that "
            "end yesterday, flag those whose error exceeds their MPE with 95 % confidence, and store the estimates.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=area_services.DEFAULT_DAYS,
                            help=f"days of data (default {area_services.DEFAULT_DAYS})")
        parser.add_argument("--area", action="append", default=[], help="only the area with this code (repeatable)")

    def handle(self, *args, days, area, **options):
        if days < 2:
            raise CommandError("--days must be at least 2")
        areas = TransformerArea.objects.order_by("pk")
        if area:
            areas = areas.filter(code__in=area)
            if not areas.exists():
                raise CommandError(f"no transformer area with code {', '.join(area)}")
        with Progress(transient=True) as progress, audit_context(channel="command"):
            bar = progress.add_task("transformer areas", total=None)
            result = area_services.estimate_all(days=days, areas=areas,
                                                progress=lambda done, total: progress.update(bar, completed=done,
                                                                                             total=total))
        for name, n in result.items():
            self.stdout.write(f"{name}: {n}")
