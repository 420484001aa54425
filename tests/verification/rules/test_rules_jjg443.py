"""JJG 443-2015 fuel dispensers: MPE ±0.3 %, at the minimum measured quantity ±0.5 %; repeatability.

Reference: shared/reference/legal-metrology.md §3.3 -- "JJG 443 (2006 text as quoted; 2015 same):
Dispenser MPE ±0.3 %, repeatability ≤ 0.15 %. At minimum measured quantity: MPE ±0.5 %, repeatability
≤ 0.25 %" (315online.com/oil/guide/408277.html, V2). Period ≤ 6 months is V2 for JJG 443-98 only (M here).
The repeatability formula (range of errors of repeated runs) is M.

Dispenser used: Qmin = 5, Qmax = 50 L/min.
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
    load_regulation,
)

LPM = "\\litre\\minute\\tothe{-1}"
PCT = "\\percent"
DISPENSER = Instrument("JJG443-2015", {}, {"Qmin": QuantityValue.of("5", LPM), "Qmax": QuantityValue.of("50", LPM)})


def m(label: str, q: str, err: str, kind: str = "normal", U: str = "0.05") -> Measurement:
    return Measurement(TestPoint(label, {"Q": QuantityValue.of(q, LPM)}, {"kind": kind}),
                       QuantityValue.of(err, PCT), Uncertainty.of(U))


def test_mpe_normal_and_minimum_measured_quantity():
    """Reference §3.3 (V2): ±0.3 %; at the minimum measured quantity ±0.5 %."""
    assert find_mpe(DISPENSER, TestPoint("p", {"Q": QuantityValue.of("50", LPM)})).upper == D("0.3")
    mmq = TestPoint("p", {"Q": QuantityValue.of("5", LPM)}, {"kind": "minimum_measured_quantity"})
    assert find_mpe(DISPENSER, mmq).upper == D("0.5")
    assert find_mpe(DISPENSER, mmq, "subsequent").stage_confidence == "M"


@pytest.mark.parametrize(
    ("error", "kind", "rule", "outcome"),
    [
        ("0.3", "normal", DecisionRule.simple(), Outcome.PASS),  # exactly at MPE
        ("-0.3", "normal", DecisionRule.simple(), Outcome.PASS),
        ("0.31", "normal", DecisionRule.simple(), Outcome.FAIL),
        ("0.25", "normal", DecisionRule.guarded(), Outcome.PASS),  # MPE − U, U = 0.05 %
        ("0.26", "normal", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("0.35", "normal", DecisionRule.guarded(), Outcome.CONDITIONAL),  # MPE + U
        ("0.36", "normal", DecisionRule.guarded(), Outcome.FAIL),
        ("0.5", "minimum_measured_quantity", DecisionRule.simple(), Outcome.PASS),
        ("0.51", "minimum_measured_quantity", DecisionRule.simple(), Outcome.FAIL),
    ],
)
def test_decision_table(error, kind, rule, outcome):
    """JJG 443 MPE with ILAC-G8:09/2019 4.2.1 (simple) and 4.2.2/4.2.3 (w = U, conditional zone)."""
    assert decide_point(DISPENSER, m("p", "30", error, kind), "initial", rule).outcome is outcome


def test_repeatability_range():
    """Repeatability ≤ 0.15 % (normal) and ≤ 0.25 % (minimum measured quantity), as the range of the
    errors of repeated runs at one test point (formula M): 0.15 passes, 0.16 fails."""
    ok = [m("Qmax", "50", "0.10"), m("Qmax", "50", "-0.05"), m("Qmax", "50", "0.02"),
          m("Qmin", "5", "0.2"), m("Qmin", "5", "0.0")]
    result = decide_instrument(DISPENSER, ok)
    groups = {g.label: g for g in result.groups}
    assert groups["Qmax"].statistic == D("0.15") and groups["Qmax"].outcome is Outcome.PASS
    assert groups["Qmin"].statistic == D("0.2") and groups["Qmin"].limit == D("0.15")
    assert groups["Qmin"].outcome is Outcome.FAIL
    assert groups["Qmax"].formula_confidence == "M"
    assert result.outcome is Outcome.FAIL

    mmq = [m("Qmax", "50", "0.1"), m("Qmax", "50", "0.1"), m("Qmin", "5", "0.0"),
           m("MMQ", "5", "0.25", "minimum_measured_quantity"), m("MMQ", "5", "0.0", "minimum_measured_quantity")]
    groups = {g.label: g for g in decide_instrument(DISPENSER, mmq).groups}
    assert groups["MMQ"].limit == D("0.25") and groups["MMQ"].outcome is Outcome.PASS


def test_repeated_runs_must_be_alike():
    ms = [m("Qmax", "50", "0.1"), m("Qmax", "50", "0.1", "minimum_measured_quantity"), m("Qmin", "5", "0")]
    with pytest.raises(RuleError) as err:
        decide_instrument(DISPENSER, ms)
    assert err.value.field == "points[Qmax].attributes"


def test_period_marked_m():
    """Reference §3.3: period ≤ 6 months is V2 for JJG 443-98; the 2015 edition's period is not given (M)."""
    reg = load_regulation("JJG443-2015")
    assert [(p.months, p.confidence) for p in reg.verification_periods] == [(6, "M")]


def test_unknown_kind_refused():
    with pytest.raises(RuleError) as err:
        find_mpe(DISPENSER, TestPoint("p", {"Q": QuantityValue.of("5", LPM)}, {"kind": "mmq"}))
    assert err.value.field == "points[p].attributes.kind"
