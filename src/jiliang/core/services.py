"""Generic record actions: create, update, delete, each atomic, scope-checked twice and audited.

Apps write their business actions on top of these (``registry.services``); views, API viewsets,
importers and commands call services and never ``save()`` a record of legal effect themselves.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import audit
from .identities import answering_clashes, check_identity
from .scoping import ADD, CHANGE, DELETE, locked_fields, may_write


class ScopeError(PermissionDenied):
    """The change would leave, or start, a record outside the actor's scope."""


def m2m_snapshot(obj: models.Model) -> dict:
    if obj.pk is None:
        return {}
    return {f.name: sorted(str(v) for v in getattr(obj, f.name).values_list("pk", flat=True))
            for f in obj._meta.many_to_many}


def full_snapshot(obj: models.Model) -> dict:
    return {**audit.snapshot(obj), **m2m_snapshot(obj)}


def _check_role(model, actor, action: str) -> None:
    if not may_write(actor, model.scope, action):
        raise PermissionDenied(_("Your role may not %(action)s %(model)s records.")
                               % {"action": _(action), "model": model._meta.verbose_name})


class AuthorityFieldError(PermissionDenied):
    """The actor tried to write fields that only the supervising bureau writes."""

    def __init__(self, model, names):
        self.fields = sorted(names)
        labels = ", ".join(str(model._meta.get_field(n).verbose_name) for n in self.fields)
        super().__init__(_("Only the market supervision bureau writes %(fields)s of a %(model)s; "
                           "propose the change to the bureau instead.")
                         % {"fields": labels, "model": model._meta.verbose_name})


def _field_name(model, key: str) -> str:
    # Snapshots key concrete fields by attname ("region_id"); authority fields are named by field name.
    for f in model._meta.concrete_fields:
        if f.attname == key:
            return f.name
    return key


def check_authority_fields(model, actor, written) -> None:
    """Refuse when ``actor`` writes a field that only the authority writes (``ScopeSpec.authority_fields``)."""
    denied = locked_fields(actor, model.scope) & {_field_name(model, k) for k in written}
    if denied:
        raise AuthorityFieldError(model, denied)


def fields_set_on_create(obj: models.Model, m2m: dict | None) -> set[str]:
    """Names of the fields a new record sets to something other than their default."""
    names = {f.name for f in obj._meta.concrete_fields
             if not f.primary_key and audit.json_value(getattr(obj, f.attname)) != audit.json_value(f.get_default())}
    return names | {name for name, values in (m2m or {}).items() if values}


def _verify_in_scope(obj: models.Model, actor, action: str) -> None:
    # Write-then-verify (NetBox ObjectEditView): re-read the saved row through the restricted queryset.
    if not type(obj).objects.restrict(actor, action).filter(pk=obj.pk).exists():
        raise ScopeError(_("%(model)s “%(obj)s” would lie outside your region or organisation.")
                         % {"model": obj._meta.verbose_name, "obj": obj})


def _prepare(obj: models.Model) -> None:
    prepare = getattr(obj, "prepare_for_save", None)
    if prepare:
        prepare()


