"""How values read on pages and in exports: one format for times and dates, decimals as people write them.

Times are shown in Asia/Shanghai (``settings.TIME_ZONE``) as ``2026-12-04 04:32`` in every language, dates
as ``2026-12-04``; never UTC, never microseconds. Decimal fields store a fixed number of places
(``0.000000``); a reader sees the number as entered (``0``, ``30``, ``0.5``). Templates get the same
formats from ``jiliang/formats/`` (Django's FORMAT_MODULE_PATH) and the ``|show`` filter of ``jiliang``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .values.decimals import decimal_text

__all__ = ["DATE", "DATETIME", "OUTCOME_LABELS", "decimal_text", "display", "local_datetime_text", "outcome_label"]

# Outcomes of a conformity decision (verification/rules/decision.py Outcome), as the pages name them.
OUTCOME_LABELS = {"pass": gettext_lazy("conforming"), "fail": gettext_lazy("non-conforming"),
                  "conditional": gettext_lazy("conditional")}


def outcome_label(code: str) -> str:
    return str(OUTCOME_LABELS.get(code, code)) if code else ""

DATETIME = "%Y-%m-%d %H:%M"
DATE = "%Y-%m-%d"


def local_datetime_text(value: dt.datetime) -> str:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATETIME)


def display(value, empty: str = "—"):
    """A field value as the pages show it; values other than these pass through unchanged."""
    if value is None or value == "":
        return empty
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return local_datetime_text(value)
    if isinstance(value, dt.date):
        return value.strftime(DATE)
    if isinstance(value, Decimal):
        return decimal_text(value)
    return value
