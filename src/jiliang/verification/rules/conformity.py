"""The conformity engine: the MPE of a test point from a regulation's data, and the verification decision.

Inputs are plain values:

* :class:`Instrument` -- the regulation id (``"JJG162-2019"``), attributes such as the accuracy class,
  and parameters with units (``e``, ``Max``; ``Q1``, ``Q3``; ``Ib``, ``Imax`` ...);
* :class:`TestPoint` -- a label (``"Q3"``, ``"500e"``), quantities with units (load ``m``, flow ``Q``,
  temperature ``T``, current ``I``) and attributes (power factor ``pf`` ...);
* :class:`Measurement` -- a test point, the measured error with its unit and its expanded uncertainty
  (U, k, p), in the unit of the error.

:func:`find_mpe` selects the one band of the regulation's MPE table that covers the point (bounds
inclusive or exclusive as the data says, compared as :class:`~decimal.Decimal`) and scales it by the
verification stage (initial, subsequent, in service). :func:`decide_point` applies a decision rule
(:mod:`.decision`, ILAC-G8:09/2019) and reports the specific risk (JCGM 106:2012 9.3).
:func:`decide_instrument` checks that every required test point is present, decides each point,
applies the regulation's multi-point rules (the same-sign rule of class 1.0 gas meters, the
repeatability of fuel dispensers) and gives the overall outcome.

Nothing is coerced: a unit that is not the regulation's, a point outside the instrument's range, a
missing parameter or quantity, an undefined stage -- each is a :class:`~.decision.RuleError` whose
``field`` names the test point and quantity (``points[Q3].T``) or parameter (``parameters.Ib``).
No unit conversion is done; give values in the units the regulation file declares.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from types import MappingProxyType

from jiliang.core.units.dsi import UnitError, same_unit

from .decision import Decision, DecisionRule, Outcome, RuleError, decide, worst
from .loader import (
    Band,
    Bound,
    Clause,
    Limit,
    MultiPointRule,
    Range,
    Regulation,
    Source,
    StageSpec,
    UnitSpec,
    load_regulation,
)


class Stage(StrEnum):
    INITIAL = "initial"  # 首次检定
    SUBSEQUENT = "subsequent"  # 后续检定
    IN_SERVICE = "in_service"  # 使用中检查


def to_decimal(value: object, field_name: str) -> Decimal:
    """A finite Decimal from a Decimal, int, numeric string or float (via its shortest repr)."""
    if isinstance(value, bool):
        raise RuleError(f"{value!r} is not a number", field_name)
    if isinstance(value, float):
        value = repr(value)
    try:
        result = value if isinstance(value, Decimal) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        raise RuleError(f"{value!r} is not a number", field_name) from None
    if not result.is_finite():
        raise RuleError(f"{value!r} is not a finite number", field_name)
    return result


@dataclass(frozen=True, slots=True)
class QuantityValue:
    """A value with its D-SI unit string, e.g. ``QuantityValue.of("2.5", "\\\\kilogram")``."""

    value: Decimal
    unit: str

    @classmethod
    def of(cls, value: object, unit: str, field_name: str = "value") -> QuantityValue:
        return cls(to_decimal(value, field_name), unit)

    def __str__(self) -> str:
        return f"{self.value} {self.unit}"


def _frozen(mapping: Mapping | None) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Instrument:
    """The instrument under verification: regulation id, attributes (class ...) and parameters."""

    regulation: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, QuantityValue] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attributes", _frozen(self.attributes))
        object.__setattr__(self, "parameters", _frozen(self.parameters))


@dataclass(frozen=True)
class TestPoint:
    """A test point: its label (as the regulation names required points) and its quantities."""

    __test__ = False  # not a pytest test class

    label: str
    quantities: Mapping[str, QuantityValue] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantities", _frozen(self.quantities))
        object.__setattr__(self, "attributes", _frozen(self.attributes))


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """Expanded uncertainty ``expanded`` (U) with coverage factor ``k`` and coverage probability ``p``."""

    expanded: Decimal
    k: Decimal
    p: Decimal

    @classmethod
    def of(cls, expanded: object, k: object = 2, p: object = "0.95") -> Uncertainty:
        unc = cls(to_decimal(expanded, "uncertainty.U"), to_decimal(k, "uncertainty.k"), to_decimal(p, "uncertainty.p"))
        if unc.expanded < 0:
            raise RuleError(f"expanded uncertainty must not be negative ({unc.expanded})", "uncertainty.U")
        if unc.k <= 0:
            raise RuleError(f"coverage factor must be positive ({unc.k})", "uncertainty.k")
        if not 0 < unc.p <= 1:
            raise RuleError(f"coverage probability must be in (0, 1] ({unc.p})", "uncertainty.p")
        return unc


@dataclass(frozen=True, slots=True)
class Measurement:
    """A measured error at a test point, in the unit of the regulation's error, with its uncertainty."""

    point: TestPoint
    error: QuantityValue
    uncertainty: Uncertainty


