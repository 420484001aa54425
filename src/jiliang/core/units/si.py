"""Quantities normalised to coherent SI units, so that the registry compares ``15 t`` with ``20000 kg``.

A unit is reduced to a factor and a product of base units (SI brochure, 9th edition (2019), Table 2 for the
base units, Table 4 for the 22 derived units with special names expressed in base units, Table 8 for the
non-SI units accepted for use with the SI; 8th edition (2006) Tables 8 and 9 for ``bar``, ``Å``, the nautical
mile, ``b``, ``kn`` and the CGS units D-SI still lists). Only exact definitions are used: a unit whose factor
is a measured constant (dalton, the atomic and natural units), an irrational number (degree, arcminute,
arcsecond, oersted) or conventional (mmHg), and the logarithmic units (neper, bel, decibel), stay units of
their own and compare only with themselves. Radian, steradian, becquerel, gray and sievert keep their names
too: the brochure gives them for distinct kinds of quantity (2.3.4), and ``Hz`` is not ``Bq``.

Degree Celsius is the one affine unit: ``t/°C = T/K − 273.15`` (brochure 2.3.1). A temperature in °C
normalises to kelvin with that offset when °C stands alone; inside a compound (``°C/min``) it is an
interval and scales like the kelvin.

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

from .dsi import PREFIXES, DsiUnit, UnitError, parse_unit

_F = Fraction

#: Base units (brochure Table 2). ``kilogram`` is the base; ``gram`` is 10⁻³ kg.
_BASE = {"metre": "m", "kilogram": "kg", "second": "s", "ampere": "A", "kelvin": "K", "mole": "mol", "candela": "cd"}

#: Each unit as (exact factor, {base unit: exponent}) in coherent SI units.
_DEFINITIONS: dict[str, tuple[Fraction, dict[str, int]]] = {
    **{name: (_F(1), {name: 1}) for name in _BASE},
    "gram": (_F(1, 1000), {"kilogram": 1}),
    # Table 4: derived units with special names, in base units
    "hertz": (_F(1), {"second": -1}),
    "newton": (_F(1), {"kilogram": 1, "metre": 1, "second": -2}),
    "pascal": (_F(1), {"kilogram": 1, "metre": -1, "second": -2}),
    "joule": (_F(1), {"kilogram": 1, "metre": 2, "second": -2}),
    "watt": (_F(1), {"kilogram": 1, "metre": 2, "second": -3}),
    "coulomb": (_F(1), {"ampere": 1, "second": 1}),
    "volt": (_F(1), {"kilogram": 1, "metre": 2, "second": -3, "ampere": -1}),
    "farad": (_F(1), {"kilogram": -1, "metre": -2, "second": 4, "ampere": 2}),
    "ohm": (_F(1), {"kilogram": 1, "metre": 2, "second": -3, "ampere": -2}),
    "siemens": (_F(1), {"kilogram": -1, "metre": -2, "second": 3, "ampere": 2}),
    "weber": (_F(1), {"kilogram": 1, "metre": 2, "second": -2, "ampere": -1}),
    "tesla": (_F(1), {"kilogram": 1, "second": -2, "ampere": -1}),
    "henry": (_F(1), {"kilogram": 1, "metre": 2, "second": -2, "ampere": -2}),
    "degreecelsius": (_F(1), {"kelvin": 1}),
    "lumen": (_F(1), {"candela": 1, "steradian": 1}),
    "lux": (_F(1), {"candela": 1, "steradian": 1, "metre": -2}),
    "katal": (_F(1), {"mole": 1, "second": -1}),
    # Table 8: non-SI units accepted for use with the SI (exact ones)
    "minute": (_F(60), {"second": 1}),
    "hour": (_F(3600), {"second": 1}),
    "day": (_F(86400), {"second": 1}),
    "hectare": (_F(10**4), {"metre": 2}),
    "litre": (_F(1, 1000), {"metre": 3}),
    "tonne": (_F(1000), {"kilogram": 1}),
    "electronvolt": (_F(1602176634, 10**28), {"kilogram": 1, "metre": 2, "second": -2}),
    "astronomicalunit": (_F(149597870700), {"metre": 1}),
    # 8th edition Tables 8 and 9 (exact ones)
    "bar": (_F(10**5), {"kilogram": 1, "metre": -1, "second": -2}),
    "angstrom": (_F(1, 10**10), {"metre": 1}),
    "nauticalmile": (_F(1852), {"metre": 1}),
    "knot": (_F(1852, 3600), {"metre": 1, "second": -1}),
    "barn": (_F(1, 10**28), {"metre": 2}),
    "erg": (_F(1, 10**7), {"kilogram": 1, "metre": 2, "second": -2}),
    "dyne": (_F(1, 10**5), {"kilogram": 1, "metre": 1, "second": -2}),
    "poise": (_F(1, 10), {"kilogram": 1, "metre": -1, "second": -1}),
    "stokes": (_F(1, 10**4), {"metre": 2, "second": -1}),
    "stilb": (_F(10**4), {"candela": 1, "metre": -2}),
    "phot": (_F(10**4), {"candela": 1, "steradian": 1, "metre": -2}),
    "gal": (_F(1, 100), {"metre": 1, "second": -2}),
    "maxwell": (_F(1, 10**8), {"kilogram": 1, "metre": 2, "second": -2, "ampere": -1}),
    "gauss": (_F(1, 10**4), {"kilogram": 1, "second": -2, "ampere": -1}),
    # dimensionless and information
    "one": (_F(1), {}),
    "percent": (_F(1, 100), {}),
    "ppm": (_F(1, 10**6), {}),
    "byte": (_F(8), {"bit": 1}),
}

_BINARY = {"kibi": 10, "mebi": 20, "gibi": 30, "tebi": 40, "pebi": 50, "exbi": 60, "zebi": 70, "yobi": 80}
_KELVIN_OFFSET = Fraction(27315, 100)


@dataclass(frozen=True)
class Coherent:
    """A unit as ``factor × base units + offset``: ``value_si = value × factor + offset``."""

    factor: Fraction
    dimension: frozenset[tuple[str, Fraction]]
    offset: Fraction = Fraction(0)


def coherent(unit: str | DsiUnit) -> Coherent:
    """The coherent SI form of a D-SI unit (``\\kilo\\watt\\hour`` → 3.6 × 10⁶ kg·m²·s⁻²)."""
    u = unit if isinstance(unit, DsiUnit) else parse_unit(unit)
    factor, powers = Fraction(1), {}
    for f in u.factors:
        own, base = _DEFINITIONS.get(f.unit, (Fraction(1), {f.unit: 1}))
        scale = own * (Fraction(2) ** _BINARY[f.prefix] if f.prefix in _BINARY
                       else Fraction(10) ** PREFIXES.get(f.prefix or "", 0))
        if f.exponent.denominator != 1:
            if scale != 1:
                raise UnitError(f"'{u.text}': a fractional power of a scaled unit has no exact SI factor", u.text)
        else:
            factor *= scale ** int(f.exponent)
        for name, power in base.items():
            powers[name] = powers.get(name, Fraction(0)) + power * f.exponent
    alone = len(u.factors) == 1 and u.factors[0].unit == "degreecelsius" and u.factors[0].exponent == 1 \
        and not u.factors[0].prefix
    return Coherent(factor, frozenset((k, v) for k, v in powers.items() if v), _KELVIN_OFFSET if alone else Fraction(0))


def commensurable(a: str | DsiUnit, b: str | DsiUnit) -> bool:
    """Whether values in ``a`` and ``b`` measure the same kind of quantity (same coherent SI dimension)."""
    return coherent(a).dimension == coherent(b).dimension


def si_value(value: Decimal, unit: str | DsiUnit) -> Decimal:
    """``value`` in ``unit`` as a value in the coherent SI unit (``15`` t → ``15000`` kg; ``20`` °C → ``293.15`` K).

    Exact for terminating results; otherwise rounded to 34 significant digits (IEEE 754 decimal128)."""
    c = coherent(unit)
    exact = Fraction(value) * c.factor + c.offset
    with localcontext() as ctx:
        ctx.prec = 34
        return Decimal(exact.numerator) / Decimal(exact.denominator)


def compare(a: Decimal, a_unit: str | DsiUnit, b: Decimal, b_unit: str | DsiUnit) -> int | None:
    """-1, 0 or 1 as ``a a_unit`` is below, equal to or above ``b b_unit``; None when the units measure
    different kinds of quantity."""
    ca, cb = coherent(a_unit), coherent(b_unit)
    if ca.dimension != cb.dimension:
        return None
    x, y = Fraction(a) * ca.factor + ca.offset, Fraction(b) * cb.factor + cb.offset
    return (x > y) - (x < y)
