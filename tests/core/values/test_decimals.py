"""One decimal-to-text for pages, exports, API payloads, certificate content and audit snapshots."""

import subprocess
import sys
from decimal import Decimal

import pytest

from jiliang.core.values.decimals import decimal_text, number_text, optional_decimal_text


@pytest.mark.parametrize("value, text", [
    (Decimal("0.000000"), "0"), (Decimal("30.000000"), "30"), (Decimal("0.500"), "0.5"), (Decimal("1E+3"), "1000"),
    (Decimal("-0.000"), "0"), (Decimal("12.345600"), "12.3456"), (Decimal("100"), "100"), (Decimal("1E-7"), "0.0000001"),
    (Decimal("-2.50"), "-2.5"), (7, "7"), ("0.40", "0.4"), (Decimal("NaN"), "NaN"), (Decimal("-Infinity"), "-Infinity"),
])
def test_decimal_text(value, text):
    assert decimal_text(value) == text


def test_optional_keeps_missing_missing():
    assert optional_decimal_text(None) is None
    assert optional_decimal_text(Decimal("1.50")) == "1.5"


@pytest.mark.parametrize("value, text", [
    (None, ""), ("", ""), ("abc", "abc"), ("nan", "nan"), (0.4, "0.4"), (Decimal("150.000"), "150"), ("-0", "0"),
])
def test_number_text_is_lenient(value, text):
    assert number_text(value) == text


def test_values_import_no_django():
    code = ("import sys, jiliang.core.values.decimals, jiliang.core.values.canonical, jiliang.core.values.chunks;"
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
