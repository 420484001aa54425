"""List-page columns: what a list shows, how it sorts, and what goes into its Excel export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html

from .formatting import display


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    accessor: str | Callable | None = None  # attribute path with '.' or a function(obj)
    order_by: str | None = None  # ORM ordering; None = not sortable
    link: bool = False  # link to the object's detail page
    provenance: bool = False  # sources/confidence of reference data: for the provincial administrator only

    def value(self, obj):
        acc = self.accessor or self.name
        if callable(acc):
            return acc(obj)
        value = obj
        for part in acc.split("."):
            if value is None:
                return None
            display = getattr(value, f"get_{part}_display", None)
            value = display() if display and part == acc.split(".")[-1] else getattr(value, part, None)
            if callable(value) and not hasattr(value, "_meta"):
                value = value()
        return value

    def html(self, obj, url: str | None):
        value = self.value(obj)
        if isinstance(value, bool):
            return format_html('<span class="badge text-bg-{}">{}</span>', "success" if value else "secondary",
                               "✓" if value else "—")
        text = display(value, empty="")
        if self.link and url:
            return format_html('<a href="{}">{}</a>', url, text)
        return text
