"""Load and check the regulation data files (``data/<regulation id>.json``), one per regulation edition.

Each file carries a regulation's MPE table as data, with the source and confidence mark of every
number as ``shared/reference/legal-metrology.md`` gives them (V1: official text; V2: secondary
source; M: from memory, unverified). Adding an instrument type is adding a file: no code.

A file is checked in two passes before use, and refused with :class:`~.decision.RuleError` whose
``field`` is ``<file path>: <JSON path>`` (for example ``.../JJG539-2016.json: mpe[2].limit.value``):

1. **Shape** -- a small JSON-schema-like description (:data:`SCHEMA`): required keys, no unknown keys,
   types, enumerations (confidence marks, stages), decimal strings.
2. **Meaning** -- the ``id`` matches the file name; every source, clause, attribute, parameter and
   quantity named anywhere exists; attribute values are allowed values; D-SI unit strings parse;
   each band's limit is in the unit of the error; a bound is either a parameter multiple or a literal.

JSON numbers are read as :class:`~decimal.Decimal` (never float), so that 0.3 % is exactly 0.3.

File format ``jiliang.verification.rules/1`` (every number a JSON number or numeric string):

* ``id`` (= file name), ``regulation`` (number, edition, title zh/en, dates, sources, confidence),
  ``reference`` (the section of the reference notes), ``open_questions``;
* ``sources`` -- citation, URL exactly as the reference gives it, confidence (and ``reference_mark``
  when the reference's mark is more than V1/V2/M, e.g. "V2 (weak)"); ``clauses`` -- the clauses used,
  each with its sources and confidence;
* ``verification_periods`` -- ``periodic`` or ``service_life``, months, condition (text), confidence, and
  ``conditions``: the alternatives (any of them) under which the row applies, each all of ``when``
  (instrument attribute values) and ``ranges`` (a parameter such as the nominal diameter ``DN`` between
  literal bounds); a row without ``conditions`` applies to every instrument (:mod:`.periods`);
* ``attributes`` -- categorical values of the instrument (accuracy class ...) or of a test point
  (power factor ...), with the allowed values, an optional default and ``required`` (default true; an
  attribute only a period row needs, such as the gas kind, is ``false``);
* ``parameters`` / ``derived_parameters`` -- instrument values with units (``e``, ``Max``, ``Q1`` ...;
  ``Q2 = 1.6·Q1``); ``quantities`` -- the test-point values with units and the instrument's range;
  ``error`` -- the unit of the error of indication (``\\percent``, or the unit of ``e``);
* ``stages`` -- ``initial`` / ``subsequent`` / ``in_service`` with the factor on the MPE;
* ``mpe`` -- the bands: ``when`` (attribute values), ``ranges`` (bounds ``factor`` x parameter or a
  literal ``value`` + ``unit``, each ``inclusive`` or not), ``limit`` (``value`` for ±, or ``lower`` and
  ``upper``; in ``unit`` or ``per`` a parameter such as ``e``), ``clause``, ``confidence`` (of the
  number) and ``regulation_confidence`` (of its use in this edition);
* ``uncertainty_limit`` (optional) -- the largest ratio of the expanded uncertainty U of a test point to
  its MPE the regulation allows for a verdict, with its clause; without it JJF 1094's one third applies;
* ``required_test_points`` -- labels and nominal values (``factor`` x parameter), with the confidence of
  the requirement; ``multi_point_rules`` -- ``same_sign`` (tightened limit in a zone when all errors
  there share a sign) and ``repeatability_range`` (range of repeated runs against a limit).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jiliang.core.units.dsi import UnitError, parse_unit, same_unit

from .decision import RuleError

FORMAT = "jiliang.verification.rules/1"
DATA_DIR = Path(__file__).with_name("data")
CONFIDENCE = ("V1", "V2", "M")
STAGES = ("initial", "subsequent", "in_service")
_NAME = r"^[A-Za-z][A-Za-z0-9_]*$"
_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:()+\-]*$"

# -- the shape of a file ----------------------------------------------------------------------------

_decimal = {"type": "decimal"}
_str = {"type": "string"}
_opt_str = {"type": "string", "nullable": True}
_conf = {"type": "string", "enum": CONFIDENCE}
_ids = {"type": "array", "items": {"type": "string"}}
_text = {"type": "object", "required": ["zh", "en"], "properties": {"zh": _str, "en": _str}}
_bound = {
    "type": "object",
    "required": ["inclusive"],
    "properties": {"param": _str, "factor": _decimal, "value": _decimal, "unit": _str,
                   "inclusive": {"type": "bool"}},
}
_range = {"type": "object", "required": ["quantity"],
          "properties": {"quantity": _str, "lower": _bound, "upper": _bound}}
_when = {"type": "map", "values": {"type": "string_or_list"}}
_limit = {
    "type": "object",
    "required": [],
    "properties": {"value": _decimal, "lower": _decimal, "upper": _decimal, "per": _str, "unit": _str},
}
_unit_spec = {"unit": _str, "units": {"type": "array", "items": _str, "min": 1}, "unit_of": _str}
_param_range = {"type": "object", "required": ["param"],
                "properties": {"param": _str, "lower": _bound, "upper": _bound}}
_condition = {"type": "object", "required": [],
              "properties": {"when": _when, "ranges": {"type": "array", "items": _param_range}}}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["format", "id", "regulation", "reference", "sources", "clauses", "verification_periods",
                 "attributes", "parameters", "quantities", "error", "stages", "mpe", "required_test_points"],
    "properties": {
        "format": {"type": "string", "enum": (FORMAT,)},
        "id": {"type": "string", "pattern": _ID},
        "regulation": {
            "type": "object",
            "required": ["number", "edition", "title", "sources", "confidence"],
            "properties": {
                "number": _str, "edition": _str, "title": _text, "issued": _opt_str, "in_force": _opt_str,
                "replaces": _opt_str, "sources": _ids, "confidence": _conf, "reference_mark": _str, "note": _str,
            },
        },
        "reference": _str,
        "sources": {"type": "array", "min": 1, "items": {
            "type": "object", "required": ["id", "citation", "url", "confidence"],
            "properties": {"id": {"type": "string", "pattern": _ID}, "citation": _str, "url": _opt_str,
                           "confidence": _conf, "reference_mark": _str, "note": _str},
        }},
        "clauses": {"type": "array", "min": 1, "items": {
            "type": "object", "required": ["id", "citation", "sources", "confidence"],
            "properties": {"id": {"type": "string", "pattern": _ID}, "citation": _str, "sources": _ids,
                           "confidence": _conf, "reference_mark": _str, "note": _str},
        }},
        "verification_periods": {"type": "array", "items": {
            "type": "object", "required": ["mode", "months", "condition", "sources", "confidence"],
            "properties": {"mode": {"type": "string", "enum": ("periodic", "service_life")},
                           "months": {"type": "int"}, "condition": {**_text, "nullable": True},
                           "conditions": {"type": "array", "min": 1, "items": _condition},
                           "text": _str, "sources": _ids, "confidence": _conf, "reference_mark": _str,
                           "note": _str},
        }},
        "open_questions": {"type": "array", "items": _str},
        "attributes": {"type": "map", "values": {
            "type": "object", "required": ["of", "values", "description"],
            "properties": {"of": {"type": "string", "enum": ("instrument", "point")},
                           "values": {"type": "array", "items": _str, "min": 1}, "default": _str,
                           "required": {"type": "bool"}, "description": _str},
        }},
        "parameters": {"type": "map", "values": {
            "type": "object", "required": ["required", "description"],
            "properties": {**_unit_spec, "required": {"type": "bool"}, "description": _str},
        }},
        "derived_parameters": {"type": "map", "values": {
            "type": "object", "required": ["param", "factor", "sources", "confidence"],
            "properties": {"param": _str, "factor": _decimal, "sources": _ids, "confidence": _conf,
                           "description": _str, "note": _str},
        }},
        "quantities": {"type": "map", "values": {
            "type": "object", "required": ["required", "description"],
            "properties": {**_unit_spec, "required": {"type": "bool"}, "description": _str,
                           "range": {"type": "object", "required": [],
                                     "properties": {"lower": _bound, "upper": _bound}}},
        }},
        "error": {"type": "object", "required": ["description"],
                  "properties": {"unit": _str, "unit_of": _str, "description": _str}},
        "stages": {"type": "map", "values": {
            "type": "object", "required": ["factor", "clauses", "confidence"],
            "properties": {"factor": _decimal, "clauses": _ids, "confidence": _conf, "reference_mark": _str,
                           "note": _str},
        }},
        "mpe": {"type": "array", "min": 1, "items": {
            "type": "object",
            "required": ["id", "ranges", "limit", "clause", "confidence", "regulation_confidence"],
            "properties": {"id": {"type": "string", "pattern": _ID}, "when": _when,
                           "ranges": {"type": "array", "items": _range}, "limit": _limit, "clause": _str,
                           "confidence": _conf, "regulation_confidence": _conf, "reference_mark": _str,
                           "note": _str},
        }},
        "required_test_points": {
            "type": "object", "required": ["confidence", "points"],
            "properties": {"confidence": _conf, "clauses": _ids, "note": _str, "points": {
                "type": "array", "items": {
                    "type": "object", "required": ["label", "quantity", "nominal"],
                    "properties": {"label": _str, "when": _when, "quantity": _str,
                                   "nominal": {"type": "object", "required": ["param"],
                                               "properties": {"param": _str, "factor": _decimal}},
                                   "attributes": {"type": "map", "values": _str}, "note": _str},
                }}},
        },
        "uncertainty_limit": {"type": "object", "required": ["ratio", "clause", "confidence"],
                              "properties": {"ratio": _decimal, "clause": _str, "confidence": _conf, "note": _str}},
        "multi_point_rules": {"type": "array", "items": {
            "type": "object", "required": ["id", "type", "stages", "clause", "confidence"],
            "properties": {
                "id": {"type": "string", "pattern": _ID},
                "type": {"type": "string", "enum": ("same_sign", "repeatability_range")},
                "when": _when, "stages": {"type": "array", "items": {"type": "string", "enum": STAGES}},
                "zone": {"type": "array", "items": _range}, "limit": _limit,
                "group_by": {"type": "string", "enum": ("label",)}, "min_repeats": {"type": "int"},
                "limits": {"type": "array", "items": {
                    "type": "object", "required": ["value", "unit"],
                    "properties": {"when": _when, "value": _decimal, "unit": _str}}},
                "clause": _str, "confidence": _conf, "regulation_confidence": _conf,
                "formula": _str, "formula_confidence": _conf, "reference_mark": _str, "note": _str,
            },
        }},
    },
}


def _check_shape(node: Any, schema: dict, path: str, where: str) -> None:
    """Check ``node`` against the mini-schema; RuleError names ``where: path`` on the first problem."""

    def fail(message: str, at: str = path) -> None:
        raise RuleError(message, f"{where}: {at or '(top)'}")

    if node is None:
        if schema.get("nullable"):
            return
        fail("must not be null")
    kind = schema["type"]
    if kind == "object":
        if not isinstance(node, dict):
            fail(f"must be an object, not {_json_type(node)}")
        for key in schema.get("required", []):
            if key not in node:
                fail(f"missing required key {key!r}")
        props = schema.get("properties", {})
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if key not in props:
                fail(f"unknown key {key!r} (allowed: {', '.join(sorted(props))})", sub)
            _check_shape(value, props[key], sub, where)
    elif kind == "map":
        if not isinstance(node, dict):
            fail(f"must be an object, not {_json_type(node)}")
        for key, value in node.items():
            sub = f"{path}.{key}" if path else key
            if not re.match(_NAME, key) and not re.match(_ID, key):
                fail(f"{key!r} is not a valid name", sub)
            _check_shape(value, schema["values"], sub, where)
    elif kind == "array":
        if not isinstance(node, list):
            fail(f"must be an array, not {_json_type(node)}")
        if len(node) < schema.get("min", 0):
            fail(f"needs at least {schema['min']} entries")
        for i, item in enumerate(node):
            _check_shape(item, schema["items"], f"{path}[{i}]", where)
    elif kind == "string":
        if not isinstance(node, str):
            fail(f"must be a string, not {_json_type(node)}")
        if "enum" in schema and node not in schema["enum"]:
            fail(f"{node!r} is not one of {', '.join(schema['enum'])}")
        if "pattern" in schema and not re.match(schema["pattern"], node):
            fail(f"{node!r} does not match {schema['pattern']}")
    elif kind == "string_or_list":
        items = node if isinstance(node, list) else [node]
        if not items or not all(isinstance(x, str) for x in items):
            fail("must be a string or a non-empty array of strings")
    elif kind == "decimal":
        if isinstance(node, bool) or not isinstance(node, (Decimal, str)):
            fail(f"must be a decimal number or a numeric string, not {_json_type(node)}")
        try:
            value = Decimal(node)
        except InvalidOperation:
            fail(f"{node!r} is not a decimal number")
        if not value.is_finite():
            fail(f"{node!r} is not a finite number")
    elif kind == "int":
        if isinstance(node, bool) or not isinstance(node, Decimal) or node != node.to_integral_value():
            fail(f"must be an integer, not {node!r}")
    elif kind == "bool":
        if not isinstance(node, bool):
            fail(f"must be true or false, not {_json_type(node)}")
    else:  # pragma: no cover - a typo in SCHEMA
        raise AssertionError(kind)


def _json_type(node: Any) -> str:
    if isinstance(node, bool):
        return "a boolean"
    if isinstance(node, Decimal):
        return "a number"
    return {dict: "an object", list: "an array", str: "a string", type(None): "null"}.get(type(node), "?")


# -- the typed regulation ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    citation: str
    url: str | None
    confidence: str
    reference_mark: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Clause:
    id: str
    citation: str
    sources: tuple[Source, ...]
    confidence: str
    reference_mark: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterRange:
    """``lower < / ≤ parameter < / ≤ upper`` with literal bounds in the parameter's unit."""

    param: str
    lower: Bound | None
    upper: Bound | None

    def describe(self) -> str:
        return Range(self.param, self.lower, self.upper).describe()


