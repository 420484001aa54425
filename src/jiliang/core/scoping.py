"""Region- and organisation-scoped access, enforced in one place.

Every list, detail page, export, API viewset, form dropdown and task starts from
``Model.objects.restrict(user, action)`` (the pattern of NetBox's ``RestrictedQuerySet``). A model says
how it is scoped with a :class:`ScopeSpec`; the user's role says how far they may see:

* provincial bureau and superusers: everything;
* city and county bureaus: records whose region lies in their region's subtree;
* institutes and enterprises: records of their own organisation (plus what other apps grant with a
  :class:`~jiliang.core.extending.ScopeGrant`, e.g. instruments an institute was asked to verify);
* anonymous users: nothing (public pages use published querysets of their own).

Writes are checked twice: the object must be in scope before the change, and the saved row is
re-read through :meth:`RestrictedQuerySet.restrict` inside the transaction afterwards, so nobody can
move a record out of (or create one outside) their scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q

from .extending import scope_grants
from .regions import subtree_codes
from .roles import BUREAU_ROLES, REGIONAL_ROLES, Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ACTIONS = (VIEW, ADD, CHANGE, DELETE)


@dataclass(frozen=True)
class ScopeSpec:
    """How one model is scoped.

    region: lookup path to the record's region code (e.g. ``"region"``, ``"owner__region"``).
    organisation: lookup path to the owning organisation (e.g. ``"owner"``); ``"pk"`` on Organisation.
    shared: readable by every signed-in user (lookup tables such as regions and the catalogue).
    write_roles: roles that may change or delete at all (within their scope).
    add_roles: roles that may add; defaults to ``write_roles`` (an enterprise may edit its own
        organisation record but not create organisations).
    delete_roles: roles that may delete; defaults to ``write_roles``. A registry under law is not deleted:
        instruments and organisations are deregistered instead, and only a superuser deletes them.
    authority_fields: fields written by the supervising bureau only (within its scope), read-only to
        the holder even where the holder may change the rest of the record: qualifications, assessment
        certificates, an organisation's region, kind and designations. The holder proposes a change instead.
    """

    region: str | None = None
    organisation: str | None = None
    shared: bool = False
    write_roles: frozenset[str] = field(default_factory=lambda: frozenset(Role))
    add_roles: frozenset[str] | None = None
    delete_roles: frozenset[str] | None = None
    authority_fields: frozenset[str] = frozenset()

    def roles_for(self, action: str) -> frozenset[str]:
        if action == ADD and self.add_roles is not None:
            return self.add_roles
        if action == DELETE and self.delete_roles is not None:
            return self.delete_roles
        return self.write_roles


def user_role(user) -> str | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "role", None) or None


def organisation_acting_as(user, role: str) -> int | None:
    """The id of the organisation ``user`` works for in ``role`` (an institute's or an enterprise's staff), else
    None: pages for one kind of organisation ask this before anything else."""
    if user_role(user) != role:
        return None
    return user.organisation_id


def sees_provenance(user) -> bool:
    """Provenance of reference data (confidence marks, sources, "from memory") is for the provincial
    administrator who curates that data: shown on the data pages to them only, never to other roles and
    never on a certificate."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or user_role(user) == Role.PROVINCIAL_BUREAU


def is_unrestricted(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        user.is_superuser or user_role(user) == Role.PROVINCIAL_BUREAU
    )


def may_write(user, spec: ScopeSpec, action: str = CHANGE) -> bool:
    """Whether the user's role may perform ``action`` on the model at all (scope is checked apart)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user_role(user) in spec.roles_for(action)


def is_authority(user) -> bool:
    """Whether the user writes on behalf of a supervising bureau (or is a superuser)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or user_role(user) in BUREAU_ROLES


def locked_fields(user, spec: ScopeSpec) -> frozenset[str]:
    """The fields of a model scoped by ``spec`` that ``user`` may read but not write (see ``authority_fields``)."""
    return frozenset() if is_authority(user) else spec.authority_fields


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW) -> RestrictedQuerySet:
        """Only the rows ``user`` may ``action``; unrestricted users skip the filter altogether."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}")
        spec: ScopeSpec = getattr(self.model, "scope", None) or ScopeSpec()
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if action != VIEW and not may_write(user, spec, action):
            return self.none()
        if is_unrestricted(user):
            return self
        if action == VIEW and spec.shared:
            return self
        q = scope_q(user, spec)
        if action == VIEW:
            for grant in scope_grants(self.model._meta.label, user_role(user)):
                q |= grant(user)
        return self.filter(q)


def scope_q(user, spec: ScopeSpec) -> Q:
    """The filter that confines ``user`` to their own records of a model scoped by ``spec``."""
    role = user_role(user)
    nothing = Q(pk__in=[])
    if role in REGIONAL_ROLES:
        if spec.region is None or user.region_id is None:
            return nothing
        return Q(**{f"{spec.region}__in": subtree_codes(user.region_id)})
    if role in (Role.INSTITUTE, Role.ENTERPRISE):
        if spec.organisation is None or user.organisation_id is None:
            return nothing
        return Q(**{spec.organisation: user.organisation_id})
    if role in BUREAU_ROLES:  # provincial bureau handled by is_unrestricted
        return Q()
    return nothing


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass


def instance_in_scope(user, obj) -> bool:
    """The Python twin of :func:`scope_q` for an unsaved instance (bulk imports check rows before writing)."""
    if is_unrestricted(user):
        return True
    role = user_role(user)
    if role in REGIONAL_ROLES:
        code = obj.audit_region_code()
        return bool(code) and user.region_id is not None and code in subtree_codes(user.region_id)
    if role in (Role.INSTITUTE, Role.ENTERPRISE):
        return user.organisation_id is not None and obj.audit_organisation_id() == user.organisation_id
    return False
