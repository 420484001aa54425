"""Glue between the stored records and the pure conformity rules (rules/): plain values in, decisions out.

Everything here raises :class:`django.core.exceptions.ValidationError` keyed by the field that is wrong
(``points[2].error``, ``items[0].parameters.e``), built from the rules' :class:`RuleError` and its
``field``, so the API answers 400 with the point and the reason.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jiliang.core import units
from jiliang.core.units import UnitError, same_unit
from jiliang.core.values.decimals import decimal_text

from .rules import (
    DecisionRule,
    Instrument,
    Measurement,
    QuantityValue,
    RuleError,
    TestPoint,
    Uncertainty,
    available_regulations,
    decide_instrument,
    load_regulation,
    required_test_points,
)
from .rules.conformity import is_provenance_note

registry_dsi = units.registry_dsi


def rule_error(exc: RuleError, prefix: str = "") -> ValidationError:
    field = f"{prefix}{exc.field}" if exc.field else (prefix.rstrip(".") or "__all__")
    return ValidationError({field: [exc.message]})


def decimal(value, field: str, *, required: bool = True) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise ValidationError({field: [_("This value is required.")]})
        return None
    if isinstance(value, bool):
        raise ValidationError({field: [_("%(value)r is not a number.") % {"value": value}]})
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("%(value)r is not a number.") % {"value": value}]}) from None
    if not result.is_finite():
        raise ValidationError({field: [_("Expected a finite number.")]})
    return result


def quantity(raw, field: str) -> QuantityValue:
    if not isinstance(raw, dict) or "value" not in raw or not raw.get("unit"):
        raise ValidationError({field: [_('Expected {"value": …, "unit": "<D-SI unit>"}.')]})
    try:
        unit = units.to_dsi(str(raw["unit"]))  # kg or \kilogram alike; stored as D-SI
    except UnitError as exc:
        raise ValidationError({f"{field}.unit": [_("%(unit)s is not a unit (write it as kg, MPa, m³/h, kWh, °C …).")
                                                 % {"unit": raw["unit"]}]}) from exc
    return QuantityValue(decimal(raw["value"], f"{field}.value"), unit)


def rules_instrument(regulation: str, attributes: dict, parameters: dict, prefix: str = "") -> Instrument:
    if regulation not in available_regulations():
        raise ValidationError({f"{prefix}regulation": [
            _("No rules for regulation %(reg)r (have: %(have)s).") % {"reg": regulation,
                                                                        "have": ", ".join(available_regulations())}]})
    params = {name: quantity(raw, f"{prefix}parameters.{name}") for name, raw in (parameters or {}).items()}
    return Instrument(regulation, {k: str(v) for k, v in (attributes or {}).items()}, params)


def dsi_parameters(parameters: dict, prefix: str = "") -> dict:
    """Parameters as stored: each unit in D-SI, whether it was typed as ``kg`` or ``\\kilogram``."""
    return {name: {**raw, "unit": quantity(raw, f"{prefix}parameters.{name}").unit}
            for name, raw in (parameters or {}).items()}


def check_item_spec(regulation: str, attributes: dict, parameters: dict, instrument, prefix: str) -> None:
    """The regulation knows the instrument (class, parameters), and its parameters fit the registered range."""
    spec = rules_instrument(regulation, attributes, parameters, prefix)
    try:
        required_test_points(spec)
    except RuleError as exc:
        raise rule_error(exc, prefix) from exc
    unit = registry_dsi(instrument.range_unit)
    if unit and instrument.range_max is not None:
        for name, qv in spec.parameters.items():
            try:
                comparable = same_unit(qv.unit, unit)
            except UnitError:
                comparable = False
            if comparable and qv.value > instrument.range_max:
                raise ValidationError({f"{prefix}parameters.{name}": [
                    _("%(name)s = %(value)s is above the instrument's registered range (up to %(max)s %(unit)s).")
                    % {"name": name, "value": qv, "max": instrument.range_max.normalize(),
                       "unit": instrument.range_unit}]})


def suggest_parameters(instrument, regulation: str) -> tuple[dict, dict]:
    """Attributes and parameters a regulation needs, guessed from the registry record (to be confirmed)."""
    unit = registry_dsi(instrument.range_unit)
    hi = instrument.range_max
    lo = instrument.range_min
    klass = instrument.accuracy_class

    def q(value) -> dict:
        return {"value": decimal_text(value), "unit": unit}

    if hi is None or not unit:
        return {}, {}
    reg = load_regulation(regulation) if regulation in available_regulations() else None
    number = reg.number if reg else ""
    if number == "JJG 539":
        n = Decimal(3000) if klass != "IIII" else Decimal(1000)
        return {"class": klass if klass in ("III", "IIII") else "III"}, {"e": q(_round_125(hi / n)), "Max": q(hi)}
    if number == "JJG 162":
        return {"class": klass if klass in ("1", "2") else "2"}, {"Q3": q(hi), "Q1": q(hi / 100)}
    if number == "JJG 577":
        attrs = {"class": klass if klass in ("1.0", "1.5") else "1.5"}
        if instrument.category.code == "gas-meter-natural":  # the catalogue entry names the gas
            attrs["gas"] = "natural_gas"
        return attrs, {"Qmin": q(lo or hi / 160), "Qt": q(hi / 10), "Qmax": q(hi)}
    if number == "JJG 443":
        return {}, {"Qmin": q(lo or hi / 10), "Qmax": q(hi)}
    if number == "JJG 596":
        return ({"class": klass if klass in ("1", "2") else "2", "connection": "direct"},
                {"Ib": q(hi / 6), "Imax": q(hi)})
    return {}, {}


def _round_125(x: Decimal) -> Decimal:
    exp = x.adjusted()
    for m in (1, 2, 5, 10):
        candidate = Decimal(m).scaleb(exp)
        if candidate >= x:
            return candidate
    return Decimal(10).scaleb(exp)


def rule_for(code: str, *, calibration: bool) -> DecisionRule:
    """Verification decisions are binary (JJF 1069; ILAC-G8 4.2.2 without a conditional zone); a calibration
    certificate's conformity statement may be conditional (ILAC-G8:09/2019 4.2.3)."""
    if code == "guarded":
        return DecisionRule.guarded(allow_conditional=calibration)
    return DecisionRule.simple()


