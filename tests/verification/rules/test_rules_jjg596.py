"""JJG 596-2012 electronic AC electricity meters: IEC 62053-21:2003 percentage error limits, classes 1 and 2.

Reference: shared/reference/legal-metrology.md §3.4 (cshnkj.com transcription of the IEC 62053-21:2003
tables, V2; 123doc.top agrees with the single-phase-load table, V2). Balanced load / single-phase meters:
0.05 Ib ≤ I < 0.1 Ib PF 1: ±1.5/±2.5 %; 0.1 Ib ≤ I ≤ Imax PF 1: ±1.0/±2.0 %; 0.1 Ib ≤ I < 0.2 Ib PF 0.5 L,
0.8 C: ±1.5/±2.5 %; 0.2 Ib ≤ I ≤ Imax: ±1.0/±2.0 %; transformer-operated with In (0.02/0.05/0.1 In).
Single-phase load on a polyphase meter: 0.1 Ib ≤ I ≤ Imax PF 1 and 0.2 Ib ≤ I ≤ Imax PF 0.5 L: ±2.0/±3.0 %.
That JJG 596-2012 verification uses this table is M.

Meters used: direct-connected Ib = 5 A, Imax = 60 A; transformer-operated In = 1.5 A, Imax = 6 A.
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

A = "\\ampere"
PCT = "\\percent"


def direct(cls: str) -> Instrument:
    return Instrument("JJG596-2012", {"class": cls, "connection": "direct"},
                      {"Ib": QuantityValue.of("5", A), "Imax": QuantityValue.of("60", A)})


def transformer(cls: str) -> Instrument:
    return Instrument("JJG596-2012", {"class": cls, "connection": "transformer"},
                      {"In": QuantityValue.of("1.5", A), "Imax": QuantityValue.of("6", A)})


def pt(i: str, pf: str, load: str = "balanced", label: str = "p") -> TestPoint:
    return TestPoint(label, {"I": QuantityValue.of(i, A)}, {"pf": pf, "load": load})


@pytest.mark.parametrize(
    ("i", "pf", "c1", "c2"),
    [
        ("0.25", "1", "1.5", "2.5"),  # 0.05 Ib (inclusive)
        ("0.4999", "1", "1.5", "2.5"),  # just below 0.1 Ib
        ("0.5", "1", "1.0", "2.0"),  # 0.1 Ib (inclusive)
        ("5", "1", "1.0", "2.0"),  # Ib
        ("60", "1", "1.0", "2.0"),  # Imax (inclusive)
        ("0.5", "0.5L", "1.5", "2.5"),  # 0.1 Ib at PF 0.5 L
        ("0.9999", "0.8C", "1.5", "2.5"),  # just below 0.2 Ib
        ("1", "0.5L", "1.0", "2.0"),  # 0.2 Ib
        ("60", "0.8C", "1.0", "2.0"),
    ],
)
def test_direct_connected_balanced(i, pf, c1, c2):
    """IEC 62053-21:2003, single-phase meters and polyphase meters with balanced load, direct-connected."""
    assert find_mpe(direct("1"), pt(i, pf)).upper == D(c1)
    assert find_mpe(direct("2"), pt(i, pf)).upper == D(c2)


@pytest.mark.parametrize(
    ("i", "pf", "c1", "c2"),
    [
        ("0.03", "1", "1.5", "2.5"),  # 0.02 In
        ("0.075", "1", "1.0", "2.0"),  # 0.05 In
        ("0.075", "0.5L", "1.5", "2.5"),
        ("0.15", "0.5L", "1.0", "2.0"),  # 0.1 In
        ("6", "0.8C", "1.0", "2.0"),
    ],
)
def test_transformer_operated_balanced(i, pf, c1, c2):
    """IEC 62053-21:2003 balanced-load table, transformer-operated column (In)."""
    assert find_mpe(transformer("1"), pt(i, pf)).upper == D(c1)
    assert find_mpe(transformer("2"), pt(i, pf)).upper == D(c2)


@pytest.mark.parametrize(("i", "pf"), [("0.5", "1"), ("60", "1"), ("1", "0.5L"), ("60", "0.5L")])
def test_single_phase_load(i, pf):
    """IEC 62053-21:2003, polyphase meter carrying a single-phase load: ±2.0 % (class 1), ±3.0 % (class 2)."""
    assert find_mpe(direct("1"), pt(i, pf, "single_phase")).upper == D("2.0")
    assert find_mpe(direct("2"), pt(i, pf, "single_phase")).upper == D("3.0")


def test_outside_the_table():
    """Below 0.05 Ib, above Imax, single-phase load at 0.8 C or below 0.1 Ib: no MPE band -> error."""
    for point, field in ((pt("0.2", "1"), "points[p]"), (pt("60.1", "1"), "points[p].I"),
                         (pt("5", "0.8C", "single_phase"), "points[p]"), (pt("0.4", "1", "single_phase"), "points[p]")):
        with pytest.raises(RuleError) as err:
            find_mpe(direct("1"), point)
        assert err.value.field == field


def test_missing_basic_current_named():
    meter = Instrument("JJG596-2012", {"class": "1", "connection": "direct"}, {"Imax": QuantityValue.of("60", A)})
    with pytest.raises(RuleError) as err:
        find_mpe(meter, pt("5", "1"))
    assert err.value.field == "parameters.Ib"


@pytest.mark.parametrize(
    ("error", "rule", "outcome"),
    [
        ("1.0", DecisionRule.simple(), Outcome.PASS),
        ("1.01", DecisionRule.simple(), Outcome.FAIL),
        ("0.9", DecisionRule.guarded(), Outcome.PASS),  # U = 0.1 %
        ("0.91", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("1.1", DecisionRule.guarded(), Outcome.CONDITIONAL),
        ("1.11", DecisionRule.guarded(), Outcome.FAIL),
    ],
)
def test_decision_table_class1_ib(error, rule, outcome):
    """Class 1 at Ib, PF 1 (±1.0 %) with U = 0.1 %: ILAC-G8:09/2019 4.2.1 / 4.2.2."""
    m = Measurement(pt("5", "1"), QuantityValue.of(error, PCT), Uncertainty.of("0.1"))
    assert decide_point(direct("1"), m, "initial", rule).outcome is outcome


def test_whole_meter_and_required_point_attributes():
    """Required points (M) carry the power factor; a required label measured at another PF is refused."""
    def m(label, i, pf, err):
        return Measurement(pt(i, pf, label=label), QuantityValue.of(err, PCT), Uncertainty.of("0.1"))

    ms = [m("Imax/1", "60", "1", "0.2"), m("Ib/1", "5", "1", "0.1"), m("0.1Ib/1", "0.5", "1", "-0.5"),
          m("Ib/0.5L", "5", "0.5L", "0.3")]
    result = decide_instrument(direct("1"), ms)
    assert result.outcome is Outcome.PASS
    assert any("unverified (M)" in n for n in result.notes)
    ms[3] = m("Ib/0.5L", "5", "0.8C", "0.3")
    with pytest.raises(RuleError) as err:
        decide_instrument(direct("1"), ms)
    assert err.value.field == "points[Ib/0.5L].attributes"
