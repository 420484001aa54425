"""The institutes' Ed25519 signing keys: created at first issue or on rotation, wrapped at rest (signing.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.registry.models import Organisation

from .. import certificates as certs
from .. import signing
from ..models import SigningKey
from .base import _require_institute_staff


def _signing_key_for(institute: Organisation) -> tuple[SigningKey, bool]:
    """The active key, or a new one (True: the caller audits its creation once the PDFs are drawn)."""
    key = certs.active_key(institute)
    if key is not None:
        return key, False
    return certs.new_key(institute), True


def _audit_key_created(key: SigningKey, *, actor, retired: list[str] = (), reason: str = "") -> None:
    audit.record(key, "create", actor=actor, after={
        "key_id": key.key_id, "fingerprint": signing.fingerprint(key.public_key), "public_key": key.public_key,
        "retired": list(retired), "reason": reason},
        message=f"signing key {key.key_id} of {key.institute} created" + (f" ({reason})" if reason else ""))


@transaction.atomic
def create_signing_key(institute: Organisation, *, actor, reason: str = "") -> SigningKey:
    """A new Ed25519 key for the institute (rotation); earlier keys retire but keep verifying what they signed.
    Creation and each retirement are audited."""
    _require_institute_staff(actor, institute)
    now = timezone.now()
    retiring = list(SigningKey.objects.select_for_update().filter(institute=institute, active=True))
    key = certs.new_key(institute)
    for old in retiring:
        old.active, old.retired_at = False, now
        old.save(update_fields=["active", "retired_at", "last_updated"])
        audit.record(old, "action", actor=actor, before={"active": True, "retired_at": None},
                     after={"active": False, "retired_at": audit.json_value(now), "replaced_by": key.key_id},
                     message=f"signing key {old.key_id} retired, replaced by {key.key_id}")
    _audit_key_created(key, actor=actor, retired=[k.key_id for k in retiring], reason=reason.strip()[:300])
    return key


@transaction.atomic
def rewrap_signing_keys(*, old_secret: str, new_secret: str) -> int:
    """Re-wrap every institute's private key under ``new_secret`` (rotation of the wrapping secret).

    All or nothing: a key that does not open under ``old_secret`` aborts the rotation before any row
    changes. Each key's new wrapping is audited (the key id, never key material).
    """
    from cryptography.exceptions import InvalidTag

    if not new_secret or new_secret == old_secret:
        raise ValueError(_("The new signing secret must be non-empty and differ from the old one."))
    keys = list(SigningKey.objects.select_for_update().order_by("pk"))
    rewrapped, failed = {}, []
    for key in keys:
        try:
            rewrapped[key.pk] = signing.rewrap(key.key_id, key.institute_id, key.private_key_wrapped,
                                               old_secret=old_secret, new_secret=new_secret)
        except InvalidTag:
            failed.append(key.key_id)
    if failed:
        raise ValueError(_("These signing keys are not wrapped under the old secret: %(ids)s")
                         % {"ids": ", ".join(failed)})
    for key in keys:
        key.private_key_wrapped = rewrapped[key.pk]
        key.save(update_fields=["private_key_wrapped", "last_updated"])
        audit.record(key, "action", message=f"signing key {key.key_id} re-wrapped under a new secret")
    return len(keys)
