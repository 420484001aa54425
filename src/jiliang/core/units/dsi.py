"""A small parser and validator for D-SI unit strings (``\\kilo\\watt\\hour``, ``\\metre\\tothe{3}\\per\\hour``).

D-SI (PTB's Digital System of Units, the ``si:unit`` element of SI_Format 2.1.0) writes a unit as a
sequence of backslash tokens:

* an optional ``\\per`` (the next unit, with its prefix and exponent, goes to the denominator),
* an optional SI prefix (``\\kilo``, ``\\milli``, ``\\micro`` ...; binary ``\\kibi`` ... only before
  ``\\bit`` and ``\\byte``),
* a unit (``\\metre``, ``\\kilogram``, ``\\watt``, ``\\degreecelsius``, ``\\litre``, ``\\percent`` ...),
* an optional exponent ``\\tothe{n}`` (integer or decimal, e.g. ``\\tothe{-1}``, ``\\tothe{0.5}``).

The vocabulary is the SI brochure (9th edition) as D-SI uses it: the seven base units, the 22 derived
units with special names, ``\\gram``, the non-SI units accepted for use with the SI, ``\\one``,
``\\percent``, ``\\ppm``, ``\\bit``, ``\\byte`` and the 8th-edition units D-SI still lists. D-SI spells
every unit in lower case: degree Celsius is ``\\degreecelsius`` (as in PTB's published good-practice
DCCs); ``\\degreeCelsius`` (the LaTeX siunitx spelling) is refused with a hint, as are the US spellings
``\\meter`` and ``\\liter``. ``\\kilogram`` takes no prefix and ``\\gram`` no ``\\kilo``; ``\\one``,
``\\percent`` and ``\\ppm`` take neither prefix nor exponent.

This module is deliberately small: it is enough to reject unknown or malformed unit strings with a
clear error and to compare two unit strings for equality (``\\metre\\per\\second`` equals
``\\metre\\second\\tothe{-1}``). It does not convert between units.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

#: SI prefixes of the 9th brochure (2019) as D-SI writes them, with their decimal exponents.
PREFIXES: dict[str, int] = {
    "yotta": 24, "zetta": 21, "exa": 18, "peta": 15, "tera": 12, "giga": 9, "mega": 6, "kilo": 3,
    "hecto": 2, "deca": 1, "deci": -1, "centi": -2, "milli": -3, "micro": -6, "nano": -9, "pico": -12,
    "femto": -15, "atto": -18, "zepto": -21, "yocto": -24,
}  # fmt: skip

#: IEC binary prefixes; only before ``\bit`` and ``\byte``.
BINARY_PREFIXES: frozenset[str] = frozenset({"kibi", "mebi", "gibi", "tebi", "pebi", "exbi", "zebi", "yobi"})

BASE_UNITS: frozenset[str] = frozenset({"metre", "kilogram", "second", "ampere", "kelvin", "mole", "candela"})

DERIVED_UNITS: frozenset[str] = frozenset({
    "radian", "steradian", "hertz", "newton", "pascal", "joule", "watt", "coulomb", "volt", "farad",
    "ohm", "siemens", "weber", "tesla", "henry", "degreecelsius", "lumen", "lux", "becquerel", "sievert",
    "gray", "katal",
})  # fmt: skip

#: Non-SI units accepted for use with the SI (SI brochure, 9th ed., Table 8) and logarithmic units.
ACCEPTED_UNITS: frozenset[str] = frozenset({
    "minute", "hour", "day", "degree", "arcminute", "arcsecond", "hectare", "litre", "tonne",
    "electronvolt", "dalton", "astronomicalunit", "neper", "bel", "decibel",
})  # fmt: skip

#: Units of the 8th-edition SI brochure that D-SI still lists.
LEGACY_UNITS: frozenset[str] = frozenset({
    "clight", "planckbar", "electronmass", "naturalunittime", "elementarycharge", "atomicunittime",
    "bohr", "hartree", "bar", "mmHg", "angstrom", "nauticalmile", "barn", "knot", "erg", "dyne",
    "poise", "stokes", "stilb", "phot", "gal", "maxwell", "gauss", "oersted",
})  # fmt: skip

#: Dimensionless units and units of information.
OTHER_UNITS: frozenset[str] = frozenset({"one", "percent", "ppm", "gram", "bit", "byte"})

UNITS: frozenset[str] = BASE_UNITS | DERIVED_UNITS | ACCEPTED_UNITS | LEGACY_UNITS | OTHER_UNITS

NO_PREFIX: frozenset[str] = frozenset({"one", "percent", "ppm", "kilogram"})
NO_EXPONENT: frozenset[str] = frozenset({"one", "percent", "ppm"})

#: Spellings that are not D-SI, with the D-SI spelling to suggest.
HINTS: dict[str, str] = {
    "degreeCelsius": "degreecelsius",
    "celsius": "degreecelsius",
    "meter": "metre",
    "liter": "litre",
    "kilometer": "kilo\\metre",
    "gramme": "gram",
    "Ohm": "ohm",
    "ton": "tonne",
    "micrometer": "micro\\metre",
}

_TOKEN = re.compile(r"\\([A-Za-z]+)(?:\{([^{}]*)\})?")
_EXPONENT = re.compile(r"[+-]?(\d+(\.\d+)?)")


class UnitError(ValueError):
    """A D-SI unit string that cannot be parsed.

    ``unit`` is the whole string, ``position`` the 0-based character offset of the offending token.
    """

    def __init__(self, message: str, unit: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.unit = unit
        self.position = position


@dataclass(frozen=True, slots=True)
class UnitFactor:
    """One prefixed unit with its exponent, e.g. ``\\kilo\\watt`` to the power 1."""

    unit: str
    prefix: str | None = None
    exponent: Fraction = Fraction(1)

    def to_dsi(self) -> str:
        text = ("\\" + self.prefix if self.prefix else "") + "\\" + self.unit
        if self.exponent != 1:
            exp = self.exponent
            shown = str(exp.numerator) if exp.denominator == 1 else _decimal_text(exp)
            text += "\\tothe{" + shown + "}"
        return text


@dataclass(frozen=True, slots=True)
class DsiUnit:
    """A parsed D-SI unit string: the factors in the order written, ``\\per`` folded into exponents."""

    text: str
    factors: tuple[UnitFactor, ...]

    def canonical(self) -> str:
        """The unit written without ``\\per`` (``\\metre\\second\\tothe{-1}``), factors in written order."""
        return "".join(f.to_dsi() for f in self.factors)

    def signature(self) -> frozenset[tuple[str | None, str, Fraction]]:
        """Order-independent identity: the (prefix, unit) pairs with their summed exponents."""
        total: Counter[tuple[str | None, str]] = Counter()
        for f in self.factors:
            total[(f.prefix, f.unit)] += f.exponent  # type: ignore[assignment]
        return frozenset((p, u, Fraction(e)) for (p, u), e in total.items() if e != 0)

    def __str__(self) -> str:
        return self.text


def _decimal_text(value: Fraction) -> str:
    """A terminating decimal for a fraction built from a decimal exponent such as 0.5."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    whole, rest = divmod(value.numerator, value.denominator)
    digits = []
    for _ in range(12):
        if not rest:
            break
        rest *= 10
        d, rest = divmod(rest, value.denominator)
        digits.append(str(d))
    return f"{sign}{whole}." + "".join(digits) if digits else f"{sign}{whole}"