@dataclass(frozen=True, slots=True)
class PeriodCondition:
    """One alternative of a period row's condition: all of ``when`` (attribute values) and ``ranges``."""

    when: dict[str, tuple[str, ...]]
    ranges: tuple[ParameterRange, ...]

    def describe(self) -> str:
        parts = [f"{k} = {' or '.join(v)}" for k, v in self.when.items()] + [r.describe() for r in self.ranges]
        return " and ".join(parts) or "always"


@dataclass(frozen=True, slots=True)
class VerificationPeriod:
    mode: str
    months: int
    condition: dict[str, str] | None
    text: str | None
    sources: tuple[Source, ...]
    confidence: str
    reference_mark: str | None = None
    note: str | None = None
    conditions: tuple[PeriodCondition, ...] = ()  # any of them; empty: the row applies to every instrument

    def describe(self) -> str:
        cond = " or ".join(f"({c.describe()})" for c in self.conditions) or "every instrument"
        return f"{self.mode} {self.months} months when {cond}"


@dataclass(frozen=True, slots=True)
class AttributeSpec:
    name: str
    of: str
    values: tuple[str, ...]
    default: str | None
    description: str
    required: bool = True  # False: only some rules (a period row) need it; the MPE table does not


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """Allowed unit of a parameter, quantity or error: one unit, a list, or the unit of a parameter."""

    unit: str | None = None
    units: tuple[str, ...] = ()
    unit_of: str | None = None


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    name: str
    unit: UnitSpec
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class DerivedParameter:
    name: str
    param: str
    factor: Decimal
    sources: tuple[Source, ...]
    confidence: str
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Bound:
    """``factor`` x parameter ``param``, or the literal ``value`` in ``unit``; inclusive or not."""

    inclusive: bool
    param: str | None = None
    factor: Decimal = Decimal(1)
    value: Decimal | None = None
    unit: str | None = None

    def describe(self) -> str:
        if self.param is not None:
            return self.param if self.factor == 1 else f"{self.factor}·{self.param}"
        return f"{self.value} {self.unit}"


