"""Who sees which campaign and which of its targets.

* the organising bureau and the bureaus above it (and superusers) see the campaign and all of its targets (the
  model's own scope: the campaign's bureau region lies in their region);
* a city or county bureau whose region the campaign covers (its scope regions, or the organiser's whole region
  when none are named, reach into the bureau's region) sees the campaign and the targets in its region;
* an inspector named on the campaign sees the campaign and the targets assigned to them;
* institutes, enterprises and anonymous visitors see none.

The second and third are :class:`~jiliang.core.extending.ScopeGrant`s on ``supervision.Campaign`` (extensions.py).
"""

from __future__ import annotations

from django.db.models import Q

from jiliang.core.regions import subtree_codes
from jiliang.core.roles import REGIONAL_ROLES
from jiliang.core.scoping import VIEW, is_unrestricted, user_role

from .campaigns import may_manage
from .models import Campaign, CampaignInspector, CampaignTarget


def _ancestors(code: str) -> list[str]:
    from jiliang.core.models import Region

    out = []
    parent = Region.objects.filter(code=code).values_list("parent_id", flat=True).first()
    while parent:
        out.append(parent)
        parent = Region.objects.filter(code=parent).values_list("parent_id", flat=True).first()
    return out


def covered(user) -> Q:
    """Campaigns whose scope reaches into a regional bureau user's region."""
    if user.region_id is None:
        return Q(pk__in=[])
    mine = subtree_codes(user.region_id)
    above = _ancestors(user.region_id)
    through = Campaign.regions.through.objects
    named = through.filter(region_id__in=[*mine, *above]).values("campaign_id")
    unnamed = Q(bureau_region__in=above) & ~Q(pk__in=through.values("campaign_id"))
    return Q(pk__in=named) | unnamed


def assigned(user) -> Q:
    """Campaigns that name ``user`` as an inspector."""
    return Q(pk__in=CampaignInspector.objects.filter(user=user).values("campaign_id"))


def regional_grant(user) -> Q:
    return covered(user) | assigned(user)


def visible_campaigns(user):
    return Campaign.objects.restrict(user, VIEW)


def visible_targets(user, campaign: Campaign):
    """The targets of ``campaign`` that ``user`` may see (the campaign itself must be visible to them)."""
    targets = CampaignTarget.objects.filter(campaign=campaign)
    if not visible_campaigns(user).filter(pk=campaign.pk).exists():
        return targets.none()
    if is_unrestricted(user) or may_manage(user, campaign):
        return targets
    q = Q(inspector=user)
    if user_role(user) in REGIONAL_ROLES and user.region_id:
        q |= Q(county__in=subtree_codes(user.region_id))
    return targets.filter(q)


def sees_everything(user, campaign: Campaign) -> bool:
    return is_unrestricted(user) or may_manage(user, campaign)


def my_targets(user):
    """Every target assigned to ``user``, newest campaign first."""
    if not getattr(user, "is_authenticated", False):
        return CampaignTarget.objects.none()
    return (CampaignTarget.objects.filter(inspector=user)
            .select_related("campaign", "instrument", "instrument__category", "instrument__owner", "organisation", "county")
            .order_by("-campaign_id", "position"))
