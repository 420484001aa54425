"""Decision rules (ILAC-G8:09/2019 4.2) and specific risks (JCGM 106:2012 7.3, 9.3), independent of any regulation.

No worked example of JCGM 106:2012 clause 9 with its numbers could be retrieved with the search tools
(the guide's text was not available; only its table of contents and a demo header that names
"7.3 Table 1: z for one-sided tolerance intervals and normal PDFs"). The conformance probability is
therefore checked against an **independent computation by numerical integration** of the normal PDF
(``scipy.integrate.quad``), and against the two risk statements of ILAC-G8:09/2019 (from memory, not
read here): simple acceptance can carry a specific false-accept risk of up to 50 % at the limit (4.2.1);
guarded acceptance with w = U (k = 2) keeps it below 2.5 % (4.2.2).
"""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate
from scipy.stats import norm

from jiliang.verification.rules import (
    DecisionRule,
    Outcome,
    RiskKind,
    RuleError,
    conformance_probability,
    decide,
)

SIMPLE = DecisionRule.simple()
GUARDED = DecisionRule.guarded(allow_conditional=True)
GUARDED_BINARY = DecisionRule.guarded(allow_conditional=False)


def integrated_pc(y: float, u: float, lower: float, upper: float) -> float:
    """p_c by quadrature of the normal PDF N(y, u²) over [lower, upper] -- independent of the CDF code."""
    value, _ = integrate.quad(lambda x: norm.pdf(x, loc=y, scale=u), lower, upper, epsabs=1e-13, epsrel=1e-12,
                              points=[y] if lower < y < upper else None, limit=200)
    return value


@pytest.mark.parametrize(
    ("y", "u", "lower", "upper"),
    [
        (0.0, 0.25, -1.0, 1.0),
        (0.9, 0.05, -1.0, 1.0),
        (1.0, 0.05, -1.0, 1.0),
        (1.02, 0.05, -1.0, 1.0),
        (-0.7, 0.2, -1.0, 1.0),
        (2.45, 0.5, -7.5, 7.5),
        (0.12, 0.025, -1.0, 1.0),
        (-3.0, 1.0, -1.5, 1.5),
    ],
)
def test_conformance_probability_matches_numerical_integration(y, u, lower, upper):
    """JCGM 106:2012 7.3: p_c = Φ((T_U − y)/u) − Φ((T_L − y)/u) for a normal PDF; checked by quadrature."""
    assert conformance_probability(y, u, lower, upper) == pytest.approx(integrated_pc(y, u, lower, upper), abs=1e-10)


def test_one_sided_conformance_probability_is_phi_of_z():
    """JCGM 106:2012 7.3 (Table 1 relates z = (T_U − y)/u and p_c for one-sided limits): p_c = Φ(z).

    Checked for z = 0.84, 1.28, 1.64, 2.33, 3.09 by integrating the PDF up to T_U; the table's printed
    values were not available, so this is a computation check, not a comparison with the publication.
    """
    for z in (0.84, 1.28, 1.64, 2.33, 3.09):
        y, u, upper = 10.0, 0.5, 10.0 + z * 0.5
        assert conformance_probability(y, u, -1e9, upper) == pytest.approx(
            integrated_pc(y, u, y - 40 * u, upper), abs=1e-10)


def test_simple_acceptance_at_the_limit_passes_with_risk_up_to_half():
    """ILAC-G8:09/2019 4.2.1 (w = 0): a value exactly at the MPE passes; its specific false-accept risk
    (JCGM 106:2012 9.3) is about 50 % -- ILAC-G8's "up to 50 %"."""
    d = decide(D("1.0"), D("0.10"), D("2"), D("-1.0"), D("1.0"), SIMPLE)
    assert d.outcome is Outcome.PASS
    assert d.risk_kind is RiskKind.FALSE_ACCEPT
    assert d.specific_risk == pytest.approx(0.5, abs=1e-12)
    assert d.specific_risk == pytest.approx(1 - integrated_pc(1.0, 0.05, -1.0, 1.0), abs=1e-10)


def test_simple_acceptance_just_over_fails_with_false_reject_risk():
    """ILAC-G8:09/2019 4.2.1: 1.001 > 1.0 fails; the specific false-reject risk is p_c (JCGM 106:2012 9.3)."""
    d = decide(D("1.001"), D("0.10"), D("2"), D("-1.0"), D("1.0"), SIMPLE)
    assert d.outcome is Outcome.FAIL
    assert d.risk_kind is RiskKind.FALSE_REJECT
    assert d.specific_risk == pytest.approx(integrated_pc(1.001, 0.05, -1.0, 1.0), abs=1e-10)
    assert 0.4 < d.specific_risk < 0.5


def test_exact_decimal_boundary_is_not_lost_to_float():
    """0.1 + 0.2 is 0.30000000000000004 in float; as Decimal the error 0.3 is exactly at the MPE 0.3 %."""
    d = decide(D("0.1") + D("0.2"), D("0"), D("2"), D("-0.3"), D("0.3"), SIMPLE)
    assert d.outcome is Outcome.PASS


