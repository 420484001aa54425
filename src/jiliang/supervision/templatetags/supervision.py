"""Template filters of the supervision pages."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def pct(rate) -> str:
    """A rates.Rate as a percentage with one decimal ("—" when nothing was due: not a failure)."""
    if rate is None or rate.value is None:
        return "—"
    return f"{100 * rate.value:.1f} %"
