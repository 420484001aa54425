"""`jiliang verify-certificate FILE.json --public-key KEY.pem`: check a certificate's signature offline.

FILE.json is what ``/verify/<number>.json`` serves (``{"content", "signature", "key_id", ...}``); KEY.pem
the institute's published public key (``/verify/keys/<key id>.pem``). No database is read: the check is
Ed25519 (RFC 8032) over the canonical JSON of ``content`` (sorted keys, no whitespace, UTF-8).
Exit status 0 when the signature verifies, 1 when it does not, 2 on unreadable input.

A signature proves who issued the content and that it is unaltered, not that the certificate still holds:
the command also prints the status the file was served with (and when), the validity period against today,
and that a revocation or a superseding certificate issued since is only visible online.
"""

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from jiliang.verification import signing


class Command(BaseCommand):
    help = "Verify a certificate's Ed25519 signature offline with the institute's published public key."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("file", help="the signed certificate JSON (/verify/<number>.json)")
        parser.add_argument("--public-key", required=True, help="the institute's public key, PEM")

    def handle(self, *args, file, public_key, **options):
        try:
            doc = json.loads(Path(file).read_text(encoding="utf-8"))
            key = signing.load_public_pem(Path(public_key).read_bytes())
            content, signature = doc["content"], doc["signature"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.stderr.write(f"cannot read the input: {exc}")
            raise SystemExit(2) from exc
        key_id = signing.key_id_of(key)
        if doc.get("key_id") and doc["key_id"] != key_id:
            self.stderr.write(f"the certificate names key {doc['key_id']}, the public key given is {key_id}")
            raise SystemExit(1)
        if signing.verify(key, content, signature):
            self.stdout.write(f"OK: certificate {content.get('number')} signature verifies (Ed25519, key {key_id})")
            for line in status_lines(doc, dt.date.today()):
                self.stdout.write(line)
            return
        self.stderr.write(f"FAILED: certificate {content.get('number')}: signature does not verify "
                          "(the content was altered or signed with another key)")
        raise SystemExit(1)


def status_lines(doc: dict, today: dt.date) -> list[str]:
    """What the file says of the certificate's standing, and what an offline check cannot know."""
    content = doc.get("content") or {}
    lines = []
    status = doc.get("status")
    if status:
        reason = f" ({doc['status_reason']})" if doc.get("status_reason") else ""
        by = f", superseded by {doc['superseded_by']}" if doc.get("superseded_by") else ""
        lines.append(f"status when the file was served: {status}{reason}{by}")
    else:
        lines.append("status: not in the file (only the signed content was given)")
    until = content.get("valid_until")
    if until:
        try:
            expired = dt.date.fromisoformat(str(until)[:10]) < today
        except ValueError:
            expired = None
        if expired is not None:
            lines.append(f"valid until {until}: {'EXPIRED' if expired else 'not expired'} on {today.isoformat()}")
    url = content.get("verify_url") or (f"/verify/{content.get('number')}" if content.get("number") else "")
    lines.append("WARNING: a revocation or a superseding certificate issued after this file was served is only "
                 f"visible online{': ' + url if url else ''}. Check there before relying on the certificate.")
    return lines
