"""One canonical JSON for certificate signatures and the audit hash chain; NaN and Infinity refused."""

import datetime as dt
import hashlib
import json
import math
from types import SimpleNamespace

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from jiliang.core import audit
from jiliang.core.values.canonical import NotCanonical, canonical_json
from jiliang.verification import signing

CONTENT = {"number": "JL-2026-J000001", "instrument": {"range": "0–150 kg"},
           "points": [{"reference_value": "50", "U": "0.012", "k": "2"}], "valid_until": "2027-12-03",
           "issued": True, "seq": 1, "note": None}
# Ed25519 over the bytes the signing module produced before the two canonical forms were joined
# (seed 00 01 … 1f; Ed25519 signatures are deterministic, RFC 8032 5.1.6).
SIGNED_BEFORE = "K/fYAhmHoUQqS2mRV0T/lKrDV1BTeGPFYn/vJ25zGlxvblVCgoq3EWpr8s97eX+wEJz8F7ajE7JX06KJdvkNDw=="
SHA256_BEFORE = "1bee5c5c837acc6a4bb288e0d23e6c6d3bd438c442c49b38f8b2c148ba49d17b"


def test_bytes_are_sorted_compact_utf8():
    assert canonical_json({"b": "计量", "a": [1, {"d": None, "c": True}]}) == \
        '{"a":[1,{"c":true,"d":null}],"b":"计量"}'.encode()
    assert hashlib.sha256(canonical_json(CONTENT)).hexdigest() == SHA256_BEFORE


def test_a_signature_made_before_still_verifies():
    public = Ed25519PrivateKey.from_private_bytes(bytes(range(32))).public_key()
    assert signing.verify(public, CONTENT, SIGNED_BEFORE)
    assert not signing.verify(public, {**CONTENT, "seq": 2}, SIGNED_BEFORE)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_by_name(bad):
    with pytest.raises(NotCanonical, match="NaN or Infinity"):
        canonical_json({"points": [{"U": bad}]})
    with pytest.raises(NotCanonical):
        signing.sign(Ed25519PrivateKey.generate(), {"U": bad})


def test_non_json_types_are_refused():
    with pytest.raises(NotCanonical, match="only strings"):
        canonical_json({"when": dt.date(2026, 12, 4)})


def _entry(**fields):
    base = dict(timestamp=dt.datetime(2026, 12, 4, 1, 2, 3, 456789, tzinfo=dt.UTC), actor_id=7,
                actor_name="张三", channel="web", request_id="r1", remote_addr="127.0.0.1", action="update",
                object_type="registry.instrument", object_id="42", object_repr="电子秤", region_code="330100",
                organisation_id=3, before={"range_max": "15"}, after={"range_max": "30"}, message="",
                prev_hash=audit.GENESIS, version=1)
    return SimpleNamespace(**{**base, **fields})


def test_audit_hashes_written_before_still_verify():
    entry = _entry()
    # what core/audit.py computed for a version-1 entry before: sha256(prev ‖ json.dumps(…).encode())
    before = json.dumps(audit.entry_payload(entry), sort_keys=True, ensure_ascii=False,
                        separators=(",", ":")).encode()
    assert audit.entry_hash(entry) == hashlib.sha256(entry.prev_hash.encode() + before).hexdigest()


def test_audit_snapshots_write_non_finite_floats_as_text():
    assert audit.json_value({"u": math.nan, "v": [math.inf, -math.inf], "w": 0.5}) == \
        {"u": "NaN", "v": ["Infinity", "-Infinity"], "w": 0.5}
    with pytest.raises(NotCanonical):
        audit.entry_hash(_entry(after={"u": math.nan}))