@dataclass(frozen=True, slots=True)
class MPE:
    """The maximum permissible error of a test point and where it comes from.

    ``lower`` .. ``upper`` is the tolerance interval of the error (``-upper`` .. ``upper`` for a
    symmetric MPE) in ``unit``, already multiplied by the stage factor. ``confidence`` is the mark
    of the number's source, ``regulation_confidence`` that of its use in this regulation edition,
    ``stage_confidence`` that of the stage factor (V1, V2 or M as the reference gives them).
    """

    regulation: str
    band: str
    lower: Decimal
    upper: Decimal
    unit: str
    limit: Limit
    clause: Clause
    confidence: str
    regulation_confidence: str
    stage: str
    stage_factor: Decimal
    stage_confidence: str
    rule: str | None = None

    @property
    def value(self) -> Decimal:
        """The symmetric MPE (``upper``); for an asymmetric tolerance use lower and upper."""
        return self.upper

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.clause.sources

    @property
    def unverified(self) -> bool:
        return "M" in (self.confidence, self.regulation_confidence, self.stage_confidence)

    def describe(self) -> str:
        core = f"±{self.upper}" if self.lower == -self.upper else f"{self.lower} .. {self.upper}"
        return f"{core} {self.unit} ({self.regulation} {self.band}, {self.clause.citation})"


@dataclass(frozen=True, slots=True)
class PointDecision:
    """The decision on one measurement: its MPE, the :class:`~.decision.Decision` and any rule applied."""

    label: str
    mpe: MPE
    decision: Decision
    measurement: Measurement

    @property
    def outcome(self) -> Outcome:
        return self.decision.outcome


@dataclass(frozen=True, slots=True)
class GroupDecision:
    """A multi-point rule over a group of runs (repeatability): the statistic against its limit."""

    rule: str
    label: str
    runs: int
    statistic: Decimal
    limit: Decimal
    unit: str
    outcome: Outcome
    clause: Clause
    confidence: str
    formula: str | None
    formula_confidence: str | None


