"""The verification period or service life of an instrument: the one row of its regulation's period table
whose condition the instrument meets (pure; no Django).

A regulation may give several rows: JJG 162-2019 water meters for trade settlement, DN ≤ 25 mm and
Q3 ≤ 16 m³/h, first verification only with a life of 6 years, 25 mm < DN ≤ 50 mm 4 years, larger meters
periodic every 2 years; JJG 577-2012 diaphragm gas meters 10 years for natural gas and 6 years for
manufactured gas or LPG (``shared/reference/legal-metrology.md`` §5). The conditions are data
(``verification_periods[].conditions``: attribute values such as the gas kind or the accuracy class,
ranges of parameters such as the nominal diameter DN). Exactly one row must match: none, several, or a
condition that cannot be decided because the instrument lacks the attribute or parameter it names, is a
:class:`~.decision.RuleError` naming the rows and what is missing, so no certificate gets a validity the
regulation does not give.
"""

from __future__ import annotations

from decimal import Decimal

from .conformity import Instrument, _resolve
from .decision import RuleError
from .loader import Bound, ParameterRange, PeriodCondition, VerificationPeriod


def _within(value: Decimal, lower: Bound | None, upper: Bound | None) -> bool:
    if lower is not None and (value < lower.value or (value == lower.value and not lower.inclusive)):
        return False
    return not (upper is not None and (value > upper.value or (value == upper.value and not upper.inclusive)))


def _condition(cond: PeriodCondition, attrs, params, missing: dict[str, str]) -> bool | None:
    """True / False, or None when a fact it needs is missing (recorded in ``missing``)."""
    unknown: dict[str, str] = {}
    for name, values in cond.when.items():
        if name not in attrs:
            unknown[f"attributes.{name}"] = name
        elif attrs[name] not in values:
            return False
    for rng in cond.ranges:
        rng: ParameterRange
        if rng.param not in params:
            unknown[f"parameters.{rng.param}"] = rng.param
        elif not _within(params[rng.param].value, rng.lower, rng.upper):
            return False
    if unknown:
        missing.update(unknown)
        return None
    return True


def _row(period: VerificationPeriod, attrs, params, missing: dict[str, str]) -> bool | None:
    if not period.conditions:
        return True
    results = [_condition(c, attrs, params, missing) for c in period.conditions]
    if any(r is True for r in results):
        return True
    return None if any(r is None for r in results) else False


def verification_period(instrument: Instrument) -> VerificationPeriod:
    """The period row of ``instrument``'s regulation that applies to it; RuleError unless exactly one does."""
    res = _resolve(instrument)
    reg = res.reg
    if not reg.verification_periods:
        raise RuleError(f"{reg.id} gives no verification period", "regulation")
    missing: dict[str, str] = {}
    outcome = [(p, _row(p, res.attributes, res.parameters, missing)) for p in reg.verification_periods]
    matched = [p for p, ok in outcome if ok is True]
    undecided = [p for p, ok in outcome if ok is None]
    if len(matched) == 1 and not undecided:
        return matched[0]
    rows = "; ".join(f"{p.months} months ({p.condition['en'] if p.condition else p.describe()})"
                     for p in (matched + undecided if matched or undecided else reg.verification_periods))
    if undecided:
        names = sorted(set(missing.values()))
        what = ", ".join(f"{n} ({_describe(reg, n)})" for n in names)
        raise RuleError(f"the validity under {reg.id} depends on {what}, which the instrument's record does not "
                        f"give; rows: {rows}", sorted(missing)[0])
    if not matched:
        raise RuleError(f"the instrument meets the condition of no row of {reg.id}'s period table: {rows}",
                        "verification_period")
    raise RuleError(f"the instrument meets the conditions of several rows of {reg.id}'s period table: {rows}",
                    "verification_period")


def _describe(reg, name: str) -> str:
    if name in reg.parameters:
        return reg.parameters[name].description
    return reg.attributes[name].description
