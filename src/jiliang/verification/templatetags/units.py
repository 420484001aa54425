"""Template filters that print units and quantities as on a certificate (``0.4 MPa``, ``20 °C``, ``0–150 kg``)."""

from django import template
from django.utils.translation import gettext_lazy as _

from jiliang.core.units import symbols as unit_symbols

register = template.Library()

OUTCOMES = {"pass": _("pass"), "fail": _("fail"), "conditional": _("conditional"),
            "conditional_pass": _("conditional pass"), "conditional_fail": _("conditional fail")}


@register.filter
def unit(value: str) -> str:
    """``\\mega\\pascal`` → ``MPa``."""
    return unit_symbols.symbol(value or "")


@register.filter
def qty(value, unit_text: str) -> str:
    """``{{ p.reference_value|qty:p.unit }}`` → ``2.5 kg``."""
    return unit_symbols.quantity(value, unit_text or "")


@register.filter
def num(value) -> str:
    """A decimal as entered (``0.4``, not ``0.400000``)."""
    return unit_symbols.number(value)


@register.filter
def units_in(text: str) -> str:
    """D-SI units inside a text (an MPE description) replaced by their symbols."""
    return unit_symbols.symbols_in(text or "")


@register.filter
def mpe_short(text: str) -> str:
    """The MPE as a reader wants it in a table (``±0.0025 kg``); its sources go in a tooltip."""
    return unit_symbols.symbols_in((text or "").split(" (")[0]) or "—"


@register.filter
def outcome_label(code: str) -> str:
    return str(OUTCOMES.get(code or "", code or "—"))
