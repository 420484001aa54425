"""API token keys: random, shown once, stored as SHA-256 (a 256-bit random key needs no slow hash)."""

from __future__ import annotations

import hashlib
import secrets

KEY_PREFIX = "jl_"


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def display_prefix(key: str) -> str:
    return key[:len(KEY_PREFIX) + 6]