def test_guarded_acceptance_limit_risk_below_2_5_percent():
    """ILAC-G8:09/2019 4.2.2 (w = U, k = 2): at the acceptance limit MPE − U the item passes and its
    specific false-accept risk is Φ(−2) ≈ 2.3 % (< 2.5 %); checked by quadrature as well."""
    d = decide(D("0.8"), D("0.2"), D("2"), D("-1.0"), D("1.0"), GUARDED)
    assert d.outcome is Outcome.PASS
    assert d.acceptance_limits == (D("-0.8"), D("0.8"))
    assert d.specific_risk == pytest.approx(norm.cdf(-2) + norm.sf(18), rel=1e-9)
    assert d.specific_risk == pytest.approx(1 - integrated_pc(0.8, 0.1, -1.0, 1.0), abs=1e-10)
    assert d.specific_risk < 0.025


@pytest.mark.parametrize(
    ("error", "rule", "expected"),
    [
        ("0.8", GUARDED, Outcome.PASS),  # = MPE − U
        ("0.8001", GUARDED, Outcome.CONDITIONAL),  # just inside the guard band
        ("1.0", GUARDED, Outcome.CONDITIONAL),  # at the MPE
        ("1.2", GUARDED, Outcome.CONDITIONAL),  # = MPE + U
        ("1.2001", GUARDED, Outcome.FAIL),  # just beyond MPE + U
        ("-1.2", GUARDED, Outcome.CONDITIONAL),
        ("-1.2001", GUARDED, Outcome.FAIL),
        ("0.8", GUARDED_BINARY, Outcome.PASS),
        ("0.8001", GUARDED_BINARY, Outcome.FAIL),  # conditional not allowed -> fail
        ("1.2", GUARDED_BINARY, Outcome.FAIL),
        ("1.0", SIMPLE, Outcome.PASS),
        ("-1.0", SIMPLE, Outcome.PASS),
        ("-1.0001", SIMPLE, Outcome.FAIL),
    ],
)
def test_guard_band_zones(error, rule, expected):
    """ILAC-G8:09/2019 4.2.2/4.2.3 with MPE = 1.0, U = 0.2: pass ≤ 0.8; 0.8 < |e| ≤ 1.2 conditional
    (or fail when the rule is binary); |e| > 1.2 fail. Simple acceptance 4.2.1 for comparison."""
    d = decide(D(error), D("0.2"), D("2"), D("-1.0"), D("1.0"), rule)
    assert d.outcome is expected
    if expected is Outcome.CONDITIONAL:
        assert d.specific_risk is None and d.risk_kind is None
        assert 0 < d.conformance_probability < 1


def test_asymmetric_tolerance():
    """JCGM 106:2012 7.3 holds for any interval [T_L, T_U]; e.g. −4.0 % .. +1.0 %."""
    d = decide(D("1.0"), D("0.2"), D("2"), D("-4.0"), D("1.0"), SIMPLE)
    assert d.outcome is Outcome.PASS
    d = decide(D("-3.9"), D("0.2"), D("2"), D("-4.0"), D("1.0"), GUARDED)
    assert d.outcome is Outcome.CONDITIONAL
    assert d.conformance_probability == pytest.approx(integrated_pc(-3.9, 0.1, -4.0, 1.0), abs=1e-10)


def test_zero_uncertainty_is_deterministic():
    d = decide(D("1.0"), D("0"), D("2"), D("-1.0"), D("1.0"), GUARDED)
    assert d.outcome is Outcome.PASS and d.specific_risk == 0.0
    d = decide(D("1.01"), D("0"), D("2"), D("-1.0"), D("1.0"), GUARDED)
    assert d.outcome is Outcome.FAIL and d.specific_risk == 0.0


def test_bad_inputs_are_refused():
    with pytest.raises(RuleError) as err:
        decide(D("0"), D("-0.1"), D("2"), D("-1"), D("1"), SIMPLE)
    assert err.value.field == "uncertainty.U"
    with pytest.raises(RuleError) as err:
        decide(D("0"), D("0.1"), D("0"), D("-1"), D("1"), SIMPLE)
    assert err.value.field == "uncertainty.k"


def test_small_risks_keep_their_precision():
    """A pass far inside the limits: 1 − p_c computed from the tails, not as 1 − 0.99999999..."""
    d = decide(D("0"), D("0.2"), D("2"), D("-1"), D("1"), SIMPLE)
    assert d.specific_risk == pytest.approx(2 * norm.sf(10), rel=1e-9)
    assert d.specific_risk > 0


@settings(max_examples=300, deadline=None)
@given(
    error=st.decimals(min_value=-3, max_value=3, places=3),
    expanded=st.decimals(min_value=0, max_value=1, places=3),
    mpe=st.decimals(min_value="0.001", max_value=2, places=3),
    conditional=st.booleans(),
)
def test_decision_properties(error, expanded, mpe, conditional):
    """Invariants of ILAC-G8:09/2019 4.2 and JCGM 106:2012 9.3 for random inputs."""
    rule = DecisionRule.guarded(allow_conditional=conditional)
    d = decide(error, expanded, D(2), -mpe, mpe, rule)
    s = decide(error, expanded, D(2), -mpe, mpe, SIMPLE)
    assert 0.0 <= d.conformance_probability <= 1.0
    if d.outcome is Outcome.PASS:
        assert abs(error) <= mpe - expanded
        assert s.outcome is Outcome.PASS  # guarded acceptance never passes what simple acceptance fails
        assert d.specific_risk == pytest.approx(1 - d.conformance_probability, abs=1e-9)
    if abs(error) > mpe + expanded:
        assert d.outcome is Outcome.FAIL
    if d.outcome is Outcome.FAIL:
        assert d.specific_risk == pytest.approx(d.conformance_probability, abs=1e-12)
    assert (s.outcome is Outcome.PASS) == (abs(error) <= mpe)
