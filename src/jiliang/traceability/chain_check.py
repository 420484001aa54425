"""The chain check as a service: the graph read from the database into :mod:`.chain` (pure), the answer for an
instrument or a standard at a date in the reader's language, scoped, and the batch run over a province.

* :func:`item_requirement` -- what a certificate's calibrating U is compared with: the smallest MPE of the decided
  test points in the unit people write (``g``, ``%``), and the regulation's largest U/MPE where its rules data give
  one (verification/rules, ``uncertainty_limit``); else :mod:`.chain` applies one third (JJF 1094-2002 5.3.1).
* :func:`check_instrument`, :func:`check_standard` -- one chain, with every step (the page and the API).
* :func:`check_all` -- every instrument of a scope in one pass: links read once, each standard's chain memoised
  per date (the bench and the provincial figure).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction

from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import units
from jiliang.core.scoping import VIEW
from jiliang.registry.models import Instrument, MeasurementStandard

from . import chain
from .models import ExternalKind, ExternalNode, Link, NodeKind

# The reasons of chain.MESSAGES in Django's catalogue (the same English ids; Chinese in locale/zh_Hans).
REASONS = {
    "no_link": gettext_lazy("No calibration or verification of %(node)s is recorded."),
    "not_yet": gettext_lazy("%(node)s was first calibrated or verified on %(first)s, after %(day)s."),
    "lapsed": gettext_lazy("Certificate %(cert)s of %(node)s was valid until %(until)s, not on %(day)s."),
    "no_validity": gettext_lazy("Certificate %(cert)s of %(node)s states no validity (a notice of non-conformity or "
                                "a calibration without a due date), so it does not cover %(day)s."),
    "void": gettext_lazy("Certificate %(cert)s of %(node)s was revoked."),
    "unknown_parent": gettext_lazy("%(node)s was calibrated by “%(name)s”, which is neither a known laboratory nor "
                                   "a standard."),
    "missing_parent": gettext_lazy("The calibrating %(kind)s #%(id)s is not in the registry."),
    "before_existed": gettext_lazy("%(parent)s was used on %(day)s, before it existed (first assessed or calibrated "
                                   "on %(first)s)."),
    "assessment": gettext_lazy("The assessment certificate of %(parent)s was not valid on %(day)s (valid %(from)s "
                               "to %(until)s)."),
    "range": gettext_lazy("%(parent)s covers %(prange)s; %(node)s needs %(crange)s."),
    "range_units": gettext_lazy("The range of %(parent)s (%(punit)s) and of %(node)s (%(cunit)s) are in different "
                                "units and could not be compared."),
    "uncertainty": gettext_lazy("U = %(U)s %(unit)s of %(parent)s is more than %(limit)s of %(what)s %(req)s "
                                "%(unit)s of %(node)s (%(source)s)."),
    "uncertainty_units": gettext_lazy("U of %(parent)s (%(unit)s) and %(what)s of %(node)s (%(runit)s) are in "
                                      "different units and could not be compared."),
    "not_accepted": gettext_lazy("%(parent)s is not accepted as a root of traceability."),
    "no_accreditation": gettext_lazy("%(parent)s has no accreditation data (body, number, scope)."),
    "accreditation_lapsed": gettext_lazy("The accreditation of %(parent)s was valid until %(until)s, not on %(day)s."),
    "not_authorised": gettext_lazy("%(parent)s is not accredited for %(parameter)s."),
    "cycle": gettext_lazy("The chain runs in a cycle: %(members)s."),
    "not_root": gettext_lazy("%(node)s is neither a national primary standard nor an accepted laboratory, and has no "
                             "calibration of its own."),
}
WHAT = {"the MPE": gettext_lazy("the MPE"), "U": gettext_lazy("U")}


def reason_text(code: str, params: dict) -> str:
    p = dict(params)
    if "what" in p:
        p["what"] = str(WHAT.get(p["what"], p["what"]))
    return str(REASONS[code]) % p


# -- what a certificate's U is compared with ------------------------------------------------------------------


def item_requirement(regulation: str, decision: dict | None, error_unit: str) -> dict:
    """Link fields ``item_mpe``, ``item_mpe_unit``, ``item_ratio``, ``item_ratio_source`` of a certificate's record:
    the smallest half-width of the decided MPEs, in the unit people write, and the regulation's own U/MPE limit."""
    out = {}
    points = (decision or {}).get("points") or []
    widths = []
    for p in points:
        try:
            widths.append((Decimal(p["mpe_upper"]) - Decimal(p["mpe_lower"])) / 2)
        except (KeyError, ArithmeticError, TypeError, ValueError):
            continue
    widths = [w for w in widths if w > 0]
    if widths and error_unit:
        out.update(item_mpe=min(widths), item_mpe_unit=units.symbol(error_unit))
    if regulation:
        from jiliang.verification.rules.loader import load_regulation

        try:
            limit = load_regulation(regulation).uncertainty_limit
        except Exception:  # noqa: BLE001 -- a regulation without rules data sets no ratio
            limit = None
        if limit:
            out.update(item_ratio=limit[0], item_ratio_source=limit[1][:100])
    return out


