"""GUM framework internals: sensitivities of callables, Welch–Satterthwaite, coverage factors."""

import math

import numpy as np
import pytest

from jiliang.uncertainty import (
    Model,
    Normal,
    Rectangular,
    UncertaintyError,
    coverage_factor,
    evaluate_gum,
    welch_satterthwaite,
)

MASS_TEXT = "(m_rc + dm_rc) * (1 + (rho_a - 1.2) * (1/rho_w - 1/rho_r)) - 100000"
MASS_INPUTS = {
    "m_rc": Normal(100_000.0, 0.050), "dm_rc": Normal(1.234, 0.020), "rho_a": Rectangular(1.10, 1.30),
    "rho_w": Rectangular(7_000.0, 9_000.0), "rho_r": Rectangular(7_950.0, 8_050.0),
}


def mass(m_rc, dm_rc, rho_a, rho_w, rho_r):
    return (m_rc + dm_rc) * (1 + (rho_a - 1.2) * (1 / rho_w - 1 / rho_r)) - 100000


def test_callable_with_complex_support_uses_the_complex_step():
    model = Model.from_callable(mass, list(MASS_INPUTS))
    g = evaluate_gum(model, MASS_INPUTS).output()
    assert g.sensitivity_method == "complex step"
    symbolic = evaluate_gum(Model.from_expression(MASS_TEXT), MASS_INPUTS).output()
    for name in MASS_INPUTS:
        assert g.sensitivities[name] == pytest.approx(symbolic.sensitivities[name], rel=1e-12, abs=1e-15)
    assert g.u == pytest.approx(symbolic.u, rel=1e-12)


def test_callable_without_complex_support_uses_central_differences_with_error_estimate():
    def real_only(a, b):
        a = np.asarray(a, dtype=float)  # refuses complex input silently: imaginary part dropped
        return np.exp(a) * b

    inputs = {"a": Normal(0.5, 0.01), "b": Normal(2.0, 0.02)}
    g = evaluate_gum(Model.from_callable(real_only, ["a", "b"]), inputs).output()
    assert g.sensitivity_method.startswith("central difference")
    assert g.sensitivities["a"] == pytest.approx(2.0 * math.exp(0.5), rel=1e-9)
    assert g.sensitivities["b"] == pytest.approx(math.exp(0.5), rel=1e-9)
    assert all(err < 1e-6 for err in g.sensitivity_errors.values())


def test_complex_step_is_checked_against_differences():
    """abs() of a complex number is its modulus: the complex step would give 0 for ∂|a|/∂a."""
    def with_abs(a, b):
        return np.abs(a) * b

    inputs = {"a": Normal(-1.5, 0.01), "b": Normal(2.0, 0.02)}
    g = evaluate_gum(Model.from_callable(with_abs, ["a", "b"]), inputs).output()
    assert g.sensitivity_method == "central difference (complex step disagreed)"
    assert g.sensitivities["a"] == pytest.approx(-2.0, rel=1e-9)


def test_callable_with_several_outputs_and_second_order():
    def polar(x, y):
        return np.hypot(x, y), np.arctan2(y, x)

    inputs = {"x": Normal(1.0, 0.01), "y": Normal(1.0, 0.02)}
    r = evaluate_gum(Model.from_callable(polar, ["x", "y"], ["r", "phi"]), inputs)
    expr = evaluate_gum(Model.from_expression({"r": "sqrt(x**2 + y**2)", "phi": "atan2(y, x)"}), inputs)
    assert np.allclose(r.covariance, expr.covariance, rtol=1e-8)
    s_num = evaluate_gum(Model.from_callable(polar, ["x", "y"], ["r", "phi"]), inputs, second_order=True)
    s_sym = evaluate_gum(Model.from_expression({"r": "sqrt(x**2 + y**2)", "phi": "atan2(y, x)"}), inputs,
                         second_order=True)
    for a, b in zip(s_num.outputs, s_sym.outputs, strict=True):
        assert a.second_order_variance == pytest.approx(b.second_order_variance, rel=1e-3)


def test_callable_wrong_number_of_outputs():
    with pytest.raises(UncertaintyError):
        evaluate_gum(Model.from_callable(lambda a: (a, a), ["a"]), {"a": Normal(1.0, 0.1)})


def test_welch_satterthwaite_g41():
    """JCGM 100 G.4.1, eq. (G.2b), with the example numbers of G.4.1's Example:
    u_c = 2 with components 1.5 (ν = 4), 1 (ν = 9), 0.6 (ν = ∞)… computed directly."""
    comps = np.array([1.5, 1.0, 0.6])
    dofs = np.array([4.0, 9.0, math.inf])
    var = float(comps @ comps)
    nu, how = welch_satterthwaite(comps, dofs, np.eye(3), var, ["a", "b", "c"])
    assert nu == pytest.approx(var**2 / (1.5**4 / 4 + 1.0**4 / 9))
    assert how.startswith("Welch–Satterthwaite")


def test_coverage_factor():
    """G.3.2 / Table G.2: t_95(∞) = 1.96, t_95(10) = 2.23, t_99(16) = 2.92; ν_eff truncated (G.6.4)."""
    assert coverage_factor(0.95, math.inf) == pytest.approx(1.959964, abs=1e-6)
    assert round(coverage_factor(0.95, 10), 2) == 2.23
    assert round(coverage_factor(0.99, 16.7), 2) == 2.92
    assert coverage_factor(0.95, 10.9) == coverage_factor(0.95, 10)
    assert coverage_factor(0.95, 10.9, truncate=False) < coverage_factor(0.95, 10)
    with pytest.raises(UncertaintyError):
        coverage_factor(1.5, 10)


def test_zero_uncertainty_inputs():
    g = evaluate_gum(Model.from_expression("a * b"), {"a": Normal(2.0, 0.0), "b": Normal(3.0, 0.0)}).output()
    assert g.u == 0.0 and math.isinf(g.dof) and g.U == 0.0


def test_fixed_k_and_bad_k():
    g = evaluate_gum(Model.from_expression("a"), {"a": Normal(2.0, 0.1)}, k=2).output()
    assert g.U == pytest.approx(0.2) and g.p is None
    with pytest.raises(UncertaintyError) as err:
        evaluate_gum(Model.from_expression("a"), {"a": Normal(2.0, 0.1)}, k=0)
    assert err.value.field == "k"


def test_ensemble_members_must_share_dof():
    with pytest.raises(UncertaintyError) as err:
        evaluate_gum(Model.from_expression("a + b"), {"a": Normal(1, 0.1, 4), "b": Normal(1, 0.1, 5)},
                     ensembles=[["a", "b"]])
    assert err.value.field == "ensembles.0"
