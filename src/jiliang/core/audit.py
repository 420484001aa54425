"""The audit trail: context (who, from where, over which channel) and an HMAC-keyed chain of entries.

Services call :func:`record` inside their transaction; the web and API middleware, management commands,
tasks and the MQTT ingester open an :func:`audit_context` so every entry says where the change came from
(NetBox's ObjectChange fields plus Nautobot's change context, and a hash chain of our own).

The chain is keyed with ``settings.JILIANG_AUDIT_KEY`` (HMAC-SHA256, RFC 2104), which lives outside the
database, so that someone who can write to the database cannot alter an entry and re-hash the rest. Entries
written before the key (``version`` 1) keep their plain SHA-256 links and still verify; the head row records
where they end, under the key's MAC. Signed anchors of the head (:func:`write_anchor`) go to a file the
operator ships elsewhere, so a database rolled back as a whole is caught too (docs/audit.md).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import functools
import hashlib
import hmac
import json
import math
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from json.encoder import encode_basestring as _encode_string
from types import SimpleNamespace

from django.db import connection, models, transaction
from django.utils import timezone

from jiliang.core.bulk import copy_rows
from jiliang.core.values.canonical import NotCanonical, canonical_json
from jiliang.core.values.decimals import decimal_text

GENESIS = "0" * 64
HASH_VERSION = 2  # 1: SHA-256 (legacy entries); 2: HMAC-SHA256 with JILIANG_AUDIT_KEY
ANCHOR_FORMAT = "jiliang.audit-anchor/1"


@dataclass(frozen=True)
class AuditContext:
    actor: object | None = None
    channel: str = "command"
    request_id: str = ""
    remote_addr: str | None = None


_DEFAULT_CONTEXT = AuditContext()
_context: contextvars.ContextVar[AuditContext] = contextvars.ContextVar("jiliang_audit", default=_DEFAULT_CONTEXT)  # noqa: B039 (frozen)


def current_context() -> AuditContext:
    return _context.get()


@contextlib.contextmanager
def audit_context(*, actor=None, channel: str, remote_addr: str | None = None,
                  request_id: str | None = None) -> Iterator[AuditContext]:
    """Attribute every audit entry written inside the block to ``actor`` over ``channel``."""
    ctx = AuditContext(actor=actor, channel=channel, request_id=request_id or str(uuid.uuid4()),
                       remote_addr=remote_addr)
    token = _context.set(ctx)
    try:
        yield ctx
    finally:
        _context.reset(token)


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    """Keep the surrounding channel and request but name ``actor`` (a service called for a user)."""
    token = _context.set(replace(_context.get(), actor=actor))
    try:
        yield
    finally:
        _context.reset(token)


_PLAIN = frozenset({str, int, bool, type(None)})


def json_value(value):
    if type(value) in _PLAIN:  # most fields of most rows: no conversion (snapshots of large imports)
        return value
    if type(value) is float and math.isfinite(value):
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        # canonical JSON refuses NaN and Infinity; write them as a Decimal of the same value reads.
        return str(decimal.Decimal(value))
    if isinstance(value, decimal.Decimal):
        # 30, 30.0 and 30.000000 are one value: compare and store it in its shortest exact form.
        return decimal_text(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model) -> dict:
    """The record's concrete fields as JSON-safe values (foreign keys as their ids)."""
    data = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("created", "last_updated"):
            continue
        data[f.attname] = json_value(getattr(obj, f.attname))
    return data


canonical = canonical_json


def entry_payload(entry) -> dict:
    """The fields covered by an entry's hash (everything but the hash itself and the row id)."""
    return {
        "timestamp": entry.timestamp.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "channel": entry.channel,
        "request_id": entry.request_id,
        "remote_addr": entry.remote_addr,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "region_code": entry.region_code,
        "organisation_id": entry.organisation_id,
        "before": entry.before,
        "after": entry.after,
        "message": entry.message,
        "prev_hash": entry.prev_hash,
    }