def requirements_for_items(item_ids: Iterable[int]) -> dict[int, dict]:
    """{work order item id: item_requirement(...)} read in three queries."""
    from jiliang.verification.models import MeasurementResult, TestPointResult, WorkOrderItem

    ids = list(item_ids)
    if not ids:
        return {}
    regulation = dict(WorkOrderItem.objects.filter(pk__in=ids).values_list("pk", "regulation"))
    decision = dict(MeasurementResult.objects.filter(item_id__in=ids).values_list("item_id", "decision"))
    unit = dict(TestPointResult.objects.filter(result__item_id__in=ids, position=0)
                .values_list("result__item_id", "error_unit"))
    return {i: item_requirement(regulation.get(i, ""), decision.get(i), unit.get(i, "")) for i in ids}


# -- reading the graph ---------------------------------------------------------------------------------------


def _f(x) -> float | None:
    return None if x is None else float(x)


def _convert(value: float, unit: str, to_unit: str) -> float | None:
    """``value`` in ``unit`` expressed in ``to_unit`` when they differ by SI prefixes only (g → mg), else None."""
    if unit == to_unit:
        return value
    a, b = units.registry_dsi(unit), units.registry_dsi(to_unit)
    if not a or not b:
        return None
    try:
        factor = units.symbols.conversion(a, b)
    except units.UnitError:
        return None
    return None if factor is None else value * float(factor)


def standard_nodes(ids: Iterable[int] | None = None) -> list[chain.Node]:
    from jiliang.verification.models import StandardCalibration

    qs = MeasurementStandard.objects.all() if ids is None else MeasurementStandard.objects.filter(pk__in=list(ids))
    first_cal = dict(StandardCalibration.objects.values("standard_id").annotate(first=Min("calibrated_on"))
                     .values_list("standard_id", "first"))
    nodes = []
    for s in qs.values_list("pk", "name", "level", "valid_from", "valid_until", "range_min", "range_max",
                            "range_unit", "uncertainty", "uncertainty_unit").iterator(chunk_size=5000):
        pk, name, level, vf, vu, lo, hi, ru, u, uu = s
        starts = [d for d in (vf, first_cal.get(pk)) if d is not None]
        nodes.append(chain.Node(STANDARD, pk, name, level, vf, vu, min(starts) if starts else None, _f(lo), _f(hi),
                                ru, (float(u), uu) if u is not None and uu else None))
    return nodes


STANDARD, INSTRUMENT, EXTERNAL = chain.STANDARD, chain.INSTRUMENT, chain.EXTERNAL


def scope_parameters(scope_text: str) -> frozenset[str] | None:
    """The words of an accredited scope, any of which may name a parameter (``质量 1 mg–20 kg U=…``,
    ``国家计量基准：质量、压力``, ``速度：…；力：…`` all list theirs); None when the scope is empty (the data do not
    exist, nothing is checked)."""
    return frozenset(w for w in re.split(r"[\s：:、，,；;（）()]+", scope_text or "") if w) or None


def external_nodes() -> list[chain.Node]:
    return [chain.Node(EXTERNAL, e.pk, e.name, external_kind=e.kind, accepted=e.accepted,
                       accreditation_no=e.accreditation_no if e.kind in (ExternalKind.CNAS_LAB, ExternalKind.MRA_LAB)
                       and e.accreditation_body and e.scope_text else "",
                       accreditation_valid_until=e.accreditation_valid_until,
                       scope_parameters=scope_parameters(e.scope_text))
            for e in ExternalNode.objects.all()]


def instrument_nodes(qs) -> list[chain.Node]:
    return [chain.Node(INSTRUMENT, pk, code or f"#{pk}", range_min=_f(lo), range_max=_f(hi), range_unit=ru)
            for pk, code, lo, hi, ru in qs.values_list("pk", "instrument_code", "range_min", "range_max", "range_unit")
            .iterator(chunk_size=5000)]


