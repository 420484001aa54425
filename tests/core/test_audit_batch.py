"""audit.record_many hashes a batch with BatchHasher: the same bytes and MAC as entry_hash (which verify_chain
recomputes from the stored row) on awkward values, and a bulk-written chain verifies."""

import datetime as dt
import uuid
from types import SimpleNamespace

import pytest
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from jiliang.core import audit
from jiliang.core.models import AuditEntry
from jiliang.core.values.canonical import NotCanonical
from jiliang.registry import models as m

texts = st.text(max_size=30)  # quotes, backslashes, control characters, CJK, astral characters
scalars = st.none() | st.booleans() | st.integers(min_value=-(2 ** 70), max_value=2 ** 70) | texts \
    | st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                      max_leaves=12)
snapshots = st.none() | st.dictionaries(texts, values, max_size=6)


def _entry(common, **own):
    return SimpleNamespace(**common, **own)


@settings(max_examples=300, deadline=None)
@given(before=snapshots, after=snapshots, message=texts, object_repr=texts, object_id=texts,
       organisation_id=st.none() | st.integers(min_value=1, max_value=10 ** 9), region_code=texts,
       actor_name=texts, actor_id=st.none() | st.integers(min_value=1, max_value=10 ** 6),
       remote_addr=st.none() | texts, micro=st.integers(min_value=0, max_value=999_999))
def test_batch_hash_is_entry_hash(before, after, message, object_repr, object_id, organisation_id, region_code,
                                  actor_name, actor_id, remote_addr, micro):
    common = {"timestamp": dt.datetime(2026, 12, 4, 23, 1, 2, micro, tzinfo=dt.timezone(dt.timedelta(hours=8))),
              "actor_id": actor_id, "actor_name": actor_name, "channel": "command", "request_id": str(uuid.uuid4()),
              "remote_addr": remote_addr, "version": audit.HASH_VERSION}
    hasher = audit.BatchHasher(common)
    entry = _entry(common, action="create", object_type="registry.instrument", object_id=object_id,
                   object_repr=object_repr, region_code=region_code, organisation_id=organisation_id, before=before,
                   after=after, message=message, prev_hash="ab" * 32)
    digest, before_json, after_json = hasher(entry)
    assert digest == audit.entry_hash(entry)
    assert before_json == (None if before is None else audit.canonical(before).decode())
    assert after_json == (None if after is None else audit.canonical(after).decode())


def test_batch_hash_refuses_what_canonical_json_refuses():
    common = {"timestamp": dt.datetime(2026, 12, 4, tzinfo=dt.UTC), "actor_id": None, "actor_name": "",
              "channel": "command", "request_id": "r", "remote_addr": None, "version": audit.HASH_VERSION}
    hasher = audit.BatchHasher(common)
    for bad in ({"x": float("nan")}, {"x": object()}):
        entry = _entry(common, action="create", object_type="t", object_id="1", object_repr="", region_code="",
                       organisation_id=None, before=None, after=bad, message="", prev_hash=audit.GENESIS)
        with pytest.raises(NotCanonical):
            hasher(entry)
        with pytest.raises(NotCanonical):
            audit.entry_hash(entry)


def test_a_chain_written_by_record_many_verifies_and_stores_the_snapshots(world):
    instruments = list(m.Instrument.objects.order_by("pk")[:2]) + list(m.Organisation.objects.order_by("pk")[:4])
    assert len(instruments) == 6
    with audit.audit_context(actor=world.admin, channel="command"), transaction.atomic():
        audit.record(None, "action", object_type="test", object_id="before", message="one by one")
        written = audit.record_many([{"obj": inst, "action": "create", "message": f"row {i} \"quoted\"\t",
                                      "after": {"name": str(inst), "n": i, "名": "水表"},
                                      "before": None if i % 2 else {"status": "x", "f": 1.5}}
                                     for i, inst in enumerate(instruments)])
        audit.record(None, "action", object_type="test", object_id="after", message="one by one")
    assert written == len(instruments)
    checked, broken = audit.verify_chain()
    assert broken is None and checked >= len(instruments) + 2
    stored = list(AuditEntry.objects.filter(message__startswith="row ").order_by("pk"))
    assert [(e.object_type, e.object_id) for e in stored] == [(i._meta.label_lower, str(i.pk)) for i in instruments]
    assert stored[2].after == {"name": str(instruments[2]), "n": 2, "名": "水表"}
    assert stored[2].before == {"status": "x", "f": 1.5} and stored[1].before is None
    assert stored[0].actor_id == world.admin.pk and stored[0].object_repr == str(instruments[0])[:200]