def audit_key(purpose: bytes = b"entry") -> bytes:
    """The HMAC key for ``purpose`` (entries, head, anchors), derived from ``settings.JILIANG_AUDIT_KEY``."""
    from django.conf import settings

    if not settings.JILIANG_AUDIT_KEY:
        raise RuntimeError("JILIANG_AUDIT_KEY is empty")
    return _derived_key(settings.JILIANG_AUDIT_KEY, purpose)


@functools.lru_cache(maxsize=16)
def _derived_key(secret: str, purpose: bytes) -> bytes:
    # once per secret and purpose, not once per entry: a large import appends 100,000 entries
    return hmac.new(secret.encode(), b"jiliang audit " + purpose, hashlib.sha256).digest()


def _mac(purpose: bytes, data: bytes) -> str:
    return hmac.new(audit_key(purpose), data, hashlib.sha256).hexdigest()


def entry_hash(entry) -> str:
    version = getattr(entry, "version", HASH_VERSION)
    if version == 1:
        return hashlib.sha256(entry.prev_hash.encode() + canonical(entry_payload(entry))).hexdigest()
    if version == 2:
        return _mac(b"entry", entry.prev_hash.encode() + canonical({**entry_payload(entry), "version": 2}))
    raise ValueError(f"unknown audit hash version {version!r}")


def head_mac(last_entry_id: int | None, last_hash: str, legacy_last_id: int | None) -> str:
    return _mac(b"head", canonical({"last_entry_id": last_entry_id, "last_hash": last_hash,
                                    "legacy_last_id": legacy_last_id}))


def _advance_head(head, last_hash: str, last_entry_id: int) -> None:
    head.last_hash, head.last_entry_id = last_hash, last_entry_id
    head.mac = head_mac(last_entry_id, last_hash, head.legacy_last_id)
    head.save(update_fields=["last_hash", "last_entry_id", "mac"])


def changed_fields(before: dict | None, after: dict | None) -> dict:
    """Only the fields that differ, as ``{field: [before, after]}``."""
    before, after = before or {}, after or {}
    return {k: [before.get(k), after.get(k)] for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)}


def resolve_actor(actor):
    """A user, or None: unwraps the middleware's lazy request user and drops anonymous users."""
    resolve = getattr(actor, "resolve", None)
    if callable(resolve):
        actor = resolve()
    return actor if getattr(actor, "is_authenticated", False) else None


def record(obj: models.Model | None, action: str, *, actor=None, before: dict | None = None,
           after: dict | None = None,
           message: str = "", object_type: str | None = None, object_id: str | None = None,
           object_repr: str | None = None, region_code: str | None = None,
           organisation_id: int | None = None):
    """Append one entry to the chain. Must run inside the caller's transaction."""
    from .models import AuditEntry, AuditHead

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must be called inside the transaction that makes the change")
    ctx = current_context()
    actor = resolve_actor(actor if actor is not None else ctx.actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        if region_code is None and hasattr(obj, "audit_region_code"):
            region_code = obj.audit_region_code()
        if organisation_id is None and hasattr(obj, "audit_organisation_id"):
            organisation_id = obj.audit_organisation_id()
    # The head row serialises appends across processes (SELECT … FOR UPDATE on PostgreSQL).
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
    entry = AuditEntry(
        timestamp=timezone.now(),
        actor=actor,
        actor_name=(str(actor) if actor else "")[:150],
        channel=ctx.channel,
        request_id=ctx.request_id,
        remote_addr=ctx.remote_addr,
        action=action,
        object_type=object_type or "",
        object_id=str(object_id or ""),
        object_repr=(object_repr or "")[:200],
        region_code=region_code or "",
        organisation_id=organisation_id,
        before=before,
        after=after,
        message=message[:500],
        prev_hash=head.last_hash,
        version=HASH_VERSION,
    )
    entry.hash = entry_hash(entry)
    entry.save()
    _advance_head(head, entry.hash, entry.pk)
    return entry


def record_many(items: list[dict], *, actor=None) -> int:
    """Append many entries in one locked step (bulk imports); each item holds ``record()``'s keywords
    plus ``obj``/``action``. Returns the number written."""
    from .models import AuditHead

    if not items:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many() must be called inside the transaction that makes the change")
    ctx = current_context()
    actor = resolve_actor(actor if actor is not None else ctx.actor)
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1, defaults={"last_hash": GENESIS})
    prev, now, entries = head.last_hash, timezone.now(), []
    # COPY and executemany need no model instances; a plain namespace carries the same fields through the hash.
    make = SimpleNamespace
    common = {"timestamp": now, "actor_id": actor.pk if actor else None,
              "actor_name": (str(actor) if actor else "")[:150], "channel": ctx.channel,
              "request_id": ctx.request_id, "remote_addr": ctx.remote_addr, "version": HASH_VERSION}
    hasher = BatchHasher(common)
    for item in items:
        obj = item["obj"]
        entry = make(
            action=item["action"], object_type=obj._meta.label_lower, object_id=str(obj.pk),
            object_repr=str(obj)[:200], region_code=obj.audit_region_code() or "",
            organisation_id=obj.audit_organisation_id(), before=item.get("before"), after=item.get("after"),
            message=item.get("message", "")[:500], prev_hash=prev, **common,
        )
        entry.hash, entry.before_json, entry.after_json = hasher(entry)
        prev = entry.hash
        entries.append(entry)
    last_id = _copy_entries(entries) if connection.vendor == "postgresql" else _insert_entries(entries)
    _advance_head(head, prev, last_id)
    return len(entries)