def parse_unit(text: str) -> DsiUnit:
    """Parse a D-SI unit string; raise :class:`UnitError` naming the offending token.

    >>> parse_unit("\\\\kilo\\\\watt\\\\hour").canonical()
    '\\\\kilo\\\\watt\\\\hour'
    """
    if not isinstance(text, str) or not text:
        raise UnitError("empty D-SI unit string", str(text), 0)
    if text != text.strip():
        raise UnitError(f"D-SI unit '{text}' has leading or trailing white space", text, 0)
    tokens: list[tuple[str, str | None, int]] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() != pos:
            raise UnitError(f"unexpected text '{text[pos:match.start()]}' in D-SI unit '{text}'", text, pos)
        tokens.append((match.group(1), match.group(2), match.start()))
        pos = match.end()
    if pos != len(text):
        raise UnitError(f"unexpected text '{text[pos:]}' in D-SI unit '{text}'", text, pos)

    factors: list[UnitFactor] = []
    i = 0
    while i < len(tokens):
        name, arg, at = tokens[i]
        per = False
        if name == "per":
            per = True
            i += 1
            if i == len(tokens):
                raise UnitError(f"'\\per' at the end of D-SI unit '{text}' has no unit after it", text, at)
            name, arg, at = tokens[i]
        prefix: str | None = None
        if name in PREFIXES or name in BINARY_PREFIXES:
            if arg is not None:
                raise UnitError(f"prefix '\\{name}' takes no argument in D-SI unit '{text}'", text, at)
            prefix = name
            i += 1
            if i == len(tokens):
                raise UnitError(f"prefix '\\{name}' at the end of D-SI unit '{text}' has no unit", text, at)
            name, arg, at = tokens[i]
        if name in ("per", "tothe") or name in PREFIXES or name in BINARY_PREFIXES:
            raise UnitError(f"'\\{name}' cannot follow {'a prefix' if prefix else chr(92) + 'per'} "
                            f"in D-SI unit '{text}'", text, at)
        _check_unit(name, prefix, text, at)
        if arg is not None:
            raise UnitError(f"unit '\\{name}' takes no argument in D-SI unit '{text}'", text, at)
        exponent = Fraction(1)
        if i + 1 < len(tokens) and tokens[i + 1][0] == "tothe":
            _, exp_text, exp_at = tokens[i + 1]
            if exp_text is None or not _EXPONENT.fullmatch(exp_text.strip()):
                raise UnitError(f"'\\tothe' needs a number in braces, e.g. '\\tothe{{2}}', in D-SI unit '{text}'",
                                text, exp_at)
            if name in NO_EXPONENT:
                raise UnitError(f"unit '\\{name}' takes no exponent in D-SI unit '{text}'", text, exp_at)
            exponent = Fraction(exp_text.strip())
            if exponent == 0:
                raise UnitError(f"exponent 0 is not allowed in D-SI unit '{text}'", text, exp_at)
            i += 1
        if per:
            exponent = -exponent
        factors.append(UnitFactor(unit=name, prefix=prefix, exponent=exponent))
        i += 1
    return DsiUnit(text=text, factors=tuple(factors))


