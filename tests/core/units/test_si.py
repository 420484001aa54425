"""One units package: every D-SI unit has one symbol, and quantities compare through normalised SI values.

The correspondences pinned here are published ones: the D-SI strings of PTB's D-SI guide (D-SI 2.1.0,
doi 10.5281/zenodo.3366901; NIM's Chinese translation, doi 10.5281/zenodo.4003413) with the symbols of the
SI brochure, 9th edition (BIPM 2019, Tables 2, 4, 5, 8), and the brochure's definitions of the units accepted
for use with the SI (Table 8) and of the derived units in base units (Table 4).
"""

import subprocess
import sys
from decimal import Decimal
from fractions import Fraction

import pytest

from jiliang.core import units
from jiliang.core.units import dsi, si, symbols

# D-SI string → SI brochure symbol (brochure Table 2 base units, Table 4 derived, Table 8 accepted, 5.4.3)
PUBLISHED = [
    ("\\metre", "m"), ("\\kilogram", "kg"), ("\\second", "s"), ("\\ampere", "A"), ("\\kelvin", "K"),
    ("\\mole", "mol"), ("\\candela", "cd"), ("\\newton", "N"), ("\\pascal", "Pa"), ("\\joule", "J"),
    ("\\watt", "W"), ("\\ohm", "Ω"), ("\\degreecelsius", "°C"), ("\\hertz", "Hz"), ("\\litre", "L"),
    ("\\tonne", "t"), ("\\hour", "h"), ("\\minute", "min"), ("\\electronvolt", "eV"), ("\\astronomicalunit", "au"),
    ("\\micro\\metre", "µm"), ("\\metre\\second\\tothe{-1}", "m/s"), ("\\metre\\tothe{2}", "m²"),
]


@pytest.mark.parametrize("dsi_text, sym", PUBLISHED)
def test_published_symbols(dsi_text, sym):
    assert units.symbol(dsi_text) == sym
    assert units.same_unit(units.to_dsi(sym), dsi_text)


def test_the_two_tables_agree_on_every_unit():
    """The D-SI parser accepted 23 units the symbol table had no symbol for (they printed as 'astronomicalunit')."""
    assert set(symbols.UNIT_SYMBOLS) == dsi.UNITS
    assert set(symbols.PREFIX_SYMBOLS) == set(dsi.PREFIXES)
    assert [units.symbol(u) for u in ("\\astronomicalunit", "\\angstrom", "\\gauss", "\\knot")] == ["au", "Å", "G", "kn"]
    read = {s: u for u, s in symbols.UNIT_SYMBOLS.items() if u not in symbols.PRINT_ONLY}
    assert len(read) == len(symbols.UNIT_SYMBOLS) - len(symbols.PRINT_ONLY), "one unit a typed symbol"
    assert units.to_dsi("B") == "\\bel" and units.to_dsi("MPa") == "\\mega\\pascal" and units.to_dsi("G" + "Pa") \
        == "\\giga\\pascal"


@pytest.mark.parametrize("value, unit, expected", [
    ("15", "t", "15000"), ("1", "kWh", "3600000"), ("2.5", "L", "0.0025"), ("1", "bar", "100000"),
    ("1", "eV", "1.602176634E-19"), ("20", "°C", "293.15"), ("1", "km/h", "0.2777777777777777777777777777777778"),
    ("3", "m³/h", "0.0008333333333333333333333333333333333"), ("500", "g", "0.5"), ("1", "MPa", "1000000"),
    ("50", "%", "0.5"), ("1", "\\kibi\\byte", "8192"),
])
def test_normalised_si_values(value, unit, expected):
    assert units.si_value(Decimal(value), units.to_dsi(unit)) == Decimal(expected)


def test_derived_units_in_base_units():
    """SI brochure Table 4: Pa = kg m⁻¹ s⁻², J = kg m² s⁻², W = kg m² s⁻³, V = kg m² s⁻³ A⁻¹."""
    def dim(u):
        return dict(si.coherent(units.to_dsi(u)).dimension)
    assert dim("Pa") == {"kilogram": 1, "metre": -1, "second": -2}
    assert dim("J") == dim("kWh") == dim("N·m") == dim("W·s")
    assert dim("V") == {"kilogram": 1, "metre": 2, "second": -3, "ampere": -1}
    assert si.coherent("\\degreecelsius").offset == Fraction(27315, 100)
    assert si.coherent("\\degreecelsius\\minute\\tothe{-1}").offset == 0  # an interval inside a compound


def test_compare_across_units_and_kinds():
    assert units.compare(Decimal("15"), "\\tonne", Decimal("20000"), "\\kilogram") == -1
    assert units.compare(Decimal("0.1"), "\\mega\\pascal", Decimal("1"), "\\bar") == 0
    assert units.compare(Decimal("30"), "\\degreecelsius", Decimal("300"), "\\kelvin") == 1
    assert units.compare(Decimal("1"), "\\kilogram", Decimal("1"), "\\ampere") is None
    assert units.compare(Decimal("1"), "\\hertz", Decimal("1"), "\\becquerel") is None  # brochure 2.3.4
    assert units.compare(Decimal("1"), "\\degree", Decimal("1"), "\\radian") is None  # π/180 is not exact
    assert not units.commensurable("\\decibel", "\\one")


def test_registry_units():
    assert units.registry_dsi("m³/h") == "\\metre\\tothe{3}\\hour\\tothe{-1}"
    assert units.registry_dsi("bogus") == "" and units.registry_dsi(None) == ""


def test_units_import_no_django():
    code = ("import sys, jiliang.core.units;"
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_units_differing_by_a_prefix_convert_others_do_not():
    """The one prefix converter (core.units.prefix_factor), used by traceability's chains and coverage."""
    from jiliang.traceability.chain import unit_factor

    assert units.prefix_factor("kPa", "MPa") == Decimal("0.001")
    assert units.prefix_factor("kg", "g") == 1000
    assert units.prefix_factor("mg", "kg") == Decimal("1E-6")
    assert units.prefix_factor("µm", "cm") == Decimal("0.0001")
    assert units.prefix_factor("m³/h", "L/min") is None
    assert units.prefix_factor("t", "kg") is None
    assert units.prefix_factor("%LEL", "%LEL") == 1
    assert units.prefix_factor("µmol/mol", "%LEL") is None
    assert unit_factor("mg", "kg") == pytest.approx(1e-6)
    assert unit_factor("", "kg") is None and unit_factor("kg", "") is None
    assert unit_factor("°C", "K") is None
