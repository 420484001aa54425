"""`jiliang kpi-load-plan FILE [--user USERNAME]`: load a plan from its TOML file (kpi/plan_file.py describes the
format). Every problem of a bad file is printed, each naming the indicator and the field, and nothing is stored; the
command then exits with status 1. ``--user``: the provincial bureau's account named in the audit trail (default:
the server's operator, as other commands)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiliang.core.audit import audit_context
from jiliang.kpi import services


class Command(BaseCommand):
    help = "Load a plan (its indicators and targets) from a TOML file; prints every problem of a bad file."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--user", help="a provincial bureau user or superuser to record as the actor")

    def handle(self, *args, file, user=None, **options):
        try:
            with open(file, "rb") as f:
                data = f.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"--user: no user {user!r}")
        try:
            with audit_context(channel="command", actor=actor):
                plan = services.load_plan(data, actor=actor, command_line=actor is None)
        except PermissionDenied as exc:
            raise CommandError(f"--user: {exc}") from exc
        except ValidationError as exc:
            problems = exc.messages
            for problem in problems:
                self.stderr.write(f"{file}: {problem}")
            raise CommandError(f"{file}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing "
                               f"loaded") from exc
        n = plan.indicators.count()
        targets = sum(i.targets.count() for i in plan.indicators.all())
        self.stdout.write(f"plan {plan.code} loaded: {n} indicators, {targets} targets ({plan.starts_on} to "
                          f"{plan.ends_on})")
