"""D-SI unit strings (PTB D-SI 2.1.0 si:unit; reference protocols-energy-dcc.md §5)."""

from fractions import Fraction

import pytest

from jiliang.core.units.dsi import UnitError, parse_unit, same_unit


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("\\kilo\\watt\\hour", "\\kilo\\watt\\hour"),
        ("\\percent", "\\percent"),
        ("\\degreecelsius", "\\degreecelsius"),
        ("\\ohm", "\\ohm"),
        ("\\volt", "\\volt"),
        ("\\milli\\ampere", "\\milli\\ampere"),
        ("\\micro\\metre", "\\micro\\metre"),
        ("\\kilogram", "\\kilogram"),
        ("\\milli\\gram", "\\milli\\gram"),
        ("\\metre\\tothe{3}\\per\\hour", "\\metre\\tothe{3}\\hour\\tothe{-1}"),
        ("\\metre\\second\\tothe{-1}", "\\metre\\second\\tothe{-1}"),
        ("\\litre\\per\\minute", "\\litre\\minute\\tothe{-1}"),
        ("\\hertz\\tothe{0.5}", "\\hertz\\tothe{0.5}"),
        ("\\one", "\\one"),
        ("\\kibi\\byte", "\\kibi\\byte"),
    ],
)
def test_valid_units(text, canonical):
    assert parse_unit(text).canonical() == canonical


def test_same_unit_ignores_notation():
    assert same_unit("\\metre\\per\\second", "\\metre\\second\\tothe{-1}")
    assert same_unit("\\second\\tothe{-1}\\metre", "\\metre\\per\\second")
    assert not same_unit("\\kilo\\metre", "\\metre")
    assert not same_unit("\\percent", "\\one")


def test_exponents_are_exact():
    (factor,) = parse_unit("\\hertz\\tothe{-0.5}").factors
    assert factor.exponent == Fraction(-1, 2)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("\\degreeCelsius", "D-SI writes '\\degreecelsius'"),
        ("\\meter", "D-SI writes '\\metre'"),
        ("\\kilo\\gram", "'\\kilogram'"),
        ("\\milli\\kilogram", "takes no prefix"),
        ("\\percent\\tothe{2}", "takes no exponent"),
        ("\\kilo\\percent", "takes no prefix"),
        ("\\kibi\\metre", "binary prefix"),
        ("\\foo", "unknown D-SI unit '\\foo'"),
        ("\\kilo", "has no unit"),
        ("\\metre\\per", "has no unit after it"),
        ("\\metre\\tothe{two}", "needs a number"),
        ("\\metre\\tothe{0}", "exponent 0"),
        ("kg", "unexpected text 'kg'"),
        ("\\metre ", "white space"),
        ("\\metre\\kilo\\per\\second", "cannot follow a prefix"),
        ("", "empty"),
    ],
)
def test_invalid_units_are_refused_clearly(text, words):
    with pytest.raises(UnitError) as err:
        parse_unit(text)
    assert words in str(err.value)
    assert err.value.unit == text
