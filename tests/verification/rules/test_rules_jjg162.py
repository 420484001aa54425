"""JJG 162-2019 cold potable water meters: OIML R 49 / ISO 4064 MPE zones and temperature ranges.

Reference: shared/reference/legal-metrology.md §3.1 -- class 1: upper zone (Q2 ≤ Q ≤ Q4) ±1 % at
0.1-30 °C, ±2 % above 30 °C; lower zone (Q1 ≤ Q < Q2) ±3 % (bmagmeter.com quoting ISO 4064-1:2014 /
OIML R 49:2013, V2). Class 2: ±2 % / ±3 % / ±5 % (same page; MID MI-001 in NV 120/2016, V1). Q2 = 1.6·Q1,
Q4 = 1.25·Q3 (techem.lu, bmeters.com, V2). R 49 alignment of JJG 162-2019 is M; in-service MPE not verified.

Meter used: Q3 = 2.5 m³/h, R = 100 → Q1 = 0.025, Q2 = 0.04, Q4 = 3.125 m³/h.
"""

from decimal import Decimal as D

import pytest

from jiliang.verification.rules import (
    DecisionRule,
    Instrument,
    Measurement,
    Outcome,
    QuantityValue,
    RuleError,
    TestPoint,
    Uncertainty,
    decide_instrument,
    decide_point,
    find_mpe,
)

FLOW = "\\metre\\tothe{3}\\hour\\tothe{-1}"
C = "\\degreecelsius"


def meter(cls: str, **extra: str) -> Instrument:
    params = {"Q1": QuantityValue.of("0.025", FLOW), "Q3": QuantityValue.of("2.5", FLOW)}
    params.update({k: QuantityValue.of(v, FLOW) for k, v in extra.items()})
    return Instrument("JJG162-2019", {"class": cls}, params)


def point(q: str, t: str | None = "20", label: str = "p") -> TestPoint:
    quantities = {"Q": QuantityValue.of(q, FLOW)}
    if t is not None:
        quantities["T"] = QuantityValue.of(t, C)
    return TestPoint(label, quantities)


@pytest.mark.parametrize(
    ("cls", "q", "t", "mpe"),
    [
        ("1", "0.025", None, "3"),  # Q = Q1: lower zone (inclusive)
        ("1", "0.0399", None, "3"),  # just below Q2
        ("1", "0.04", "20", "1"),  # Q = Q2: upper zone starts (inclusive)
        ("1", "2.5", "30", "1"),  # 30 °C is still the ≤ 30 °C range
        ("1", "2.5", "30.1", "2"),  # above 30 °C
        ("1", "3.125", "0.1", "1"),  # Q = Q4 (inclusive), 0.1 °C
        ("2", "0.025", None, "5"),
        ("2", "0.04", "20", "2"),
        ("2", "2.5", "30", "2"),
        ("2", "2.5", "30.1", "3"),
    ],
)
def test_zones_and_temperatures(cls, q, t, mpe):
    """OIML R 49:2013 / ISO 4064-1:2014 MPE per class, zone and water temperature (reference §3.1)."""
    result = find_mpe(meter(cls), point(q, t))
    assert result.upper == D(mpe) and result.unit == "\\percent"
    assert result.regulation_confidence == "M"


def test_q2_q4_are_derived_and_checked():
    """Q2 = 1.6·Q1 and Q4 = 1.25·Q3 (reference §3.1, V2): derived when absent, refused when inconsistent."""
    assert find_mpe(meter("2", Q2="0.04", Q4="3.125"), point("0.04")).upper == D(2)
    with pytest.raises(RuleError) as err:
        find_mpe(meter("2", Q2="0.05"), point("0.04"))
    assert err.value.field == "parameters.Q2"
    assert "Q2 = 1.6·Q1" in err.value.message


def test_temperature_needed_only_in_upper_zone():
    """The lower zone MPE does not depend on temperature; the upper zone needs T to choose ≤ 30 °C / > 30 °C."""
    assert find_mpe(meter("1"), point("0.03", None)).upper == D(3)
    with pytest.raises(RuleError) as err:
        find_mpe(meter("1"), point("2.5", None, label="Q3"))
    assert err.value.field == "points[Q3].T"
    assert "c1-upper-le30C" in err.value.message and "c1-upper-gt30C" in err.value.message


def test_outside_range_and_units():
    """Flow below Q1 or above Q4 is outside the meter's range; L/h is not converted."""
    for q in ("0.0249", "3.126"):
        with pytest.raises(RuleError) as err:
            find_mpe(meter("2"), point(q))
        assert err.value.field == "points[p].Q" and "outside the instrument's range" in err.value.message
    with pytest.raises(RuleError) as err:
        find_mpe(meter("2"), TestPoint("p", {"Q": QuantityValue.of("2500", "\\litre\\hour\\tothe{-1}")}))
    assert err.value.field == "points[p].Q"
    with pytest.raises(RuleError) as err:
        find_mpe(meter("2"), TestPoint("p", {"Q": QuantityValue.of("2.5", FLOW), "T": QuantityValue.of("20", "\\kelvin")}))
    assert err.value.field == "points[p].T"


def test_in_service_not_defined():
    """Reference §3.1: "In-service MPE: not verified" -- the engine refuses rather than guess."""
    with pytest.raises(RuleError) as err:
        find_mpe(meter("2"), point("2.5"), "in_service")
    assert err.value.field == "stage"


@pytest.mark.parametrize(
    ("error", "rule", "outcome"),
    [
        ("2.0", DecisionRule.simple(), Outcome.PASS),  # exactly the class 2 upper-zone MPE
        ("2.01", DecisionRule.simple(), Outcome.FAIL),
        ("-2.0", DecisionRule.simple(), Outcome.PASS),
        ("1.7", DecisionRule.guarded(), Outcome.PASS),  # U = 0.3 %
        ("1.71", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("2.3", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("2.31", DecisionRule.guarded(), Outcome.FAIL),
    ],
)
def test_decision_table_class2_q3(error, rule, outcome):
    """Class 2, Q3 at 20 °C (MPE ±2 %), U = 0.3 % (k = 2): ILAC-G8:09/2019 4.2.1 / 4.2.2."""
    m = Measurement(point("2.5", label="Q3"), QuantityValue.of(error, "\\percent"), Uncertainty.of("0.3"))
    assert decide_point(meter("2"), m, "initial", rule).outcome is outcome


def test_required_points_q1_q2_q3():
    """Q1, Q2, Q3 at least (requirement M: not in the reference)."""
    def m(label, q, err):
        return Measurement(point(q, label=label), QuantityValue.of(err, "\\percent"), Uncertainty.of("0.3"))

    ms = [m("Q1", "0.025", "-4.0"), m("Q2", "0.04", "1.0"), m("Q3", "2.5", "0.5")]
    result = decide_instrument(meter("2"), ms)
    assert result.outcome is Outcome.PASS
    assert [p.mpe.upper for p in result.points] == [D(5), D(2), D(2)]
    with pytest.raises(RuleError) as err:
        decide_instrument(meter("2"), ms[:1])
    assert "missing: Q2, Q3" in err.value.message and "marked M" in err.value.message
