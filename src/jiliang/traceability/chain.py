"""The check of a traceability chain at a date (PURE: no Django; plain values in, plain values out).

For an instrument or a standard on a date of use, :func:`check` walks up the calibration graph to a root and
checks every link on the way. A root is a national primary standard (国家计量基准) or an external node accepted as
one (NIM, an accredited laboratory). A link ``child ← parent`` is the record that says the parent calibrated or
verified the child (a certificate, a standard's calibration, an imported record). Each link is checked on the date
the child was relied on: the instrument on the date of use asked for, a standard on the date it calibrated the
link below it (a standard's fitness matters when it was used, not today).

A link holds when all of these hold (each failure is a sentence in the reader's language, see :data:`MESSAGES`):

1. the record exists for that date: made on or before it, valid on it (``on ≤ day ≤ valid_until``), not void;
2. the parent is known (a record naming a laboratory or standard nobody could resolve breaks the chain);
3. a parent standard existed when it was used (not used before its first assessment or calibration), and its
   assessment certificate (计量标准考核证书, MeasurementStandard.valid_from/valid_until) was valid on that day;
4. the link's range covers the child's range (same unit; otherwise the link says it could not compare);
5. the calibrating U is small enough against what it calibrated: U_parent ≤ ratio × (MPE or U of the child), the
   ratio being the regulation's where the rules data give one, else one third (JJF 1094-2002 5.3.1, the
   practice jiliang's verification decisions already follow: verification/decisions.py). For a standard
   calibrating a standard the same one third is applied by practice; JJF 1104-2003 6.8 (检定系统表) is quoted as
   giving ratios between levels, which jiliang has not verified (docs/traceability-chains.md). Different units:
   not compared, and said so;
6. an external parent: accepted as a root, with accreditation data where its kind needs them, the accreditation
   valid on the day, and, where its scope lists parameters, the link's parameter among them;
7. no cycle: a node met again on the way up ends the walk, naming the members.

When every link holds the answer is "traceable" with an ESTIMATE of the accumulated relative standard uncertainty
along the chain: the root-sum-square of each link's U/k made relative (U in %, or U divided by the upper end of
the link's range in the same unit); links whose U cannot be made relative are left out and counted. This is an
estimate, not an uncertainty budget: it ignores correlations and the contributions of the methods themselves.

Batch use: :class:`Graph` holds every link and node once; :meth:`Graph.check` memoises the chain of each
(standard, date) so a province of a million instruments over a few thousand standards walks each standard's
chain once per date of use.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import NamedTuple

from jiliang.core.units import prefix_factor

INSTRUMENT, STANDARD, RM, EXTERNAL = "instrument", "standard", "rm", "external"
NATIONAL_PRIMARY = "national_primary"
ACCREDITED_KINDS = frozenset({"cnas_lab", "mra_lab"})
ONE_THIRD = Fraction(1, 3)
ONE_THIRD_SOURCE = "JJF 1094-2002 5.3.1"

Key = tuple[str, int]


@dataclass(frozen=True, slots=True)
class Node:
    """What the check needs of a node. ``exists_from``: the first day it existed (first assessment or calibration);
    ``requirement``: the child's own MPE or U (value, unit) that a calibrating U is compared against, with the
    ratio and its source when a regulation sets one."""

    kind: str
    id: int
    name: str = ""
    level: str = ""                       # a standard's level (national_primary is a root)
    valid_from: dt.date | None = None     # the assessment certificate (standards)
    valid_until: dt.date | None = None
    exists_from: dt.date | None = None
    range_min: float | None = None
    range_max: float | None = None
    range_unit: str = ""
    requirement: tuple[float, str] | None = None
    ratio: tuple[Fraction, str] | None = None
    # external nodes
    external_kind: str = ""
    accepted: bool = False
    accreditation_no: str = ""
    accreditation_valid_until: dt.date | None = None
    scope_parameters: frozenset[str] | None = None


@dataclass(frozen=True, slots=True)
class Edge:
    """A link: ``child`` was calibrated or verified by ``parent`` (None: unresolved, named ``parent_name``)."""

    id: int
    child: Key
    parent: Key | None
    on: dt.date
    valid_until: dt.date | None = None
    void: bool = False
    parent_name: str = ""
    certificate_no: str = ""
    parameter: str = ""
    range_min: float | None = None
    range_max: float | None = None
    range_unit: str = ""
    uncertainty: float | None = None
    uncertainty_unit: str = ""
    k: float | None = None
    source_id: int | None = None
    requirement: tuple[float, str] | None = None  # the child's MPE for this record, when the record has it


@dataclass
class Step:
    """One link of the answer: its number (1 = the item's own), depth, the edge, what holds and what does not."""

    number: int
    depth: int
    edge: Edge | None
    child: Key
    parent: Key | None
    used_on: dt.date
    problems: list[tuple[str, dict]] = field(default_factory=list)
    notes: list[tuple[str, dict]] = field(default_factory=list)
    relative_u: float | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class Result:
    """The answer for one node at one date."""

    node: Key
    day: dt.date
    steps: list[Step]
    roots: list[Key]
    accumulated_u: float | None = None   # relative standard uncertainty, an ESTIMATE (see module docstring)
    links_left_out: int = 0

    @property
    def traceable(self) -> bool:
        return bool(self.steps or self.roots) and all(s.ok for s in self.steps)

    @property
    def broken_at(self) -> Step | None:
        return next((s for s in self.steps if not s.ok), None)


# Every reason, as a message id (English) with its Chinese; the service translates through Django's catalogue,
# these are the texts for readers outside Django (bench, command line) and the ids the tests name.
MESSAGES = {
    "no_link": ("No calibration or verification of %(node)s is recorded.",
                "未记录%(node)s的校准或检定。"),
    "not_yet": ("%(node)s was first calibrated or verified on %(first)s, after %(day)s.",
                "%(node)s首次校准或检定于%(first)s，晚于%(day)s。"),
    "lapsed": ("Certificate %(cert)s of %(node)s was valid until %(until)s, not on %(day)s.",
               "%(node)s的证书%(cert)s有效期至%(until)s，%(day)s时已失效。"),
    "no_validity": ("Certificate %(cert)s of %(node)s states no validity (a notice of non-conformity or a "
                    "calibration without a due date), so it does not cover %(day)s.",
                    "%(node)s的证书%(cert)s未给出有效期（检定结果通知书或未定复校日期的校准证书），不能覆盖%(day)s。"),
    "void": ("Certificate %(cert)s of %(node)s was revoked.", "%(node)s的证书%(cert)s已被撤销。"),
    "unknown_parent": ("%(node)s was calibrated by “%(name)s”, which is neither a known laboratory nor a standard.",
                       "%(node)s由“%(name)s”校准，该机构或计量标准不在登记中。"),
    "missing_parent": ("The calibrating %(kind)s #%(id)s is not in the registry.",
                       "校准方%(kind)s #%(id)s不在登记中。"),
    "before_existed": ("%(parent)s was used on %(day)s, before it existed (first assessed or calibrated on "
                       "%(first)s).",
                       "%(parent)s于%(day)s被使用，早于其建立日期（首次考核或校准于%(first)s）。"),
    "assessment": ("The assessment certificate of %(parent)s was not valid on %(day)s (valid %(from)s to %(until)s).",
                   "%(parent)s的计量标准考核证书在%(day)s无效（有效期%(from)s至%(until)s）。"),
    "range": ("%(parent)s covers %(prange)s; %(node)s needs %(crange)s.",
              "%(parent)s的测量范围为%(prange)s，%(node)s需要%(crange)s。"),
    "range_units": ("The range of %(parent)s (%(punit)s) and of %(node)s (%(cunit)s) are in different units and "
                    "could not be compared.",
                    "%(parent)s（%(punit)s）与%(node)s（%(cunit)s）的测量范围单位不同，未能比较。"),
    "uncertainty": ("U = %(U)s %(unit)s of %(parent)s is more than %(limit)s of %(what)s %(req)s %(unit)s of "
                    "%(node)s (%(source)s).",
                    "%(parent)s的U = %(U)s %(unit)s大于%(node)s的%(what)s %(req)s %(unit)s的%(limit)s（%(source)s）。"),
    "uncertainty_units": ("U of %(parent)s (%(unit)s) and %(what)s of %(node)s (%(runit)s) are in different units "
                          "and could not be compared.",
                          "%(parent)s的U（%(unit)s）与%(node)s的%(what)s（%(runit)s）单位不同，未能比较。"),
    "not_accepted": ("%(parent)s is not accepted as a root of traceability.", "%(parent)s未被认可为溯源终点。"),
    "no_accreditation": ("%(parent)s has no accreditation data (body, number, scope).",
                         "%(parent)s缺少认可信息（认可机构、编号、范围）。"),
    "accreditation_lapsed": ("The accreditation of %(parent)s was valid until %(until)s, not on %(day)s.",
                             "%(parent)s的认可有效期至%(until)s，%(day)s时已失效。"),
    "not_authorised": ("%(parent)s is not accredited for %(parameter)s.", "%(parent)s的认可范围不含%(parameter)s。"),
    "cycle": ("The chain runs in a cycle: %(members)s.", "溯源链形成循环：%(members)s。"),
    "not_root": ("%(node)s is neither a national primary standard nor an accepted laboratory, and has no "
                 "calibration of its own.", "%(node)s既非国家计量基准也非认可实验室，且无自身的校准记录。"),
}
WHAT = {"mpe": ("the MPE", "最大允许误差"), "u": ("U", "扩展不确定度U")}


def text(code: str, params: dict, lang: str = "en") -> str:
    """A reason as a sentence, in English (``en``) or Chinese (``zh``), outside Django."""
    en, zh = MESSAGES[code]
    return (zh if lang.startswith("zh") else en) % params


def _f(x) -> float | None:
    return None if x is None else float(x)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def range_text(lo, hi, unit: str) -> str:
    if lo is None and hi is None:
        return "—"
    return f"{_fmt(lo) if lo is not None else '…'}–{_fmt(hi) if hi is not None else '…'} {unit}".strip()


def relative_u(edge: Edge) -> float | None:
    """The link's relative standard uncertainty U/k (k = 2 when not given), or None where units do not allow it."""
    if edge.uncertainty is None:
        return None
    k = edge.k or 2.0
    if edge.uncertainty_unit.strip() == "%":
        return edge.uncertainty / k / 100
    factor = unit_factor(edge.uncertainty_unit, edge.range_unit)
    if edge.range_max and factor is not None:
        return edge.uncertainty * factor / k / abs(edge.range_max)
    return None


def unit_factor(unit: str, to_unit: str) -> float | None:
    """core.units.prefix_factor as a float (mg → kg: 1e-6), None where a unit is missing or the two differ by more
    than SI prefixes."""
    factor = prefix_factor(unit, to_unit) if (unit or "").strip() and (to_unit or "").strip() else None
    return None if factor is None else float(factor)


def _ratio_text(r: Fraction) -> str:
    return f"1/{r.denominator}" if r.numerator == 1 else f"{float(r):.3g}"


class Graph:
    """Every node and link in memory; :meth:`check` answers for one node and date, memoising standards' chains."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]) -> None:
        self.nodes: dict[Key, Node] = {(n.kind, n.id): n for n in nodes}
        self.up: dict[Key, list[Edge]] = defaultdict(list)
        for e in edges:
            self.up[e.child].append(e)
        for lst in self.up.values():
            lst.sort(key=lambda e: (e.on, e.id))
        self._memo: dict[tuple[Key, dt.date], tuple[list[Step], list[Key], float, int]] = {}
        self._verdicts: dict[tuple[Key, dt.date], Verdict] = {}

    def name(self, key: Key) -> str:
        n = self.nodes.get(key)
        return n.name if n and n.name else f"{key[0]} #{key[1]}"

    def is_root(self, key: Key) -> bool:
        n = self.nodes.get(key)
        if n is None:
            return False
        return (n.kind == STANDARD and n.level == NATIONAL_PRIMARY) or (n.kind == EXTERNAL and n.accepted)

    # -- choosing the record that covers the day ------------------------------------------------------------

    def _records(self, key: Key, day: dt.date) -> tuple[list[Edge], tuple[str, dict] | None]:
        """The links of the record that covers ``day`` (all parents of one record), or the reason none does."""
        links = self.up.get(key, [])
        if not links:
            return [], ("no_link", {"node": self.name(key)})
        before = [e for e in links if e.on <= day]
        if not before:
            return [], ("not_yet", {"node": self.name(key), "first": links[0].on, "day": day})
        good = [e for e in before if not e.void and e.valid_until is not None and day <= e.valid_until]
        chosen = good or before
        last = chosen[-1]
        record = [e for e in chosen if (e.source_id, e.on, e.certificate_no) ==
                  (last.source_id, last.on, last.certificate_no)]
        if good:
            return record, None
        if last.void:
            return record, ("void", {"node": self.name(key), "cert": last.certificate_no or "—"})
        if last.valid_until is None:
            return record, ("no_validity", {"node": self.name(key), "cert": last.certificate_no or "—", "day": day})
        return record, ("lapsed", {"node": self.name(key), "cert": last.certificate_no or "—",
                                   "until": last.valid_until, "day": day})

    # -- the checks of one link ------------------------------------------------------------------------------

    def _check_link(self, edge: Edge, child: Node | None, step: Step) -> None:
        child_name = self.name(edge.child)
        if edge.parent is None:
            step.problems.append(("unknown_parent", {"node": child_name, "name": edge.parent_name or "—"}))
            return
        parent = self.nodes.get(edge.parent)
        if parent is None:
            step.problems.append(("missing_parent", {"kind": edge.parent[0], "id": edge.parent[1]}))
            return
        pname, day = self.name(edge.parent), edge.on
        if parent.kind == STANDARD:
            if parent.exists_from is not None and day < parent.exists_from:
                step.problems.append(("before_existed", {"parent": pname, "day": day, "first": parent.exists_from}))
            elif not (parent.valid_until is not None and (parent.valid_from is None or parent.valid_from <= day)
                      and day <= parent.valid_until):
                step.problems.append(("assessment", {"parent": pname, "day": day, "from": parent.valid_from or "—",
                                                     "until": parent.valid_until or "—"}))
        if parent.kind == EXTERNAL:
            if not parent.accepted:
                step.problems.append(("not_accepted", {"parent": pname}))
            if parent.external_kind in ACCREDITED_KINDS and not parent.accreditation_no:
                step.problems.append(("no_accreditation", {"parent": pname}))
            elif parent.accreditation_valid_until is not None and day > parent.accreditation_valid_until:
                step.problems.append(("accreditation_lapsed", {"parent": pname, "until": parent.accreditation_valid_until,
                                                               "day": day}))
            if parent.scope_parameters and edge.parameter and edge.parameter not in parent.scope_parameters:
                step.problems.append(("not_authorised", {"parent": pname, "parameter": edge.parameter}))
        if child is not None:
            self._check_range(edge, child, pname, child_name, step)
            # An external laboratory's capability (its CMC) is not on record: the link's U is the uncertainty it
            # certified for the child, which enters the accumulated estimate but is no capability to compare.
            if parent.kind != EXTERNAL:
                self._check_uncertainty(edge, child, pname, child_name, step)

    def _check_range(self, edge: Edge, child: Node, pname: str, cname: str, step: Step) -> None:
        if child.range_max is None or (edge.range_max is None and edge.range_min is None):
            return
        factor = unit_factor(edge.range_unit, child.range_unit)
        if factor is None:
            step.notes.append(("range_units", {"parent": pname, "node": cname, "punit": edge.range_unit or "—",
                                               "cunit": child.range_unit or "—"}))
            return
        eps = 1e-12 * max(abs(child.range_max), 1.0)
        lo_ok = edge.range_min is None or child.range_min is None or edge.range_min * factor <= child.range_min + eps
        hi_ok = edge.range_max is None or child.range_max <= edge.range_max * factor + eps
        if not (lo_ok and hi_ok):
            step.problems.append(("range", {"parent": pname, "node": cname,
                                            "prange": range_text(edge.range_min, edge.range_max, edge.range_unit),
                                            "crange": range_text(child.range_min, child.range_max, child.range_unit)}))

    def _check_uncertainty(self, edge: Edge, child: Node, pname: str, cname: str, step: Step) -> None:
        what = "mpe" if edge.requirement is not None else "u"
        req = edge.requirement or child.requirement
        if edge.uncertainty is None or req is None:
            return
        value, unit = req
        ratio, source = child.ratio or (ONE_THIRD, ONE_THIRD_SOURCE)
        what_en, what_zh = WHAT[what]
        factor = unit_factor(unit, edge.uncertainty_unit)
        if factor is None:
            step.notes.append(("uncertainty_units", {"parent": pname, "node": cname, "unit": edge.uncertainty_unit,
                                                     "runit": unit, "what": what_en, "what_zh": what_zh}))
            return
        value = abs(value) * factor
        if edge.uncertainty > float(ratio) * value * (1 + 1e-12):
            step.problems.append(("uncertainty", {"parent": pname, "node": cname, "U": _fmt(edge.uncertainty),
                                                  "unit": edge.uncertainty_unit, "limit": _ratio_text(ratio),
                                                  "what": what_en, "what_zh": what_zh, "req": _fmt(value),
                                                  "source": source}))

    # -- the walk ---------------------------------------------------------------------------------------------

    def check(self, kind: str, node_id: int, day: dt.date) -> Result:
        key = (kind, node_id)
        steps, roots, acc, left = self._walk(key, day, (), 0)
        for i, s in enumerate(steps, 1):
            s.number = i
        ok = all(s.ok for s in steps) and bool(steps or roots)
        return Result(node=key, day=day, steps=steps, roots=roots, accumulated_u=math.sqrt(acc) if ok else None,
                      links_left_out=left)

    def _walk(self, key: Key, day: dt.date, path: tuple[Key, ...], depth: int
              ) -> tuple[list[Step], list[Key], float, int]:
        """(steps, roots reached, largest sum of squared relative u over the paths, links left out)."""
        if self.is_root(key):
            return [], [key], 0.0, 0
        memo_key = (key, day)
        if key[0] != INSTRUMENT and memo_key in self._memo and not path_meets(path, self._memo[memo_key][0]):
            steps, roots, acc, left = self._memo[memo_key]
            base = steps[0].depth if steps else depth
            return [_shift(s, depth - base) for s in steps], roots, acc, left
        path = (*path, key)
        record, reason = self._records(key, day)
        child = self.nodes.get(key)
        if not record:
            if self.nodes.get(key) and self.nodes[key].kind == EXTERNAL:
                reason = ("not_accepted", {"parent": self.name(key)})
            step = Step(0, depth, None, key, None, day, problems=[reason or ("not_root", {"node": self.name(key)})])
            return [step], [], 0.0, 0
        steps: list[Step] = []
        roots: list[Key] = []
        acc, left = 0.0, 0
        for edge in record:
            step = Step(0, depth, edge, key, edge.parent, day)
            if reason is not None:
                step.problems.append(reason)
            self._check_link(edge, child, step)
            step.relative_u = relative_u(edge)
            steps.append(step)
            if edge.parent is None or edge.parent not in self.nodes:
                continue
            if edge.parent in path:
                members = [*path[path.index(edge.parent):], edge.parent]
                step.problems.append(("cycle", {"members": " → ".join(self.name(m) for m in members)}))
                continue
            sub_steps, sub_roots, sub_acc, sub_left = self._walk(edge.parent, edge.on, path, depth + 1)
            steps.extend(sub_steps)
            roots.extend(r for r in sub_roots if r not in roots)
            own = step.relative_u ** 2 if step.relative_u is not None else 0.0
            acc = max(acc, own + sub_acc)
            left += sub_left + (step.relative_u is None)
        if key[0] != INSTRUMENT:
            self._memo[memo_key] = (steps, roots, acc, left)
        return steps, roots, acc, left


    # -- batch: the verdict without the steps ----------------------------------------------------------------------

    def verdict(self, kind: str, node_id: int, day: dt.date) -> Verdict:
        """The answer of :meth:`check` without its steps, for batch runs: memoised per (standard, date)."""
        return self._verdict((kind, node_id), day, ())

    def _verdict(self, key: Key, day: dt.date, path: tuple[Key, ...]) -> Verdict:
        if self.is_root(key):
            return Verdict(True, None, 0.0, 1, key)
        memo_key = (key, day)
        cached = self._verdicts.get(memo_key)
        if cached is not None:
            return cached
        path = (*path, key)
        record, reason = self._records(key, day)
        if not record:
            if key in self.nodes and self.nodes[key].kind == EXTERNAL:
                reason = ("not_accepted", {"parent": self.name(key)})
            return self._keep(memo_key, Verdict(False, reason or ("not_root", {"node": self.name(key)}), None, 1,
                                                None))
        child = self.nodes.get(key)
        acc, depth, root = 0.0, 1, None
        for edge in record:
            step = _Probe()
            if reason is not None:
                step.problems.append(reason)
            self._check_link(edge, child, step)
            if step.problems:
                return self._keep(memo_key, Verdict(False, step.problems[0], None, 1, None))
            if edge.parent in path:
                members = [*path[path.index(edge.parent):], edge.parent]
                return self._keep(memo_key, Verdict(False, ("cycle", {"members": " → ".join(
                    self.name(m) for m in members)}), None, 1, None))
            up = self._verdict(edge.parent, edge.on, path)
            if not up.traceable:
                return self._keep(memo_key, Verdict(False, up.problem, None, up.depth + 1, None))
            r = relative_u(edge)
            acc = max(acc, (r or 0.0) ** 2 + up.accumulated_u ** 2)
            depth, root = max(depth, up.depth + 1), root or up.root
        return self._keep(memo_key, Verdict(True, None, math.sqrt(acc), depth, root))

    def _keep(self, memo_key, v: Verdict) -> Verdict:
        if memo_key[0][0] != INSTRUMENT:
            self._verdicts[memo_key] = v
        return v


class _Probe:
    """What :meth:`Graph._check_link` writes to, without a Step's other fields (the batch's hot path)."""

    __slots__ = ("problems", "notes")

    def __init__(self) -> None:
        self.problems: list = []
        self.notes: list = []


@contextlib.contextmanager
def gc_paused():
    """Python's cyclic garbage collector paused while a batch builds and walks millions of small objects (none of
    them cyclic): left on, it rescans the growing heap again and again and the time per item grows with the batch."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class Verdict(NamedTuple):
    """The batch answer: traceable or not, the first reason (code, params) where not, the accumulated relative
    standard uncertainty (an estimate) where traceable, the length of the longest walk, a root reached."""

    traceable: bool
    problem: tuple[str, dict] | None
    accumulated_u: float | None
    depth: int
    root: Key | None


def path_meets(path: tuple[Key, ...], steps: list[Step]) -> bool:
    """Whether a memoised chain passes through a node of the current path (then it is walked again, to name the
    cycle from here)."""
    on_path = set(path)
    return any(s.parent in on_path for s in steps)


def _shift(step: Step, delta: int) -> Step:
    return Step(step.number, step.depth + delta, step.edge, step.child, step.parent, step.used_on, step.problems,
                step.notes, step.relative_u)
