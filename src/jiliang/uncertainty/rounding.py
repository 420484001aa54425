"""Reporting digits (JJF 1059.1-2012 5.3.8; JCGM 100 7.2.6).

The expanded uncertainty U is given with at most two significant digits (5.3.8.1; when one
digit is chosen and the first digit is 1 or 2, two are given, as its note says). Rounding is
GB/T 8170 (round half to even) by default, or — as 5.3.8.2 allows — every digit after the last
kept one is carried up. The estimate is rounded to the decimal place of the last digit of U
(5.3.8.3). Rounded values are strings built with :mod:`decimal`, so no binary rounding slips in;
the unrounded numbers are always kept alongside.

A binary float carries representation noise in its 16th–17th significant digits (0.1 × 3 is
0.30000000000000004). Carrying every following digit up would turn that noise into a wrong last
digit (0.31), so the value is first rounded half-even to :data:`NOISE_DIGITS` significant digits —
below the precision of any measured uncertainty, above the noise — and only then carried up.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_UP, Decimal

from .errors import UncertaintyError

MODES = {"half_even": ROUND_HALF_EVEN, "up": ROUND_UP}
#: significant digits kept before a carry-up; float64 holds 15 decimal digits exactly (DBL_DIG)
NOISE_DIGITS = 15


def _decimal(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def _denoised(d: Decimal) -> Decimal:
    """``d`` rounded half-even to NOISE_DIGITS significant digits (0.30000000000000004 → 0.3)."""
    if d == 0:
        return d
    return d.quantize(Decimal(1).scaleb(d.adjusted() - NOISE_DIGITS + 1), rounding=ROUND_HALF_EVEN).normalize()


def _mode(mode: str) -> str:
    if mode not in MODES:
        raise UncertaintyError(f"rounding must be one of {', '.join(MODES)}, got {mode!r}", "rounding")
    return MODES[mode]


def round_uncertainty(value: float, digits: int = 2, mode: str = "half_even") -> Decimal:
    """An uncertainty rounded to ``digits`` (1 or 2) significant digits."""
    if digits not in (1, 2):
        raise UncertaintyError(f"significant digits must be 1 or 2, got {digits!r}", "significant_digits")
    if not math.isfinite(value) or value < 0:
        raise UncertaintyError(f"cannot round the uncertainty {value!r}", "rounding")
    if value == 0.0:
        return Decimal(0)
    d = _decimal(value)
    if mode == "up":
        d = _denoised(d)
    exponent = d.adjusted()
    if digits == 1 and int(str(d.scaleb(-exponent))[0]) in (1, 2):
        digits = 2
    rounded = d.quantize(Decimal(1).scaleb(exponent - digits + 1), rounding=_mode(mode))
    if rounded.adjusted() > exponent:  # 0.0996 → 0.100: keep `digits` significant digits
        rounded = rounded.quantize(Decimal(1).scaleb(exponent - digits + 2), rounding=_mode(mode))
    return rounded


def round_to(value: float, like: Decimal) -> Decimal:
    """``value`` rounded half-even to the last decimal place of ``like`` (JJF 1059.1 5.3.8.3)."""
    return _decimal(value).quantize(Decimal(1).scaleb(like.as_tuple().exponent), rounding=ROUND_HALF_EVEN)


def text(d: Decimal) -> str:
    """Plain positional notation (no exponent), e.g. '0.000093' or '50000838'."""
    return format(d, "f")


def display(y: float, u: float, U: float, k: float, *, digits: int = 2, mode: str = "half_even") -> dict:
    """Rounded strings for a result: U and u to ``digits`` significant digits, y and the interval
    to the decimal place of U."""
    if U == 0.0:
        return {"y": repr(float(y)), "u": "0", "U": "0", "k": f"{k:.3g}",
                "interval": [repr(float(y)), repr(float(y))]}
    expanded = round_uncertainty(U, digits, mode)
    standard = round_uncertainty(u, digits, mode)
    value = round_to(y, expanded)
    low, high = value - expanded, value + expanded
    return {
        "y": text(value), "u": text(standard), "U": text(expanded), "k": f"{k:.3g}",
        "interval": [text(low), text(high)],
    }


def display_interval(low: float, high: float, like: float, digits: int = 2, mode: str = "half_even") -> list[str]:
    """An interval's ends rounded to the decimal place of the uncertainty ``like`` rounded."""
    if like == 0.0 or not math.isfinite(like):
        return [repr(float(low)), repr(float(high))]
    ref = round_uncertainty(like, digits, mode)
    return [text(round_to(low, ref)), text(round_to(high, ref))]
