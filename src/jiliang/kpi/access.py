"""Who reads and writes the plan's indicators (docs/kpi.md, access matrix in tests/kpi/test_access.py).

* The provincial bureau (and superusers) read every region, load plans, set targets, enter any region's values,
  register issued documents and publish reports.
* A city or county bureau reads its own region's subtree, and the province's public figures (the public
  indicators' province row); a city bureau enters its own city's values. Its reports cover its own region.
* Institutes, enterprises and the public read nothing here but the published public reports.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jiliang.core.regions import PROVINCE_CODE, is_within
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import is_unrestricted, user_role


def is_province(user) -> bool:
    return is_unrestricted(user) or user_role(user) == Role.PROVINCIAL_BUREAU


def may_read(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (is_unrestricted(user) or user_role(user) in BUREAU_ROLES)


def root_of(user) -> str:
    """The region a reader's pages start from."""
    if is_province(user):
        return PROVINCE_CODE
    return user.region_id or ""


def may_see(user, region: str, *, public_only: bool = False) -> bool:
    """Whether ``user`` may read ``region``'s values; the province row is open to every bureau for the public
    indicators (``public_only``)."""
    if not may_read(user):
        return False
    if is_province(user):
        return True
    own = user.region_id or ""
    return bool(own) and (is_within(region, own) or (region == PROVINCE_CODE and public_only))


def check_read(user) -> None:
    if not may_read(user):
        raise PermissionDenied(_("The plan's indicators are for market supervision bureaus."))


def check_region(user, region: str, *, public_only: bool = False) -> None:
    check_read(user)
    if not may_see(user, region, public_only=public_only):
        raise PermissionDenied(_("The region %(r)s lies outside your region.") % {"r": region})


def may_enter(user, region: str) -> bool:
    if is_province(user):
        return True
    return user_role(user) == Role.CITY_BUREAU and bool(user.region_id) and is_within(region, user.region_id)


def check_province(user) -> None:
    if not is_province(user):
        raise PermissionDenied(_("Only the provincial bureau may do this."))
