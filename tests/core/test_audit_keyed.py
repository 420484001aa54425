"""The audit chain resists someone with database access (issue 11, item 5): entries are HMAC-keyed with a key
outside the database, the head is MAC'd, and signed anchors shipped elsewhere catch a rolled-back database.
`verify-audit` says which check failed."""

import hashlib
import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import transaction

from jiliang.core import audit
from jiliang.core.models import AuditEntry, AuditHead


def _sha256_hash(entry) -> str:
    """The unkeyed hash every installation used before (and an attacker without the key can compute)."""
    return hashlib.sha256(entry.prev_hash.encode() + audit.canonical(audit.entry_payload(entry))).hexdigest()


def _rehash_from(first_pk: int, *, version: int, hasher) -> None:
    """What an attacker with write access does: rewrite every hash from ``first_pk`` on, and the head."""
    entries = list(AuditEntry.objects.order_by("pk"))
    prev = audit.GENESIS
    for e in entries:
        if e.pk >= first_pk:
            e.prev_hash, e.version = prev, version
            e.hash = hasher(e)
            AuditEntry.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash, version=version)
        prev = e.hash
    AuditHead.objects.filter(pk=1).update(last_hash=prev, last_entry_id=entries[-1].pk)


def _add_entries(n: int, label: str) -> None:
    with transaction.atomic():
        for i in range(n):
            audit.record(None, "action", object_type="test", object_id=f"{label}{i}", message=label)


def test_altering_an_entry_and_rehashing_the_rest_is_detected(world):
    assert audit.verify_chain()[1] is None
    victim = AuditEntry.objects.order_by("id")[3]
    AuditEntry.objects.filter(pk=victim.pk).update(object_repr="forged")
    # Before the key, re-hashing with SHA-256 made `verify-audit` say "intact"; both the old scheme and a
    # keyed hash under a guessed key now fail at the altered row.
    _rehash_from(victim.pk, version=2, hasher=_sha256_hash)
    _, brk = audit.verify_chain()
    assert brk.entry_id == victim.pk and "content does not match its hash" in brk.reason
    with pytest.raises(CommandError, match=rf"chain: broken at entry #{victim.pk}"):
        call_command("verify-audit", anchors=None)


def test_rewriting_keyed_entries_as_legacy_ones_is_detected(world):
    victim = AuditEntry.objects.order_by("id")[3]
    AuditEntry.objects.filter(pk=victim.pk).update(object_repr="forged")
    _rehash_from(1, version=1, hasher=_sha256_hash)  # the whole chain as version-1 entries
    _, brk = audit.verify_chain()
    assert brk is not None and "unkeyed version 1 entry" in brk.reason


def test_legacy_entries_from_before_the_key_still_verify(world):
    # An installation from before the key: every entry hashed with plain SHA-256, as the old code did.
    _rehash_from(1, version=1, hasher=_sha256_hash)
    legacy = AuditEntry.objects.count()
    migration = importlib.import_module("jiliang.core.migrations.0005_keyed_audit_chain")
    migration.mark_legacy_boundary(django_apps, None)
    assert audit.verify_chain() == (legacy, None)
    _add_entries(3, "after-upgrade")
    assert audit.verify_chain() == (legacy + 3, None)
    assert set(AuditEntry.objects.order_by("-id").values_list("version", flat=True)[:3]) == {2}
    # a legacy entry is still protected by its link to the keyed entries after it
    first = AuditEntry.objects.order_by("id").first()
    AuditEntry.objects.filter(pk=first.pk).update(message="forged")
    assert audit.verify_chain()[1].entry_id == first.pk


def test_a_forged_head_is_detected(world):
    last = AuditEntry.objects.order_by("-id").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    prev = AuditEntry.objects.order_by("-id").first()
    AuditHead.objects.filter(pk=1).update(last_hash=prev.hash, last_entry_id=prev.pk)
    _, brk = audit.verify_chain()
    assert brk is not None and "head's MAC does not verify" in brk.reason


def test_anchors_catch_a_database_rolled_back_to_an_earlier_state(world, tmp_path, capsys):
    anchors = tmp_path / "anchors.jsonl"
    old_head = AuditHead.objects.values("last_hash", "last_entry_id", "mac").get(pk=1)
    call_command("audit-anchor", file=str(anchors))
    first_end = AuditEntry.objects.order_by("-id").first().pk
    _add_entries(4, "later")
    call_command("audit-anchor", file=str(anchors))
    call_command("verify-audit", anchors=str(anchors))
    out = capsys.readouterr().out
    assert "chain: intact" in out and "anchors: 2 anchors" in out and "match" in out
    # The attacker restores an older, self-consistent state: later entries gone, the old (validly MAC'd) head.
    AuditEntry.objects.filter(pk__gt=first_end).delete()
    AuditHead.objects.filter(pk=1).update(**old_head)
    assert audit.verify_chain()[1] is None  # the chain alone cannot tell
    with pytest.raises(CommandError) as exc:
        call_command("verify-audit", anchors=str(anchors))
    message = str(exc.value)
    assert "chain:" not in message
    assert "anchors:" in message and "line 2" in message and "is missing" in message


def test_an_edited_anchor_is_refused(world, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    call_command("audit-anchor", file=str(anchors))
    anchors.write_text(anchors.read_text().replace('"entries": ', '"entries": 1'))
    with pytest.raises(CommandError, match="line 1: the anchor's signature does not verify"):
        call_command("verify-audit", anchors=str(anchors))


def test_a_different_key_fails_verification(world, settings):
    settings.JILIANG_AUDIT_KEY = "not-the-installation-key-" + "z" * 40
    _, brk = audit.verify_chain()
    assert brk is not None and "JILIANG_AUDIT_KEY" in brk.reason
