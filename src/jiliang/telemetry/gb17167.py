"""GB 17167 check: do an enterprise's metering points meet the standard's equipping requirements?

The requirements are edition-versioned data (``data/gb17167.json``, or the file named by the setting
``JILIANG_GB17167_DATA``), each row with its confidence mark (H/M/L) and source, from
``shared/reference/gb17167.md``. The 2025 edition, in force since 2026-02-01, is listed as not available:
its tables were not found, so a check against it names no gaps and says why.

:func:`check` is pure (plain values in, a report out). It names two kinds of gap:

* **missing point**: an energy type the enterprise takes in (every energy type of its points, plus the
  flows it declares) has no active "enterprise, energy in" point, or a declared outgoing flow has no
  "enterprise, energy out" point: the configuration rate for 进出用能单位 is 100 % (90 % for recoverable
  energy) in the 2006 edition, so one point at least per flow and direction;
* **accuracy**: a meter on an enterprise in/out point whose accuracy class is worse than the class its
  energy type requires (the accuracy table rows are for 进出用能单位), or whose class is unknown.

Rows with variants (electricity user class I–V, water pipe size, static or dynamic weighing) use the row
marked ``default`` unless the caller names the variant; the report says which row it used.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "gb17167.json"
IN, OUT = "enterprise_in", "enterprise_out"
_CLASS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(S?)\s*$", re.IGNORECASE)


class Gap:
    MISSING_IN = "missing_in"
    MISSING_OUT = "missing_out"
    ACCURACY = "accuracy"
    ACCURACY_UNKNOWN = "accuracy_unknown"


@dataclass(frozen=True, slots=True)
class PointFacts:
    code: str
    energy_type: str
    role: str
    accuracy_class: str = ""
    active: bool = True


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    energy_type: str
    point: str  # point code, "" for a missing point
    required: str  # the required accuracy class, or the required role
    actual: str
    rule: str  # row id in the data file
    conf: str
    source: str


@dataclass
class Report:
    standard: str
    edition: str
    available: bool
    status: str
    note: str
    gaps: list[Finding] = field(default_factory=list)
    texts: dict = field(default_factory=dict)  # status and note in English and, where given, Chinese (*_zh)
    checked: list[dict] = field(default_factory=list)  # rows applied: (energy type, row id, requirement)

    @property
    def ok(self) -> bool:
        return self.available and not self.gaps


def load(path: str | Path | None = None) -> dict:
    """The requirement data (cached per path)."""
    return _load(str(path or DATA))


@lru_cache(maxsize=4)
def _load(path: str) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def editions(data: dict) -> list[dict]:
    return data["editions"]


def edition(data: dict, name: str | None = None) -> dict:
    """The named edition, or by default the newest one whose tables are available."""
    eds = data["editions"]
    if name is None:
        avail = [e for e in eds if e.get("available")]
        return max(avail or eds, key=lambda e: e["edition"])
    for e in eds:
        if e["edition"] == name:
            return e
    raise KeyError(f"{data.get('standard', 'GB 17167')} has no edition {name!r} in the data")


def class_key(accuracy_class: str) -> tuple[float, int] | None:
    """Sort key of an accuracy class, smaller is stricter: 0.2S < 0.2 < 0.5S < 0.5 < 1 < 2. None if unreadable."""
    m = _CLASS.match(accuracy_class or "")
    if not m:
        return None
    return float(m.group(1)), 0 if m.group(2) else 1


def meets(actual: str, required: str) -> bool | None:
    """Whether a meter of class ``actual`` meets the requirement ``required`` (None: the class is unreadable)."""
    a, r = class_key(actual), class_key(required)
    if a is None or r is None:
        return None
    return a <= r


def _row_for(rows: list[dict], energy_type: str, variants: dict[str, str]) -> dict | None:
    candidates = [r for r in rows if energy_type in r.get("energy_types", [])]
    if not candidates:
        return None
    wanted = variants.get(energy_type)
    if wanted is not None:
        for r in candidates:
            if r.get("variant") == wanted:
                return r
    return next((r for r in candidates if r.get("default")), candidates[0])


def check(points: list[PointFacts], *, data: dict | None = None, edition_name: str | None = None,
          outgoing: set[str] | frozenset[str] = frozenset(), incoming: set[str] | frozenset[str] = frozenset(),
          variants: dict[str, str] | None = None) -> Report:
    """Check an enterprise's points against one edition of GB 17167.

    ``incoming`` / ``outgoing``: energy types the enterprise declares it takes in / passes on, beyond those
    its points show (every energy type of a point counts as taken in). ``variants``: per energy type, the
    variant of its accuracy row (e.g. ``{"electricity": "II", "water": "dn>250"}``).
    """
    data = data or load()
    ed = edition(data, edition_name)
    report = Report(data.get("standard", "GB 17167"), ed["edition"], bool(ed.get("available")),
                    ed.get("status", ""), ed.get("note", ""))
    report.texts = {k: ed[k] for k in ("status", "status_zh", "note", "note_zh") if k in ed}
    if not report.available:
        return report
    variants = variants or {}
    active = [p for p in points if p.active]
    flows_in = {p.energy_type for p in active} | set(incoming)
    presence = {t: r for r in ed.get("presence", []) for t in r.get("energy_types", [])}
    for energy_type in sorted(flows_in | set(outgoing)):
        rule = presence.get(energy_type)
        rule_id, conf, source = ((rule["id"], rule["conf"], rule["source"]) if rule
                                 else ("", "", "no row for this energy type: checked as 100 %"))
        if rule is not None and not rule.get("enterprise_in_out"):
            continue
        for role, kind, wanted in ((IN, Gap.MISSING_IN, flows_in), (OUT, Gap.MISSING_OUT, set(outgoing))):
            if energy_type not in wanted:
                continue
            report.checked.append({"energy_type": energy_type, "rule": rule_id, "requirement": role})
            if not any(p.energy_type == energy_type and p.role == role for p in active):
                report.gaps.append(Finding(kind, energy_type, "", role, "", rule_id, conf, source))
    for p in active:
        if p.role not in (IN, OUT):
            continue
        row = _row_for(ed.get("accuracy", []), p.energy_type, variants)
        if row is None:
            continue
        report.checked.append({"energy_type": p.energy_type, "rule": row["id"], "requirement": row["max_class"],
                               "point": p.code})
        ok = meets(p.accuracy_class, row["max_class"])
        if ok is None:
            report.gaps.append(Finding(Gap.ACCURACY_UNKNOWN, p.energy_type, p.code, row["max_class"],
                                       p.accuracy_class, row["id"], row["conf"], row["source"]))
        elif not ok:
            report.gaps.append(Finding(Gap.ACCURACY, p.energy_type, p.code, row["max_class"], p.accuracy_class,
                                       row["id"], row["conf"], row["source"]))
    return report
