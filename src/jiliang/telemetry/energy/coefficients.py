"""GB/T 2589-2020 standard-coal coefficients (折标准煤系数) as versioned data, and conversion to tce.

Pure: no Django imports. GB/T 2589-2020 综合能耗计算通则 (issued 2020-09-29, in force 2021-04-01,
replaces GB/T 2589-2008) converts energy to standard coal: 1 kgce is a net calorific value of
29 307 kJ. The coefficients are **data, not constants** (``data/gbt2589-2020.json``): each row has the
energy type, the basis (``equivalent`` 当量值 / ``equal_price`` 等价值), an optional variant where sources
conflict, the coefficient as a decimal string, its unit, edition, validity dates, source and a confidence
mark (H/M/L) exactly as ``shared/reference/protocols-energy-dcc.md`` §3 gives them. The 2020 Annex A/B
tables were not available when the file was written: check it against a purchased copy before release.

Electricity has two bases. Comprehensive energy consumption normally uses the equivalent value
(0.1229 kgce/kWh). The equal-price value is the year's national average coal consumption of thermal
power supply: it is data by year (``data/electricity-equal-price.json``, :func:`load_yearly_equal_price`,
kept in the database as ``EqualPriceElectricity`` and edited by the provincial bureau), applied to a
reading by :func:`equal_price_for_year`; the legacy 0.404 kgce/kWh (marked L) remains only for readings
before the first configured year.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation, localcontext
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = [
    "BASES", "CONFIDENCE", "Coefficient", "CoefficientError", "CoefficientTable", "TceConversion",
    "default_table", "load_table", "parse_table", "to_tce",
]

DATA_FILE = "gbt2589-2020.json"
YEARLY_FILE = "electricity-equal-price.json"
#: Bounds of a credible equal-price coefficient of electricity (kgce/kWh): above the equivalent value
#: 3600 kJ / 29 307 kJ = 0.1229 (all of the coal's heat turned into supplied power) and below 0.6 (a supply
#: efficiency of about 20 %, worse than any national average on record).
EQUAL_PRICE_ELECTRICITY_RANGE = (Decimal("0.1229"), Decimal("0.6"))
BASES = ("equivalent", "equal_price")
CONFIDENCE = ("H", "M", "L")

#: Input units accepted by :func:`to_tce`, per the unit a coefficient is given in (exact factors).
UNIT_FACTORS: Mapping[str, Mapping[str, Decimal]] = {
    "kWh": {"Wh": Decimal("0.001"), "kWh": Decimal(1), "MWh": Decimal(1000), "GWh": Decimal(1000000)},
    "kg": {"g": Decimal("0.001"), "kg": Decimal(1), "t": Decimal(1000)},
    "t": {"kg": Decimal("0.001"), "t": Decimal(1)},
    "m³": {"m³": Decimal(1)},
    "MJ": {"kJ": Decimal("0.001"), "MJ": Decimal(1), "GJ": Decimal(1000)},
}
_UNIT_ALIASES = {"m3": "m³", "m^3": "m³"}


class CoefficientError(ValueError):
    """No coefficient fits the request (unknown energy, basis, variant or date; ambiguous choice), a
    quantity or unit cannot be converted, or the coefficient data is malformed."""


@dataclass(frozen=True, slots=True)
class Coefficient:
    """One standard-coal coefficient with its provenance: ``value`` kgce per ``per_unit``."""

    energy: str
    name_zh: str
    basis: str
    variant: str | None
    value: Decimal
    unit: str
    edition: str
    valid_from: date | None
    valid_to: date | None
    source: str
    confidence: str
    note: str = ""

    @property
    def per_unit(self) -> str:
        return self.unit.split("/", 1)[1]

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)

    def describe(self) -> str:
        variant = f" [{self.variant}]" if self.variant else ""
        return (f"{self.energy}{variant} {self.basis} {self.value} {self.unit} ({self.edition}, "
                f"valid {self.valid_from or '…'} to {self.valid_to or '…'}, confidence {self.confidence})")


@dataclass(frozen=True, slots=True)
class TceConversion:
    """A quantity converted to tonnes of standard coal, with the coefficient that did it."""

    tce: Decimal
    quantity: Decimal
    unit: str
    coefficient: Coefficient

    @property
    def kgce(self) -> Decimal:
        return self.tce * 1000


@dataclass(frozen=True, slots=True)
class CoefficientTable:
    """An immutable set of coefficients; configuring a value returns a new table."""

    dataset: str
    standard: str
    caveat: str
    rows: tuple[Coefficient, ...]

    @property
    def energies(self) -> tuple[str, ...]:
        return tuple(sorted({r.energy for r in self.rows}))

    def lookup(self, energy: str, *, basis: str | None = None, variant: str | None = None,
               on: date | None = None) -> Coefficient:
        """The coefficient for ``energy`` on day ``on`` (``None``: the most recent row).

        ``basis`` ``None`` means ``equivalent`` where the energy has it, else its only basis. Where
        sources conflict (natural gas, new water) ``variant`` must be named. Among rows valid on ``on``
        the one with the latest ``valid_from`` wins, so a configured yearly value overrides an undated
        fallback.
        """
        rows = [r for r in self.rows if r.energy == energy]
        if not rows:
            raise CoefficientError(f"no coefficient for energy {energy!r}; known: {', '.join(self.energies)}")
        bases = sorted({r.basis for r in rows})
        if basis is None:
            basis = "equivalent" if "equivalent" in bases else bases[0]
            if len(bases) > 1 and basis != "equivalent":  # pragma: no cover - only two bases exist
                raise CoefficientError(f"{energy}: name the basis, one of {', '.join(bases)}")
        rows = [r for r in rows if r.basis == basis]
        if not rows:
            raise CoefficientError(f"{energy} has no {basis!r} coefficient (has: {', '.join(bases)})")
        variants = sorted({r.variant or "" for r in rows})
        if variant is None:
            if len(variants) > 1:
                raise CoefficientError(
                    f"{energy} ({basis}) has conflicting coefficients: name the variant, one of "
                    + "; ".join(r.describe() for r in rows))
            variant = rows[0].variant
        rows = [r for r in rows if r.variant == variant]
        if not rows:
            raise CoefficientError(f"{energy} ({basis}) has no variant {variant!r}; "
                                   f"known: {', '.join(v for v in variants if v)}")
        if on is not None:
            day = on.date() if isinstance(on, datetime) else on
            valid = [r for r in rows if r.valid_on(day)]
            if not valid:
                raise CoefficientError(f"no {energy} ({basis}) coefficient valid on {day.isoformat()}; rows: "
                                       + "; ".join(r.describe() for r in rows))
            rows = valid
        best = max(rows, key=_start)
        ties = [r for r in rows if _start(r) == _start(best)]
        if len(ties) > 1:
            raise CoefficientError(f"ambiguous {energy} ({basis}) coefficients: " + "; ".join(r.describe() for r in ties))
        return best

    def with_coefficient(self, row: Coefficient) -> CoefficientTable:
        """A new table with ``row`` added; a row with the same key and start date is refused."""
        _check_row(row)
        for r in self.rows:
            if (r.energy, r.basis, r.variant, r.valid_from) == (row.energy, row.basis, row.variant, row.valid_from):
                raise CoefficientError(f"the table already has {r.describe()}")
        return replace(self, rows=(*self.rows, row))

    def with_equal_price_electricity(self, year: int, kgce_per_kwh: Decimal | str, *, source: str,
                                     confidence: str = "M", note: str = "") -> CoefficientTable:
        """A new table with the equal-price (等价值) electricity coefficient of ``year``, valid from
        1 January to 31 December: the year's national average coal consumption of thermal power supply
        (当年火电供电标准煤耗) or, for a captive plant, its own figure. ``source`` is required."""
        row = Coefficient(
            energy="electricity", name_zh="电力（等价值）", basis="equal_price", variant=None,
            value=_decimal(kgce_per_kwh, "kgce_per_kwh"), unit="kgce/kWh", edition=f"yearly value {year}",
            valid_from=date(year, 1, 1), valid_to=date(year, 12, 31), source=source, confidence=confidence,
            note=note or "configured yearly equal-price value",
        )
        return self.with_coefficient(row)


def _start(row: Coefficient) -> date:
    return row.valid_from or date.min


def _decimal(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise CoefficientError(f"{what}: pass a Decimal, int or decimal string, not {type(value).__name__}")
    try:
        d = Decimal(value)
    except InvalidOperation:
        raise CoefficientError(f"{what}: {value!r} is not a decimal number") from None
    if not d.is_finite():
        raise CoefficientError(f"{what}: {value!r} is not a finite number")
    return d


def _check_row(row: Coefficient) -> None:
    where = f"coefficient {row.energy!r}"
    if row.basis not in BASES:
        raise CoefficientError(f"{where}: basis {row.basis!r} is not one of {', '.join(BASES)}")
    if row.confidence not in CONFIDENCE:
        raise CoefficientError(f"{where}: confidence {row.confidence!r} is not one of H, M, L")
    head, _, per = row.unit.partition("/")
    if head != "kgce" or per not in UNIT_FACTORS:
        raise CoefficientError(f"{where}: unit {row.unit!r} is not kgce per one of {', '.join(UNIT_FACTORS)}")
    if row.value <= 0:
        raise CoefficientError(f"{where}: coefficient {row.value} is not positive")
    if not row.source.strip():
        raise CoefficientError(f"{where}: a coefficient needs its source")
    if row.valid_from and row.valid_to and row.valid_to < row.valid_from:
        raise CoefficientError(f"{where}: valid_to {row.valid_to} is before valid_from {row.valid_from}")


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise CoefficientError(f"{where}: {value!r} is not an ISO date") from None


def parse_table(doc: Mapping[str, Any]) -> CoefficientTable:
    """Build a table from the JSON document's structure, checking every row.

    Coefficients must be JSON strings ("0.1229"), never JSON numbers, so no float ever touches them.
    """
    rows = []
    try:
        for k, raw in enumerate(doc["coefficients"]):
            where = f"row {k} ({raw.get('energy')!r})"
            if not isinstance(raw["coefficient"], str):
                raise CoefficientError(f"{where}: the coefficient must be a decimal string, got {raw['coefficient']!r}")
            row = Coefficient(
                energy=raw["energy"], name_zh=raw["name_zh"], basis=raw["basis"], variant=raw.get("variant"),
                value=_decimal(raw["coefficient"], where), unit=raw["unit"], edition=raw["edition"],
                valid_from=_date(raw.get("valid_from"), where), valid_to=_date(raw.get("valid_to"), where),
                source=raw["source"], confidence=raw["confidence"], note=raw.get("note", ""),
            )
            _check_row(row)
            rows.append(row)
        table = CoefficientTable(doc["dataset"], doc["standard"], doc.get("caveat", ""), ())
    except (KeyError, TypeError, AttributeError) as exc:
        raise CoefficientError(f"malformed coefficient data: {exc!r}") from None
    for row in rows:
        table = table.with_coefficient(row)
    return table


def load_table(path: str | Path | None = None) -> CoefficientTable:
    """Read a coefficient file; ``None`` reads the shipped ``data/gbt2589-2020.json``."""
    if path is None:
        text = resources.files(__package__).joinpath("data", DATA_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    return parse_table(json.loads(text))


@cache
def default_table() -> CoefficientTable:
    """The shipped table, read once."""
    return load_table()


def to_tce(quantity: Decimal | int | str, unit: str, energy: str, *, basis: str | None = None,
           variant: str | None = None, on: date | None = None, table: CoefficientTable | None = None) -> TceConversion:
    """Convert ``quantity`` ``unit`` of ``energy`` to tce: quantity × unit factor × coefficient / 1000.

    Exact decimal arithmetic, no rounding (round for display only). Floats are refused. ``unit`` must be
    convertible exactly to the coefficient's unit (kWh/MWh for kgce/kWh, kg/t for kgce/kg, MJ/GJ for
    kgce/MJ, …). See :meth:`CoefficientTable.lookup` for ``basis``, ``variant`` and ``on``.
    """
    q = _decimal(quantity, "quantity")
    coefficient = (table or default_table()).lookup(energy, basis=basis, variant=variant, on=on)
    unit_in = _UNIT_ALIASES.get(unit, unit)
    factors = UNIT_FACTORS[coefficient.per_unit]
    if unit_in not in factors:
        raise CoefficientError(f"{energy}: cannot convert {unit!r} to {coefficient.per_unit} exactly "
                               f"(coefficient in {coefficient.unit}; accepted units: {', '.join(factors)})")
    with localcontext() as ctx:
        ctx.prec = 60
        tce = q * factors[unit_in] * coefficient.value / 1000
    return TceConversion(tce, q, unit_in, coefficient)


@dataclass(frozen=True, slots=True)
class YearlyValue:
    """An equal-price coefficient of electricity of one year (kgce/kWh) with its provenance."""

    year: int
    kgce_per_kwh: Decimal
    source: str
    confidence: str


def load_yearly_equal_price(path: str | Path | None = None) -> list[YearlyValue]:
    """The yearly equal-price coefficients of electricity shipped in ``data/electricity-equal-price.json``
    (g/kWh in the file, as the CEC publishes them; kgce/kWh here). Each value must lie within
    :data:`EQUAL_PRICE_ELECTRICITY_RANGE`."""
    if path is None:
        text = resources.files(__package__).joinpath("data", YEARLY_FILE).read_text(encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
    out = []
    try:
        for k, raw in enumerate(json.loads(text)["years"]):
            where = f"year row {k} ({raw.get('year')!r})"
            value = _decimal(raw["g_per_kwh"], where) / 1000
            low, high = EQUAL_PRICE_ELECTRICITY_RANGE
            if not low < value < high:
                raise CoefficientError(f"{where}: {value} kgce/kWh lies outside ({low}, {high})")
            if raw["confidence"] not in CONFIDENCE:
                raise CoefficientError(f"{where}: confidence {raw['confidence']!r} is not one of H, M, L")
            out.append(YearlyValue(int(raw["year"]), value, raw["source"], raw["confidence"]))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, CoefficientError):
            raise
        raise CoefficientError(f"malformed yearly data: {exc!r}") from None
    return out


def equal_price_for_year(yearly: Mapping[int, Decimal], year: int) -> tuple[int, Decimal] | None:
    """The equal-price coefficient of electricity that applies to ``year``: the year's own value, else the
    latest earlier year's (a figure carries forward until the next one is published), else ``None`` (use the
    table's undated fallback). Returns (the year whose value applies, kgce/kWh)."""
    if year in yearly:
        return year, yearly[year]
    earlier = [y for y in yearly if y < year]
    if not earlier:
        return None
    best = max(earlier)
    return best, yearly[best]