_canonical_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                     allow_nan=False).encode  # canonical_json's encoder, built once


def _canonical_value(value) -> str:
    """_canonical_encode of one value, strings and integers without the encoder's call (the same text: the encoder
    writes a string with encode_basestring and an integer with int.__repr__)."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return _canonical_encode(value)


class BatchHasher:
    """:func:`entry_hash` (version 2) of many entries that share ``common`` fields (time, actor, channel, request):
    the same bytes and the same MAC, built faster for bulk imports. A JSON object with sorted keys is written as
    ``{`` + ``"key":value`` pairs joined by ``,`` + ``}``, each value as the same encoder writes it alone, so the
    shared pairs are encoded once and each entry's own values once (its ``before`` and ``after`` JSON are returned
    for the COPY too). The HMAC state after the key is copied rather than re-keyed per entry.
    tests/core/test_audit_batch.py compares it with entry_hash on awkward values."""

    SHARED = ("actor_id", "actor_name", "channel", "remote_addr", "request_id", "timestamp", "version")
    OWN = ("action", "after", "before", "message", "object_id", "object_repr", "object_type", "organisation_id",
           "prev_hash", "region_code")

    SCALARS = tuple(k for k in OWN if k not in ("before", "after"))

    def __init__(self, common: dict) -> None:
        if common.get("version", HASH_VERSION) != 2:
            raise ValueError("BatchHasher writes version 2 entries")
        payload = {**common, "version": 2}
        payload["timestamp"] = common["timestamp"].astimezone(dt.UTC).isoformat(timespec="microseconds")
        if set(payload) != set(self.SHARED) or set(self.SHARED) & set(self.OWN):
            raise ValueError("the shared fields are " + ", ".join(self.SHARED))
        self.keys = sorted((*self.SHARED, *self.OWN))
        self.shared = {k: f"{_canonical_encode(k)}:{_canonical_encode(payload[k])}" for k in self.SHARED}
        self.labels = {k: f"{_canonical_encode(k)}:" for k in self.OWN}
        self.mac = hmac.new(audit_key(b"entry"), digestmod=hashlib.sha256)

    def __call__(self, entry) -> tuple[str, str | None, str | None]:
        """(hash, before as JSON or None, after as JSON or None) of one entry."""
        encode, shared, labels = _canonical_encode, self.shared, self.labels
        try:
            before = None if entry.before is None else encode(entry.before)
            after = None if entry.after is None else encode(entry.after)
            own = {k: _canonical_value(getattr(entry, k)) for k in self.SCALARS}
        except ValueError as exc:
            raise NotCanonical(f"canonical JSON has no NaN or Infinity ({exc}); write such a value as a string"
                               ) from exc
        except TypeError as exc:
            raise NotCanonical(f"canonical JSON holds only strings, numbers, booleans, null, lists and objects "
                               f"({exc})") from exc
        own["before"] = "null" if before is None else before
        own["after"] = "null" if after is None else after
        text = "{" + ",".join(shared[k] if k in shared else labels[k] + own[k] for k in self.keys) + "}"
        mac = self.mac.copy()
        mac.update(entry.prev_hash.encode() + text.encode("utf-8"))
        return mac.hexdigest(), before, after


_COPY_COLUMNS = ("timestamp", "actor_id", "actor_name", "channel", "request_id", "remote_addr", "action",
                 "object_type", "object_id", "object_repr", "region_code", "organisation_id", "before", "after",
                 "message", "prev_hash", "hash", "version")


def _copy_entries(entries) -> int:
    """Append entries with PostgreSQL's COPY (several times faster than INSERT for large imports).

    The caller holds the chain head's row lock, so no other appender runs and the largest id is ours.
    """
    from .models import AuditEntry

    table = AuditEntry._meta.db_table
    with connection.cursor() as cursor:
        copy_rows(cursor, table, _COPY_COLUMNS,
                  ((e.timestamp, e.actor_id, e.actor_name, e.channel, e.request_id, e.remote_addr, e.action,
                    e.object_type, e.object_id, e.object_repr, e.region_code, e.organisation_id,
                    e.before_json, e.after_json, e.message, e.prev_hash, e.hash, e.version)
                   for e in entries))
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608  (table name from the model, not input)
        return cursor.fetchone()[0]


def _insert_entries(entries) -> int:
    """Append entries with one prepared INSERT run over all rows (other databases than PostgreSQL): model
    instances and bulk_create cost more than the writing itself on a large import. The caller holds the
    chain head's row lock, so the largest id is ours."""
    from .models import AuditEntry

    meta = AuditEntry._meta
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(meta.get_field(name).column) for name in _COPY_COLUMNS)
    marks = ", ".join(["%s"] * len(_COPY_COLUMNS))
    timestamp = meta.get_field("timestamp")
    prepared_times: dict = {}  # a batch shares one or a few timestamps: prepare each once

    def when(value):
        if value not in prepared_times:
            prepared_times[value] = timestamp.get_db_prep_save(value, connection)
        return prepared_times[value]

    rows = ((when(e.timestamp), e.actor_id, e.actor_name, e.channel, e.request_id, e.remote_addr, e.action,
             e.object_type, e.object_id, e.object_repr, e.region_code, e.organisation_id, e.before_json,
             e.after_json, e.message, e.prev_hash, e.hash, e.version) for e in entries)
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608
        cursor.execute(f"SELECT max(id) FROM {table}")  # noqa: S608  (table name from the model, not input)
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class ChainBreak:
    entry_id: int
    reason: str