def _set_m2m(obj: models.Model, m2m: dict | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(values)


def create_record(model: type[models.Model], data: dict, *, actor, m2m: dict | None = None,
                  message: str = "") -> models.Model:
    with answering_clashes(actor):
        return _create_record(model, data, actor=actor, m2m=m2m, message=message)


@transaction.atomic
def _create_record(model, data, *, actor, m2m, message):
    _check_role(model, actor, ADD)
    obj = model(**data)
    check_authority_fields(model, actor, fields_set_on_create(obj, m2m))
    _prepare(obj)
    check_identity(obj, actor)
    obj.full_clean()
    obj.save()
    _set_m2m(obj, m2m)
    _verify_in_scope(obj, actor, ADD)
    audit.record(obj, "create", actor=actor, after=full_snapshot(obj), message=message)
    return obj


def update_record(obj: models.Model, changes: dict, *, actor, m2m: dict | None = None,
                  message: str = "") -> models.Model:
    with answering_clashes(actor):
        return _update_record(obj, changes, actor=actor, m2m=m2m, message=message)


@transaction.atomic
def _update_record(obj, changes, *, actor, m2m, message):
    model = type(obj)
    _check_role(model, actor, CHANGE)
    # Lock the row and read the stored state: the caller's copy may be stale.
    current = model.objects.select_for_update().get(pk=obj.pk)
    _verify_in_scope(current, actor, CHANGE)
    before = full_snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    # Refuse fields only a bureau writes before validating them: the answer is "not yours", not "invalid".
    pending = {**audit.snapshot(current),
               **{n: sorted(str(getattr(v, "pk", v)) for v in vals) for n, vals in (m2m or {}).items()}}
    check_authority_fields(model, actor, audit.changed_fields({k: before.get(k) for k in pending}, pending))
    _prepare(current)
    check_identity(current, actor)
    current.full_clean()
    changed = [f.name for f in model._meta.concrete_fields
               if not f.primary_key and audit.json_value(getattr(current, f.attname)) != before.get(f.attname)]
    if changed:
        if any(f.name == "last_updated" for f in model._meta.concrete_fields):
            changed.append("last_updated")
        current.save(update_fields=changed)
    _set_m2m(current, m2m)
    _verify_in_scope(current, actor, CHANGE)
    after = full_snapshot(current)
    diff = audit.changed_fields(before, after)
    if diff:
        audit.record(current, "update", actor=actor, before={k: v[0] for k, v in diff.items()},
                     after={k: v[1] for k, v in diff.items()}, message=message)
    return current


@transaction.atomic
def delete_record(obj: models.Model, *, actor, message: str = "") -> None:
    model = type(obj)
    _check_role(model, actor, DELETE)
    current = model.objects.select_for_update().get(pk=obj.pk)
    _verify_in_scope(current, actor, DELETE)
    before = full_snapshot(current)
    region, organisation = (getattr(current, "audit_region_code", lambda: None)(),
                            getattr(current, "audit_organisation_id", lambda: None)())
    repr_, pk = str(current), current.pk
    current.delete()  # ProtectedError propagates: the caller lists the dependants.
    audit.record(None, "delete", actor=actor, before=before, message=message, object_type=model._meta.label_lower,
                 object_id=str(pk), object_repr=repr_, region_code=region, organisation_id=organisation)


def validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "message_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


# -- API tokens ---------------------------------------------------------------------------------------


@transaction.atomic
def create_api_token(*, actor, name: str, scope: str = "full", days: int | None = None):
    """A new token for ``actor``; returns (token, key). The key is not stored: show it once."""
    import datetime as dt

    from django.conf import settings
    from django.utils import timezone

    from . import tokens
    from .models import ApiToken, TokenScope

    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if scope not in TokenScope.values:
        raise ValidationError({"scope": [_("Unknown scope %(s)s.") % {"s": scope}]})
    name = (name or "").strip()[:100]
    if not name:
        raise ValidationError({"name": [_("Give the token a name (what will use it).")]})
    longest = settings.JILIANG_API_TOKEN_MAX_DAYS
    days = settings.JILIANG_API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= longest:
        raise ValidationError({"days": [_("A token is valid for 1 to %(n)d days.") % {"n": longest}]})
    key = tokens.new_key()
    token = ApiToken.objects.create(user=actor, name=name, prefix=tokens.display_prefix(key),
                                    key_hash=tokens.hash_key(key), scope=scope,
                                    expires=timezone.now() + dt.timedelta(days=days))
    audit.record(token, "create", actor=actor,
                 after=audit.json_value({"name": name, "scope": scope, "prefix": token.prefix,
                                         "expires": token.expires, "user": actor.pk}),
                 message=f"API token {token.prefix}… ({scope}) created")
    return token, key


@transaction.atomic
def revoke_api_token(token, *, actor) -> None:
    from django.utils import timezone

    if token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You may revoke only your own tokens."))
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        audit.record(token, "action", actor=actor, message=f"API token {token.prefix}… revoked")
