"""`jiliang demo [--scale N] [--seed S] [--if-empty]`: build the synthetic demo province."""

import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from jiliang.core.audit import audit_context
from jiliang.core.extending import DemoStep, contributed


class Command(BaseCommand):
    help = "Build a realistic synthetic province over every real city and county (same seed, same province)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=3000, help="about this many instruments (default 3000)")
        parser.add_argument("--seed", type=int, default=2014, help="random seed (default 2014)")
        parser.add_argument("--if-empty", action="store_true", help="do nothing when the database has users")

    def handle(self, *args, scale, seed, if_empty, **options):
        if if_empty and get_user_model().objects.exists():
            self.stdout.write("The database already has data; the demo is not loaded again.")
            return
        if scale < 100:
            self.stderr.write("--scale must be at least 100")
            raise SystemExit(2)
        rng = random.Random(seed)
        ctx: dict = {}
        # The demo's organisations have example.cn addresses: the notices its steps send stay in the app
        # (notifications), none is mailed or printed by the console backend.
        settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, disable=not self.stdout.isatty() and scale < 100_000) as progress, \
                audit_context(channel="command", actor=None):
            for step in contributed(DemoStep):
                task = progress.add_task(step.name, total=None)

                def advance(done=None, total=None, task=task):
                    progress.update(task, completed=done, total=total)

                with transaction.atomic():
                    step.run(ctx, rng, scale, advance)
                progress.update(task, total=1, completed=1)
        self.stdout.write(self.style.SUCCESS(f"Demo province built (seed {seed}, scale {scale})."))
