"""JJG 539-2016 digital indicating scales: decision table at the band edges of OIML R 76-1:2006 Table 6.

Reference: shared/reference/legal-metrology.md §2.1 (Table 6: scribd "Tablas OIML Alumnos", V2; JJG
539-1997 on gfjl.org, V2), §2.2 (in service 2×: V2 for JJG 539-1997, M for R 76-1 3.5.2 and for JJG
539-2016), §2.3 (Min = 20 e / 10 e, V2). The use of these bands in the 2016 edition is M (Appendix B 5).

Instrument used throughout: class III, e = 5 g, Max = 30 kg (n = 6000).
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
    required_test_points,
)

G = "\\gram"
SCALE = Instrument("JJG539-2016", {"class": "III"}, {"e": QuantityValue.of("5", G), "Max": QuantityValue.of("30000", G)})
SCALE_IIII = Instrument("JJG539-2016", {"class": "IIII"}, {"e": QuantityValue.of("10", G), "Max": QuantityValue.of("6000", G)})


def point(load: str, label: str = "p") -> TestPoint:
    return TestPoint(label, {"m": QuantityValue.of(load, G)})


def meas(load: str, error: str, U: str = "0.5", label: str = "p") -> Measurement:
    return Measurement(point(load, label), QuantityValue.of(error, G), Uncertainty.of(U, 2, "0.95"))


@pytest.mark.parametrize(
    ("load", "mpe", "band"),
    [
        ("0", "2.5", "III-0-500e"),  # 0 ≤ m ≤ 500 e: ±0.5 e
        ("2500", "2.5", "III-0-500e"),  # m = 500 e exactly: still ±0.5 e (upper bound inclusive)
        ("2505", "5.0", "III-500e-2000e"),  # 500 e < m ≤ 2000 e: ±1.0 e
        ("10000", "5.0", "III-500e-2000e"),  # m = 2000 e exactly
        ("10005", "7.5", "III-2000e-10000e"),  # 2000 e < m: ±1.5 e
        ("30000", "7.5", "III-2000e-10000e"),  # Max
    ],
)
def test_class_III_bands(load, mpe, band):
    """OIML R 76-1:2006 Table 6, class III: ±0.5 e for 0 ≤ m ≤ 500 e, ±1.0 e for 500 e < m ≤ 2000 e,
    ±1.5 e for 2000 e < m ≤ 10 000 e (reference §2.1, V2)."""
    result = find_mpe(SCALE, point(load))
    assert (result.upper, result.lower, result.unit, result.band) == (D(mpe), -D(mpe), G, band)
    assert result.clause.id == "R76-1:2006-T6" and result.confidence == "V2" and result.regulation_confidence == "M"


@pytest.mark.parametrize(
    ("load", "mpe"),
    [("500", "5.0"), ("510", "10.0"), ("2000", "10.0"), ("2010", "15.0"), ("6000", "15.0")],
)
def test_class_IIII_bands(load, mpe):
    """OIML R 76-1:2006 Table 6, class IIII: ±0.5 e up to 50 e, ±1.0 e up to 200 e, ±1.5 e up to 1000 e (e = 10 g)."""
    assert find_mpe(SCALE_IIII, point(load)).upper == D(mpe)


@pytest.mark.parametrize(
    ("stage", "mpe"),
    [("initial", "5.0"), ("subsequent", "5.0"), ("in_service", "10.0")],
)
def test_stage_factors(stage, mpe):
    """Reference §2.2: first and subsequent verification 1× (M for 2016), in service 2× (±2.0 e at
    500 e < m ≤ 2000 e; V2 for JJG 539-1997, M for R 76-1 3.5.2 and JJG 539-2016)."""
    result = find_mpe(SCALE, point("5000"), stage)
    assert result.upper == D(mpe)
    assert result.stage_confidence == ("V2" if stage == "initial" else "M")


@pytest.mark.parametrize(
    ("error", "rule", "outcome"),
    [
        ("5.0", DecisionRule.simple(), Outcome.PASS),  # exactly at MPE = 1.0 e
        ("-5.0", DecisionRule.simple(), Outcome.PASS),
        ("5.01", DecisionRule.simple(), Outcome.FAIL),  # just over
        ("4.5", DecisionRule.guarded(), Outcome.PASS),  # = MPE − U with U = 0.5 g
        ("4.51", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("5.5", DecisionRule.guarded(), Outcome.CONDITIONAL),  # = MPE + U
        ("5.51", DecisionRule.guarded(), Outcome.FAIL),
        ("4.51", DecisionRule.guarded(allow_conditional=False), Outcome.FAIL),
    ],
)
def test_decision_table_at_5000_g(error, rule, outcome):
    """Table 6 band 500 e < m ≤ 2000 e (MPE 5 g) with U = 0.5 g (k = 2): ILAC-G8:09/2019 4.2.1 / 4.2.2."""
    d = decide_point(SCALE, meas("5000", error), "initial", rule)
    assert d.outcome is outcome


def test_at_mpe_simple_acceptance_reports_false_accept_risk():
    """JCGM 106:2012 9.3: an item accepted at the limit carries ≈ 50 % specific false-accept risk."""
    d = decide_point(SCALE, meas("5000", "5.0"))
    assert d.decision.risk_kind == "false_accept"
    assert d.decision.specific_risk == pytest.approx(0.5, abs=1e-6)


def test_required_points_and_whole_instrument():
    """Required loads (M): Min = 20 e (R 76 Table 3, V2), 500 e, 2000 e, Max."""
    labels = [(p.label, p.nominal.value) for p in required_test_points(SCALE)]
    assert labels == [("Min", D(100)), ("500e", D(2500)), ("2000e", D(10000)), ("Max", D(30000))]
    ms = [meas("100", "0", label="Min"), meas("2500", "2.5", label="500e"), meas("10000", "-4.0", label="2000e"),
          meas("30000", "7.0", label="Max")]
    result = decide_instrument(SCALE, ms, "initial", DecisionRule.simple())
    assert result.outcome is Outcome.PASS
    assert any("marked M" in n for n in result.notes)
    result = decide_instrument(SCALE, ms, "initial", DecisionRule.guarded())
    assert result.outcome is Outcome.CONDITIONAL  # 2.5 g at 500 e is within U of the MPE
    with pytest.raises(RuleError) as err:
        decide_instrument(SCALE, ms[:2], "initial")
    assert err.value.field == "points" and "missing: 2000e, Max" in err.value.message


def test_required_point_above_max_does_not_apply():
    """A scale with Max = 1500 e has no 2000 e load: that required point does not apply (noted)."""
    small = Instrument("JJG539-2016", {"class": "III"}, {"e": QuantityValue.of("1", G), "Max": QuantityValue.of("1500", G)})
    assert [p.label for p in required_test_points(small)] == ["Min", "500e", "Max"]


def test_errors_name_point_and_reason():
    """Units that are not the regulation's, loads outside [0, Max], unknown classes are refused."""
    with pytest.raises(RuleError) as err:
        find_mpe(SCALE, point("30005"))
    assert err.value.field == "points[p].m" and "outside the instrument's range" in err.value.message
    with pytest.raises(RuleError) as err:
        find_mpe(SCALE, TestPoint("p", {"m": QuantityValue.of("2.5", "\\kilogram")}))
    assert err.value.field == "points[p].m" and "\\gram" in err.value.message
    with pytest.raises(RuleError) as err:
        decide_point(SCALE, Measurement(point("5000"), QuantityValue.of("1", "\\kilogram"), Uncertainty.of("0.1")))
    assert err.value.field == "points[p].error"
    with pytest.raises(RuleError) as err:
        find_mpe(Instrument("JJG539-2016", {"class": "II"}, SCALE.parameters), point("5"))
    assert err.value.field == "attributes.class"
    with pytest.raises(RuleError) as err:
        find_mpe(Instrument("JJG539-2016", {"class": "III"}, {"e": QuantityValue.of("5", G)}), point("5"))
    assert err.value.field == "parameters.Max"
    with pytest.raises(RuleError) as err:
        find_mpe(SCALE, point("5"), "annual")
    assert err.value.field == "stage"
