"""A decimal as people write it: ``Decimal('30.000000')`` → ``30``, ``Decimal('1E+3')`` → ``1000``.

Decimal fields store a fixed number of places and Decimal arithmetic may produce an exponent; pages,
exports, API payloads, certificate content and audit snapshots all show the shortest exact positional
text of the value. Where the written digits carry meaning (a rounded uncertainty, D-SI ``kValueType``),
use ``format(d, "f")`` instead, which keeps them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def decimal_text(value: Decimal | int | str) -> str:
    """The shortest positional text of ``value``: no exponent, no trailing zeros, ``-0`` read as ``0``.

    NaN and the infinities come back as ``str(value)`` (``NaN``, ``Infinity``, ``-Infinity``)."""
    if not isinstance(value, Decimal):
        value = Decimal(str(value))
    if not value.is_finite():
        return str(value)
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def optional_decimal_text(value) -> str | None:
    """:func:`decimal_text`, or None for None (API payloads keep a missing value missing)."""
    return None if value is None else decimal_text(value)


def number_text(value) -> str:
    """:func:`decimal_text` for anything a template or form may hold: ``""`` for None or ``""``, and a
    value that is not a finite number comes back as its own text rather than failing the page."""
    if value is None or value == "":
        return ""
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return decimal_text(d) if d.is_finite() else str(value)
