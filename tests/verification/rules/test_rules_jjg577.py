"""JJG 577-2012 membrane gas meters: OIML R 137-1 / MID MI-002 zones and the class 1.0 same-sign rule.

Reference: shared/reference/legal-metrology.md §3.2 -- class 1.5: ±3 % for Qmin ≤ Q < Qt, ±1.5 % for
Qt ≤ Q ≤ Qmax; class 1.0: ±2 % / ±1 %, "plus: if all errors from Qt to Qmax have the same sign, none may
exceed 0.5 %" (MID term glossary xn--snaveeb-10a.ee, V2). JJG 577-2012 using the class 1.5 limits is M;
in-service 2× is M.

Meter used: G4-like, Qmin = 0.04, Qt = 0.6, Qmax = 6 m³/h (parameters chosen for the test only).
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
    find_mpe,
)

FLOW = "\\metre\\tothe{3}\\hour\\tothe{-1}"
PCT = "\\percent"


def meter(cls: str) -> Instrument:
    return Instrument("JJG577-2012", {"class": cls}, {
        "Qmin": QuantityValue.of("0.04", FLOW), "Qt": QuantityValue.of("0.6", FLOW), "Qmax": QuantityValue.of("6", FLOW)})


def m(label: str, q: str, err: str, U: str = "0.1") -> Measurement:
    return Measurement(TestPoint(label, {"Q": QuantityValue.of(q, FLOW)}), QuantityValue.of(err, PCT), Uncertainty.of(U))


@pytest.mark.parametrize(
    ("cls", "q", "mpe"),
    [
        ("1.5", "0.04", "3"),  # Qmin inclusive
        ("1.5", "0.5999", "3"),  # just below Qt
        ("1.5", "0.6", "1.5"),  # Qt inclusive in the upper zone
        ("1.5", "6", "1.5"),  # Qmax inclusive
        ("1.0", "0.04", "2"),
        ("1.0", "0.6", "1"),
        ("1.0", "6", "1"),
    ],
)
def test_zones(cls, q, mpe):
    """OIML R 137-1 / MID MI-002 MPE per class and zone (reference §3.2, V2; use in JJG 577-2012 M)."""
    result = find_mpe(meter(cls), TestPoint("p", {"Q": QuantityValue.of(q, FLOW)}))
    assert result.upper == D(mpe) and result.regulation_confidence == "M"


def test_in_service_twice_marked_m():
    """Reference §3.2: in-service MPE = 2 × (M)."""
    result = find_mpe(meter("1.5"), TestPoint("p", {"Q": QuantityValue.of("1", FLOW)}), "in_service")
    assert result.upper == D("3.0") and result.stage_confidence == "M" and result.unverified


def test_same_sign_rule_tightens_upper_zone_to_half_percent():
    """Class 1.0: all errors in Qt ≤ Q ≤ Qmax positive → each must be within ±0.5 %; 0.8 % fails although
    the zone MPE is ±1 % (MID glossary, V2; applied by the engine as a multi-point rule)."""
    ms = [m("Qmin", "0.04", "-1.5"), m("Qt", "0.6", "0.3"), m("0.2Qmax", "1.2", "0.5"), m("Qmax", "6", "0.8")]
    result = decide_instrument(meter("1.0"), ms, "initial", DecisionRule.simple())
    by_label = {p.label: p for p in result.points}
    assert by_label["Qmin"].mpe.upper == D(2) and by_label["Qmin"].mpe.rule is None  # lower zone untouched
    for label in ("Qt", "0.2Qmax", "Qmax"):
        assert by_label[label].mpe.upper == D("0.5") and by_label[label].mpe.rule == "c1.0-same-sign"
    assert by_label["0.2Qmax"].outcome is Outcome.PASS  # exactly 0.5 % passes (simple acceptance)
    assert by_label["Qmax"].outcome is Outcome.FAIL
    assert result.outcome is Outcome.FAIL
    assert any("c1.0-same-sign" in n and "positive" in n for n in result.notes)


def test_same_sign_rule_not_triggered_by_mixed_signs():
    """Mixed signs in Qt..Qmax: the zone MPE ±1 % applies; 0.8 % passes."""
    ms = [m("Qmin", "0.04", "-1.5"), m("Qt", "0.6", "-0.3"), m("Qmax", "6", "0.8")]
    result = decide_instrument(meter("1.0"), ms, "initial", DecisionRule.simple())
    assert result.outcome is Outcome.PASS
    assert all(p.mpe.rule is None for p in result.points)


def test_same_sign_rule_zero_breaks_the_run():
    """An error of exactly 0 has no sign: the rule does not apply (documented interpretation)."""
    ms = [m("Qmin", "0.04", "1.0"), m("Qt", "0.6", "0"), m("Qmax", "6", "0.8")]
    assert decide_instrument(meter("1.0"), ms).outcome is Outcome.PASS


def test_same_sign_rule_with_guard_band_and_negative_errors():
    """All negative; tightened MPE 0.5 % with U = 0.1 %: −0.4 % passes (= −(0.5 − 0.1)), −0.45 % is conditional."""
    ms = [m("Qmin", "0.04", "1.0"), m("Qt", "0.6", "-0.4"), m("Qmax", "6", "-0.45")]
    result = decide_instrument(meter("1.0"), ms, "initial", DecisionRule.guarded())
    outcomes = {p.label: p.outcome for p in result.points}
    assert outcomes == {"Qmin": Outcome.PASS, "Qt": Outcome.PASS, "Qmax": Outcome.CONDITIONAL}
    assert result.outcome is Outcome.CONDITIONAL


def test_same_sign_rule_only_class_1_0():
    """Class 1.5 has no same-sign rule in the reference: 1.2 % at Qmax passes against ±1.5 %."""
    ms = [m("Qmin", "0.04", "2.5"), m("Qt", "0.6", "1.2"), m("Qmax", "6", "1.2")]
    assert decide_instrument(meter("1.5"), ms).outcome is Outcome.PASS


def test_required_points_and_range():
    with pytest.raises(RuleError) as err:
        decide_instrument(meter("1.5"), [m("Qmin", "0.04", "0")])
    assert err.value.field == "points" and "Qt, Qmax" in err.value.message
    with pytest.raises(RuleError) as err:
        find_mpe(meter("1.5"), TestPoint("p", {"Q": QuantityValue.of("6.01", FLOW)}))
    assert err.value.field == "points[p].Q"