@dataclass(frozen=True, slots=True)
class Range:
    quantity: str
    lower: Bound | None
    upper: Bound | None

    def describe(self) -> str:
        left = f"{self.lower.describe()} {'≤' if self.lower.inclusive else '<'} " if self.lower else ""
        right = f" {'≤' if self.upper.inclusive else '<'} {self.upper.describe()}" if self.upper else ""
        return f"{left}{self.quantity}{right}"


@dataclass(frozen=True, slots=True)
class QuantitySpec:
    name: str
    unit: UnitSpec
    required: bool
    description: str
    range: Range | None


@dataclass(frozen=True, slots=True)
class Limit:
    """A tolerance: ``±value`` or ``[lower, upper]``, in ``unit`` or in multiples of parameter ``per``."""

    lower: Decimal
    upper: Decimal
    unit: str | None = None
    per: str | None = None

    def describe(self) -> str:
        suffix = f" {self.per}" if self.per else f" {self.unit}"
        if self.lower == -self.upper:
            return f"±{self.upper}{suffix}"
        return f"{self.lower}{suffix} .. +{self.upper}{suffix}"


@dataclass(frozen=True, slots=True)
class StageSpec:
    name: str
    factor: Decimal
    clauses: tuple[Clause, ...]
    confidence: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Band:
    id: str
    when: dict[str, tuple[str, ...]]
    ranges: tuple[Range, ...]
    limit: Limit
    clause: Clause
    confidence: str
    regulation_confidence: str
    note: str | None = None