def _check_unit(name: str, prefix: str | None, text: str, at: int) -> None:
    if name not in UNITS:
        hint = HINTS.get(name)
        extra = f"; D-SI writes '\\{hint}'" if hint else ""
        raise UnitError(f"unknown D-SI unit '\\{name}' in '{text}'{extra}", text, at)
    if prefix is None:
        return
    if name in NO_PREFIX:
        raise UnitError(f"unit '\\{name}' takes no prefix (found '\\{prefix}') in D-SI unit '{text}'", text, at)
    if name == "gram" and prefix == "kilo":
        raise UnitError(f"D-SI writes '\\kilogram', not '\\kilo\\gram', in '{text}'", text, at)
    if prefix in BINARY_PREFIXES and name not in ("bit", "byte"):
        raise UnitError(f"binary prefix '\\{prefix}' is only for '\\bit' and '\\byte', not '\\{name}', "
                        f"in D-SI unit '{text}'", text, at)


def is_valid_unit(text: str) -> bool:
    """True when ``text`` parses as a D-SI unit string."""
    try:
        parse_unit(text)
    except UnitError:
        return False
    return True


def same_unit(a: str | DsiUnit, b: str | DsiUnit) -> bool:
    """True when two D-SI unit strings denote the same unit written possibly differently.

    ``\\metre\\per\\second`` and ``\\metre\\second\\tothe{-1}`` are the same; ``\\kilo\\metre`` and
    ``\\metre`` are not (no conversion is done).
    """
    ua = a if isinstance(a, DsiUnit) else parse_unit(a)
    ub = b if isinstance(b, DsiUnit) else parse_unit(b)
    return ua.signature() == ub.signature()
