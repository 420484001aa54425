"""The province view per parameter (issue #16 item 6): for one parameter (质量, 压力, 电能, …), the tree from the
national standards (NIM and the other accepted external nodes, national primary standards) down through the
provincial institute, the city and the county institutes' standards to the counts of instruments verified with
them, read from the Link table (graph.rebuild()).

Each standard hangs under the parent of its latest link that is not void; a standard whose latest calibration names
a laboratory that could not be resolved hangs under a "broken" node with that name, and one without any calibration
under "no calibration recorded". Standards are the public directory's (every reader sees all of them); the counts of
instruments come from ``Link.objects.restrict(user, VIEW)``, so a county sees its own instruments' counts only.
Cycles in imported data are cut where a node is met again (reported with its members in ``cycles``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from jiliang.core.models import RegionLevel
from jiliang.core.scoping import VIEW
from jiliang.registry.models import MeasurementStandard, StandardLevel, StandardStatus

from .models import ExternalNode, Link, NodeKind

LAPSING_DAYS = 60
TIERS = ("external", "national", "provincial", "city", "county", "instruments", "broken", "unlinked")


@dataclass
class Tree:
    parameter: str
    data: dict
    counts: dict = field(default_factory=dict)
    cycles: list = field(default_factory=list)


def parameters() -> list[str]:
    """The parameters of the standards in use, for the chooser."""
    return sorted(set(MeasurementStandard.objects.exclude(status=StandardStatus.RETIRED)
                      .values_list("parameter", flat=True)))


def _tier(level: str, region_level: str) -> str:
    if level == StandardLevel.NATIONAL_PRIMARY:
        return "national"
    if region_level == RegionLevel.PROVINCE:
        return "provincial"
    if region_level == RegionLevel.PREFECTURE:
        return "city"
    return "county"


def build(parameter: str, user, today: dt.date) -> Tree:
    """The tree of ``parameter`` as ECharts' tree series wants it ({name, value, children, tier, …})."""
    standards = {s["pk"]: s for s in MeasurementStandard.objects.filter(parameter=parameter)
                 .exclude(status=StandardStatus.RETIRED)
                 .values("pk", "name", "level", "valid_until", "institute__name", "institute__region__level")}
    latest: dict[int, dict] = {}
    for link in (Link.objects.filter(child_kind=NodeKind.STANDARD, child_id__in=list(standards), void=False)
                 .order_by("child_id", "-on", "-pk")
                 .values("child_id", "parent_kind", "parent_id", "parent_name", "on", "certificate_no")):
        latest.setdefault(link["child_id"], link)
    counts = dict(Link.objects.restrict(user, VIEW)
                  .filter(child_kind=NodeKind.INSTRUMENT, parent_kind=NodeKind.STANDARD,
                          parent_id__in=list(standards), void=False)
                  .values("parent_id").annotate(n=Count("child_id", distinct=True)).order_by()
                  .values_list("parent_id", "n"))
    externals = ExternalNode.objects.in_bulk({link["parent_id"] for link in latest.values()
                                              if link["parent_kind"] == NodeKind.EXTERNAL and link["parent_id"]})
    children: dict[tuple, list[int]] = defaultdict(list)
    for pk in standards:
        link = latest.get(pk)
        if link is None:
            key = ("unlinked", "")
        elif link["parent_id"] is None:
            key = ("broken", link["parent_name"])
        elif link["parent_kind"] == NodeKind.STANDARD and link["parent_id"] in standards:
            key = ("standard", link["parent_id"])
        elif link["parent_kind"] == NodeKind.EXTERNAL:
            key = ("external", link["parent_id"])
        else:
            key = ("broken", _("standard #%(id)s of another parameter") % {"id": link["parent_id"]})
        children[key].append(pk)
    tally = dict.fromkeys(TIERS, 0)
    cycles: list[list[int]] = []

    def standard_node(pk: int, path: tuple[int, ...]) -> dict:
        s = standards[pk]
        tier = _tier(s["level"], s["institute__region__level"])
        tally[tier] += 1
        until = s["valid_until"]
        lapsing = until is not None and today <= until <= today + dt.timedelta(days=LAPSING_DAYS)
        kids = []
        for child in sorted(children.get(("standard", pk), ())):
            if child in path or child == pk:
                cycles.append([*path, pk, child])
                continue
            kids.append(standard_node(child, (*path, pk)))
        n = counts.get(pk, 0)
        if n:
            tally["instruments"] += n
            kids.append({"name": _("%(n)d instruments") % {"n": n}, "value": n, "tier": "instruments"})
        link = latest.get(pk) or {}
        return {"name": f"{s['institute__name']} · {s['name']}", "value": n, "tier": tier, "id": pk,
                "valid_until": until.isoformat() if until else None, "lapsing": lapsing,
                "expired": until is not None and until < today, "certificate_no": link.get("certificate_no", ""),
                "calibrated_on": link["on"].isoformat() if link.get("on") else None, "children": kids}

    roots = []
    for key in sorted((k for k in children if k[0] == "external"), key=lambda k: k[1]):
        node = externals.get(key[1])
        tally["external"] += 1
        roots.append({"name": node.name if node else str(key[1]), "tier": "external", "accepted": bool(
            node and node.accepted), "children": [standard_node(pk, ()) for pk in sorted(children[key])]})
    national = [pk for pk in children.get(("unlinked", ""), ()) if standards[pk]["level"] == StandardLevel.NATIONAL_PRIMARY]
    roots.extend(standard_node(pk, ()) for pk in national)
    for key in sorted((k for k in children if k[0] == "broken"), key=lambda k: k[1]):
        tally["broken"] += 1
        roots.append({"name": _("broken: %(lab)s") % {"lab": key[1]}, "tier": "broken",
                      "children": [standard_node(pk, ()) for pk in sorted(children[key])]})
    unlinked = [pk for pk in children.get(("unlinked", ""), ()) if pk not in national]
    if unlinked:
        tally["unlinked"] += len(unlinked)
        roots.append({"name": _("no calibration recorded"), "tier": "unlinked",
                      "children": [standard_node(pk, ()) for pk in unlinked]})
    # standards whose parent chain loops without reaching a root (imported data): shown apart, never walked twice
    reached = _reached(roots)
    for pk in sorted(set(standards) - reached):
        cycles.append([pk])
    data = {"name": parameter, "tier": "root", "children": roots}
    return Tree(parameter, data, tally, cycles)


def _reached(nodes: list[dict]) -> set[int]:
    out, stack = set(), list(nodes)
    while stack:
        n = stack.pop()
        if n.get("tier") in ("provincial", "city", "county", "national"):
            out.add(n["id"])
        stack.extend(n.get("children", ()))
    return out