@dataclass(frozen=True, slots=True)
class InstrumentDecision:
    """The verification decision of an instrument: overall outcome, per point and per group."""

    regulation: str
    stage: str
    rule: DecisionRule
    outcome: Outcome
    points: tuple[PointDecision, ...]
    groups: tuple[GroupDecision, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RequiredTestPoint:
    """A test point the regulation requires for this instrument, with its nominal value."""

    label: str
    quantity: str
    nominal: QuantityValue
    attributes: Mapping[str, str]
    confidence: str


# -- resolution of instrument and point ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Resolved:
    reg: Regulation
    attributes: Mapping[str, str]
    parameters: Mapping[str, QuantityValue]


def _check_unit(spec: UnitSpec, unit: str, params: Mapping[str, QuantityValue], what: str, field_name: str,
                reg: Regulation) -> None:
    try:
        if spec.unit is not None:
            ok, expected = same_unit(unit, spec.unit), spec.unit
        elif spec.units:
            ok, expected = any(same_unit(unit, u) for u in spec.units), " or ".join(spec.units)
        else:
            base = params.get(spec.unit_of or "")
            if base is None:
                raise RuleError(f"{what} takes the unit of parameter {spec.unit_of!r}, which is not given",
                                f"parameters.{spec.unit_of}")
            ok, expected = same_unit(unit, base.unit), f"{base.unit} (the unit of {spec.unit_of})"
    except UnitError as exc:
        raise RuleError(f"{what}: {exc.message}", field_name) from exc
    if not ok:
        raise RuleError(f"{what} is in {unit}; {reg.id} expects {expected} (no conversion is done)", field_name)


def _resolve(instrument: Instrument) -> _Resolved:
    reg = load_regulation(instrument.regulation)
    attrs: dict[str, str] = {}
    for name, value in instrument.attributes.items():
        spec = reg.attributes.get(name)
        if spec is None or spec.of != "instrument":
            raise RuleError(f"{reg.id} has no instrument attribute {name!r} "
                            f"(has: {', '.join(n for n, s in reg.attributes.items() if s.of == 'instrument')})",
                            f"attributes.{name}")
        if value not in spec.values:
            raise RuleError(f"{value!r} is not a {spec.description} of {reg.id} ({', '.join(spec.values)})",
                            f"attributes.{name}")
        attrs[name] = value
    for name, spec in reg.attributes.items():
        if spec.of == "instrument" and name not in attrs:
            if spec.default is None and not spec.required:
                continue
            if spec.default is None:
                raise RuleError(f"{reg.id} needs the instrument attribute {name!r} ({spec.description})",
                                f"attributes.{name}")
            attrs[name] = spec.default

    params: dict[str, QuantityValue] = {}
    for name, qv in instrument.parameters.items():
        if name not in reg.parameters:
            raise RuleError(f"{reg.id} has no parameter {name!r} (has: {', '.join(reg.parameters)})",
                            f"parameters.{name}")
        if not isinstance(qv, QuantityValue):
            raise RuleError("a parameter is a QuantityValue (value and unit)", f"parameters.{name}")
        params[name] = qv
    for name, spec in reg.parameters.items():
        if name in params:
            _check_unit(spec.unit, params[name].unit, params, f"parameter {name}", f"parameters.{name}", reg)
    for name, derived in reg.derived_parameters.items():
        base = params.get(derived.param)
        if base is None:
            continue
        value = QuantityValue(derived.factor * base.value, base.unit)
        given = params.get(name)
        if given is None:
            params[name] = value
        elif not same_unit(given.unit, value.unit) or given.value != value.value:
            raise RuleError(f"{name} = {given} contradicts {reg.id}: {derived.description or name} "
                            f"= {value} ({derived.confidence})", f"parameters.{name}")
    for name, spec in reg.parameters.items():
        if spec.required and name not in params:
            raise RuleError(f"{reg.id} needs the parameter {name!r} ({spec.description})", f"parameters.{name}")
    return _Resolved(reg, MappingProxyType(attrs), MappingProxyType(params))


def _bound_value(bound: Bound, res: _Resolved, what: str) -> Decimal:
    if bound.param is None:
        assert bound.value is not None
        return bound.value
    base = res.parameters.get(bound.param)
    if base is None:
        raise RuleError(f"{res.reg.id}: {what} needs the instrument parameter {bound.param!r} "
                        f"({res.reg.parameters[bound.param].description})", f"parameters.{bound.param}")
    return bound.factor * base.value


def _in_range(value: Decimal, rng: Range, res: _Resolved, what: str) -> bool:
    if rng.lower is not None:
        lo = _bound_value(rng.lower, res, what)
        if value < lo or (value == lo and not rng.lower.inclusive):
            return False
    if rng.upper is not None:
        hi = _bound_value(rng.upper, res, what)
        if value > hi or (value == hi and not rng.upper.inclusive):
            return False
    return True


def _point_attributes(res: _Resolved, point: TestPoint, where: str) -> dict[str, str]:
    reg = res.reg
    attrs = dict(res.attributes)
    for name, value in point.attributes.items():
        spec = reg.attributes.get(name)
        if spec is None or spec.of != "point":
            raise RuleError(f"{reg.id} has no test-point attribute {name!r}", f"{where}.{name}")
        if value not in spec.values:
            raise RuleError(f"{value!r} is not a {spec.description} ({', '.join(spec.values)})", f"{where}.{name}")
        attrs[name] = value
    for name, spec in reg.attributes.items():
        if spec.of == "point" and name not in attrs:
            if spec.default is None:
                raise RuleError(f"{reg.id} needs the test-point attribute {name!r} ({spec.description})",
                                f"{where}.{name}")
            attrs[name] = spec.default
    return attrs


def _check_point(res: _Resolved, point: TestPoint) -> dict[str, str]:
    """Units and ranges of the point's quantities; returns the merged attributes."""
    reg = res.reg
    where = f"points[{point.label}]"
    for name, qv in point.quantities.items():
        spec = reg.quantities.get(name)
        if spec is None:
            raise RuleError(f"{reg.id} has no test quantity {name!r} (has: {', '.join(reg.quantities)})",
                            f"{where}.{name}")
        if not isinstance(qv, QuantityValue):
            raise RuleError("a test quantity is a QuantityValue (value and unit)", f"{where}.{name}")
        _check_unit(spec.unit, qv.unit, res.parameters, f"test point {point.label!r}: {name}", f"{where}.{name}", reg)
        if spec.range is not None and not _in_range(qv.value, spec.range, res, f"the range of {name}"):
            raise RuleError(f"test point {point.label!r}: {name} = {qv} is outside the instrument's range "
                            f"{_describe_range(spec.range, res)}", f"{where}.{name}")
    for name, spec in reg.quantities.items():
        if spec.required and name not in point.quantities:
            raise RuleError(f"test point {point.label!r} lacks the quantity {name!r} ({spec.description})",
                            f"{where}.{name}")
    return _point_attributes(res, point, f"{where}.attributes")


def _describe_range(rng: Range, res: _Resolved) -> str:
    parts = []
    if rng.lower is not None:
        parts.append(f"{_bound_value(rng.lower, res, 'range')} {'≤' if rng.lower.inclusive else '<'}")
    parts.append(rng.quantity)
    if rng.upper is not None:
        parts.append(f"{'≤' if rng.upper.inclusive else '<'} {_bound_value(rng.upper, res, 'range')}")
    return f"[{' '.join(parts)}] ({rng.describe()})"


def _when_matches(when: Mapping[str, tuple[str, ...]], attrs: Mapping[str, str]) -> bool:
    return all(attrs.get(name) in values for name, values in when.items())


def _select_band(res: _Resolved, point: TestPoint, attrs: Mapping[str, str]) -> Band:
    reg = res.reg
    where = f"points[{point.label}]"
    matches: list[Band] = []
    missing: dict[str, list[str]] = defaultdict(list)
    for band in reg.mpe:
        if not _when_matches(band.when, attrs):
            continue
        ok, needs = True, []
        for rng in band.ranges:
            qv = point.quantities.get(rng.quantity)
            if qv is None:
                needs.append(rng.quantity)
                continue
            if not _in_range(qv.value, rng, res, f"band {band.id}"):
                ok = False
                break
        if not ok:
            continue
        if needs:
            for q in needs:
                missing[q].append(band.id)
            continue
        matches.append(band)
    if missing:
        q, bands = next(iter(missing.items()))
        raise RuleError(f"test point {point.label!r}: {reg.id} needs the quantity {q!r} "
                        f"({reg.quantities[q].description}) to choose between MPE bands {', '.join(bands)}",
                        f"{where}.{q}")
    if not matches:
        shown = ", ".join(f"{k} = {v}" for k, v in point.quantities.items())
        conds = ", ".join(f"{k} = {v}" for k, v in sorted(attrs.items()))
        raise RuleError(f"test point {point.label!r}: no MPE band of {reg.id} covers {shown} ({conds})", where)
    if len(matches) > 1:
        raise RuleError(f"test point {point.label!r}: MPE bands {', '.join(b.id for b in matches)} of {reg.id} "
                        "overlap (data error)", where)
    return matches[0]


def _stage(reg: Regulation, stage: Stage | str) -> StageSpec:
    try:
        stage = Stage(stage)
    except ValueError:
        raise RuleError(f"{stage!r} is not a verification stage ({', '.join(s.value for s in Stage)})",
                        "stage") from None
    spec = reg.stages.get(stage.value)
    if spec is None:
        raise RuleError(f"{reg.id} defines no MPE for the stage {stage.value!r} (defined: "
                        f"{', '.join(reg.stages)}); see the open questions of its data file", "stage")
    return spec


def _mpe_from_limit(res: _Resolved, limit: Limit, stage_spec: StageSpec, band_id: str, clause: Clause, confidence: str,
                    regulation_confidence: str | None, rule: str | None = None) -> MPE:
    if limit.per is not None:
        base = res.parameters[limit.per]
        lower, upper, unit = limit.lower * base.value, limit.upper * base.value, base.unit
    else:
        assert limit.unit is not None
        lower, upper, unit = limit.lower, limit.upper, limit.unit
    return MPE(
        regulation=res.reg.id, band=band_id, lower=lower * stage_spec.factor, upper=upper * stage_spec.factor,
        unit=unit, limit=limit, clause=clause, confidence=confidence,
        regulation_confidence=regulation_confidence or confidence, stage=stage_spec.name,
        stage_factor=stage_spec.factor, stage_confidence=stage_spec.confidence, rule=rule,
    )


# -- public API ------------------------------------------------------------------------------------


def find_mpe(instrument: Instrument, point: TestPoint, stage: Stage | str = Stage.INITIAL) -> MPE:
    """The MPE of ``point`` on ``instrument`` at ``stage``, with the band and clause it comes from."""
    res = _resolve(instrument)
    attrs = _check_point(res, point)
    return _find_mpe(res, point, attrs, _stage(res.reg, stage))


def _find_mpe(res: _Resolved, point: TestPoint, attrs: Mapping[str, str], stage_spec: StageSpec) -> MPE:
    band = _select_band(res, point, attrs)
    return _mpe_from_limit(res, band.limit, stage_spec, band.id, band.clause, band.confidence,
                           band.regulation_confidence)


def _decide_with(res: _Resolved, m: Measurement, mpe: MPE, rule: DecisionRule) -> PointDecision:
    where = f"points[{m.point.label}].error"
    if not isinstance(m.error, QuantityValue):
        raise RuleError("the error is a QuantityValue (value and unit)", where)
    try:
        ok = same_unit(m.error.unit, mpe.unit)
    except UnitError as exc:
        raise RuleError(f"test point {m.point.label!r}: error unit: {exc.message}", where) from exc
    if not ok:
        raise RuleError(f"test point {m.point.label!r}: the error is in {m.error.unit}, the MPE in {mpe.unit} "
                        "(no conversion is done)", where)
    unc = m.uncertainty
    if not isinstance(unc, Uncertainty):
        raise RuleError("the uncertainty is an Uncertainty (U, k, p)", f"points[{m.point.label}].uncertainty")
    try:
        decision = decide(m.error.value, unc.expanded, unc.k, mpe.lower, mpe.upper, rule)
    except RuleError as exc:
        raise RuleError(f"test point {m.point.label!r}: {exc.message}", f"points[{m.point.label}].{exc.field}") from exc
    return PointDecision(label=m.point.label, mpe=mpe, decision=decision, measurement=m)


def decide_point(instrument: Instrument, measurement: Measurement, stage: Stage | str = Stage.INITIAL,
                 rule: DecisionRule | None = None) -> PointDecision:
    """Decide one measurement against its MPE (no multi-point rules, no required-point check)."""
    rule = rule or DecisionRule.simple()
    res = _resolve(instrument)
    attrs = _check_point(res, measurement.point)
    mpe = _find_mpe(res, measurement.point, attrs, _stage(res.reg, stage))
    return _decide_with(res, measurement, mpe, rule)


def required_test_points(instrument: Instrument) -> tuple[RequiredTestPoint, ...]:
    """The test points the regulation requires for this instrument (those within its range)."""
    res = _resolve(instrument)
    return _required(res)[0]


def _required(res: _Resolved) -> tuple[tuple[RequiredTestPoint, ...], list[str]]:
    reg = res.reg
    out, notes = [], []
    for rp in reg.required_points.points:
        if not _when_matches(rp.when, res.attributes):
            continue
        base = res.parameters.get(rp.param)
        if base is None:
            raise RuleError(f"{reg.id}: the required test point {rp.label!r} needs the parameter {rp.param!r}",
                            f"parameters.{rp.param}")
        nominal = QuantityValue(rp.factor * base.value, base.unit)
        rng = reg.quantities[rp.quantity].range
        if rng is not None and not _in_range(nominal.value, rng, res, f"required point {rp.label}"):
            notes.append(f"required test point {rp.label!r} ({rp.quantity} = {nominal}) is outside the "
                         f"instrument's range and does not apply")
            continue
        out.append(RequiredTestPoint(rp.label, rp.quantity, nominal, MappingProxyType(dict(rp.attributes)),
                                     reg.required_points.confidence))
    return tuple(out), notes


# Notes about where the rule data came from (its confidence marks), never printed on a certificate.
UNVERIFIED_SOURCE_NOTE = "rests on an unverified (M) source"
UNVERIFIED_POINTS_NOTE = "are marked M (not in the reference)"


def is_provenance_note(note: str) -> bool:
    return UNVERIFIED_SOURCE_NOTE in note or UNVERIFIED_POINTS_NOTE in note


def decide_instrument(instrument: Instrument, measurements: Sequence[Measurement],
                      stage: Stage | str = Stage.INITIAL, rule: DecisionRule | None = None) -> InstrumentDecision:
    """The verification decision of an instrument from all its measurements.

    Raises :class:`RuleError` (``field="points"``) naming every missing required test point, and for
    the first point with a bad unit, quantity or range.
    """
    rule = rule or DecisionRule.simple()
    res = _resolve(instrument)
    reg = res.reg
    stage_spec = _stage(reg, stage)
    if not measurements:
        raise RuleError(f"no measurements to decide for {reg.id}", "points")

    required, notes = _required(res)
    by_label: dict[str, list[Measurement]] = defaultdict(list)
    for m in measurements:
        by_label[m.point.label].append(m)
    missing = [rp.label for rp in required if rp.label not in by_label]
    if missing:
        raise RuleError(f"{reg.id} requires the test points {', '.join(rp.label for rp in required)} "
                        f"(requirement marked {reg.required_points.confidence}); missing: {', '.join(missing)}",
                        "points")

    attrs_of: list[dict[str, str]] = []
    decisions: list[PointDecision] = []
    for m in measurements:
        attrs = _check_point(res, m.point)
        attrs_of.append(attrs)
        decisions.append(_decide_with(res, m, _find_mpe(res, m.point, attrs, stage_spec), rule))
    for rp in required:
        for m, attrs in zip(measurements, attrs_of, strict=True):
            if m.point.label == rp.label:
                wrong = {k: v for k, v in rp.attributes.items() if attrs.get(k) != v}
                if wrong:
                    raise RuleError(f"test point {rp.label!r} must be measured with "
                                    f"{', '.join(f'{k} = {v}' for k, v in rp.attributes.items())}",
                                    f"points[{rp.label}].attributes")

    groups: list[GroupDecision] = []
    for mrule in reg.multi_point_rules:
        if stage_spec.name not in mrule.stages or not _when_matches(mrule.when, res.attributes):
            continue
        if mrule.type == "same_sign":
            notes.extend(_apply_same_sign(res, mrule, measurements, decisions, stage_spec, rule))
        elif mrule.type == "repeatability_range":
            groups.extend(_repeatability(mrule, measurements, attrs_of))

    for d in decisions:
        if d.mpe.unverified:
            notes.append(f"test point {d.label!r}: MPE band {d.mpe.band} {UNVERIFIED_SOURCE_NOTE} "
                         f"(value {d.mpe.confidence}, use in {reg.id} {d.mpe.regulation_confidence}, "
                         f"stage {d.mpe.stage_confidence})")
    if reg.required_points.confidence == "M" and required:
        notes.append(f"the required test points of {reg.id} {UNVERIFIED_POINTS_NOTE}")
    outcome = worst([d.outcome for d in decisions] + [g.outcome for g in groups])
    return InstrumentDecision(regulation=reg.id, stage=stage_spec.name, rule=rule, outcome=outcome,
                              points=tuple(decisions), groups=tuple(groups), notes=tuple(dict.fromkeys(notes)))


# -- multi-point rules -------------------------------------------------------------------------------


def _apply_same_sign(res: _Resolved, mrule: MultiPointRule, measurements: Sequence[Measurement],
                     decisions: list[PointDecision], stage_spec: StageSpec, rule: DecisionRule) -> list[str]:
    """Gas meters class 1.0: if every error in the zone has the same sign, decide those against the limit."""
    zone = [i for i, m in enumerate(measurements)
            if all(rng.quantity in m.point.quantities
                   and _in_range(m.point.quantities[rng.quantity].value, rng, res, f"rule {mrule.id}")
                   for rng in mrule.zone)]
    if not zone:
        return [f"rule {mrule.id}: no test point in its zone ({', '.join(r.describe() for r in mrule.zone)})"]
    errors = [measurements[i].error.value for i in zone]
    if not (all(e > 0 for e in errors) or all(e < 0 for e in errors)):
        return []
    assert mrule.limit is not None
    for i in zone:
        old = decisions[i]
        band_lo, band_hi = old.mpe.lower, old.mpe.upper
        tight = _mpe_from_limit(res, mrule.limit, stage_spec, old.mpe.band, mrule.clause, mrule.confidence,
                                mrule.regulation_confidence, rule=mrule.id)
        if tight.lower < band_lo or tight.upper > band_hi:  # never loosen the band's MPE
            continue
        decisions[i] = _decide_with(res, measurements[i], tight, rule)
    sign = "positive" if errors[0] > 0 else "negative"
    return [f"rule {mrule.id}: all {len(zone)} errors in {', '.join(r.describe() for r in mrule.zone)} are {sign}; "
            f"those points are decided against {mrule.limit.describe()} ({mrule.clause.citation})"]


def _repeatability(mrule: MultiPointRule, measurements: Sequence[Measurement],
                   attrs_of: list[dict[str, str]]) -> list[GroupDecision]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(measurements):
        groups[m.point.label].append(i)
    out = []
    for label, idx in groups.items():
        if len(idx) < mrule.min_repeats:
            continue
        kinds = {tuple(sorted(attrs_of[i].items())) for i in idx}
        if len(kinds) > 1:
            raise RuleError(f"runs labelled {label!r} differ in their attributes; repeated runs must be alike",
                            f"points[{label}].attributes")
        attrs = attrs_of[idx[0]]
        limit = next((lim for lim in mrule.limits if _when_matches(lim.when, attrs)), None)
        if limit is None:
            raise RuleError(f"rule {mrule.id} has no limit for test point {label!r}", f"points[{label}]")
        errors = [measurements[i].error.value for i in idx]
        spread = max(errors) - min(errors)
        out.append(GroupDecision(
            rule=mrule.id, label=label, runs=len(idx), statistic=spread, limit=limit.value, unit=limit.unit,
            outcome=Outcome.PASS if spread <= limit.value else Outcome.FAIL, clause=mrule.clause,
            confidence=mrule.confidence, formula=mrule.formula, formula_confidence=mrule.formula_confidence,
        ))
    return out
