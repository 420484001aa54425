"""A plan as a file (PURE): the TOML format a bureau writes to load a plan without code (docs/kpi.md).

```toml
[plan]
code = "jiangsu-2014-2020"           # a slug, unique
name = "江苏省计量发展规划（2014－2020年）"
name_en = "Jiangsu Metrology Development Plan (2014-2020)"
issuer = "江苏省人民政府办公厅"
document_number = "苏政办发〔2015〕30号"
issued_on = 2015-03-30
region = "320000"                    # GB/T 2260 code of the region the plan governs
starts_on = 2014-01-01
ends_on = 2020-12-31
mid_term_on = 2017-12-31             # optional
source = "where the text was read"

[[indicator]]
code = "7"                           # unique in the plan
group = "专栏1"
name = "重点监管计量器具受检率"
name_en = "Verification rate of key supervised measuring instruments"
definition = "..."                   # in words; definition_en likewise
unit = "%"                           # "%" for a share, otherwise what is counted (项, 个, 家)
direction = "at_least"               # or "at_most"
source = "supervision.verification_rate"   # a registered source, or "entered" (then entered_note, and
                                     # entered_note_en in English, say why)
params = { key = true }              # the source's parameters
city_assessment = true               # §二十四: in the city governments' assessment
public = true                        # shown in the public report (default true)
targets = [ { region = "320000", year = 2020, value = 98 },
            { region = "cities", year = 2020, value = 98 } ]   # "cities": each prefecture-level city
# a target may give baseline = 0 and baseline_on = 2014-01-01 (the start of its straight line)
```

:func:`parse` returns a :class:`PlanSpec` or raises :class:`PlanFileError` with every problem found, each naming
the indicator (by code and position) and the field.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

ENTERED = "entered"
DIRECTIONS = ("at_least", "at_most")
CITIES = "cities"
_SLUG = re.compile(r"^[-a-zA-Z0-9_]{1,60}$")
_CODE = re.compile(r"^[-A-Za-z0-9_.]{1,20}$")
MAX_BYTES = 1_000_000


class PlanFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class TargetSpec:
    region: str
    year: int
    value: Decimal
    baseline: Decimal | None = None
    baseline_on: dt.date | None = None


@dataclass
class IndicatorSpec:
    code: str
    position: int
    group: str
    name: str
    name_en: str
    definition: str
    definition_en: str
    unit: str
    direction: str
    source: str
    params: dict
    entered_note: str
    entered_note_en: str
    city_assessment: bool
    public: bool
    targets: list[TargetSpec] = field(default_factory=list)


@dataclass
class PlanSpec:
    code: str
    name: str
    name_en: str
    issuer: str
    document_number: str
    issued_on: dt.date | None
    region: str
    starts_on: dt.date
    ends_on: dt.date
    mid_term_on: dt.date | None
    source: str
    indicators: list[IndicatorSpec]


def parse(data: bytes, *, regions: set[str], cities_of: Callable[[str], set[str]],
          sources: dict[str, frozenset[str]] | None) -> PlanSpec:
    """Read and check a plan file. ``regions``: the current region codes; ``cities_of(region)``: the
    prefecture-level cities of the plan's region (what ``"cities"`` stands for); ``sources``: the registered computed sources and the
    parameters each accepts (None: not checked)."""
    problems: list[str] = []
    if len(data) > MAX_BYTES:
        raise PlanFileError([f"the file has {len(data):,} bytes; a plan file has at most {MAX_BYTES:,}"])
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise PlanFileError([f"the file is not UTF-8 (byte {exc.start})"]) from exc
    except tomllib.TOMLDecodeError as exc:
        raise PlanFileError([f"the file is not valid TOML: {exc}"]) from exc
    head = doc.get("plan")
    if not isinstance(head, dict):
        raise PlanFileError(["the file has no [plan] table"])

    def text(table: dict, key: str, where: str, required: bool = True, limit: int = 300) -> str:
        v = table.get(key, "")
        if not isinstance(v, str):
            problems.append(f"{where}: {key} must be text")
            return ""
        v = v.strip()
        if required and not v:
            problems.append(f"{where}: {key} is missing")
        if len(v) > limit:
            problems.append(f"{where}: {key} has {len(v)} characters, at most {limit}")
        return v

    def date(table: dict, key: str, where: str, required: bool = True) -> dt.date | None:
        v = table.get(key)
        if v is None:
            if required:
                problems.append(f"{where}: {key} is missing")
            return None
        if isinstance(v, dt.datetime) or not isinstance(v, dt.date):
            problems.append(f"{where}: {key} must be a date such as 2020-12-31, not {v!r}")
            return None
        return v

    code = text(head, "code", "plan", limit=60)
    if code and not _SLUG.match(code):
        problems.append(f"plan: code {code!r} may hold only letters, digits, - and _")
    region = text(head, "region", "plan", limit=6)
    if region and region not in regions:
        problems.append(f"plan: region {region!r} is not a current GB/T 2260 region code")
    cities = cities_of(region) if region in regions else set()
    starts, ends = date(head, "starts_on", "plan"), date(head, "ends_on", "plan")
    if starts and ends and ends < starts:
        problems.append(f"plan: ends_on {ends} comes before starts_on {starts}")
    mid = date(head, "mid_term_on", "plan", required=False)
    if mid and starts and ends and not starts <= mid <= ends:
        problems.append(f"plan: mid_term_on {mid} lies outside the plan's period")
    spec = PlanSpec(code=code, name=text(head, "name", "plan", limit=200), name_en=text(head, "name_en", "plan", False, 200),
                    issuer=text(head, "issuer", "plan", limit=200),
                    document_number=text(head, "document_number", "plan", False, 100),
                    issued_on=date(head, "issued_on", "plan", required=False), region=region,
                    starts_on=starts, ends_on=ends, mid_term_on=mid,
                    source=text(head, "source", "plan", False, 2000), indicators=[])

    raw = doc.get("indicator", [])
    if not isinstance(raw, list) or not raw:
        problems.append("the file has no [[indicator]] tables")
        raw = []
    seen: dict[str, int] = {}
    for n, ind in enumerate(raw, 1):
        where = f"indicator {n}"
        if not isinstance(ind, dict):
            problems.append(f"{where}: not a table")
            continue
        icode = text(ind, "code", where, limit=20)
        if icode:
            where = f"indicator {n} (code {icode})"
            if not _CODE.match(icode):
                problems.append(f"{where}: code may hold only letters, digits, '.', '-' and '_'")
            if icode in seen:
                problems.append(f"{where}: the code {icode} is used again (first by indicator {seen[icode]})")
            seen.setdefault(icode, n)
        unit = text(ind, "unit", where, limit=20)
        direction = ind.get("direction", "at_least")
        if direction not in DIRECTIONS:
            problems.append(f"{where}: direction must be at_least or at_most, not {direction!r}")
        source = text(ind, "source", where, limit=80)
        params = ind.get("params", {})
        if not isinstance(params, dict):
            problems.append(f"{where}: params must be a table")
            params = {}
        note = text(ind, "entered_note", where, False)
        if source == ENTERED:
            if params:
                problems.append(f"{where}: an entered indicator takes no params")
            if not note:
                problems.append(f"{where}: entered_note must say why the indicator is entered, not computed")
        elif source and sources is not None:
            if source not in sources:
                problems.append(f"{where}: source {source!r} is not a registered computed source (known: "
                                f"{', '.join(sorted(sources)) or 'none'}), nor 'entered'")
            else:
                unknown = sorted(set(params) - sources[source])
                if unknown:
                    problems.append(f"{where}: source {source} takes no parameter {', '.join(unknown)}")
        flags = {}
        for key, default in (("city_assessment", False), ("public", True)):
            flags[key] = ind.get(key, default)
            if not isinstance(flags[key], bool):
                problems.append(f"{where}: {key} must be true or false")
        targets = []
        raw_targets = ind.get("targets", [])
        if not isinstance(raw_targets, list):
            problems.append(f"{where}: targets must be a list")
            raw_targets = []
        seen_targets: set[tuple[str, int]] = set()
        for k, t in enumerate(raw_targets, 1):
            tw = f"{where}, target {k}"
            if not isinstance(t, dict):
                problems.append(f"{tw}: not a table")
                continue
            year = t.get("year")
            if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
                problems.append(f"{tw}: year must be a year between 1990 and 2100, not {year!r}")
                continue
            value = _decimal(t.get("value"), f"{tw}: value", problems)
            baseline = _decimal(t["baseline"], f"{tw}: baseline", problems) if "baseline" in t else None
            baseline_on = date(t, "baseline_on", tw, required=False)
            if (baseline is None) != (baseline_on is None):
                problems.append(f"{tw}: give baseline and baseline_on together")
            if baseline_on and baseline_on > dt.date(year, 12, 31):
                problems.append(f"{tw}: baseline_on {baseline_on} comes after the target's year {year}")
            tregion = t.get("region")
            if tregion == CITIES:
                codes = sorted(cities)
            elif isinstance(tregion, str) and tregion in regions:
                codes = [tregion]
            else:
                problems.append(f"{tw}: region {tregion!r} is not a current GB/T 2260 region code (nor \"cities\")")
                continue
            if value is None:
                continue
            if unit == "%" and not Decimal(0) <= value <= Decimal(100):
                problems.append(f"{tw}: a share's target lies between 0 and 100 %, not {value}")
            for c in codes:
                if (c, year) in seen_targets:
                    problems.append(f"{tw}: a second target for region {c} in {year}")
                seen_targets.add((c, year))
                targets.append(TargetSpec(c, year, value, baseline, baseline_on))
        spec.indicators.append(IndicatorSpec(
            code=icode, position=n, group=text(ind, "group", where, False, 60), name=text(ind, "name", where),
            name_en=text(ind, "name_en", where), definition=text(ind, "definition", where, limit=4000),
            definition_en=text(ind, "definition_en", where, False, 4000), unit=unit,
            direction=direction if direction in DIRECTIONS else "at_least", source=source, params=params,
            entered_note=note, entered_note_en=text(ind, "entered_note_en", where, False), city_assessment=flags["city_assessment"] is True, public=flags["public"] is not False,
            targets=targets))
    if problems:
        raise PlanFileError(problems)
    return spec


def _decimal(v, where: str, problems: list[str]) -> Decimal | None:
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        problems.append(f"{where} must be a number, not {v!r}")
        return None
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        problems.append(f"{where} must be a number, not {v!r}")
        return None
    if not d.is_finite() or abs(d) >= Decimal(10) ** 10:
        problems.append(f"{where}: {v!r} is out of range")
        return None
    return d
