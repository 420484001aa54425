"""The home panel of the plan's indicators for a bureau: how many indicators were met, on track and behind at the
latest snapshot of its region (cheap: the stored snapshots, not a live computation)."""

from __future__ import annotations

from django.db.models import Max
from django.utils import timezone

from . import access, pages, values
from . import status as st
from .models import Snapshot


def panel(request) -> dict | None:
    user = request.user
    if not access.may_read(user):
        return None
    plan = pages.choose_plan(None, timezone.localdate())
    if plan is None:
        return None
    root = plan.region_id if access.is_province(user) else access.root_of(user)
    if not root:
        return None
    last = Snapshot.objects.filter(indicator__plan=plan, region_id=root).aggregate(on=Max("on"))["on"]
    counts = {st.MET: 0, st.ON_TRACK: 0, st.BEHIND: 0, "other": 0}
    if last is not None:
        for r in values.stored(plan.indicators.all(), [root], last).values():
            counts[r.status if r.status in counts else "other"] += 1
    return {"plan": plan, "on": last, "counts": counts, "region_name": pages.region_names([root]).get(root, root),
            "labels": {k: pages.status_label(k) for k in (st.MET, st.ON_TRACK, st.BEHIND)}}
