"""One answer when a record's identity is already in the register (issue 11, item 16).

A model names the fields that identify it in the register (``identity_fields``: an instrument's manufacturer,
model and serial number; an organisation's unified social credit code) and the message to give
(``identity_taken_message``). Whoever submits an identity that is already registered, through a page, the API
or an import, gets that same message, whether the existing record lies in their scope or not: the answer
never says where it is. When it lies outside their scope, the bureau holding it is told (:func:`note_clash`):
an audit entry filed under the existing record's region and no organisation, so that the bureaus over that
region see it on their home page and in the audit trail, and neither the holder nor the submitter does.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from . import audit
from .scoping import VIEW

CLASH_MESSAGE = "identity submitted again from outside the region; registration refused"
# Repeated submissions (an import previewed, then applied) are noted once a day per record and submitter.
NOTE_AGAIN_AFTER = dt.timedelta(days=1)


class IdentityTaken(ValidationError):
    def __init__(self, model, existing, *, outside: bool):
        self.existing, self.outside = existing, outside
        super().__init__({model.identity_fields[-1]: [model.identity_taken_message]})


def identity_of(obj: models.Model) -> dict | None:
    fields = getattr(type(obj), "identity_fields", ())
    values = {f: getattr(obj, f) for f in fields}
    if not values or any(v in (None, "") for v in values.values()):
        return None
    return values


def check_identity(obj: models.Model, actor) -> None:
    """Raise :class:`IdentityTaken` when another record already holds ``obj``'s identity."""
    values = identity_of(obj)
    if values is None:
        return
    model = type(obj)
    others = model._base_manager.filter(**values)
    if obj.pk is not None:
        others = others.exclude(pk=obj.pk)
    existing = others.first()
    if existing is not None:
        visible = model.objects.restrict(actor, VIEW).filter(pk=existing.pk).exists()
        raise IdentityTaken(model, existing, outside=not visible)


def _submitter(actor) -> str:
    actor = audit.resolve_actor(actor)
    if actor is None:
        return ""
    where = getattr(actor, "organisation", None) or getattr(actor, "region", None)
    return f"{where} · {actor.get_username()}" if where else actor.get_username()


def note_clash(existing: models.Model, actor) -> None:
    """Tell the bureau holding ``existing`` that someone outside its scope submitted the same identity."""
    label = existing._meta.label_lower
    actor_user = audit.resolve_actor(actor)
    from .models import AuditEntry

    with transaction.atomic():
        if AuditEntry.objects.filter(object_type=label, object_id=str(existing.pk), message=CLASH_MESSAGE,
                                     actor=actor_user, timestamp__gte=timezone.now() - NOTE_AGAIN_AFTER).exists():
            return
        audit.record(None, "action", actor=actor, message=CLASH_MESSAGE, object_type=label,
                     object_id=str(existing.pk), object_repr=str(existing)[:200],
                     region_code=existing.audit_region_code(), organisation_id=None,
                     after={"identity_submitted_by": _submitter(actor)})


@contextmanager
def answering_clashes(actor):
    """Let :class:`IdentityTaken` through, after noting a clash outside the actor's scope (in its own
    transaction, so that the refused change rolling back does not take the notice with it)."""
    try:
        yield
    except IdentityTaken as exc:
        if exc.outside:
            note_clash(exc.existing, actor)
        raise


def is_clash_notice(entry) -> bool:
    return entry.message == CLASH_MESSAGE and entry.organisation_id is None
