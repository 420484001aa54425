"""``{% load formatting %}``: ``{{ value|show }}`` prints a value as every page does (core/formatting.py)."""

from django import template

from jiliang.core.formatting import display
from jiliang.core.values.decimals import number_text

register = template.Library()


@register.filter
def show(value, empty="—"):
    return display(value, empty)


@register.filter
def decimal(value):
    """A decimal as entered: ``30.000000`` → ``30``."""
    return number_text(value)
