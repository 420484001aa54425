"""`jiliang rotate-signing-secret`: re-wrap the institutes' Ed25519 keys under a new wrapping secret."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiliang.core.audit import audit_context
from jiliang.verification.services import rewrap_signing_keys


def _read(path: str) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    if not value:
        raise CommandError(f"{path} is empty")
    return value


class Command(BaseCommand):
    help = ("Re-wrap every institute's signing key under a new secret. Outside production mode a new secret is "
            "generated and replaces var/secrets/signing_secret; in production give --new-secret-file and then "
            "set JILIANG_SIGNING_SECRET to its content.")

    def add_arguments(self, parser):
        parser.add_argument("--old-secret-file", help="the secret the keys are wrapped under now "
                                                      "(default: the configured JILIANG_SIGNING_SECRET)")
        parser.add_argument("--new-secret-file", help="the new secret (default outside production: generate one)")

    def handle(self, *args, old_secret_file=None, new_secret_file=None, **options):
        old = _read(old_secret_file) if old_secret_file else settings.JILIANG_SIGNING_SECRET
        installation_file = None
        if new_secret_file:
            new = _read(new_secret_file)
        elif settings.PRODUCTION or os.environ.get("JILIANG_SIGNING_SECRET"):
            raise CommandError("the signing secret comes from the environment: give --new-secret-file, then set "
                               "JILIANG_SIGNING_SECRET to the new secret")
        else:
            new = secrets.token_urlsafe(48)
            installation_file = settings.SECRETS_DIR / "signing_secret"
            # Written before the keys change, so a crash between the two leaves the new secret on disk.
            pending = installation_file.with_suffix(".new")
            fd = os.open(pending, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(new + "\n")
        try:
            with audit_context(channel="command"):
                count = rewrap_signing_keys(old_secret=old, new_secret=new)
        except ValueError as exc:
            if installation_file:
                installation_file.with_suffix(".new").unlink(missing_ok=True)
            raise CommandError(str(exc)) from exc
        if installation_file:
            installation_file.with_suffix(".new").replace(installation_file)
            self.stdout.write(f"new secret written to {installation_file}")
        elif Path(new_secret_file).resolve() != (settings.SECRETS_DIR / "signing_secret").resolve() \
                or os.environ.get("JILIANG_SIGNING_SECRET"):
            self.stdout.write("set JILIANG_SIGNING_SECRET to the new secret before the next start")
        self.stdout.write(self.style.SUCCESS(f"{count} signing keys re-wrapped"))
