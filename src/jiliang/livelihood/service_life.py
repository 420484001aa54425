"""Which regulation row a household meter falls under, its service life and its rotation deadline. PURE.

Household water, gas and electricity meters settled directly with the utility are verified once before
installation, used for a limited time and rotated at expiry ("只作首次强制检定，限期使用，到期轮换": 1991 trial
rules item 三, which names electricity meters too; SAMR 2020 No. 42 for gas). The life is counted from the
first verification (JJG 162-2019 as cited in shared/reference/legal-metrology.md §5). The rows, with the
catalogue entry (registry/data/catalogue.csv) each maps to:

| meter | condition | life | catalogue row | source (confidence) |
|---|---|---|---|---|
| water | DN ≤ 25 mm and Q3 ≤ 16 m³/h | 6 years | water-meter-dn15-25 | JJG 162-2019 (V2) |
| water | 25 mm < DN ≤ 50 mm and Q3 ≤ 16 m³/h | 4 years | water-meter-dn32-50 | JJG 162-2019 (V2) |
| water | DN > 50 mm or Q3 > 16 m³/h | periodic, 2 years: not rotated | water-meter-large | refused here |
| gas, natural gas | G1.6–G16 | 10 years | gas-meter-natural | JJG 577-2012, JJG 1190-2022 (V2) |
| gas, manufactured gas or LPG | G1.6–G16 | 6 years | gas-meter-manufactured | JJG 577-2012 (V2) |
| electricity, electronic, class 1 or 2 (A, B) | | 8 years | electricity-meter-household | JJG 596-2012 (M) |
| electricity, electronic, class 0.5S or 0.2S (C, D) | | 6 years | electricity-meter-household-precise | JJG 596-2012 (M) |

The electricity periods are marked M in the reference (not seen in the regulation's text): the rule carries its
confidence so pages can say so. Electromechanical meters (JJG 307-2006) and heat meters (no life limit
collected) are not household rotation meters here; they are registered as ordinary instruments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from jiliang.core.values.dates import last_day_of_validity
from jiliang.registry.identity import MarkedError, gettext_noop

WATER, GAS, ELECTRICITY = "water", "gas", "electricity"
KINDS = (WATER, GAS, ELECTRICITY)
NATURAL, MANUFACTURED, LPG = "natural", "manufactured", "lpg"
GAS_KINDS = (NATURAL, MANUFACTURED, LPG)

# Nominal sizes a household water meter comes in (JJG 162-2019 scope of rotation: DN ≤ 50 mm).
WATER_DN = (15, 20, 25, 32, 40, 50)
# Gas meter designations within the rotation scope G1.6–G16 (Anji notice, legal-metrology.md §5).
GAS_SIZES = ("G1.6", "G2.5", "G4", "G6", "G10", "G16")
# Electricity meter classes: the IEC/JJG 596 names and GB/T 17215 (2020s) letters.
ELECTRICITY_CLASSES = {"1": "1", "2": "2", "A": "2", "B": "1", "0.5S": "0.5S", "0.2S": "0.2S", "C": "0.5S",
                       "D": "0.2S"}
Q3_LIMIT = 16  # m³/h: above it a water meter is verified periodically (JJG 162-2019)


@dataclass(frozen=True)
class Rule:
    """A regulation row: the catalogue entry, the service life and where it comes from."""

    category: str
    years: int
    regulation: str
    confidence: str

    def rotation_due(self, first_verified_on: dt.date) -> dt.date:
        """The last day the meter may be used: its life counted from its first verification."""
        return last_day_of_validity(first_verified_on, 12 * self.years)


WATER_SMALL = Rule("water-meter-dn15-25", 6, "JJG 162-2019", "M")
WATER_MEDIUM = Rule("water-meter-dn32-50", 4, "JJG 162-2019", "M")
GAS_NATURAL = Rule("gas-meter-natural", 10, "JJG 577-2012", "M")
GAS_OTHER = Rule("gas-meter-manufactured", 6, "JJG 577-2012", "M")
ELECTRICITY_STANDARD = Rule("electricity-meter-household", 8, "JJG 596-2012", "M")
ELECTRICITY_PRECISE = Rule("electricity-meter-household-precise", 6, "JJG 596-2012", "M")
RULES = (WATER_SMALL, WATER_MEDIUM, GAS_NATURAL, GAS_OTHER, ELECTRICITY_STANDARD, ELECTRICITY_PRECISE)
BY_CATEGORY = {r.category: r for r in RULES}


class NoRule(MarkedError):
    """The meter matches no household rotation row: ``field`` names what decides it (registry.identity.MarkedError:
    ``message`` in English, ``translated(gettext)`` in the active language)."""

    def __init__(self, field: str, template: str, **params):
        super().__init__(template, **params)
        self.field = field


def parse_dn(text) -> int | None:
    """'DN20', 'dn 20', '20' or 20 → 20; '' → None; anything else raises NoRule."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    s = str(text).strip().upper().replace(" ", "")
    if s.startswith("DN"):
        s = s[2:]
    if not s.isdigit():
        raise NoRule("size", gettext_noop("%(v)r is not a nominal size (write DN15, DN20, … DN50)"), v=text)
    return int(s)


