"""The period table of every regulation file: each row is chosen for an instrument meeting its condition
(issue #9 item 6; JJG 162-2019 and JJG 577-2012 service lives from shared/reference/legal-metrology.md §5)."""

import json
from decimal import Decimal as D

import pytest

from jiliang.verification.rules import (
    Instrument,
    QuantityValue,
    RuleError,
    available_regulations,
    conformity,
    load_regulation,
    verification_period,
)
from jiliang.verification.rules.loader import DATA_DIR, load_regulation_file

Q = "\\metre\\tothe{3}\\hour\\tothe{-1}"
MM = "\\milli\\metre"
LPM = "\\litre\\minute\\tothe{-1}"
KG = "\\kilogram"
A = "\\ampere"


def water(dn, q3, klass="2"):
    params = {"Q1": QuantityValue(D(q3) / 100, Q), "Q3": QuantityValue(D(q3), Q)}
    if dn is not None:
        params["DN"] = QuantityValue(D(dn), MM)
    return Instrument("JJG162-2019", {"class": klass}, params)


def gas(kind, klass="1.5"):
    attrs = {"class": klass} if kind is None else {"class": klass, "gas": kind}
    return Instrument("JJG577-2012", attrs, {"Qmin": QuantityValue(D("0.016"), Q), "Qt": QuantityValue(D("0.25"), Q),
                                             "Qmax": QuantityValue(D("2.5"), Q)})


def dispenser(reg="JJG443-2015"):
    return Instrument(reg, {}, {"Qmin": QuantityValue(D(5), LPM), "Qmax": QuantityValue(D(60), LPM)})


SCALE = Instrument("JJG539-2016", {"class": "III"}, {"e": QuantityValue(D("0.005"), KG), "Max": QuantityValue(D(15), KG)})


def meter(klass):
    return Instrument("JJG596-2012", {"class": klass, "connection": "direct"},
                      {"Ib": QuantityValue(D(5), A), "Imax": QuantityValue(D(60), A)})


# (regulation, row index) -> instruments that meet that row and no other, with the months expected
ROWS = {
    ("JJG162-2019", 0): ([water(15, "2.5"), water(20, 4), water(25, 16)], 72),   # DN ≤ 25 mm: 6 years
    ("JJG162-2019", 1): ([water(32, 6.3), water(40, 10), water(50, 16)], 48),   # 25 < DN ≤ 50 mm: 4 years
    ("JJG162-2019", 2): ([water(80, 40), water(50, 25), water(25, 25), water(100, 16)], 24),  # periodic 2 years
    ("JJG443-2015", 0): ([dispenser()], 6),
    ("JJG443-2023", 0): ([dispenser("JJG443-2023")], 6),
    ("JJG539-2016", 0): ([SCALE], 12),
    ("JJG577-2012", 0): ([gas("natural_gas"), gas("natural_gas", "1.0")], 120),  # natural gas: 10 years
    ("JJG577-2012", 1): ([gas("manufactured_gas"), gas("lpg")], 72),  # manufactured gas / LPG: 6 years
    ("JJG596-2012", 0): ([meter("1"), meter("2")], 96),
}


def test_every_row_of_every_file_is_covered():
    rows = {(reg_id, i) for reg_id in available_regulations()
            for i, _ in enumerate(load_regulation(reg_id).verification_periods)}
    assert rows == set(ROWS)


@pytest.mark.parametrize(("key"), sorted(ROWS), ids=lambda k: f"{k[0]}[{k[1]}]")
def test_each_row_is_chosen_by_its_condition(key):
    reg_id, index = key
    instruments, months = ROWS[key]
    row = load_regulation(reg_id).verification_periods[index]
    assert row.months == months
    for inst in instruments:
        assert verification_period(inst) is row


def test_water_meter_dn32_50_gets_four_years_not_six():
    """JJG 162-2019 (reference §5): 25 mm < DN ≤ 50 mm, life ≤ 4 years; the first row used to win."""
    period = verification_period(water(40, 10))
    assert (period.mode, period.months) == ("service_life", 48)


def test_lpg_and_manufactured_gas_meters_get_six_years_not_ten():
    assert verification_period(gas("lpg")).months == 72
    assert verification_period(gas("manufactured_gas")).months == 72


def test_missing_condition_is_named():
    with pytest.raises(RuleError) as err:
        verification_period(water(None, 10))
    assert err.value.field == "parameters.DN" and "nominal diameter" in err.value.message
    with pytest.raises(RuleError) as err:
        verification_period(gas(None))
    assert err.value.field == "attributes.gas" and "LPG" in err.value.message
    # a DN is not needed when Q3 > 16 m³/h already decides the periodic row and rules out the others
    assert verification_period(water(None, 25)).months == 24


def _variant(tmp_path, reg_id, change):
    raw = json.loads((DATA_DIR / f"{reg_id}.json").read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / f"{reg_id}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return load_regulation_file(path)


def test_none_or_several_rows_refused(tmp_path, monkeypatch):
    def overlap(raw):  # the 48-month row widened to DN ≤ 50: DN 20 now meets two rows
        raw["verification_periods"][1]["conditions"][0]["ranges"][0].pop("lower")

    reg = _variant(tmp_path, "JJG162-2019", overlap)
    monkeypatch.setattr(conformity, "load_regulation", lambda _id: reg)
    with pytest.raises(RuleError) as err:
        verification_period(water(20, 4))
    assert "several rows" in err.value.message and "72 months" in err.value.message and "48 months" in err.value.message

    def gap(raw):  # only the natural-gas row is left
        del raw["verification_periods"][1]

    reg = _variant(tmp_path, "JJG577-2012", gap)
    monkeypatch.setattr(conformity, "load_regulation", lambda _id: reg)
    with pytest.raises(RuleError) as err:
        verification_period(gas("lpg"))
    assert "no row" in err.value.message and "120 months" in err.value.message


def test_condition_on_unknown_parameter_or_point_attribute_refused(tmp_path):
    def unknown(raw):
        raw["verification_periods"][0]["conditions"][0]["ranges"][0]["param"] = "DNN"

    with pytest.raises(RuleError) as err:
        _variant(tmp_path, "JJG162-2019", unknown)
    assert err.value.field.endswith("verification_periods[0].conditions[0].ranges[0].param")

    def wrong_unit(raw):
        raw["verification_periods"][0]["conditions"][0]["ranges"][0]["upper"]["unit"] = "\\metre\\tothe{3}"

    with pytest.raises(RuleError) as err:
        _variant(tmp_path, "JJG162-2019", wrong_unit)
    assert err.value.field.endswith("ranges[0].upper.unit")
