"""Validation of the GUM uncertainty framework by the Monte Carlo method (JCGM 101 clause 8)."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UncertaintyError
from .gum import GumOutput
from .montecarlo import MonteCarloOutput, numerical_tolerance


@dataclass(frozen=True)
class Validation:
    """d_low, d_high and the verdict of JCGM 101 8.1."""

    d_low: float
    d_high: float
    delta: float
    ndig: int
    interval: str
    validated: bool

    def to_dict(self) -> dict:
        return {"gum_validated": self.validated, "d_low": self.d_low, "d_high": self.d_high,
                "delta": self.delta, "ndig": self.ndig, "mc_interval": self.interval}


def validate_gum(gum: GumOutput, mc: MonteCarloOutput, ndig: int = 2, interval: str = "shortest") -> Validation:
    """Compare the GUM interval y ± U_p with the Monte Carlo coverage interval (JCGM 101 8.1).

    δ is the numerical tolerance of u(y) from the GUM framework with ``ndig`` significant
    digits (8.1.1, 7.9.2); d_low = |y − U_p − y_low|, d_high = |y + U_p − y_high| (8.1.3); the
    GUM framework is validated when both are at most δ (8.1.4).
    """
    if interval not in {"shortest", "symmetric"}:
        raise UncertaintyError("interval must be 'shortest' or 'symmetric'", "validation.interval")
    low, high = mc.interval_shortest if interval == "shortest" else mc.interval_symmetric
    delta = numerical_tolerance(gum.u, ndig)
    d_low = abs(gum.y - gum.U - low)
    d_high = abs(gum.y + gum.U - high)
    return Validation(d_low, d_high, delta, ndig, interval, d_low <= delta and d_high <= delta)
