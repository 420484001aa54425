"""Monte Carlo internals: coverage intervals (JCGM 101 7.7), numerical tolerance (7.9.2),
reproducibility, limits and memory."""

import math
import tracemalloc

import numpy as np
import pytest

from jiliang.uncertainty import (
    Model,
    Normal,
    Rectangular,
    UncertaintyError,
    coverage_intervals,
    numerical_tolerance,
    run_monte_carlo,
)


def test_coverage_intervals_on_a_known_sample():
    """7.7: M = 20, p = 0.9 → q = 18; symmetric r = (M − q)/2 = 1 → [y_(1), y_(19)];
    shortest: the r minimising y_(r+18) − y_(r)."""
    ys = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 40], dtype=float)
    symmetric, shortest = coverage_intervals(ys, 0.9)
    assert symmetric == (0.0, 18.0)
    assert shortest == (0.0, 18.0)
    ys2 = np.array([-40.0, *range(1, 20)])
    assert coverage_intervals(ys2, 0.9)[1] == (1.0, 19.0)


def test_q_rounding_when_pm_is_not_an_integer():
    """7.7.1: q is the integer part of pM + ½; r the integer part of (M − q + 1)/2."""
    ys = np.arange(1.0, 12.0)  # M = 11, p = 0.5: pM = 5.5 → q = 6; (M − q) = 5 → r = 3
    symmetric, _ = coverage_intervals(ys, 0.5)
    assert symmetric == (3.0, 9.0)


@pytest.mark.parametrize(("u", "ndig", "delta"), [
    (0.0539, 2, 0.0005), (0.0754, 1, 0.005), (2.00, 3, 0.005), (36.0, 2, 0.5), (0.0996, 2, 0.005),
    (1.0, 1, 0.5), (123.0, 2, 5.0),
])
def test_numerical_tolerance(u, ndig, delta):
    """7.9.2: u = c × 10^ℓ with c an ndig-digit integer, δ = ½ × 10^ℓ."""
    assert numerical_tolerance(u, ndig) == pytest.approx(delta)


def test_numerical_tolerance_refuses_bad_ndig():
    with pytest.raises(UncertaintyError):
        numerical_tolerance(1.0, 0)


LINEAR = Model.from_expression("a + 2 * b")
INPUTS = {"a": Normal(1.0, 0.1), "b": Rectangular(-1.0, 1.0)}


def test_seed_makes_runs_reproducible_and_is_returned():
    r1 = run_monte_carlo(LINEAR, INPUTS, trials=50_000, seed=42)
    r2 = run_monte_carlo(LINEAR, INPUTS, trials=50_000, seed=42)
    assert r1.output().y == r2.output().y and r1.seed == 42
    r3 = run_monte_carlo(LINEAR, INPUTS, trials=50_000)
    r4 = run_monte_carlo(LINEAR, INPUTS, trials=50_000, seed=r3.seed)
    assert r3.output().interval_shortest == r4.output().interval_shortest


def test_streaming_moments_equal_the_direct_ones():
    r = run_monte_carlo(LINEAR, INPUTS, trials=150_001, seed=5, chunk_size=10_000, keep_samples=True)
    ys = r.samples[0]
    assert r.output().y == pytest.approx(ys.mean(), rel=1e-12, abs=1e-12)
    assert r.output().u == pytest.approx(ys.std(ddof=1), rel=1e-12)
    assert np.all(np.diff(ys) >= 0)


def test_vector_output_covariance():
    m = Model.from_expression({"s": "a + b", "d": "a - b"})
    r = run_monte_carlo(m, {"a": Normal(0.0, 1.0), "b": Normal(0.0, 2.0)}, trials=200_000, seed=1)
    assert r.covariance[0, 1] == pytest.approx(1.0 - 4.0, abs=0.1)
    assert r.correlation[0, 1] == pytest.approx(-3.0 / 5.0, abs=0.01)


def test_limits_on_trials():
    with pytest.raises(UncertaintyError) as err:
        run_monte_carlo(LINEAR, INPUTS, trials=2_000_000, max_trials=1_000_000)
    assert err.value.field == "monte_carlo.trials"
    with pytest.raises(UncertaintyError):
        run_monte_carlo(LINEAR, INPUTS, trials=1999)
    with pytest.raises(UncertaintyError):
        run_monte_carlo(LINEAR, INPUTS, trials=True)  # type: ignore[arg-type]


def test_non_finite_model_values_are_refused_not_dropped():
    m = Model.from_expression("sqrt(a)")
    with pytest.raises(UncertaintyError) as err:
        run_monte_carlo(m, {"a": Normal(0.1, 1.0)}, trials=10_000, seed=1)
    assert "non-finite" in err.value.message and err.value.field == "model"


