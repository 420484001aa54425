"""Units as people write them (``kg``, ``MPa``, ``m³/h``, ``kWh``, ``°C``) and as D-SI writes them (``\\kilogram``).

The one table of display symbols of jiliang: forms and the registry take symbols, pages and certificates
print symbols, and D-SI strings (PTB's Digital System of Units, SI_Format 2.1.0, checked by :mod:`.dsi`) are
what the rules files, the stored test points and the DCC carry. Every unit the D-SI parser accepts has exactly
one symbol here. Symbols follow the SI brochure, 9th edition (2019), Tables 2, 4, 7 and 8 (prefixes and
units), its 8th edition (2006) Tables 7 to 9 for the older units D-SI still lists, IEC 80000-13 for the byte,
and GB 3100-1993 where Chinese practice names a unit of its own (``L`` for the litre, ``t`` for the tonne,
``kWh`` for the kilowatt hour). A quantity is printed as number, space, symbol (SI brochure 5.4.3:
``20 °C``, ``5 %``); a range as ``0–150 kg``.

Pure: no Django. :func:`conversion` is limited to SI prefixes of the same unit (``kPa`` and ``MPa``);
comparisons across units (``t`` and ``kg``, ``°C`` and ``K``) go through :mod:`.si`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from jiliang.core.values.decimals import number_text

from .dsi import PREFIXES, UNITS, UnitError, parse_unit

PREFIX_SYMBOLS: dict[str, str] = {
    "yotta": "Y", "zetta": "Z", "exa": "E", "peta": "P", "tera": "T", "giga": "G", "mega": "M", "kilo": "k",
    "hecto": "h", "deca": "da", "deci": "d", "centi": "c", "milli": "m", "micro": "µ", "nano": "n", "pico": "p",
    "femto": "f", "atto": "a", "zepto": "z", "yocto": "y",
}  # fmt: skip

UNIT_SYMBOLS: dict[str, str] = {
    "metre": "m", "kilogram": "kg", "gram": "g", "second": "s", "ampere": "A", "kelvin": "K", "mole": "mol",
    "candela": "cd", "radian": "rad", "steradian": "sr", "hertz": "Hz", "newton": "N", "pascal": "Pa",
    "joule": "J", "watt": "W", "coulomb": "C", "volt": "V", "farad": "F", "ohm": "Ω", "siemens": "S",
    "weber": "Wb", "tesla": "T", "henry": "H", "degreecelsius": "°C", "lumen": "lm", "lux": "lx",
    "becquerel": "Bq", "sievert": "Sv", "gray": "Gy", "katal": "kat", "minute": "min", "hour": "h", "day": "d",
    "degree": "°", "arcminute": "′", "arcsecond": "″", "hectare": "ha", "litre": "L", "tonne": "t",
    "electronvolt": "eV", "dalton": "Da", "neper": "Np", "bel": "B", "decibel": "dB", "percent": "%",
    "ppm": "ppm", "one": "1", "bar": "bar", "mmHg": "mmHg", "bit": "bit", "byte": "B", "astronomicalunit": "au",
    **{  # printed only: 8th-edition units D-SI still lists (brochure 2006, Tables 7, 8, 9)
        "clight": "c₀", "planckbar": "ħ", "electronmass": "mₑ", "naturalunittime": "ħ/(mₑc₀²)",
        "elementarycharge": "e", "atomicunittime": "ħ/Eₕ", "bohr": "a₀", "hartree": "Eₕ", "angstrom": "Å",
        "nauticalmile": "M", "barn": "b", "knot": "kn", "erg": "erg", "dyne": "dyn", "poise": "P", "stokes": "St",
        "stilb": "sb", "phot": "ph", "gal": "Gal", "maxwell": "Mx", "gauss": "G", "oersted": "Oe",
    },
}  # fmt: skip

#: Units that are printed but not read from a typed symbol: ``B`` reads as the bel, and the older units' symbols
#: (M, P, G, b, e …) would shadow a prefix or a letter people type for something else; none of them is a legal
#: unit of measurement in China (GB 3100-1993).
PRINT_ONLY: frozenset[str] = frozenset({
    "clight", "planckbar", "electronmass", "naturalunittime", "elementarycharge", "atomicunittime", "bohr",
    "hartree", "nauticalmile", "barn", "knot", "erg", "dyne", "poise", "stokes", "stilb", "phot", "gal",
    "maxwell", "gauss", "oersted", "byte",
})  # fmt: skip
assert set(UNIT_SYMBOLS) == UNITS, "every D-SI unit has one display symbol"

#: Compound units written as a whole in Chinese practice rather than with a product sign.
COMPOUNDS: dict[str, str] = {
    "\\kilo\\watt\\hour": "kWh",
    "\\watt\\hour": "Wh",
    "\\metre\\tothe{3}\\hour\\tothe{-1}": "m³/h",
    "\\litre\\minute\\tothe{-1}": "L/min",
    "\\litre\\hour\\tothe{-1}": "L/h",
    "\\metre\\second\\tothe{-1}": "m/s",
    "\\kilo\\metre\\hour\\tothe{-1}": "km/h",
}

#: Other spellings people type, mapped to the symbol above.
ALIASES: dict[str, str] = {
    "m3/h": "m³/h", "m^3/h": "m³/h", "m3": "m³", "m^3": "m³", "m2": "m²", "m^2": "m²", "l": "L", "l/min": "L/min",
    "kwh": "kWh", "kW·h": "kWh", "kW.h": "kWh", "℃": "°C", "degC": "°C", "u": "µ", "μ": "µ", "ohm": "Ω",
    "Ω": "Ω",
}  # fmt: skip

_SUPERSCRIPT = str.maketrans("0123456789-.", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻·")
_FROM_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_SYMBOL_TO_UNIT = {v: k for k, v in UNIT_SYMBOLS.items() if k not in PRINT_ONLY}
_SYMBOL_TO_PREFIX = {v: k for k, v in PREFIX_SYMBOLS.items()}
_TOKEN = re.compile(r"^(?P<sym>[^\d⁰¹²³⁴⁵⁶⁷⁸⁹⁻^\-]+?)(?:\^?(?P<exp>-?\d+)|(?P<sup>[⁻]?[⁰¹²³⁴⁵⁶⁷⁸⁹]+))?$")


def _sig(dsi: str):
    return parse_unit(dsi).signature()


_COMPOUND_BY_SIG = {_sig(k): v for k, v in COMPOUNDS.items()}


def symbol(dsi: str) -> str:
    """The symbol of a D-SI unit string (``\\mega\\pascal`` → ``MPa``); text that is not D-SI comes back as given."""
    if not dsi or not dsi.startswith("\\"):
        return dsi or ""
    try:
        unit = parse_unit(dsi)
    except UnitError:
        return dsi
    compound = _COMPOUND_BY_SIG.get(unit.signature())
    if compound:
        return compound
    num, den = [], []
    for f in unit.factors:
        text = PREFIX_SYMBOLS.get(f.prefix or "", "") + UNIT_SYMBOLS.get(f.unit, f.unit)
        exp = abs(f.exponent)
        if exp != 1:
            shown = str(exp.numerator) if exp.denominator == 1 else str(float(exp))
            text += shown.translate(_SUPERSCRIPT)
        (den if f.exponent < 0 else num).append(text)
    head = "·".join(num) or "1"
    if not den:
        return head
    return head + "/" + (den[0] if len(den) == 1 else "(" + "·".join(den) + ")")


def _factor(token: str) -> str:
    """One symbol with an optional exponent (``m³``, ``m3``, ``mm``, ``°C``) as D-SI."""
    m = _TOKEN.match(token)
    if not m:
        raise UnitError(f"'{token}' is not a unit symbol", token, 0)
    sym, exp = m.group("sym"), m.group("exp") or (m.group("sup") or "").translate(_FROM_SUPERSCRIPT)
    sym = ALIASES.get(sym, sym)
    if sym in _SYMBOL_TO_UNIT:
        text = "\\" + _SYMBOL_TO_UNIT[sym]
    else:
        for psym, prefix in sorted(_SYMBOL_TO_PREFIX.items(), key=lambda kv: -len(kv[0])):
            rest = ALIASES.get(sym[len(psym):], sym[len(psym):])
            if sym.startswith(psym) and rest in _SYMBOL_TO_UNIT:
                text = "\\" + prefix + "\\" + _SYMBOL_TO_UNIT[rest]
                break
        else:
            raise UnitError(f"unknown unit symbol '{sym}'", token, 0)
    if text == "\\kilo\\gram":
        text = "\\kilogram"
    if exp and exp != "1":
        text += "\\tothe{" + exp + "}"
    return text


def to_dsi(text: str) -> str:
    """The D-SI string of a unit as people write it (``MPa``, ``m³/h``, ``kWh``, ``°C``, ``%``).

    A D-SI string is accepted as it is (after validation). Raises :class:`UnitError` for what is neither.
    """
    text = (text or "").strip()
    if not text:
        raise UnitError("empty unit", text, 0)
    if text.startswith("\\"):
        parse_unit(text)
        return text
    text = ALIASES.get(text, text)
    for dsi, sym in COMPOUNDS.items():
        if sym == text:
            return dsi
    num, slash, den = text.partition("/")
    if slash and (not den.strip() or "/" in den or not num.strip()):
        raise UnitError(f"'{text}' is not a unit: write one '/' between the numerator and the denominator", text, 0)
    parts = [p for p in re.split(r"[·*.\s]+", num) if p]
    out = "".join(_factor(p) for p in parts)
    for p in [p for p in re.split(r"[·*.\s/()]+", den) if p]:
        f = _factor(p)
        if "\\tothe{" in f:
            base, exp = f.split("\\tothe{")
            out += base + "\\tothe{-" + exp.rstrip("}") + "}"
        else:
            out += f + "\\tothe{-1}"
    parse_unit(out)
    return out


def conversion(from_dsi: str, to_dsi_unit: str) -> Decimal | None:
    """The factor taking a value in ``from_dsi`` to ``to_dsi_unit`` when they differ by SI prefixes only
    (``\\kilo\\pascal`` → ``\\mega\\pascal``: 0.001); None when they are not the same unit."""
    a, b = parse_unit(from_dsi), parse_unit(to_dsi_unit)

    def split(u):
        powers: dict[str, Fraction] = {}
        scale = Fraction(0)
        for f in u.factors:
            name, extra = f.unit, 0
            if name == "kilogram":  # \kilogram is \kilo\gram for scaling
                name, extra = "gram", 3
            powers[name] = powers.get(name, Fraction(0)) + f.exponent
            scale += (PREFIXES.get(f.prefix or "", 0) + extra) * f.exponent
        return {k: v for k, v in powers.items() if v}, scale

    pa, sa = split(a)
    pb, sb = split(b)
    if pa != pb or (sa - sb).denominator != 1:
        return None
    return Decimal(10) ** int(sa - sb)


@lru_cache(maxsize=4096)
def prefix_factor(from_unit: str, to_unit: str) -> Decimal | None:
    """The factor taking a value written in the symbol ``from_unit`` to the symbol ``to_unit`` when the two differ
    by SI prefixes only (``kg`` → ``g``: 1000; ``kPa`` → ``MPa``: 0.001; ``mg`` → ``kg``: 1E-6; SI brochure, 9th
    edition, 3); None when they are different units (``m³/h`` and ``L/min``, ``t`` and ``kg``, ``°C`` and ``K``:
    :mod:`.si` compares those). Equal texts are one unit, factor 1, also where this module does not know the
    symbol (``%LEL``) or none is written; an unknown symbol against another gives None."""
    a, b = (from_unit or "").strip(), (to_unit or "").strip()
    if a == b:
        return Decimal(1)
    try:
        return conversion(to_dsi(a), to_dsi(b))
    except UnitError:
        return None


def number(value) -> str:
    """A decimal as written on a certificate: as entered, without exponent or trailing zeros (``0.4``, ``150``)."""
    return number_text(value)


def quantity(value, unit: str) -> str:
    """``0.4 MPa``, ``20 °C``, ``5 %`` from a value and a D-SI string or a symbol."""
    shown = symbol(unit) if unit and unit.startswith("\\") else (unit or "")
    n = number(value)
    return f"{n} {shown}".strip() if n else ""


def range_text(low, high, unit: str) -> str:
    """``0–150 kg`` (an en dash between the ends, the symbol once)."""
    shown = symbol(unit) if unit and unit.startswith("\\") else (unit or "")
    if low in (None, "") and high in (None, ""):
        return ""
    ends = "–".join(number(v) for v in (low, high) if v not in (None, ""))
    return f"{ends} {shown}".strip()


_DSI_RUN = re.compile(r"(?:\\[A-Za-z]+(?:\{[^{}]*\})?)+")


def symbols_in(text: str) -> str:
    """Every D-SI unit written inside a text replaced by its symbol (``±0.005 \\kilogram`` → ``±0.005 kg``)."""
    return _DSI_RUN.sub(lambda m: symbol(m.group(0)), text or "")
