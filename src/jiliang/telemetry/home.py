"""Energy's home-page panels (contributed in telemetry/extensions.py), scoped through ``restrict(user, VIEW)``:
an enterprise's metering points online or not, and a bureau's key energy-consuming enterprises online."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, organisation_acting_as

from . import quality
from .models import UTILITY_KIND, MeteringPoint, PointRole

LATE_SHOWN = 20


def enterprise_energy(request) -> dict | None:
    """The enterprise's required metering points and which of them are not reporting now (offline)."""
    user = request.user
    enterprise = organisation_acting_as(user, Role.ENTERPRISE)
    if enterprise is None:
        return None
    now = timezone.now()
    # a utility's household meters are not energy metering points (livelihood-iot.md): a utility sees no panel
    points = MeteringPoint.objects.restrict(user, VIEW).filter(enterprise_id=enterprise).exclude(
        role=PointRole.HOUSEHOLD)
    if user.organisation.kind == UTILITY_KIND and not points.exists():
        return None
    required = quality.required_points(points).count()
    late = list(quality.late_points(points, now).select_related("state").order_by("code")[:LATE_SHOWN + 1])
    n_late = quality.late_points(points, now).count() if len(late) > LATE_SHOWN else len(late)
    return {"points": points.filter(active=True).count(), "required": required, "online": required - n_late,
            "offline": n_late, "late": late[:LATE_SHOWN],
            "url": reverse("energy-enterprise", args=[enterprise])}


def bureau_energy(request) -> dict | None:
    """For a bureau: its key energy-consuming enterprises online now, the online rate, and by city (province)."""
    statuses = quality.enterprise_statuses(request.user)
    online = sum(s.online for s in statuses)
    not_connected = sum(not s.connected for s in statuses)
    by_city = quality.online_by_city(statuses)
    return {"enterprises": len(statuses), "online": online, "offline": len(statuses) - online - not_connected,
            "not_connected": not_connected, "rate": quality.online_rate(statuses),
            "by_city": by_city if len(by_city) > 1 else [], "url": reverse("energy-dashboard")}
