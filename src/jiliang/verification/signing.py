"""Ed25519 signatures of certificates (RFC 8032) and the canonical form of their content.

Canonical content: ``json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``
encoded as UTF-8 -- keys sorted, no whitespace, and only strings, integers, booleans, null, lists and
objects inside (decimals travel as strings; NaN and Infinity are refused), so that the bytes are the same
in any language that re-serialises the JSON in this way (:mod:`jiliang.core.values.canonical`).

Private keys at rest: the 32-byte Ed25519 seed is wrapped with AES-256-GCM (NIST SP 800-38D) under a key
derived with HKDF-SHA256 (RFC 5869) from ``settings.JILIANG_SIGNING_SECRET`` (from the environment in
production, else generated per installation under ``var/secrets/``; never a constant); the key id and the
institute id are the associated data, so a wrapped key cannot be moved to another row. Changing the
secret makes the stored keys unusable: rotate with :func:`rewrap` (`jiliang rotate-signing-secret`,
docs/certificates.md).

This module is pure apart from reading the secret from settings in :func:`wrapping_key`.
"""

from __future__ import annotations

import base64
import hashlib
import os
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from jiliang.core.values.canonical import canonical_json

ALGORITHM = "Ed25519"
HKDF_INFO = b"jiliang certificate signing key wrap v1"


def canonical_bytes(content: dict) -> bytes:
    """The signed bytes of a certificate's content (:func:`jiliang.core.values.canonical.canonical_json`)."""
    return canonical_json(content)


def key_id_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def fingerprint(public: Ed25519PublicKey | str) -> str:
    """SHA-256 of the raw 32-byte public key, as colon-separated hex pairs (the key id is its first 16 bytes)."""
    if isinstance(public, str):
        public = load_public_pem(public)
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def public_pem(public_key: Ed25519PublicKey) -> str:
    return public_key.public_bytes(serialization.Encoding.PEM,
                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_pem(pem: str | bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode("ascii") if isinstance(pem, str) else pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def wrapping_key(secret: str | None = None) -> bytes:
    if secret is None:
        from django.conf import settings

        secret = settings.JILIANG_SIGNING_SECRET
    if not secret:
        raise ValueError("the signing secret is empty")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret.encode("utf-8"))


def _aad(key_id: str, institute_id: int) -> bytes:
    return f"{key_id}:{institute_id}".encode("ascii")


def generate(institute_id: int, secret: str | None = None) -> tuple[str, str, bytes]:
    """A new key: (key id, public key PEM, wrapped private key = nonce ‖ AES-GCM ciphertext)."""
    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    key_id = key_id_of(public)
    seed = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                 serialization.NoEncryption())
    nonce = os.urandom(12)
    wrapped = nonce + AESGCM(wrapping_key(secret)).encrypt(nonce, seed, _aad(key_id, institute_id))
    return key_id, public_pem(public), wrapped


@lru_cache(maxsize=32)
def _unwrap(key_id: str, institute_id: int, wrapped: bytes, kek: bytes) -> Ed25519PrivateKey:
    seed = AESGCM(kek).decrypt(wrapped[:12], wrapped[12:], _aad(key_id, institute_id))
    return Ed25519PrivateKey.from_private_bytes(seed)


def unwrap(key_id: str, institute_id: int, wrapped: bytes, secret: str | None = None) -> Ed25519PrivateKey:
    return _unwrap(key_id, institute_id, bytes(wrapped), wrapping_key(secret))


def rewrap(key_id: str, institute_id: int, wrapped: bytes, *, old_secret: str, new_secret: str) -> bytes:
    """The same private key wrapped under ``new_secret`` (fresh nonce); raises InvalidTag if
    ``old_secret`` is not the one it is wrapped under."""
    seed = AESGCM(wrapping_key(old_secret)).decrypt(bytes(wrapped)[:12], bytes(wrapped)[12:],
                                                     _aad(key_id, institute_id))
    nonce = os.urandom(12)
    return nonce + AESGCM(wrapping_key(new_secret)).encrypt(nonce, seed, _aad(key_id, institute_id))


def sign(private: Ed25519PrivateKey, content: dict) -> str:
    return base64.b64encode(private.sign(canonical_bytes(content))).decode("ascii")


def verify(public: Ed25519PublicKey | str, content: dict, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is a valid Ed25519 signature of the canonical content."""
    if isinstance(public, str):
        public = load_public_pem(public)
    try:
        public.verify(base64.b64decode(signature_b64, validate=True), canonical_bytes(content))
    except (InvalidSignature, ValueError):
        return False
    return True


def signed_document(content: dict, signature: str, key_id: str) -> dict:
    """The downloadable JSON that `jiliang verify-certificate` checks offline."""
    return {"format": "jiliang.certificate/1", "algorithm": ALGORITHM, "key_id": key_id,
            "content": content, "signature": signature}
