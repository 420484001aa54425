"""Read grants of the registry app (contributed as core.extending.ScopeGrant in registry/extensions.py).

An instrument is scoped by where it is located: the bureau of that region supervises its use and may
change its record. An owner may register an instrument located in another county than its own (a
branch site, a fuel station of a chain); the bureau of the owner's own region keeps seeing it, read-only,
so that no owner can take an instrument out of its own bureau's sight by where it says it stands.
docs/access.md states the rule.
"""

from __future__ import annotations

from django.db.models import Q

from jiliang.core.regions import subtree_codes


def owner_in_region(user) -> Q:
    """Instruments whose owner lies in the bureau's region, wherever the instrument is located."""
    if user.region_id is None:
        return Q(pk__in=[])
    # owner is a to-one relation: the join cannot duplicate rows.
    return Q(owner__region__in=subtree_codes(user.region_id))