def verify_chain(batch_size: int = 5000, progress=None) -> tuple[int, ChainBreak | None]:
    """Walk the chain from the first entry; return (entries checked, first break or None).

    Checks each link, each entry's hash (HMAC for version 2, SHA-256 for legacy version 1 entries, which
    may only come before the head's recorded legacy boundary) and the head's MAC.
    """
    from .models import AuditEntry, AuditHead

    head = AuditHead.objects.filter(pk=1).first()
    legacy_last_id = head.legacy_last_id if head else None
    prev, checked = GENESIS, 0
    last_id = 0
    while True:
        batch = list(AuditEntry.objects.filter(pk__gt=last_id).order_by("pk")[:batch_size])
        if not batch:
            break
        for entry in batch:
            if entry.prev_hash != prev:
                return checked, ChainBreak(entry.pk, "previous-hash link does not match the entry before it "
                                                     "(an entry was deleted, inserted or reordered)")
            if entry.version != HASH_VERSION and (legacy_last_id is None or entry.pk > legacy_last_id):
                return checked, ChainBreak(entry.pk, f"unkeyed version {entry.version} entry after the chain was "
                                                     "keyed (rewritten without the audit key)")
            try:
                recomputed = entry_hash(entry)
            except NotCanonical as exc:
                return checked, ChainBreak(entry.pk, f"content cannot be hashed: {exc}")
            if not hmac.compare_digest(recomputed, entry.hash):
                why = ("the row was altered, or JILIANG_AUDIT_KEY is not the key it was written with"
                       if entry.version == 2 else "the row was altered")
                return checked, ChainBreak(entry.pk, f"content does not match its hash ({why})")
            prev = entry.hash
            checked += 1
            last_id = entry.pk
        if progress:
            progress(checked)
    if head is None:
        if checked:
            return checked, ChainBreak(last_id, "the chain head is missing")
        return checked, None
    if not hmac.compare_digest(head.mac, head_mac(head.last_entry_id, head.last_hash, head.legacy_last_id)):
        return checked, ChainBreak(head.last_entry_id or 0, "the chain head's MAC does not verify (the head row "
                                                            "was altered, or a different JILIANG_AUDIT_KEY)")
    if head.last_hash != prev:
        return checked, ChainBreak(head.last_entry_id or 0, "the chain head does not match the last entry "
                                                             "(entries at the end were deleted)")
    return checked, None


