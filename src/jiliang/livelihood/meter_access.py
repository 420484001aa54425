"""Who may register and change a utility's household meters (the pages, the API and the imports ask here).

A utility's staff (role enterprise, their organisation the utility) act for their own utility only; a city or
county bureau for the utilities of its region; the provincial bureau and superusers for all. Institutes and other
enterprises do not register meters. Reading goes through HouseholdMeter.objects.restrict (region or utility).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jiliang.core.regions import subtree_codes
from jiliang.core.roles import REGIONAL_ROLES, Role
from jiliang.core.scoping import is_unrestricted, user_role
from jiliang.registry.models import Organisation, OrganisationKind


def may_act_for(actor, utility: Organisation) -> bool:
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if is_unrestricted(actor):
        return True
    role = user_role(actor)
    if role in REGIONAL_ROLES:
        return bool(actor.region_id) and utility.region_id in subtree_codes(actor.region_id)
    return role == Role.ENTERPRISE and actor.organisation_id == utility.pk


def check_registrar(actor, utility: Organisation) -> None:
    if utility.kind != OrganisationKind.UTILITY:
        raise ValidationError({"utility": _("%(org)s is not registered as a utility.") % {"org": utility}})
    if not may_act_for(actor, utility):
        raise PermissionDenied(_("You cannot register or change meters of that utility."))


def utilities_for(actor):
    """The utilities ``actor`` may act for (drop-downs, defaults)."""
    qs = Organisation.objects.filter(kind=OrganisationKind.UTILITY).order_by("name")
    if not getattr(actor, "is_authenticated", False):
        return qs.none()
    if is_unrestricted(actor):
        return qs
    role = user_role(actor)
    if role in REGIONAL_ROLES and actor.region_id:
        return qs.filter(region_id__in=subtree_codes(actor.region_id))
    if role == Role.ENTERPRISE and actor.organisation_id:
        return qs.filter(pk=actor.organisation_id)
    return qs.none()


def resolve_utility(actor, utility_id=None) -> Organisation:
    """The utility a request acts for: the given id (one the actor may act for), else the actor's own utility."""
    if utility_id in (None, ""):
        if user_role(actor) == Role.ENTERPRISE and actor.organisation_id:
            utility_id = actor.organisation_id
        else:
            raise ValidationError({"utility": _("Name the utility (its id).")})
    try:
        utility = utilities_for(actor).get(pk=int(utility_id))
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise ValidationError({"utility": _("No utility %(id)s that you may act for.") % {"id": utility_id}}) from None
    return utility