def normal_gas_size(text) -> str:
    s = str(text or "").strip().upper().replace(" ", "")
    if s and not s.startswith("G"):
        s = "G" + s
    return s


def rule_for(kind: str, *, size=None, q3=None, gas_kind: str = "", accuracy_class: str = "") -> Rule:
    """The rotation row of a household meter, or :class:`NoRule` saying which field puts it outside them.

    ``size`` is the water meter's DN or the gas meter's G designation; ``q3`` the water meter's permanent flow
    in m³/h where given; ``accuracy_class`` the electricity meter's class."""
    if kind == WATER:
        dn = parse_dn(size)
        if dn is None:
            raise NoRule("size", gettext_noop("a water meter needs its nominal size (DN15 … DN50)"))
        if dn not in WATER_DN:
            if dn > 50:
                raise NoRule("size", gettext_noop("DN%(dn)d is above DN50: such meters are verified periodically "
                                                  "(JJG 162-2019), not rotated; register it as an instrument"), dn=dn)
            raise NoRule("size", gettext_noop("DN%(dn)d is not a water meter size (DN15, 20, 25, 32, 40, 50)"), dn=dn)
        if q3 not in (None, "") and float(q3) > Q3_LIMIT:
            raise NoRule("q3", gettext_noop("Q3 = %(q3)s m³/h is above 16 m³/h: verified periodically (JJG 162-2019), "
                                            "not rotated"), q3=q3)
        return WATER_SMALL if dn <= 25 else WATER_MEDIUM
    if kind == GAS:
        if size not in (None, ""):
            g = normal_gas_size(size)
            if g not in GAS_SIZES:
                raise NoRule("size", gettext_noop("%(v)r is not a gas meter size within G1.6–G16"), v=size)
        if gas_kind not in GAS_KINDS:
            raise NoRule("gas_kind", gettext_noop("%(v)r is not a gas kind (natural, manufactured, lpg)"), v=gas_kind)
        return GAS_NATURAL if gas_kind == NATURAL else GAS_OTHER
    if kind == ELECTRICITY:
        cls = ELECTRICITY_CLASSES.get(str(accuracy_class or "").strip().upper())
        if cls is None:
            raise NoRule("accuracy_class", gettext_noop("%(v)r is not an electricity meter class "
                                                        "(1, 2, 0.5S, 0.2S or A, B, C, D)"), v=accuracy_class)
        return ELECTRICITY_PRECISE if cls in ("0.5S", "0.2S") else ELECTRICITY_STANDARD
    raise NoRule("kind", gettext_noop("%(v)r is not a household meter kind (water, gas, electricity)"), v=kind)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    """First and last day of a calendar quarter (the county bureaus' 到期轮换清单 are quarterly)."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter is 1 to 4")
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end
