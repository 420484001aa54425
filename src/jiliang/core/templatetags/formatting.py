"""``{% load formatting %}``: ``{{ value|show }}`` prints a value as every page does (core/formatting.py)."""

from django import template

from jiliang.core.formatting import decimal_text, display

register = template.Library()


@register.filter
def show(value, empty="—"):
    return display(value, empty)


@register.filter
def decimal(value):
    """A decimal as entered: ``30.000000`` → ``30``."""
    from decimal import Decimal, InvalidOperation

    if value is None or value == "":
        return ""
    try:
        return decimal_text(value if isinstance(value, Decimal) else Decimal(str(value)))
    except InvalidOperation:
        return value
