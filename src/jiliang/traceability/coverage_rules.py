"""Coverage of social public standards and of the value-transfer system (plan indicator 2). Pure: no Django.

《江苏省计量发展规划（2014－2020年）》专栏1 item 2: "社会公用计量标准和量值传递体系覆盖率达到98%以上". The plan does
not define the rate; these are jiliang's definitions (docs/traceability-coverage.md, version :data:`DEFINITION_VERSION`).

* **In use**: the instruments under legal control (mandatory verification) in service in the region, grouped by
  category, region and range band (:class:`Group`). What their verification needs comes from the data file
  ``data/category_parameters.csv`` (:class:`Need`: parameter, the serving standard's domain, whether the range is
  compared, the MPE where a source gives it).
* **Serving standards** (:class:`Capability`): standards in use of level *social public* or *provincial highest*
  whose assessment certificate (计量标准考核证书) is valid on the date. 计量法 Art. 6: local bureaus "建立社会公用计量
  标准器具，经上级人民政府计量行政部门主持考核合格后使用"; 细则 Art. 8: social public standards "对社会上实施计量监督
  具有公证作用", and the *highest* social public standard of an area is assessed by the next-higher authority;
  《计量标准考核办法》(2005) Art. 5 names "各省级质量技术监督部门组织建立的各项最高等级的社会公用计量标准". So a
  provincial highest standard is the province's highest social public standard and serves society. Departmental and
  enterprise highest standards (细则 Arts. 9, 10) serve their own department or enterprise and do not count; national
  primary standards (细则 Arts. 4–6) are held by NIM, outside the province's value-transfer system.
* **Served**: a need is served by a capability with the same parameter (and the need's standard domain), whose range
  covers the instruments' range where the need compares ranges (:func:`range_covers`: units converted where they
  differ only by an SI prefix, otherwise not served), and whose expanded uncertainty is at most a third of the
  instruments' MPE where the MPE is known (JJF 1094-2002 5.3.1, the ratio passed in by the caller). A group is
  served when every one of its needs is.
* **Coverage** = instruments served ÷ instruments in use, by measurement domain (the category's), by parameter and
  by region below the one asked. *Served in the province* counts a standard anywhere in the province (the indicator);
  *served locally* counts only standards of institutes in the instruments' own city (city-level view).
* **Gaps**: the (parameter, range band, reason) that no standard serves, with the instruments left; those whose
  parameter an accepted external laboratory's scope names are "to be verified outside the province", the rest "not
  at all".
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from jiliang.core.units import prefix_factor

DEFINITION_VERSION = "IND2-2026.1"
DATA_FILE = Path(__file__).resolve().parent / "data" / "category_parameters.csv"
SERVING_LEVELS = ("social_public", "provincial_highest")

# Reasons a need is not served (keys; the UI translates them).
NO_STANDARD = "no_standard"  # no serving standard of this parameter in the province
RANGE = "range"  # standards of the parameter exist, none covers the range
UNITS = "units"  # the units cannot be compared (they differ by more than a prefix)
UNCERTAINTY = "uncertainty"  # the range is covered but U exceeds a third of the MPE
NOT_MAPPED = "not_mapped"  # the category is not in the data file


@dataclass(frozen=True)
class Need:
    category: str
    parameter: str
    standard_domain: str = ""
    unit: str = ""
    uses_range: bool = True
    mpe_mode: str = ""  # "class", "percent", "absolute" or ""
    mpe: Decimal | None = None
    mpe_unit: str = ""
    source: str = ""
    confidence: str = "L"


@dataclass(frozen=True)
class Capability:
    """A serving standard on the date: parameter, domain, range and U (``uncertainty_unit`` '%' = relative)."""

    id: int
    parameter: str
    domain: str
    range_min: Decimal | None
    range_max: Decimal | None
    unit: str
    uncertainty: Decimal | None = None
    uncertainty_unit: str = ""
    city: str | None = None  # the institute's city (None: a provincial institute)
    name: str = ""


@dataclass(frozen=True)
class Group:
    """Instruments in use of one category in one region, with one range and class, and how many."""

    category: str
    domain: str
    region: str
    city: str | None
    range_min: Decimal | None
    range_max: Decimal | None
    unit: str
    accuracy_class: str
    count: int

    @property
    def band(self) -> str:
        lo = "" if self.range_min is None else _num(self.range_min)
        hi = "" if self.range_max is None else _num(self.range_max)
        return f"{lo}–{hi} {self.unit}".strip() if (lo or hi) else self.unit


@dataclass(frozen=True)
class Verdict:
    served: bool
    reason: str = ""  # one of the reason keys when not served
    capability: int | None = None
    uncertainty_judged: bool = False


def _num(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


def _dec(text: str) -> Decimal | None:
    try:
        return Decimal(str(text).strip()) if str(text).strip() else None
    except InvalidOperation:
        return None


@lru_cache(maxsize=4)
def load_needs(path: str | None = None) -> dict[str, tuple[Need, ...]]:
    """Category code → its needs, read from the data file (``data/category_parameters.csv``)."""
    out: dict[str, list[Need]] = defaultdict(list)
    with open(path or DATA_FILE, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["category"].strip()].append(Need(
                category=row["category"].strip(), parameter=row["parameter"].strip(),
                standard_domain=row["standard_domain"].strip(), unit=row["unit"].strip(),
                uses_range=row["uses_range"].strip() == "1", mpe_mode=row["mpe_mode"].strip(),
                mpe=_dec(row["mpe"]), mpe_unit=row["mpe_unit"].strip(), source=row["source"].strip(),
                confidence=row["confidence"].strip() or "L"))
    return {k: tuple(v) for k, v in out.items()}


def range_covers(cap: Capability, group: Group) -> tuple[bool, str]:
    """Whether the standard's range covers the instruments' range, in the standard's unit. An instrument range that
    starts at 0 is compared by its upper end only (zero is the start of the scale, not a verification point:
    JJG 539's smallest test load is Min, water meters start at Q1); an unknown end is not compared."""
    factor = prefix_factor(group.unit, cap.unit) if group.unit and cap.unit else Decimal(1)
    if factor is None:
        return False, UNITS
    if group.range_max is not None and cap.range_max is not None and group.range_max * factor > cap.range_max:
        return False, RANGE
    if (group.range_min is not None and group.range_min != 0 and cap.range_min is not None
            and group.range_min * factor < cap.range_min):
        return False, RANGE
    return True, ""


def _class_percent(accuracy_class: str) -> Decimal | None:
    text = (accuracy_class or "").strip().upper().removesuffix("S")
    letters = {"A": Decimal(2), "B": Decimal(1), "C": Decimal("0.5"), "D": Decimal("0.2")}  # JJG 596-2012 classes
    if text in letters:
        return letters[text]
    return _dec(text)


def mpe_of(need: Need, group: Group) -> tuple[Decimal, str] | None:
    """The instruments' MPE as (value, unit), '%' relative; None where the data file gives none."""
    if need.mpe_mode == "class":
        pct = _class_percent(group.accuracy_class)
        return (pct, "%") if pct else None
    if need.mpe_mode == "percent" and need.mpe:
        return need.mpe, "%"
    if need.mpe_mode == "absolute" and need.mpe:
        return need.mpe, need.mpe_unit
    return None


def _absolute(value: Decimal, unit: str, at: Decimal | None, at_unit: str) -> tuple[Decimal, str] | None:
    """A value as an absolute quantity: a relative one (%) is taken at ``at`` (the instruments' upper range)."""
    if unit != "%":
        return value, unit
    if at is None or at == 0:
        return None
    return value / 100 * at, at_unit


def uncertainty_adequate(cap: Capability, need: Need, group: Group, ratio: Decimal) -> bool | None:
    """U of the standard ≤ ``ratio`` × MPE of the instruments (JJF 1094-2002 5.3.1: a third); None when it cannot
    be judged (no MPE in the data file, no U recorded, or quantities that cannot be compared)."""
    mpe = mpe_of(need, group)
    if mpe is None or cap.uncertainty is None:
        return None
    u_unit = cap.uncertainty_unit or cap.unit
    if u_unit == "%" and mpe[1] == "%":
        return cap.uncertainty <= ratio * mpe[0]
    u = _absolute(cap.uncertainty, u_unit, group.range_max, group.unit)
    m = _absolute(mpe[0], mpe[1], group.range_max, group.unit)
    if u is None or m is None:
        return None
    factor = prefix_factor(u[1], m[1])
    if factor is None:
        return None
    return u[0] * factor <= ratio * m[0]


def judge(need: Need, group: Group, capabilities: Iterable[Capability], ratio: Decimal) -> Verdict:
    """The best verdict over the capabilities: served by the first that serves, else the nearest reason
    (uncertainty before range before units before no standard)."""
    reasons = []
    for cap in capabilities:
        if cap.parameter != need.parameter or (need.standard_domain and cap.domain != need.standard_domain):
            continue
        if need.uses_range:
            ok, why = range_covers(cap, group)
            if not ok:
                reasons.append(why)
                continue
        adequate = uncertainty_adequate(cap, need, group, ratio)
        if adequate is False:
            reasons.append(UNCERTAINTY)
            continue
        return Verdict(True, capability=cap.id, uncertainty_judged=adequate is not None)
    for why in (UNCERTAINTY, RANGE, UNITS):
        if why in reasons:
            return Verdict(False, why)
    return Verdict(False, NO_STANDARD)


@dataclass
class Tally:
    """Instruments in use and served, in the province and locally (by a standard in their own city)."""

    key: str
    in_use: int = 0
    served: int = 0
    served_locally: int = 0

    @property
    def rate(self) -> float | None:
        return self.served / self.in_use if self.in_use else None

    @property
    def local_rate(self) -> float | None:
        return self.served_locally / self.in_use if self.in_use else None

    def add(self, n: int, served: bool, local: bool) -> None:
        self.in_use += n
        self.served += n if served else 0
        self.served_locally += n if local else 0

    def as_dict(self) -> dict:
        return {"key": self.key, "in_use": self.in_use, "served": self.served, "served_locally": self.served_locally,
                "rate": None if self.rate is None else round(self.rate, 6),
                "local_rate": None if self.local_rate is None else round(self.local_rate, 6)}


@dataclass
class Gap:
    parameter: str
    band: str
    reason: str
    instruments: int = 0
    outside: int = 0  # an accepted external laboratory's scope names the parameter
    nowhere: int = 0
    categories: set = field(default_factory=set)
    regions: set = field(default_factory=set)
    laboratories: tuple = ()


@dataclass
class Result:
    total: Tally
    by_domain: dict[str, Tally]
    by_parameter: dict[str, Tally]
    by_region: dict[str, Tally]
    gaps: list[Gap]
    unjudged_uncertainty: int = 0  # instruments served where U could not be judged against the MPE


def evaluate(groups: Iterable[Group], capabilities: Iterable[Capability], needs: dict[str, tuple[Need, ...]],
             *, ratio: Decimal, region_of: dict[str, str] | None = None,
             outside_labs: dict[str, tuple[str, ...]] | None = None) -> Result:
    """Coverage of the groups. ``region_of`` maps a group's region to the row it is counted under (the regions
    directly below the one asked); ``outside_labs`` maps a parameter to the accepted external laboratories whose
    scope names it."""
    caps = list(capabilities)
    by_parameter_caps: dict[str, list[Capability]] = defaultdict(list)
    for c in caps:
        by_parameter_caps[c.parameter].append(c)
    region_of = region_of or {}
    outside_labs = outside_labs or {}
    total = Tally("total")
    by_domain: dict[str, Tally] = {}
    by_parameter: dict[str, Tally] = {}
    by_region: dict[str, Tally] = {}
    gaps: dict[tuple, Gap] = {}
    unjudged = 0
    cache: dict[tuple, tuple[Verdict, Verdict]] = {}
    for g in groups:
        group_needs = needs.get(g.category) or (Need(g.category, "", uses_range=False),)
        served_all, local_all, judged_all = True, True, True
        for need in group_needs:
            key = (need, g.range_min, g.range_max, g.unit, g.accuracy_class, g.city)
            if key not in cache:
                if not need.parameter:
                    v = Verdict(False, NOT_MAPPED)
                    cache[key] = (v, v)
                else:
                    pool = by_parameter_caps.get(need.parameter, [])
                    province = judge(need, g, pool, ratio)
                    local = judge(need, g, [c for c in pool if g.city and c.city == g.city], ratio)
                    cache[key] = (province, local)
            province, local = cache[key]
            param = need.parameter or "—"
            by_parameter.setdefault(param, Tally(param)).add(g.count, province.served, local.served)
            served_all &= province.served
            local_all &= local.served
            judged_all &= province.uncertainty_judged
            if not province.served:
                gk = (param, g.band, province.reason)
                gap = gaps.get(gk)
                if gap is None:
                    labs = outside_labs.get(need.parameter, ())
                    gap = gaps[gk] = Gap(param, g.band, province.reason, laboratories=labs)
                gap.instruments += g.count
                if gap.laboratories:
                    gap.outside += g.count
                else:
                    gap.nowhere += g.count
                gap.categories.add(g.category)
                gap.regions.add(g.region)
        total.add(g.count, served_all, local_all)
        by_domain.setdefault(g.domain, Tally(g.domain)).add(g.count, served_all, local_all)
        row = region_of.get(g.region, g.region)
        by_region.setdefault(row, Tally(row)).add(g.count, served_all, local_all)
        if served_all and not judged_all:
            unjudged += g.count
    ordered = sorted(gaps.values(), key=lambda x: (-x.instruments, x.parameter, x.band))
    return Result(total, by_domain, by_parameter, by_region, ordered, unjudged)
