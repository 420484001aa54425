"""Decision rules (ILAC-G8:09/2019) and the specific risks of a conformity decision (JCGM 106:2012).

A tolerance interval [T_L, T_U] (for a verification: -MPE .. +MPE of the error of indication) and a
measured error y with expanded uncertainty U (coverage factor k, coverage probability p) give:

* **Simple acceptance** (ILAC-G8:09/2019 4.2.1, guard band w = 0): pass when T_L <= y <= T_U, else
  fail. A value exactly at the MPE passes. ILAC-G8 notes the specific risk of false accept can then be
  up to 50 % (a measured value on the limit).
* **Guarded acceptance** with w = U (ILAC-G8:09/2019 4.2.2): pass when T_L + w <= y <= T_U - w; fail
  when y < T_L - w or y > T_U + w; in between, *conditional* (ILAC-G8 4.2.3, "conditional pass /
  conditional fail") when the rule allows it, otherwise fail. For a normal PDF with k = 2 the specific
  risk of false accept of an accepted item is then at most Phi(-2) = 2.3 % (ILAC-G8 4.2.2: "< 2.5 %").

The **specific risk** (JCGM 106:2012 9.3) of the decision on this one item assumes the normal
measurement model of JCGM 106 7.3: given the measured value y and standard uncertainty u = U/k, the
true value is N(y, u^2), and the conformance probability is

    p_c = Phi((T_U - y)/u) - Phi((T_L - y)/u)                 (JCGM 106:2012 7.3)

An accepted item carries the specific consumer's risk R*_C = 1 - p_c (JCGM 106:2012 9.3: the
probability that the true value lies outside the tolerance interval); a rejected item the specific
producer's risk R*_P = p_c (the probability that it lies inside). Tail probabilities are computed with
``scipy.stats.norm.sf`` so that small risks keep their precision.

The comparisons are done on :class:`~decimal.Decimal` so that an error exactly at the MPE is exactly
at the MPE; only the risk is a float.

:class:`RuleError` is the one exception of :mod:`jiliang.verification.rules`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from scipy.stats import norm


class RuleError(ValueError):
    """A regulation file, instrument, test point or measurement that cannot be evaluated.

    ``field`` names what is wrong: a test point and its quantity (``points[Q3].T``), an instrument
    parameter (``parameters.Ib``), the stage, or for a data file ``<path>: mpe[3].limit.value``.
    """

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def to_dict(self) -> dict:
        return {"field": self.field, "message": self.message}


class Outcome(StrEnum):
    PASS = "pass"  # noqa: S105 - an outcome, not a password
    FAIL = "fail"
    CONDITIONAL = "conditional"


class RiskKind(StrEnum):
    FALSE_ACCEPT = "false_accept"  # specific consumer's risk, JCGM 106:2012 9.3
    FALSE_REJECT = "false_reject"  # specific producer's risk, JCGM 106:2012 9.3


class GuardBand(StrEnum):
    NONE = "none"  # w = 0, simple acceptance (ILAC-G8:09/2019 4.2.1)
    EXPANDED_UNCERTAINTY = "U"  # w = U, guarded acceptance (ILAC-G8:09/2019 4.2.2)


@dataclass(frozen=True, slots=True)
class DecisionRule:
    """A decision rule: the guard band and whether the zone between the limits may be 'conditional'."""

    guard_band: GuardBand = GuardBand.NONE
    allow_conditional: bool = False

    @classmethod
    def simple(cls) -> DecisionRule:
        """Simple acceptance, w = 0 (ILAC-G8:09/2019 4.2.1)."""
        return cls(GuardBand.NONE, False)

    @classmethod
    def guarded(cls, *, allow_conditional: bool = True) -> DecisionRule:
        """Guarded acceptance, w = U (ILAC-G8:09/2019 4.2.2); conditional zone per 4.2.3 if allowed."""
        return cls(GuardBand.EXPANDED_UNCERTAINTY, allow_conditional)

    @property
    def name(self) -> str:
        if self.guard_band is GuardBand.NONE:
            return "simple acceptance (ILAC-G8:09/2019 4.2.1, w = 0)"
        zone = "conditional zone allowed" if self.allow_conditional else "binary"
        return f"guarded acceptance (ILAC-G8:09/2019 4.2.2, w = U, {zone})"

    def width(self, expanded_uncertainty: Decimal) -> Decimal:
        return Decimal(0) if self.guard_band is GuardBand.NONE else expanded_uncertainty


@dataclass(frozen=True, slots=True)
class Decision:
    """The decision on one measured error against one tolerance interval.

    ``acceptance_limits`` are [T_L + w, T_U - w]; ``rejection_limits`` are [T_L - w, T_U + w] (outside
    them the item fails whatever the rule). ``conformance_probability`` is p_c of JCGM 106:2012 7.3;
    ``specific_risk`` is 1 - p_c for a pass (false accept) and p_c for a fail (false reject), None for
    a conditional outcome (both readings are open; p_c says which is likelier).
    """

    outcome: Outcome
    error: Decimal
    lower_limit: Decimal
    upper_limit: Decimal
    guard_band: Decimal
    acceptance_limits: tuple[Decimal, Decimal]
    rejection_limits: tuple[Decimal, Decimal]
    conformance_probability: float
    specific_risk: float | None
    risk_kind: RiskKind | None
    rule: DecisionRule


def conformance_probability(y: float, u: float, lower: float, upper: float) -> float:
    """p_c = Pr(T_L <= true value <= T_U | y) for a normal PDF N(y, u^2) (JCGM 106:2012 7.3).

    u = 0 gives 1 or 0 (the measured value is taken as the true value).
    """
    if u < 0:
        raise RuleError(f"standard uncertainty must not be negative ({u})", "uncertainty")
    if lower > upper:
        raise RuleError(f"lower tolerance limit {lower} is above the upper limit {upper}", "limits")
    if u == 0:
        return 1.0 if lower <= y <= upper else 0.0
    a = (lower - y) / u
    b = (upper - y) / u
    # p_c = Phi(b) - Phi(a), evaluated in the tail where it is small for precision.
    if a >= 0:
        return float(norm.sf(a) - norm.sf(b))
    if b <= 0:
        return float(norm.cdf(b) - norm.cdf(a))
    return float(1.0 - norm.cdf(a) - norm.sf(b))


def nonconformance_probability(y: float, u: float, lower: float, upper: float) -> float:
    """1 - p_c, summed from both tails (precise when small)."""
    if u == 0:
        return 0.0 if lower <= y <= upper else 1.0
    return float(norm.cdf((lower - y) / u) + norm.sf((upper - y) / u))


def decide(
    error: Decimal,
    expanded_uncertainty: Decimal,
    coverage_factor: Decimal,
    lower: Decimal,
    upper: Decimal,
    rule: DecisionRule,
) -> Decision:
    """Decide conformity of ``error`` with the tolerance interval [lower, upper] under ``rule``.

    ``expanded_uncertainty`` U and ``coverage_factor`` k give u = U/k for the specific risk
    (JCGM 106:2012 9.3).
    """
    if expanded_uncertainty < 0:
        raise RuleError(f"expanded uncertainty must not be negative ({expanded_uncertainty})", "uncertainty.U")
    if coverage_factor <= 0:
        raise RuleError(f"coverage factor must be positive ({coverage_factor})", "uncertainty.k")
    if lower > upper:
        raise RuleError(f"lower tolerance limit {lower} is above the upper limit {upper}", "limits")
    w = rule.width(expanded_uncertainty)
    accept = (lower + w, upper - w)
    reject = (lower - w, upper + w)
    if accept[0] <= error <= accept[1]:
        outcome = Outcome.PASS
    elif error < reject[0] or error > reject[1]:
        outcome = Outcome.FAIL
    else:
        outcome = Outcome.CONDITIONAL if rule.allow_conditional else Outcome.FAIL
    u = float(expanded_uncertainty / coverage_factor)
    y, lo, hi = float(error), float(lower), float(upper)
    p_c = conformance_probability(y, u, lo, hi)
    if outcome is Outcome.PASS:
        risk, kind = nonconformance_probability(y, u, lo, hi), RiskKind.FALSE_ACCEPT
    elif outcome is Outcome.FAIL:
        risk, kind = p_c, RiskKind.FALSE_REJECT
    else:
        risk, kind = None, None
    return Decision(
        outcome=outcome,
        error=error,
        lower_limit=lower,
        upper_limit=upper,
        guard_band=w,
        acceptance_limits=accept,
        rejection_limits=reject,
        conformance_probability=p_c,
        specific_risk=risk,
        risk_kind=kind,
        rule=rule,
    )


def worst(outcomes: list[Outcome] | tuple[Outcome, ...]) -> Outcome:
    """The overall outcome of several decisions: any fail fails; else any conditional; else pass."""
    if Outcome.FAIL in outcomes:
        return Outcome.FAIL
    if Outcome.CONDITIONAL in outcomes:
        return Outcome.CONDITIONAL
    return Outcome.PASS
