"""Who may inspect an instrument on site: its region's bureau, or an inspector a campaign assigned to it.

A campaign may send an inspector outside their own county (双随机: 'never your own county'), so the scan page and
the finding service ask here rather than only the region scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from jiliang.core.roles import BUREAU_ROLES
from jiliang.core.scoping import VIEW, user_role
from jiliang.registry.models import Instrument

from .models import CampaignStatus, CampaignTarget, TargetStatus


def assigned_targets(user, instrument: Instrument, *, on=None) -> QuerySet[CampaignTarget]:
    """Open targets assigned to ``user`` that cover ``instrument`` (the instrument itself, or its owner when the
    campaign draws owners), in drawn campaigns whose period includes ``on`` (today by default)."""
    on = on or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return CampaignTarget.objects.none()
    return (CampaignTarget.objects
            .filter(Q(instrument=instrument) | Q(instrument__isnull=True, organisation_id=instrument.owner_id),
                    inspector=user, status=TargetStatus.PENDING, campaign__status=CampaignStatus.DRAWN,
                    campaign__period_start__lte=on, campaign__period_end__gte=on)
            .select_related("campaign").order_by("campaign_id", "position"))


def may_inspect(user, instrument: Instrument) -> bool:
    """A bureau user whose region holds the instrument, or an inspector with an open target covering it."""
    if user_role(user) not in BUREAU_ROLES and not getattr(user, "is_superuser", False):
        return False
    if Instrument.objects.restrict(user, VIEW).filter(pk=instrument.pk).exists():
        return True
    return assigned_targets(user, instrument).exists()
