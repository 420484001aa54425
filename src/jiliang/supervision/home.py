"""Supervision's home-page panel for bureaus (contributed in supervision/extensions.py): the instruments under
mandatory verification in the bureau's area by the regions directly below it, with how many are valid, due soon,
overdue, failed or never verified today, read from the counters (StatusCount) like the dashboard it links to."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from jiliang.core.models import Region
from jiliang.core.regions import group_under, subtree_codes

from . import counters, lifecycle
from .dashboard import root_of
from .models import SupervisionSettings

KEYS = (lifecycle.VALID, lifecycle.DUE_SOON, lifecycle.OVERDUE, lifecycle.FAILED, lifecycle.NEVER_VERIFIED,
        lifecycle.LIFE_ENDED)


def supervision(request) -> dict | None:
    from django.core.exceptions import PermissionDenied

    try:
        root = root_of(request.user)
    except PermissionDenied:
        return None
    groups = group_under(root)
    per_code = counters.status_counts(counters.scope_filter(regions=subtree_codes(root)), by="region_id")
    per_group: dict[str, dict[str, int]] = {}
    for code, counts in per_code.items():
        group = per_group.setdefault(groups.get(code, root), dict.fromkeys(KEYS, 0))
        for k in KEYS:
            group[k] += counts.get(k, 0)
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=per_group)}
    url = reverse("supervision-dashboard")
    rows = []
    for code, counts in sorted(per_group.items()):
        total = sum(counts.values())
        if total:
            rows.append({"code": code, "name": names.get(code, code), "url": f"{url}?region={code}", **counts,
                         "total": total})
    total = {k: sum(r[k] for r in rows) for k in (*KEYS, "total")}
    return {"rows": rows, "total": total, "due_soon_days": SupervisionSettings.current().lead_days,
            "today": timezone.localdate(), "dashboard_url": url,
            "overdue_url": reverse("supervision-overdue")}
