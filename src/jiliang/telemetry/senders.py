"""How many ingest requests one enterprise may have running at once, across every web process.

A meter gateway that opens many connections at once, or a retry storm, must not take every worker: each
enterprise gets ``JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER`` slots. On PostgreSQL a slot is a session-level
advisory lock (``pg_try_advisory_lock``) keyed by the enterprise and the slot number, so the limit holds for
all processes on all machines and a crashed process releases its slots with its connection. SQLite serves one
machine (the embedded default): there the slots are a per-process counter.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

# The advisory-lock key space of these slots: (namespace, enterprise id × SLOT_STRIDE + slot) as two int4.
LOCK_NAMESPACE = 0x6A6C  # "jl"
SLOT_STRIDE = 64

_local = threading.Lock()
_held: dict[int, int] = {}


def _limit() -> int:
    return max(1, min(int(settings.JILIANG_TELEMETRY_MAX_CONCURRENT_PER_SENDER), SLOT_STRIDE))


def _key(enterprise_id: int, slot: int) -> int:
    # the second key of pg_try_advisory_lock(int4, int4): wraps within the signed 32-bit range
    return ((enterprise_id * SLOT_STRIDE + slot) + 2**31) % 2**32 - 2**31


@contextmanager
def sender_slot(enterprise_id: int):
    """Yield True with one of the enterprise's slots held, or False when all are taken (answer 429)."""
    if connection.vendor == "postgresql":
        taken = None
        with connection.cursor() as cur:
            for slot in range(_limit()):
                cur.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, _key(enterprise_id, slot)])
                if cur.fetchone()[0]:
                    taken = slot
                    break
        try:
            yield taken is not None
        finally:
            if taken is not None:
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, _key(enterprise_id, taken)])
        return
    with _local:
        ok = _held.get(enterprise_id, 0) < _limit()
        if ok:
            _held[enterprise_id] = _held.get(enterprise_id, 0) + 1
    try:
        yield ok
    finally:
        if ok:
            with _local:
                _held[enterprise_id] -= 1