@dataclass(frozen=True, slots=True)
class RequiredPoint:
    label: str
    quantity: str
    param: str
    factor: Decimal
    when: dict[str, tuple[str, ...]]
    attributes: dict[str, str]


@dataclass(frozen=True, slots=True)
class RequiredPoints:
    confidence: str
    clauses: tuple[Clause, ...]
    note: str | None
    points: tuple[RequiredPoint, ...]


@dataclass(frozen=True, slots=True)
class GroupLimit:
    when: dict[str, tuple[str, ...]]
    value: Decimal
    unit: str


@dataclass(frozen=True, slots=True)
class MultiPointRule:
    id: str
    type: str
    when: dict[str, tuple[str, ...]]
    stages: tuple[str, ...]
    clause: Clause
    confidence: str
    regulation_confidence: str | None
    zone: tuple[Range, ...] = ()
    limit: Limit | None = None
    min_repeats: int = 2
    limits: tuple[GroupLimit, ...] = ()
    formula: str | None = None
    formula_confidence: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Regulation:
    """One regulation edition's rules, as loaded from its data file."""

    id: str
    number: str
    edition: str
    title: dict[str, str]
    issued: str | None
    in_force: str | None
    replaces: str | None
    confidence: str
    reference: str
    path: Path
    sources: dict[str, Source]
    clauses: dict[str, Clause]
    verification_periods: tuple[VerificationPeriod, ...]
    open_questions: tuple[str, ...]
    attributes: dict[str, AttributeSpec]
    parameters: dict[str, ParameterSpec]
    derived_parameters: dict[str, DerivedParameter]
    quantities: dict[str, QuantitySpec]
    error: UnitSpec
    error_description: str
    stages: dict[str, StageSpec]
    mpe: tuple[Band, ...]
    required_points: RequiredPoints
    multi_point_rules: tuple[MultiPointRule, ...]
    # (largest U / MPE, citation) when the regulation sets it; else JJF 1094's one third applies
    uncertainty_limit: tuple[Decimal, str] | None = None


