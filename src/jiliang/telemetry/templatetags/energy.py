"""Template filters of the energy pages: percentages rounded so that they never contradict a flag."""

from __future__ import annotations

import math

from django import template

register = template.Library()


def _scaled(value: float, digits: int) -> float:
    return round(100 * float(value) * 10 ** digits, 6)  # 6 places absorb binary noise (0.29 × 1000 = 289.999…)


def pct_down(value: float | None, digits: int = 1) -> float | None:
    """``value`` (a ratio) in per cent, rounded down: a completeness of 89.96 % shows as 89.9 %, never as a
    flagged "90.0 %"."""
    return None if value is None else math.floor(_scaled(value, digits)) / 10 ** digits


def pct_up(value: float | None, digits: int = 2) -> float | None:
    """``value`` (a ratio) in per cent, rounded up: a deviation of 5.001 % shows as 5.01 %, never as a
    flagged "5.00 %"."""
    return None if value is None else math.ceil(_scaled(value, digits)) / 10 ** digits


def _text(value: float | None, digits: int) -> str:
    return "—" if value is None else f"{value:.{digits}f} %"


@register.filter
def pct_floor(value, digits=1):
    return _text(pct_down(value, int(digits)), int(digits))


@register.filter
def pct_ceil(value, digits=2):
    return _text(pct_up(value, int(digits)), int(digits))
