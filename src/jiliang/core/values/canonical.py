"""Canonical JSON: the bytes that certificate signatures and the audit hash chain are computed over.

``json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` encoded as UTF-8: keys
sorted, no whitespace, characters as themselves. This is the JSON Canonicalization Scheme's layout
(RFC 8785 3.2) for documents holding only strings, integers, booleans, null, lists and objects, which is
what jiliang signs (decimals travel as strings), so any language that re-serialises the JSON the same way
gets the same bytes.

NaN and the infinities are refused: they are not JSON (RFC 8259 6), other parsers reject or rewrite them,
and a signed document that a verifier cannot re-serialise byte for byte cannot be verified.
"""

from __future__ import annotations

import json


class NotCanonical(ValueError):
    """The data holds a value that canonical JSON does not represent (NaN, Infinity, a non-JSON type)."""


def canonical_json(data) -> bytes:
    """The canonical UTF-8 bytes of ``data``; :class:`NotCanonical` names the value that has no canonical form."""
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")
    except ValueError as exc:  # allow_nan=False: "Out of range float values are not JSON compliant"
        raise NotCanonical(f"canonical JSON has no NaN or Infinity ({exc}); write such a value as a string"
                           ) from exc
    except TypeError as exc:
        raise NotCanonical(f"canonical JSON holds only strings, numbers, booleans, null, lists and objects "
                           f"({exc})") from exc
