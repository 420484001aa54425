"""`jiliang verify-certificate FILE.json --public-key KEY.pem`: check a certificate's signature offline.

FILE.json is what ``/verify/<number>.json`` serves (``{"content", "signature", "key_id", ...}``); KEY.pem
the institute's published public key (``/verify/keys/<key id>.pem``). No database is read: the check is
Ed25519 (RFC 8032) over the canonical JSON of ``content`` (sorted keys, no whitespace, UTF-8).
Exit status 0 when the signature verifies, 1 when it does not, 2 on unreadable input.
"""

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
            return
        self.stderr.write(f"FAILED: certificate {content.get('number')}: signature does not verify "
                          "(the content was altered or signed with another key)")
        raise SystemExit(1)
