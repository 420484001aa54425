"""Importing traceability links from a table (Excel .xlsx or CSV): records the calibration suites of other
laboratories keep, brought into the graph as ``imported`` links.

Columns (headers in Chinese or English, any order; the first five are required):

| column | 中文 | meaning |
|---|---|---|
| child | 被校对象 | an instrument code, or a standard (its assessment certificate number or its name) |
| parent | 校准方 | an external laboratory (name or other name) or a standard (certificate number or name) |
| date | 校准日期 | the date of calibration or verification, YYYY-MM-DD |
| valid_until | 有效期至 | the last day of validity |
| certificate_no | 证书编号 | the certificate's number |
| parameter | 参数 | the parameter (e.g. 质量) |
| range_min, range_max, unit | 范围下限, 范围上限, 单位 | the range |
| U, U_unit, k | 扩展不确定度, 不确定度单位, 包含因子 | the calibrating node's expanded uncertainty |

Each bad row is reported with its row number, field and reason and left out; the good rows are kept (written in
one transaction, with one audit entry for the batch). An import whose links close a cycle in the graph is
refused row by row: each row that closes one is reported with the cycle's members, and the walk that finds it
never loops (it remembers what it has seen).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from jiliang.core import audit
from jiliang.core.roles import Role
from jiliang.core.scoping import user_role
from jiliang.core.tabular import read_table
from jiliang.registry.models import Instrument, MeasurementStandard

from .graph import _norm
from .models import ExternalNode, Link, LinkSource, NodeKind

HEADERS = {
    "child": ("child", "被校对象"), "parent": ("parent", "校准方"), "date": ("date", "校准日期"),
    "valid_until": ("valid_until", "有效期至"), "certificate_no": ("certificate_no", "证书编号"),
    "parameter": ("parameter", "参数"), "range_min": ("range_min", "范围下限"), "range_max": ("range_max", "范围上限"),
    "unit": ("unit", "单位"), "U": ("u", "扩展不确定度"), "U_unit": ("u_unit", "不确定度单位"), "k": ("k", "包含因子"),
}
REQUIRED = ("child", "parent", "date", "valid_until", "certificate_no")


@dataclass
class ImportReport:
    written: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "field", "message"}

    def add(self, row: int, field_name: str, message: str) -> None:
        self.errors.append({"row": row, "field": field_name, "message": message})


class _Nodes:
    """Names → nodes, read once for the whole file."""

    def __init__(self) -> None:
        self.external: dict[str, int] = {}
        for e in ExternalNode.objects.only("pk", "name", "aliases"):
            for n in [e.name, *e.aliases.splitlines()]:
                if n.strip():
                    self.external.setdefault(_norm(n), e.pk)
        self.standards: dict[str, list[MeasurementStandard]] = defaultdict(list)
        for s in MeasurementStandard.objects.select_related("institute").only(
                "pk", "name", "certificate_no", "institute__region_id", "institute_id"):
            for key in {s.certificate_no, s.name}:
                if key:
                    self.standards[_norm(key)].append(s)

    def standard(self, text: str) -> tuple[MeasurementStandard | None, str]:
        found = self.standards.get(_norm(text), [])
        if len(found) > 1:
            return None, _("“%(name)s” names %(n)d standards; give the assessment certificate number.") % {
                "name": text, "n": len(found)}
        return (found[0], "") if found else (None, "")


def _date(value, row: int, name: str, report: ImportReport) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        report.add(row, name, _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value})
        return None


def _number(value, row: int, name: str, report: ImportReport) -> tuple[bool, Decimal | None]:
    if value in (None, ""):
        return True, None
    try:
        d = Decimal(str(value).strip())
    except InvalidOperation:
        report.add(row, name, _("“%(value)s” is not a number.") % {"value": value})
        return False, None
    if not d.is_finite():
        report.add(row, name, _("“%(value)s” is not a number.") % {"value": value})
        return False, None
    return True, d


def _columns(headers: list[str]) -> dict[str, int]:
    index = {}
    for i, h in enumerate(headers):
        key = (h or "").strip()
        for name, aliases in HEADERS.items():
            if key.casefold() in aliases or key == aliases[1]:
                index[name] = i
    return index


def find_cycle(up: dict[tuple, set[tuple]], start: tuple, target: tuple) -> list[tuple] | None:
    """A path from ``start`` up to ``target`` in ``up`` (child → parents), or None; iterative, each node visited
    once, so it ends on any graph (a cycle already in the data included)."""
    stack, came_from = [start], {start: None}
    while stack:
        node = stack.pop()
        if node == target:
            path = [node]
            while came_from[path[-1]] is not None:
                path.append(came_from[path[-1]])
            return list(reversed(path))
        for p in up.get(node, ()):
            if p not in came_from:
                came_from[p] = node
                stack.append(p)
    return None


def graph_cycles(limit: int = 100) -> list[list[tuple]]:
    """Cycles in the links as they are (each as its members, first repeated at the end), at most ``limit``:
    an iterative depth-first search with colours, so it never loops."""
    up: dict[tuple, set[tuple]] = defaultdict(set)
    for ck, cid, pk, pid in Link.objects.exclude(parent_id=None).exclude(child_kind=NodeKind.INSTRUMENT).values_list(
            "child_kind", "child_id", "parent_kind", "parent_id"):
        up[(ck, cid)].add((pk, pid))
    colour: dict[tuple, int] = {}
    cycles = []
    for start in list(up):
        if colour.get(start):
            continue
        stack = [(start, iter(sorted(up.get(start, ()))))]
        path = [start]
        colour[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                colour[node] = 2
                stack.pop()
                path.pop()
                continue
            if colour.get(nxt) == 1:
                cycles.append([*path[path.index(nxt):], nxt])
                if len(cycles) >= limit:
                    return cycles
            elif not colour.get(nxt):
                colour[nxt] = 1
                path.append(nxt)
                stack.append((nxt, iter(sorted(up.get(nxt, ())))))
    return cycles


def node_name(key: tuple) -> str:
    kind, pk = key
    if kind == NodeKind.STANDARD:
        s = MeasurementStandard.objects.filter(pk=pk).values_list("name", flat=True).first()
    elif kind == NodeKind.EXTERNAL:
        s = ExternalNode.objects.filter(pk=pk).values_list("name", flat=True).first()
    else:
        s = Instrument.objects.filter(pk=pk).values_list("instrument_code", flat=True).first()
    return s or f"{kind} #{pk}"


def _require_writer(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    if not (actor.is_superuser or user_role(actor) in (Role.PROVINCIAL_BUREAU, Role.INSTITUTE)):
        raise PermissionDenied(_("Only the provincial bureau or an institute imports traceability links."))


@transaction.atomic
def import_links(name: str, data: bytes, *, actor) -> ImportReport:
    """Read the table, check each row, refuse rows that close a cycle, write the rest (see the module docstring).
    An institute may import links of its own standards only."""
    _require_writer(actor)
    table = read_table(name, data)
    cols = _columns(table.headers)
    report = ImportReport()
    missing = [c for c in REQUIRED if c not in cols]
    if missing:
        for c in missing:
            report.add(1, c, _("The column “%(name)s” (%(zh)s) is missing.") % {"name": c, "zh": HEADERS[c][1]})
        return report
    nodes = _Nodes()
    institute_only = None if actor.is_superuser or user_role(actor) == Role.PROVINCIAL_BUREAU else actor.organisation_id
    up: dict[tuple, set[tuple]] = defaultdict(set)
    for ck, cid, pk, pid in Link.objects.exclude(parent_id=None).values_list("child_kind", "child_id", "parent_kind",
                                                                             "parent_id"):
        up[(ck, cid)].add((pk, pid))
    links = []
    for row, cells in table.rows:
        def cell(c, cells=cells):
            i = cols.get(c)
            v = cells[i] if i is not None and i < len(cells) else None
            return v.strip() if isinstance(v, str) else v

        before = len(report.errors)
        child_text, parent_text = str(cell("child") or ""), str(cell("parent") or "")
        child = parent = None
        region = org = None
        if not child_text:
            report.add(row, "child", _("Name the calibrated instrument (its code) or standard."))
        else:
            inst = Instrument.objects.filter(instrument_code=child_text).only("pk", "region_id", "owner_id").first()
            if inst is not None:
                child, region, org = (NodeKind.INSTRUMENT, inst.pk), inst.region_id, inst.owner_id
            else:
                std, why = nodes.standard(child_text)
                if std is not None:
                    child, region, org = (NodeKind.STANDARD, std.pk), std.institute.region_id, std.institute_id
                else:
                    report.add(row, "child", why or _("“%(name)s” is neither an instrument code nor a standard.")
                               % {"name": child_text})
        if child is not None and institute_only is not None and not (child[0] == NodeKind.STANDARD
                                                                     and org == institute_only):
            report.add(row, "child", _("“%(name)s” is not one of your institute's standards.") % {"name": child_text})
        if not parent_text:
            report.add(row, "parent", _("Name the calibrating laboratory or standard."))
        elif _norm(parent_text) in nodes.external:
            parent = (NodeKind.EXTERNAL, nodes.external[_norm(parent_text)])
        else:
            std, why = nodes.standard(parent_text)
            if std is not None:
                parent = (NodeKind.STANDARD, std.pk)
            else:
                report.add(row, "parent", why or _("“%(name)s” names no known laboratory or standard: add the "
                                                   "laboratory as an external node first.") % {"name": parent_text})
        on = _date(cell("date"), row, "date", report) if cell("date") not in (None, "") else None
        if cell("date") in (None, ""):
            report.add(row, "date", _("Give the date of calibration."))
        until = _date(cell("valid_until"), row, "valid_until", report) if cell("valid_until") not in (None, "") \
            else None
        if cell("valid_until") in (None, ""):
            report.add(row, "valid_until", _("Give the last day of validity."))
        if on and until and until < on:
            report.add(row, "valid_until", _("The calibration cannot expire before it was made."))
        if not cell("certificate_no"):
            report.add(row, "certificate_no", _("Give the certificate number."))
        values = {}
        for c, f in (("range_min", "range_min"), ("range_max", "range_max"), ("U", "uncertainty"),
                     ("k", "coverage_factor")):
            ok, v = _number(cell(c), row, c, report)
            values[f] = v
        if values["uncertainty"] is not None and values["uncertainty"] < 0:
            report.add(row, "U", _("An uncertainty cannot be negative."))
        if values["uncertainty"] is not None and not cell("U_unit"):
            report.add(row, "U_unit", _("An uncertainty needs its unit."))
        if child is not None and parent is not None and child == parent:
            report.add(row, "parent", _("A node cannot calibrate itself."))
        elif child is not None and parent is not None:
            path = find_cycle(up, parent, child)
            if path is not None:
                members = " → ".join(node_name(k) for k in [child, *path])
                report.add(row, "parent", _("This link would close a cycle: %(members)s.") % {"members": members})
        if len(report.errors) > before:
            continue
        up[child].add(parent)
        links.append(Link(child_kind=child[0], child_id=child[1], parent_kind=parent[0], parent_id=parent[1], on=on,
                          valid_until=until, source=LinkSource.IMPORTED, certificate_no=str(cell("certificate_no")),
                          parameter=str(cell("parameter") or ""), range_unit=str(cell("unit") or ""),
                          uncertainty_unit=str(cell("U_unit") or ""), region_id=region, organisation_id=org,
                          **values))
    Link.objects.bulk_create(links)
    report.written = len(links)
    if links:
        audit.record(links[0], "create", actor=actor, after={"file": name, "written": len(links),
                                                             "rejected_rows": len({e["row"] for e in report.errors})},
                     message=f"{len(links)} traceability links imported from {name}")
    return report