LINK_FIELDS = ("pk", "child_kind", "child_id", "parent_kind", "parent_id", "on", "valid_until", "void", "parent_name",
               "certificate_no", "parameter", "range_min", "range_max", "range_unit", "uncertainty",
               "uncertainty_unit", "coverage_factor", "source_id", "item_mpe", "item_mpe_unit")


def edge_of(row) -> chain.Edge:
    (pk, ck, cid, pkind, pid, on, vu, void, pname, cno, param, lo, hi, ru, u, uu, k, sid, mpe, mpe_unit) = row
    requirement = None
    if mpe is not None and u is not None:
        converted = _convert(float(mpe), mpe_unit, uu)
        requirement = (converted, uu) if converted is not None else (float(mpe), mpe_unit)
    return chain.Edge(pk, (ck, cid), (pkind, pid) if pid is not None else None, on, vu, void, pname, cno, param,
                      _f(lo), _f(hi), ru, _f(u), uu, _f(k), sid, requirement)


def load_graph(instrument_qs=None, *, instrument_links=None) -> chain.Graph:
    """Every standard, external node and their links; and the instruments of ``instrument_qs`` with theirs."""
    nodes = standard_nodes() + external_nodes()
    links = Link.objects.exclude(child_kind=NodeKind.INSTRUMENT)
    edges = [edge_of(r) for r in links.values_list(*LINK_FIELDS).iterator(chunk_size=5000)]
    if instrument_qs is not None:
        nodes += instrument_nodes(instrument_qs)
        il = instrument_links if instrument_links is not None else Link.objects.filter(
            child_kind=NodeKind.INSTRUMENT, child_id__in=instrument_qs.values("pk"))
        edges += [edge_of(r) for r in il.values_list(*LINK_FIELDS).iterator(chunk_size=5000)]
    return chain.Graph(nodes, edges)


def _graph_with_ratios(graph: chain.Graph, link_filter) -> chain.Graph:
    """Instrument nodes carry the regulation's ratio of their record (chain.Node.ratio)."""
    rows = Link.objects.filter(link_filter).exclude(item_ratio=None).values_list("child_id", "item_ratio",
                                                                                 "item_ratio_source")
    for cid, r, src in rows:
        key = (INSTRUMENT, cid)
        if key in graph.nodes:
            n = graph.nodes[key]
            graph.nodes[key] = dataclasses.replace(n, ratio=(Fraction(r).limit_denominator(1000), src))
    return graph


# -- the answers ---------------------------------------------------------------------------------------------


def check_instrument(instrument: Instrument, day: dt.date, *, user=None) -> dict:
    if user is not None and not Instrument.objects.restrict(user, VIEW).filter(pk=instrument.pk).exists():
        raise PermissionDenied(_("You may not see this instrument."))
    from django.db.models import Q

    qs = Instrument.objects.filter(pk=instrument.pk)
    graph = _graph_with_ratios(load_graph(qs), Q(child_kind=NodeKind.INSTRUMENT, child_id=instrument.pk))
    return describe(graph, graph.check(INSTRUMENT, instrument.pk, day))


def check_standard(standard: MeasurementStandard, day: dt.date, *, user=None) -> dict:
    if user is not None and not MeasurementStandard.objects.restrict(user, VIEW).filter(pk=standard.pk).exists():
        raise PermissionDenied(_("You may not see this standard."))
    graph = load_graph()
    return describe(graph, graph.check(STANDARD, standard.pk, day))


def _q(value, unit) -> dict | None:
    return None if value is None else {"value": chain._fmt(value), "unit": unit}