# -- anchors: the signed head, shipped outside the database ----------------------------------------------


def anchor_mac(anchor: dict) -> str:
    return _mac(b"anchor", canonical({k: v for k, v in anchor.items() if k != "mac"}))


def make_anchor() -> dict:
    """The chain's head now, signed with the audit key: what the operator ships elsewhere."""
    from .models import AuditEntry, AuditHead

    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
        last_id = head.last_entry_id if head else None
        count = AuditEntry.objects.filter(pk__lte=last_id).count() if last_id else 0
        anchor = {"format": ANCHOR_FORMAT, "time": timezone.now().astimezone(dt.UTC).isoformat(timespec="seconds"),
                  "entry_id": last_id, "hash": head.last_hash if head else GENESIS, "entries": count}
    anchor["mac"] = anchor_mac(anchor)
    return anchor


def write_anchor(path) -> dict:
    """Append one signed anchor (a JSON line) to ``path``."""
    from pathlib import Path

    anchor = make_anchor()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps(anchor, sort_keys=True) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return anchor


@dataclass(frozen=True)
class AnchorProblem:
    line: int
    reason: str


def verify_anchors(lines: list[str]) -> tuple[int, list[AnchorProblem]]:
    """Check each anchor's signature and that the database still holds the anchored entry with that hash
    and as many entries up to it. Returns (anchors checked, problems)."""
    from .models import AuditEntry

    problems, checked = [], 0
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        checked += 1
        try:
            anchor = json.loads(line)
            if not isinstance(anchor, dict) or anchor.get("format") != ANCHOR_FORMAT:
                raise ValueError
        except ValueError:
            problems.append(AnchorProblem(n, "not an audit anchor"))
            continue
        if not hmac.compare_digest(str(anchor.get("mac", "")), anchor_mac(anchor)):
            problems.append(AnchorProblem(n, "the anchor's signature does not verify (edited, or signed with "
                                             "another JILIANG_AUDIT_KEY)"))
            continue
        entry_id = anchor["entry_id"]
        if entry_id is None:
            continue
        entry = AuditEntry.objects.filter(pk=entry_id).only("hash").first()
        if entry is None:
            problems.append(AnchorProblem(n, f"entry #{entry_id} of the anchor of {anchor['time']} is missing "
                                             "(the chain was cut back or the database restored to an older state)"))
        elif entry.hash != anchor["hash"]:
            problems.append(AnchorProblem(n, f"entry #{entry_id} no longer has the hash anchored at "
                                             f"{anchor['time']} (the chain was rewritten)"))
        elif AuditEntry.objects.filter(pk__lte=entry_id).count() != anchor["entries"]:
            problems.append(AnchorProblem(n, f"the number of entries up to #{entry_id} differs from the anchor "
                                             f"of {anchor['time']} (entries were deleted or inserted)"))
    return checked, problems
