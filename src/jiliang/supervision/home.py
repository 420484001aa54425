"""Supervision's home-page panels (moved from verification, which read certificates only; contributed in
extensions.py), each scoped through ``restrict(user, VIEW)`` and read from :class:`InstrumentState`, so they count
records reported by institutions that do not issue through jiliang and say the same status as the instrument's
page, its lists and the API (lifecycle.py):

* enterprises: their instruments, those due first, with next due and status, and how many of those under
  mandatory verification are overdue, due soon or failed;
* bureaus: the instruments under mandatory verification in their area by the regions directly below it, with how
  many are valid, due soon, overdue, failed, never verified or past their service life, read from the counters
  (StatusCount) like the dashboard it links to.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region
from jiliang.core.regions import group_under, subtree_codes
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, organisation_acting_as
from jiliang.registry.models import Instrument

from . import counters, lifecycle
from .dashboard import root_of
from .models import InstrumentState, Status, SupervisionSettings

INSTRUMENTS_SHOWN = 20
COUNTED_KEYS = ("due_soon", "overdue", "failed", "never_verified", "life_ended")
NO_STATE = _("not yet computed")


def _counts(states) -> dict[str, dict[str, int]]:
    """Per region code: how many instruments are counted and how many are in each status."""
    rows = (states.exclude(status=Status.NOT_COUNTED).order_by().values("region_id")
            .annotate(total=Count("pk"), **{k: Count("pk", filter=Q(status=k)) for k in COUNTED_KEYS}))
    return {r.pop("region_id"): r for r in rows}


def enterprise_instruments(request) -> dict | None:
    """The enterprise's instruments, those due first: next due and status from supervision."""
    user = request.user
    owner = organisation_acting_as(user, Role.ENTERPRISE)
    if owner is None:
        return None
    mine = Instrument.objects.restrict(user, VIEW).filter(owner_id=owner)
    rows = list(mine.select_related("category", "supervision")
                .order_by(F("supervision__next_due").asc(nulls_last=True), "pk")[:INSTRUMENTS_SHOWN])
    for inst in rows:
        state = getattr(inst, "supervision", None)  # None: not yet computed (registered in bulk)
        inst.due_state = state.status if state is not None else ""
        inst.next_due = state.next_due if state is not None else None
        inst.due_label = state.get_status_display() if state is not None else NO_STATE
        inst.url = reverse("instruments-detail", args=[inst.pk])
    counts = _counts(InstrumentState.objects.restrict(user, VIEW).filter(owner_id=owner))
    summary = {k: sum(c[k] for c in counts.values()) for k in ("total", "overdue", "due_soon", "failed")}
    return {"rows": rows, "total": mine.count(), "summary": summary, "list_url": reverse("instruments-list")}


KEYS = (lifecycle.VALID, lifecycle.DUE_SOON, lifecycle.OVERDUE, lifecycle.FAILED, lifecycle.NEVER_VERIFIED,
        lifecycle.LIFE_ENDED)


def supervision(request) -> dict | None:
    """For a bureau: the instruments under mandatory verification in its area, by the regions directly below it."""
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