def describe(graph: chain.Graph, result: chain.Result) -> dict:
    """The answer as plain data (API, page and chart), every sentence in the active language."""
    steps = []
    for s in result.steps:
        e = s.edge
        steps.append({
            "number": s.number, "depth": s.depth,
            "child": {"kind": s.child[0], "id": s.child[1], "name": graph.name(s.child)},
            "parent": ({"kind": s.parent[0], "id": s.parent[1], "name": graph.name(s.parent),
                        "root": graph.is_root(s.parent)} if s.parent else
                       {"kind": "", "id": None, "name": e.parent_name if e else "", "root": False}),
            "link": None if e is None else {
                "id": e.id, "on": e.on.isoformat(), "valid_until": e.valid_until.isoformat() if e.valid_until else None,
                "certificate_no": e.certificate_no, "parameter": e.parameter, "void": e.void,
                "range": chain.range_text(e.range_min, e.range_max, e.range_unit),
                "U": _q(e.uncertainty, e.uncertainty_unit), "k": None if e.k is None else chain._fmt(e.k),
                "relative_standard_uncertainty": None if s.relative_u is None else float(f"{s.relative_u:.3g}")},
            "used_on": s.used_on.isoformat(), "ok": s.ok,
            "problems": [{"code": c, "text": reason_text(c, p)} for c, p in s.problems],
            "notes": [{"code": c, "text": reason_text(c, p)} for c, p in s.notes],
        })
    broken = result.broken_at
    if result.traceable:
        summary = _("Traceable to %(roots)s.") % {"roots": ", ".join(graph.name(r) for r in result.roots)}
    elif broken is not None:
        summary = _("Broken at link %(n)s because %(why)s") % {
            "n": broken.number, "why": " ".join(reason_text(c, p) for c, p in broken.problems)}
    else:
        summary = _("No chain.")
    return {
        "node": {"kind": result.node[0], "id": result.node[1], "name": graph.name(result.node)},
        "date": result.day.isoformat(), "traceable": result.traceable, "summary": summary,
        "broken_at": broken.number if broken else None,
        "roots": [{"kind": k, "id": i, "name": graph.name((k, i))} for k, i in result.roots],
        "accumulated_uncertainty": None if result.accumulated_u is None else {
            "relative_standard_uncertainty": float(f"{result.accumulated_u:.3g}"),
            "percent": f"{result.accumulated_u * 100:.2g}",
            "links_left_out": result.links_left_out,
            "label": _("Estimate: root-sum-square of the links' relative standard uncertainties U/k; correlations and "
                       "the methods' own contributions are not included."),
        },
        "steps": steps,
    }


def check_all(instrument_qs, day: dt.date, progress: Callable[[int, int], None] | None = None) -> dict:
    """Every instrument of ``instrument_qs`` on ``day``: counts of traceable and broken, by first reason."""
    with chain.gc_paused():
        return _check_all(instrument_qs, day, progress)


def _check_all(instrument_qs, day: dt.date, progress) -> dict:
    graph = load_graph(instrument_qs)
    ids = [k[1] for k in graph.nodes if k[0] == INSTRUMENT]
    counts: dict[str, int] = {"traceable": 0, "broken": 0}
    reasons: dict[str, int] = {}
    for i, pk in enumerate(ids, 1):
        v = graph.verdict(INSTRUMENT, pk, day)
        if v.traceable:
            counts["traceable"] += 1
        else:
            counts["broken"] += 1
            reasons[v.problem[0]] = reasons.get(v.problem[0], 0) + 1
        if progress and i % 10000 == 0:
            progress(i, len(ids))
    return {**counts, "reasons": reasons, "instruments": len(ids)}


def chart_tree(answer: dict) -> dict:
    """The answer as an ECharts tree: the item at the bottom, each calibrating node above the record that used it,
    every node labelled with the link's date, certificate, U and the check's result."""
    top = {"name": answer["node"]["name"], "ok": answer["traceable"], "children": [], "detail": ""}
    stack = [(-1, top)]
    for s in answer["steps"]:
        while stack and stack[-1][0] >= s["depth"]:
            stack.pop()
        link = s["link"] or {}
        u = link.get("U")
        detail = " · ".join(x for x in (
            link.get("on"), link.get("certificate_no"), f"U = {u['value']} {u['unit']}" if u else "",
            s["problems"][0]["text"] if s["problems"] else "") if x)
        node = {"name": s["parent"]["name"] or "?", "ok": s["ok"], "number": s["number"], "detail": detail,
                "root": s["parent"]["root"], "children": []}
        (stack[-1][1] if stack else top)["children"].append(node)
        stack.append((s["depth"], node))
    return top


def lead_context(request, obj) -> dict:
    """The DetailLead of registry.Instrument and registry.MeasurementStandard (extensions.py): the chain today, or
    on ``?chain_date=`` when given."""
    from django.utils import timezone

    try:
        day = dt.date.fromisoformat(request.GET.get("chain_date", ""))
    except ValueError:
        day = timezone.localdate()
    answer = (check_instrument if isinstance(obj, Instrument) else check_standard)(obj, day)
    return {"trace_chain": answer, "trace_chart": chart_tree(answer)}
