"""GB/T 2589 standard-coal coefficients: the shipped data matches shared/reference/protocols-energy-dcc.md §3
number for number, lookups carry provenance, conversion is exact."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from importlib import resources

import pytest

from jiliang.telemetry.energy import (
    CoefficientError,
    default_table,
    load_table,
    parse_table,
    to_tce,
)

# (energy, basis, variant) → (coefficient, unit, confidence) exactly as the reference's §3 table states them.
REFERENCE = {
    ("electricity", "equivalent", None): ("0.1229", "kgce/kWh", "H"),
    ("electricity", "equal_price", None): ("0.404", "kgce/kWh", "L"),
    ("raw_coal", "equivalent", None): ("0.7143", "kgce/kg", "H"),
    ("washed_coal", "equivalent", None): ("0.9000", "kgce/kg", "H"),
    ("coke", "equivalent", None): ("0.9714", "kgce/kg", "H"),
    ("crude_oil", "equivalent", None): ("1.4286", "kgce/kg", "H"),
    ("fuel_oil", "equivalent", None): ("1.4286", "kgce/kg", "H"),
    ("gasoline", "equivalent", None): ("1.4714", "kgce/kg", "H"),
    ("kerosene", "equivalent", None): ("1.4714", "kgce/kg", "H"),
    ("diesel", "equivalent", None): ("1.4571", "kgce/kg", "H"),
    ("lpg", "equivalent", None): ("1.7143", "kgce/kg", "H"),
    ("refinery_dry_gas", "equivalent", None): ("1.5714", "kgce/kg", "M"),
    ("natural_gas", "equivalent", "gas_field"): ("1.2143", "kgce/m³", "M"),
    ("natural_gas", "equivalent", "oil_field"): ("1.3300", "kgce/m³", "M"),
    ("coke_oven_gas", "equivalent", None): ("0.6143", "kgce/m³", "M"),
    ("heat", "equivalent", None): ("0.03412", "kgce/MJ", "H"),
    ("steam", "equivalent", "low_pressure_legacy"): ("0.1286", "kgce/kg", "L"),
    ("new_water", "equal_price", "statistical"): ("0.2571", "kgce/t", "L"),
    ("new_water", "equal_price", "annex_b_2008"): ("0.0857", "kgce/t", "L"),
    ("compressed_air", "equal_price", None): ("0.0400", "kgce/m³", "M"),
    ("oxygen", "equal_price", None): ("0.4000", "kgce/m³", "M"),
}


def raw_document() -> dict:
    text = resources.files("jiliang.telemetry.energy").joinpath("data", "gbt2589-2020.json").read_text("utf-8")
    return json.loads(text)


def test_shipped_rows_are_exactly_the_reference_numbers():
    rows = {(r.energy, r.basis, r.variant): (str(r.value), r.unit, r.confidence) for r in default_table().rows}
    assert rows == REFERENCE


def test_every_row_has_provenance_and_coefficients_are_strings():
    doc = raw_document()
    assert doc["standard"] == "GB/T 2589-2020" and doc["in_force"] == "2021-04-01" and doc["caveat"]
    for row in doc["coefficients"]:
        assert isinstance(row["coefficient"], str)
        assert row["source"].strip() and row["edition"].strip() and row["confidence"] in "HML"
    for row in default_table().rows:
        assert row.source and row.edition


def test_edition_rows_start_when_gbt2589_2020_came_into_force():
    for row in default_table().rows:
        if row.edition == "GB/T 2589-2020":
            assert row.valid_from == date(2021, 4, 1)


def test_electricity_equivalent_is_the_default_basis():
    c = to_tce("1000", "kWh", "electricity")
    assert c.tce == Decimal("0.1229") and c.kgce == Decimal("122.9")
    assert (c.coefficient.basis, c.coefficient.edition, c.coefficient.confidence) == ("equivalent", "GB/T 2589-2020", "H")
    assert to_tce(Decimal("2.5"), "MWh", "electricity").tce == Decimal("0.30725")


def test_unit_conversions_are_exact():
    assert to_tce("1", "t", "raw_coal").tce == Decimal("0.7143")
    assert to_tce("500", "kg", "diesel").tce == Decimal("0.72855")
    assert to_tce("2", "GJ", "heat").tce == Decimal("0.06824")
    assert to_tce("1000", "MJ", "heat").tce == Decimal("0.03412")
    assert to_tce("10000", "m3", "natural_gas", variant="gas_field").tce == Decimal("12.143")
    assert to_tce(1000, "t", "new_water", variant="statistical").tce == Decimal("0.2571")


def test_equal_price_electricity_falls_back_to_the_legacy_value_marked_low_confidence():
    c = to_tce("1", "MWh", "electricity", basis="equal_price", on=date(2025, 6, 1))
    assert c.tce == Decimal("0.404")
    assert c.coefficient.confidence == "L" and "huatuo6" in c.coefficient.source


def test_yearly_equal_price_value_is_configurable():
    # 0.300 is a made-up test figure, not data.
    table = default_table().with_equal_price_electricity(2025, "0.300", source="test fixture")
    inside = to_tce("1", "MWh", "electricity", basis="equal_price", on=date(2025, 12, 31), table=table)
    assert inside.tce == Decimal("0.300") and inside.coefficient.edition == "yearly value 2025"
    assert inside.coefficient.source == "test fixture" and inside.coefficient.confidence == "M"
    outside = to_tce("1", "MWh", "electricity", basis="equal_price", on=date(2026, 1, 1), table=table)
    assert outside.tce == Decimal("0.404")
    latest = table.lookup("electricity", basis="equal_price")
    assert latest.value == Decimal("0.300")
    assert to_tce("1", "MWh", "electricity", on=datetime(2025, 3, 1, 12), table=table).tce == Decimal("0.1229")
    assert default_table().lookup("electricity", basis="equal_price").value == Decimal("0.404")  # unchanged


def test_yearly_value_needs_a_source_and_may_not_be_set_twice():
    table = default_table().with_equal_price_electricity(2024, "0.300", source="test fixture")
    with pytest.raises(CoefficientError, match="already has"):
        table.with_equal_price_electricity(2024, "0.301", source="another")
    with pytest.raises(CoefficientError, match="source"):
        default_table().with_equal_price_electricity(2024, "0.300", source=" ")
    with pytest.raises(CoefficientError, match="not a float|not float"):
        default_table().with_equal_price_electricity(2024, 0.3, source="x")


def test_conflicting_sources_make_the_caller_choose():
    with pytest.raises(CoefficientError) as e:
        to_tce("1", "m³", "natural_gas")
    assert "gas_field" in str(e.value) and "oil_field" in str(e.value)
    with pytest.raises(CoefficientError, match="variant"):
        to_tce("1", "t", "new_water")
    with pytest.raises(CoefficientError, match="no variant"):
        to_tce("1", "m³", "natural_gas", variant="lng")


def test_dates_before_the_edition_are_refused():
    with pytest.raises(CoefficientError, match="valid on 2020-01-01"):
        to_tce("1", "kWh", "electricity", on=date(2020, 1, 1))


@pytest.mark.parametrize(("args", "kwargs", "text"), [
    (("1", "kWh", "uranium"), {}, "no coefficient for energy"),
    (("1", "kWh", "raw_coal"), {}, "cannot convert"),
    (("1", "m³", "new_water"), {"variant": "statistical"}, "cannot convert"),
    ((1.5, "kWh", "electricity"), {}, "not float"),
    (("x", "kWh", "electricity"), {}, "not a decimal"),
    (("inf", "kWh", "electricity"), {}, "not a finite"),
    (("1", "kWh", "raw_coal"), {"basis": "equal_price"}, "has no 'equal_price'"),
])
def test_conversion_errors(args, kwargs, text):
    with pytest.raises(CoefficientError, match=text):
        to_tce(*args, **kwargs)


def test_media_default_to_their_only_basis():
    assert to_tce("100", "m³", "compressed_air").coefficient.basis == "equal_price"


@pytest.mark.parametrize(("change", "text"), [
    ({"coefficient": 0.1229}, "decimal string"),
    ({"basis": "average"}, "basis"),
    ({"confidence": "X"}, "confidence"),
    ({"unit": "tce/kWh"}, "unit"),
    ({"coefficient": "-1"}, "not positive"),
    ({"valid_from": "2021-13-01"}, "ISO date"),
    ({"valid_from": "2022-01-01", "valid_to": "2021-01-01"}, "before"),
    ({"source": ""}, "source"),
])
def test_malformed_data_is_refused(change, text):
    doc = raw_document()
    doc["coefficients"][0] = {**doc["coefficients"][0], **change}
    with pytest.raises(CoefficientError, match=text):
        parse_table(doc)


def test_malformed_document_structure():
    with pytest.raises(CoefficientError, match="malformed"):
        parse_table({"coefficients": [{"energy": "x"}]})


def test_load_table_from_a_path(tmp_path):
    doc = raw_document()
    doc["coefficients"] = doc["coefficients"][:1]
    path = tmp_path / "coefficients.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert [r.energy for r in load_table(path).rows] == ["electricity"]
    assert default_table() is default_table()


def test_telemetry_pure_packages_import_no_django():
    code = ("import sys, jiliang.telemetry.protocols, jiliang.telemetry.energy;"
            "bad = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True)
