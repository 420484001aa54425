"""Read grants of the registry app (core.scoping.register_grant).

An instrument is scoped by where it is located: the bureau of that region supervises its use and may
change its record. An owner may register an instrument located in another county than its own (a
branch site, a fuel station of a chain); the bureau of the owner's own region keeps seeing it, read-only,
so that no owner can take an instrument out of its own bureau's sight by where it says it stands.
docs/access.md states the rule.
"""

from __future__ import annotations

from django.db.models import Q

from jiliang.core.roles import REGIONAL_ROLES
from jiliang.core.scoping import register_grant


def _owner_in_region(user) -> Q:
    from jiliang.core.regions import subtree_codes

    if user.region_id is None:
        return Q(pk__in=[])
    # owner is a to-one relation: the join cannot duplicate rows.
    return Q(owner__region__in=subtree_codes(user.region_id))


def register_grants() -> None:
    for role in REGIONAL_ROLES:
        register_grant("registry.Instrument", role, _owner_in_region)