def test_adaptive_stops_at_the_limit_and_says_so():
    r = run_monte_carlo(LINEAR, INPUTS, adaptive=True, ndig=4, max_trials=40_000, seed=1)
    assert r.converged is False and r.trials == 40_000
    assert any("limit" in n for n in r.notes)


def test_memory_is_bounded_by_the_output_array():
    """Only outputs are kept: about 8 bytes per trial plus chunk-sized work arrays."""
    m = 2_000_000
    tracemalloc.start()
    run_monte_carlo(LINEAR, INPUTS, trials=m, seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 8 * m + 40 * 2**20
    assert math.isfinite(peak)


# --------------------------------------------------------------------------- issue #9 item 2


def _h1_request(seed: int) -> dict:
    """JCGM 100 H.1 inputs as a metrologist types them (normal with the Type B ν of Table H.1; δθ
    as normal with its ν = 2), run by the Monte Carlo method."""
    inputs = {
        "l_s": {"value": 50_000_623.0, "u": 25.0, "dof": 18}, "d0": {"value": 215.0, "u": 5.8, "dof": 24},
        "d1": {"value": 0.0, "u": 3.9, "dof": 5}, "d2": {"value": 0.0, "u": 6.7, "dof": 8},
        "alpha_s": {"distribution": "rectangular", "low": 9.5e-6, "high": 13.5e-6},
        "theta_bar": {"value": -0.1, "u": 0.2}, "Delta": {"distribution": "arcsine", "low": -0.5, "high": 0.5},
        "d_alpha": {"value": 0.0, "u": 0.58e-6, "dof": 50}, "d_theta": {"value": 0.0, "u": 0.029, "dof": 2},
    }
    return {"model": "l_s + d0 + d1 + d2 - l_s*(d_alpha*(theta_bar + Delta) + alpha_s*d_theta) - 50000000",
            "inputs": inputs, "coverage_probability": 0.99, "monte_carlo": {"trials": 200_000, "seed": seed}}


def test_type_b_dof_does_not_make_the_monte_carlo_u_depend_on_the_seed():
    """Issue #9 item 2: with δθ (ν = 2) drawn from t_2, which has no variance (JCGM 101 6.4.9.4),
    the MCM u of the H.1 inputs went from 63 to 71 nm with the seed. Type B normal inputs are now
    drawn from N(x, u²): three seeds agree to δ of JCGM 101 7.9.2 (ndig = 2), and the notes say so."""
    from jiliang.uncertainty import evaluate_request

    runs = [evaluate_request(_h1_request(seed)) for seed in (1, 2, 3)]
    us = [r["monte_carlo"]["u"] for r in runs]
    assert max(us) - min(us) <= numerical_tolerance(min(us), 2)
    assert all(abs(u - r["gum"]["u"]) < 0.1 * r["gum"]["u"] for u, r in zip(us, runs, strict=True))
    assert any("Type B" in n and "d_theta" in n and "6.4.7" in n for n in runs[0]["notes"])


@pytest.mark.parametrize(("spec", "field"), [
    ({"observations": [1.0, 1.2, 0.9]}, "inputs.x.observations"),
    ({"distribution": "t", "value": 1.0, "scale": 0.1, "dof": 2}, "inputs.x.dof"),
    ({"distribution": "t", "value": 1.0, "scale": 0.1, "dof": 1.5}, "inputs.x.dof"),
])
def test_t_sampling_with_dof_up_to_two_is_refused(spec, field):
    """JCGM 101 6.4.9.4: t_ν has a variance only for ν > 2; the Monte Carlo method refuses the input
    with its name and the clause, while the GUM framework alone still evaluates it."""
    from jiliang.uncertainty import UncertaintyError, evaluate_request

    request = {"model": "x * 2", "inputs": {"x": spec}, "monte_carlo": {"trials": 20_000, "seed": 1}}
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(request)
    assert err.value.field == field
    assert "'x'" in err.value.message and "6.4.9" in err.value.message and "ν = " in err.value.message
    assert evaluate_request({**request, "monte_carlo": None})["gum"]["U"] > 0


def test_type_a_with_four_observations_is_sampled_as_t():
    """JCGM 101 6.4.9.2: n = 4 observations → t_3(q̄, s²/n), standard deviation √3 · s/√n."""
    from jiliang.uncertainty import evaluate_request

    out = evaluate_request({"model": "x", "inputs": {"x": {"observations": [1.0, 1.2, 0.9, 1.1]}},
                            "monte_carlo": {"trials": 400_000, "seed": 4}})
    assert out["monte_carlo"]["u"] == pytest.approx(math.sqrt(3) * out["gum"]["u"], rel=0.05)
    assert any("Type A" in n and "6.4.9" in n for n in out["notes"])
