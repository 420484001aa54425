"""Number formats of budget tables: significant digits and shares of variance as percentages."""

import math

from django import template

register = template.Library()


@register.filter
def sig(value, digits=4):
    """``value`` to ``digits`` significant digits (∞ for None, as budgets write infinite dof)."""
    if value is None:
        return "∞"
    try:
        x = float(value)
    except (TypeError, ValueError):
        return value
    if not math.isfinite(x):
        return "∞" if x > 0 else str(x)
    return f"{x:.{int(digits)}g}"


@register.filter
def percent(value, decimals=1):
    try:
        return f"{float(value) * 100:.{int(decimals)}f} %"
    except (TypeError, ValueError):
        return value


HEADERS = (
    ("输入量", "Input quantity"), ("估计值", "Estimate"), ("标准不确定度", "Standard uncertainty"),
    ("分布", "Distribution"), ("灵敏系数", "Sensitivity coefficient"), ("|c·u|", "Contribution"),
    ("自由度", "Degrees of freedom"), ("方差贡献", "Share of variance"),
)


@register.simple_tag
def budget_headers():
    """The JJF 1059.1 column names, each with its translation where that says something else."""
    from django.utils.translation import gettext

    out = []
    for zh, en in HEADERS:
        text = gettext(en)
        out.append((zh, "" if text == zh else text))
    return out