# -- loading ----------------------------------------------------------------------------------------


def available_regulations(data_dir: Path = DATA_DIR) -> tuple[str, ...]:
    """The regulation ids that have a data file, sorted."""
    return tuple(sorted(p.stem for p in Path(data_dir).glob("*.json")))


@lru_cache(maxsize=64)
def load_regulation(regulation_id: str) -> Regulation:
    """The regulation edition ``regulation_id`` (e.g. ``"JJG539-2016"``) from the package data."""
    if not re.match(_ID, regulation_id) or "/" in regulation_id:
        raise RuleError(f"{regulation_id!r} is not a regulation id", "regulation")
    path = DATA_DIR / f"{regulation_id}.json"
    if not path.is_file():
        raise RuleError(f"no rules for regulation {regulation_id!r} (have: {', '.join(available_regulations())})",
                        "regulation")
    return load_regulation_file(path)


def load_regulation_file(path: Path) -> Regulation:
    """Load and check one data file; :class:`RuleError` names the file and the JSON path of a problem."""
    path = Path(path)
    where = str(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise RuleError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", where) from exc
    _check_shape(raw, SCHEMA, "", where)
    return _Builder(raw, path).build()


class _Builder:
    """Second pass: cross-references and units, then the typed :class:`Regulation`."""

    def __init__(self, raw: dict, path: Path):
        self.raw = raw
        self.path = path
        self.where = str(path)

    def fail(self, message: str, at: str) -> RuleError:
        return RuleError(message, f"{self.where}: {at}")

    def unit(self, text: str, at: str) -> str:
        try:
            parse_unit(text)
        except UnitError as exc:
            raise self.fail(exc.message, at) from exc
        return text

    def build(self) -> Regulation:
        raw = self.raw
        if raw["id"] != self.path.stem:
            raise self.fail(f"id {raw['id']!r} does not match the file name {self.path.name!r}", "id")
        self.sources = {}
        for i, s in enumerate(raw["sources"]):
            if s["id"] in self.sources:
                raise self.fail(f"duplicate source id {s['id']!r}", f"sources[{i}].id")
            self.sources[s["id"]] = Source(s["id"], s["citation"], s["url"], s["confidence"],
                                           s.get("reference_mark"), s.get("note"))
        self.clauses = {}
        for i, c in enumerate(raw["clauses"]):
            if c["id"] in self.clauses:
                raise self.fail(f"duplicate clause id {c['id']!r}", f"clauses[{i}].id")
            self.clauses[c["id"]] = Clause(c["id"], c["citation"], self.source_refs(c["sources"], f"clauses[{i}]"),
                                           c["confidence"], c.get("reference_mark"), c.get("note"))
        reg = raw["regulation"]
        self.source_refs(reg["sources"], "regulation")
        self.attributes = {}
        for name, a in raw["attributes"].items():
            if "default" in a and a["default"] not in a["values"]:
                raise self.fail(f"default {a['default']!r} is not one of the values", f"attributes.{name}.default")
            self.attributes[name] = AttributeSpec(name, a["of"], tuple(a["values"]), a.get("default"),
                                                  a["description"], a.get("required", True))
        self.parameters = {}
        for name, p in raw["parameters"].items():
            self.parameters[name] = ParameterSpec(name, self.unit_spec(p, f"parameters.{name}", params_only=True),
                                                  p["required"], p["description"])
        periods = tuple(
            VerificationPeriod(p["mode"], int(p["months"]), p["condition"], p.get("text"),
                               self.source_refs(p["sources"], f"verification_periods[{i}]"), p["confidence"],
                               p.get("reference_mark"), p.get("note"),
                               tuple(self.period_condition(c, f"verification_periods[{i}].conditions[{j}]")
                                     for j, c in enumerate(p.get("conditions", []))))
            for i, p in enumerate(raw["verification_periods"])
        )
        self.derived = {}
        for name, d in raw.get("derived_parameters", {}).items():
            at = f"derived_parameters.{name}"
            if name not in self.parameters:
                raise self.fail(f"derived parameter {name!r} is not declared in parameters", at)
            if d["param"] not in self.parameters:
                raise self.fail(f"unknown parameter {d['param']!r}", f"{at}.param")
            self.derived[name] = DerivedParameter(name, d["param"], Decimal(d["factor"]),
                                                  self.source_refs(d["sources"], at), d["confidence"],
                                                  d.get("description"))
        self.quantities = {}
        for name, q in raw["quantities"].items():
            at = f"quantities.{name}"
            spec = self.unit_spec(q, at)
            rng = None
            if "range" in q:
                rng = Range(name, self.bound(q["range"].get("lower"), f"{at}.range.lower"),
                            self.bound(q["range"].get("upper"), f"{at}.range.upper"))
            self.quantities[name] = QuantitySpec(name, spec, q["required"], q["description"], rng)
        error = self.unit_spec(raw["error"], "error")
        stages = {}
        for name, s in raw["stages"].items():
            if name not in STAGES:
                raise self.fail(f"unknown stage {name!r} (allowed: {', '.join(STAGES)})", f"stages.{name}")
            stages[name] = StageSpec(name, Decimal(s["factor"]), self.clause_refs(s["clauses"], f"stages.{name}"),
                                 s["confidence"], s.get("note"))
        bands = []
        seen: set[str] = set()
        for i, b in enumerate(raw["mpe"]):
            at = f"mpe[{i}]"
            if b["id"] in seen:
                raise self.fail(f"duplicate band id {b['id']!r}", f"{at}.id")
            seen.add(b["id"])
            bands.append(Band(
                id=b["id"], when=self.when(b.get("when", {}), f"{at}.when"),
                ranges=tuple(self.range(r, f"{at}.ranges[{j}]") for j, r in enumerate(b["ranges"])),
                limit=self.limit(b["limit"], f"{at}.limit", error), clause=self.clause_ref(b["clause"], f"{at}.clause"),
                confidence=b["confidence"], regulation_confidence=b["regulation_confidence"], note=b.get("note"),
            ))
        rtp = raw["required_test_points"]
        points = []
        for i, p in enumerate(rtp["points"]):
            at = f"required_test_points.points[{i}]"
            if p["quantity"] not in self.quantities:
                raise self.fail(f"unknown quantity {p['quantity']!r}", f"{at}.quantity")
            self.param_ref(p["nominal"]["param"], f"{at}.nominal.param")
            attrs = p.get("attributes", {})
            for key, value in attrs.items():
                self.attribute_value(key, value, f"{at}.attributes.{key}")
            points.append(RequiredPoint(p["label"], p["quantity"], p["nominal"]["param"],
                                        Decimal(p["nominal"].get("factor", 1)), self.when(p.get("when", {}), f"{at}.when"),
                                        dict(attrs)))
        required = RequiredPoints(rtp["confidence"], self.clause_refs(rtp.get("clauses", []), "required_test_points"),
                                  rtp.get("note"), tuple(points))
        rules = tuple(self.multi_rule(r, f"multi_point_rules[{i}]", error)
                      for i, r in enumerate(raw.get("multi_point_rules", [])))
        return Regulation(
            id=raw["id"], number=reg["number"], edition=reg["edition"], title=dict(reg["title"]),
            issued=reg.get("issued"), in_force=reg.get("in_force"), replaces=reg.get("replaces"),
            confidence=reg["confidence"], reference=raw["reference"], path=self.path, sources=self.sources,
            clauses=self.clauses, verification_periods=periods, open_questions=tuple(raw.get("open_questions", [])),
            attributes=self.attributes, parameters=self.parameters, derived_parameters=self.derived,
            quantities=self.quantities, error=error, error_description=raw["error"]["description"], stages=stages,
            mpe=tuple(bands), required_points=required, multi_point_rules=rules,
            uncertainty_limit=self.uncertainty_limit(raw.get("uncertainty_limit")),
        )

    def uncertainty_limit(self, node: dict | None) -> tuple[Decimal, str] | None:
        if node is None:
            return None
        ratio = Decimal(node["ratio"])
        if not 0 < ratio <= 1:
            raise self.fail(f"ratio {node['ratio']} is not in (0, 1]", "uncertainty_limit.ratio")
        clause = self.clause_ref(node["clause"], "uncertainty_limit.clause")
        return ratio, clause.citation

    # -- references ----------------------------------------------------------------------------

    def source_refs(self, ids: list[str], at: str) -> tuple[Source, ...]:
        out = []
        for j, sid in enumerate(ids):
            if sid not in self.sources:
                raise self.fail(f"unknown source {sid!r}", f"{at}.sources[{j}]")
            out.append(self.sources[sid])
        return tuple(out)

    def clause_ref(self, cid: str, at: str) -> Clause:
        if cid not in self.clauses:
            raise self.fail(f"unknown clause {cid!r}", at)
        return self.clauses[cid]

    def clause_refs(self, ids: list[str], at: str) -> tuple[Clause, ...]:
        return tuple(self.clause_ref(cid, f"{at}.clauses[{j}]") for j, cid in enumerate(ids))

    def param_ref(self, name: str, at: str) -> None:
        if name not in self.parameters:
            raise self.fail(f"unknown parameter {name!r}", at)

    def attribute_value(self, name: str, value: str, at: str) -> None:
        if name not in self.attributes:
            raise self.fail(f"unknown attribute {name!r}", at)
        if value not in self.attributes[name].values:
            raise self.fail(f"{value!r} is not a value of attribute {name!r} "
                            f"({', '.join(self.attributes[name].values)})", at)

    def when(self, when: dict, at: str) -> dict[str, tuple[str, ...]]:
        out = {}
        for name, values in when.items():
            values = values if isinstance(values, list) else [values]
            for value in values:
                self.attribute_value(name, value, f"{at}.{name}")
            out[name] = tuple(values)
        return out

    def unit_spec(self, node: dict, at: str, *, params_only: bool = False) -> UnitSpec:
        given = [k for k in ("unit", "units", "unit_of") if k in node]
        if len(given) != 1:
            raise self.fail("give exactly one of 'unit', 'units', 'unit_of'", at)
        if "unit" in node:
            return UnitSpec(unit=self.unit(node["unit"], f"{at}.unit"))
        if "units" in node:
            return UnitSpec(units=tuple(self.unit(u, f"{at}.units[{j}]") for j, u in enumerate(node["units"])))
        ref = node["unit_of"]
        if ref not in self.parameters:
            raise self.fail(f"unknown parameter {ref!r}" + (" (declare it before)" if params_only else ""),
                            f"{at}.unit_of")
        return UnitSpec(unit_of=ref)

    def bound(self, node: dict | None, at: str) -> Bound | None:
        if node is None:
            return None
        has_param, has_value = "param" in node, "value" in node
        if has_param == has_value:
            raise self.fail("a bound is either {'param', 'factor'} or {'value', 'unit'}", at)
        if has_param:
            if "unit" in node:
                raise self.fail("a parameter bound takes its unit from the parameter; remove 'unit'", f"{at}.unit")
            self.param_ref(node["param"], f"{at}.param")
            return Bound(inclusive=node["inclusive"], param=node["param"], factor=Decimal(node.get("factor", 1)))
        if "factor" in node:
            raise self.fail("'factor' belongs to a parameter bound", f"{at}.factor")
        if "unit" not in node:
            raise self.fail("a literal bound needs a 'unit'", at)
        return Bound(inclusive=node["inclusive"], value=Decimal(node["value"]), unit=self.unit(node["unit"], f"{at}.unit"))

    def period_condition(self, node: dict, at: str) -> PeriodCondition:
        when = self.when(node.get("when", {}), f"{at}.when")
        for name in when:
            if self.attributes[name].of != "instrument":
                raise self.fail(f"{name!r} is a test-point attribute; a period depends on the instrument", f"{at}.when")
        ranges = []
        for j, r in enumerate(node.get("ranges", [])):
            rat = f"{at}.ranges[{j}]"
            self.param_ref(r["param"], f"{rat}.param")
            spec = self.parameters[r["param"]].unit
            bounds = []
            for side in ("lower", "upper"):
                b = self.bound(r.get(side), f"{rat}.{side}")
                if b is not None and b.param is not None:
                    raise self.fail("a period condition's bound is a literal value and unit", f"{rat}.{side}")
                if b is not None and spec.unit is not None and not same_unit(b.unit, spec.unit):
                    raise self.fail(f"bound in {b.unit}; parameter {r['param']} is in {spec.unit}", f"{rat}.{side}.unit")
                bounds.append(b)
            if bounds == [None, None]:
                raise self.fail("a range needs a lower or an upper bound", rat)
            ranges.append(ParameterRange(r["param"], bounds[0], bounds[1]))
        if not when and not ranges:
            raise self.fail("a condition needs 'when' or 'ranges'", at)
        return PeriodCondition(when, tuple(ranges))

    def range(self, node: dict, at: str) -> Range:
        name = node["quantity"]
        if name not in self.quantities:
            raise self.fail(f"unknown quantity {name!r}", f"{at}.quantity")
        rng = Range(name, self.bound(node.get("lower"), f"{at}.lower"), self.bound(node.get("upper"), f"{at}.upper"))
        spec = self.quantities[name].unit
        for side, b in (("lower", rng.lower), ("upper", rng.upper)):
            if b is not None and b.unit is not None and spec.unit is not None and not same_unit(b.unit, spec.unit):
                raise self.fail(f"bound unit {b.unit} is not the unit {spec.unit} of quantity {name!r}",
                                f"{at}.{side}.unit")
        return rng

    def limit(self, node: dict, at: str, error: UnitSpec) -> Limit:
        symmetric = "value" in node
        if symmetric == ("lower" in node or "upper" in node) or (not symmetric and not ("lower" in node and "upper" in node)):
            raise self.fail("a limit is either {'value'} (±value) or {'lower', 'upper'}", at)
        if symmetric:
            value = Decimal(node["value"])
            if value < 0:
                raise self.fail("an MPE value must not be negative", f"{at}.value")
            lower, upper = -value, value
        else:
            lower, upper = Decimal(node["lower"]), Decimal(node["upper"])
            if lower > upper:
                raise self.fail("lower is above upper", at)
        if ("per" in node) == ("unit" in node):
            raise self.fail("a limit has exactly one of 'per' (a parameter) and 'unit'", at)
        if "per" in node:
            self.param_ref(node["per"], f"{at}.per")
            if error.unit_of != node["per"]:
                raise self.fail(f"a limit per {node['per']!r} needs the error in the unit of {node['per']!r} "
                                "(error.unit_of)", f"{at}.per")
            return Limit(lower, upper, per=node["per"])
        unit = self.unit(node["unit"], f"{at}.unit")
        if error.unit is None or not same_unit(unit, error.unit):
            raise self.fail(f"limit unit {unit} is not the unit of the error", f"{at}.unit")
        return Limit(lower, upper, unit=unit)

    def multi_rule(self, node: dict, at: str, error: UnitSpec) -> MultiPointRule:
        common = {
            "id": node["id"], "type": node["type"], "when": self.when(node.get("when", {}), f"{at}.when"),
            "stages": tuple(node["stages"]), "clause": self.clause_ref(node["clause"], f"{at}.clause"),
            "confidence": node["confidence"], "regulation_confidence": node.get("regulation_confidence"),
            "note": node.get("note"),
        }
        if node["type"] == "same_sign":
            for key in ("zone", "limit"):
                if key not in node:
                    raise self.fail(f"a same_sign rule needs {key!r}", at)
            return MultiPointRule(**common, zone=tuple(self.range(r, f"{at}.zone[{j}]") for j, r in enumerate(node["zone"])),
                                  limit=self.limit(node["limit"], f"{at}.limit", error))
        for key in ("group_by", "limits", "formula", "formula_confidence"):
            if key not in node:
                raise self.fail(f"a repeatability_range rule needs {key!r}", at)
        limits = []
        for j, lim in enumerate(node["limits"]):
            unit = self.unit(lim["unit"], f"{at}.limits[{j}].unit")
            if error.unit is None or not same_unit(unit, error.unit):
                raise self.fail(f"limit unit {unit} is not the unit of the error", f"{at}.limits[{j}].unit")
            limits.append(GroupLimit(self.when(lim.get("when", {}), f"{at}.limits[{j}].when"), Decimal(lim["value"]), unit))
        return MultiPointRule(**common, min_repeats=int(node.get("min_repeats", 2)), limits=tuple(limits),
                              formula=node["formula"], formula_confidence=node["formula_confidence"])
