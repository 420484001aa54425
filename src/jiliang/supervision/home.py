"""Supervision's home-page panels (moved from verification, which read certificates only; contributed in
extensions.py), each scoped through ``restrict(user, VIEW)`` and read from :class:`InstrumentState`, so they count
records reported by institutions that do not issue through jiliang and say the same status as the instrument's
page, its lists and the API (lifecycle.py):

* enterprises: their instruments, those due first, with next due and status, and how many of those under
  mandatory verification are overdue, due soon or failed;
* bureaus: the instruments under mandatory verification in their area by the regions directly below it, with how
  many are valid, due soon, overdue, failed or never verified.
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jiliang.core.models import Region
from jiliang.core.regions import PROVINCE_CODE, group_under
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, is_unrestricted, organisation_acting_as
from jiliang.registry.models import Instrument

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


def supervision(request) -> dict | None:
    """For a bureau: the instruments under mandatory verification in its area, by the regions directly below it."""
    user = request.user
    unrestricted = is_unrestricted(user)
    if not unrestricted and user.region_id is None:
        return None
    root = PROVINCE_CODE if unrestricted else user.region_id
    per_code = _counts(InstrumentState.objects.restrict(user, VIEW))
    groups = group_under(root)
    keys = ("total", *COUNTED_KEYS)
    per_group: dict[str, dict[str, int]] = {}
    for code, counts in per_code.items():
        group = per_group.setdefault(groups.get(code, root), dict.fromkeys(keys, 0))
        for k in keys:
            group[k] += counts[k]
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=per_group)}
    list_url = reverse("instruments-list")
    rows = [{"code": code, "name": names.get(code, code), "url": f"{list_url}?region={code}&mandatory=true",
             **counts} for code, counts in sorted(per_group.items())]
    total = {k: sum(r[k] for r in rows) for k in keys}
    for r in (*rows, total):
        r["valid"] = r["total"] - sum(r[k] for k in COUNTED_KEYS)
    return {"rows": rows, "total": total, "due_soon_days": SupervisionSettings.current().lead_days}