def decide(item, points: list[dict]) -> dict:
    """Decide the item's points against its regulation; returns the JSON stored with the result."""
    spec = rules_instrument(item.regulation, item.attributes, item.parameters, "item.")
    calibration = item.work_order.kind == "calibration"
    rule = rule_for(item.decision_rule, calibration=calibration)
    measurements = []
    for i, p in enumerate(points):
        qs = {name: quantity(raw, f"points[{i}].quantities.{name}") for name, raw in p["quantities"].items()}
        measurements.append(Measurement(
            TestPoint(p["label"], qs, {k: str(v) for k, v in (p.get("attributes") or {}).items()}),
            QuantityValue(p["error"], p["error_unit"]),
            Uncertainty.of(p["U"] if p["U"] is not None else 0, p["k"] if p["k"] is not None else 2),
        ))
    try:
        result = decide_instrument(spec, measurements, item.stage, rule)
    except RuleError as exc:
        raise rule_error(exc) from exc
    return {
        "regulation": result.regulation, "stage": result.stage, "rule": rule.name, "outcome": str(result.outcome),
        "points": [{"label": d.label, "mpe": d.mpe.describe(), "mpe_upper": str(d.mpe.upper),
                    "mpe_lower": str(d.mpe.lower), "outcome": str(d.outcome),
                    "conformance_probability": d.decision.conformance_probability,
                    "risk": None if d.decision.specific_risk is None else
                    {"kind": str(d.decision.risk_kind), "value": d.decision.specific_risk}}
                   for d in result.points],
        "groups": [{"rule": g.rule, "label": g.label, "statistic": str(g.statistic), "limit": str(g.limit),
                    "unit": g.unit, "outcome": str(g.outcome)} for g in result.groups],
        # Notes on the sources of the rule data (confidence marks) are for the administrators of that data:
        # kept apart, so that the certificate (which prints "notes") never carries them.
        "notes": [n for n in result.notes if not is_provenance_note(n)],
        "provenance": [n for n in result.notes if is_provenance_note(n)],
    }


# JJF 1094-2002 5.3.1: when the expanded uncertainty U95 of the error of indication is at most a third of the
# MPE's absolute value, the error alone decides conformity; its implementation guide adds that the limit is
# sometimes set by the regulation itself (bkd208.com and sutiku.cn quote both, V2). ILAC-G8:09/2019 discusses
# the same ratio as a test uncertainty ratio of 3.
DEFAULT_UNCERTAINTY_RATIO = Decimal(1) / Decimal(3)
DEFAULT_UNCERTAINTY_SOURCE = "JJF 1094-2002 5.3.1"


def capability_problems(item, result) -> list[str]:
    """Why a legal verification verdict may not rest on these points: U above the regulation's limit, or above
    one third of the MPE where the regulation sets none. U is compared as the certificate reports it
    (rounded, JJF 1059.1-2012 5.3.8.1). Calibrations state no verdict and are not checked."""
    from . import certificates as certs

    if item.work_order.kind != "verification" or not item.regulation or result is None:
        return []
    reg = load_regulation(item.regulation)
    ratio, source = reg.uncertainty_limit or (DEFAULT_UNCERTAINTY_RATIO, DEFAULT_UNCERTAINTY_SOURCE)
    limit_text = _ratio_text(ratio)
    decided = (result.decision or {}).get("points") or []
    problems = []
    for p in result.points.all():
        if p.expanded_uncertainty is None or p.position >= len(decided):
            continue
        d = decided[p.position]
        mpe = (Decimal(d["mpe_upper"]) - Decimal(d["mpe_lower"])) / 2
        U = certs.reported_uncertainty(p.expanded_uncertainty)
        if mpe <= 0 or U <= mpe * ratio:
            continue
        unit = certs.unit_text(p.error_unit)
        upper, lower = Decimal(d["mpe_upper"]).normalize(), Decimal(d["mpe_lower"]).normalize()
        mpe_text = f"±{upper} {unit}" if lower == -upper else f"{lower} .. {upper} {unit}"
        problems.append(_(
            "%(instrument)s, test point %(label)s: U = %(U)s %(unit)s is %(ratio)s of the MPE %(mpe)s; a verification "
            "verdict needs U ≤ %(limit)s of the MPE (%(source)s). Measure with a smaller uncertainty or issue a "
            "calibration certificate.")
            % {"instrument": item.instrument, "label": p.label, "U": format(U, "f"), "unit": unit,
               "ratio": f"{U / mpe:.2f}", "mpe": mpe_text, "limit": limit_text,
               "source": source})
    return problems


def _ratio_text(ratio: Decimal) -> str:
    for n in (2, 3, 4, 5, 10):
        if abs(ratio * n - 1) < Decimal("1e-9"):
            return f"1/{n}"
    return decimal_text(ratio)

