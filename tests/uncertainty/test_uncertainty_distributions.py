"""Input distributions: GUM moments, samplers and inverse distribution functions (JCGM 101 clause 6)."""

import math

import numpy as np
import pytest

from jiliang.uncertainty import (
    Arcsine,
    CurvilinearTrapezoid,
    Normal,
    Rectangular,
    StudentT,
    Trapezoidal,
    Triangular,
    TypeA,
    UncertaintyError,
    distribution_from_dict,
)

N = 400_000

CASES = [
    # (distribution, estimate, u per the clause cited, standard deviation of the PDF)
    (Normal(3.0, 0.2), 3.0, 0.2, 0.2),  # JCGM 101 6.4.7
    (Rectangular(1.0, 3.0), 2.0, 2 / math.sqrt(12), 2 / math.sqrt(12)),  # 6.4.2.3
    (Triangular(-1.0, 1.0), 0.0, 2 / math.sqrt(24), 2 / math.sqrt(24)),  # 6.4.5.3
    (Trapezoidal(-1.0, 1.0, 0.4), 0.0, 2 * math.sqrt(1.16 / 24), 2 * math.sqrt(1.16 / 24)),  # 6.4.4.3
    (Arcsine(-2.0, 2.0), 0.0, 4 / (2 * math.sqrt(2)), 4 / (2 * math.sqrt(2))),  # 6.4.6.3
    (CurvilinearTrapezoid(-1.0, 1.0, 0.3), 0.0, math.sqrt(1 / 3 + 0.09 / 9), math.sqrt(1 / 3 + 0.09 / 9)),  # 6.4.3.3
    # 6.4.9.4: standard deviation s·√(ν/(ν−2)) while the GUM u is the scale s
    (StudentT(5.0, 0.1, 6), 5.0, 0.1, 0.1 * math.sqrt(6 / 4)),
]


@pytest.mark.parametrize(("dist", "estimate", "u", "sd"), CASES, ids=lambda c: getattr(c, "kind", ""))
def test_moments_sampler_and_ppf(dist, estimate, u, sd):
    assert dist.estimate == pytest.approx(estimate)
    assert dist.std_uncertainty == pytest.approx(u, rel=1e-12)
    x = dist.sample(np.random.default_rng(1), N)
    assert x.mean() == pytest.approx(estimate, abs=5 * sd / math.sqrt(N))
    assert x.std() == pytest.approx(sd, rel=0.01)
    probs = np.array([0.01, 0.1, 0.3, 0.5, 0.8, 0.95, 0.999])
    assert np.allclose(np.quantile(x, probs), dist.ppf(probs), atol=0.02 * sd * 3)
    z = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])
    from scipy import special
    assert np.allclose(dist.from_scores(z), dist.ppf(special.ndtr(z)), rtol=1e-9, atol=1e-12)


def test_normal_with_type_b_dof_samples_the_gaussian():
    """Issue #9 item 2: the ν of a Type B normal input (JCGM 100 G.4.2) serves Welch–Satterthwaite
    only; the Monte Carlo method draws N(x, u²) (JCGM 101 6.4.7), whose variance exists for any ν
    (t_5 would give sd √(5/3) = 1.29)."""
    for dof in (5, 2, 1):
        d = Normal(0.0, 1.0, dof)
        x = d.sample(np.random.default_rng(2), N)
        assert x.std() == pytest.approx(1.0, rel=0.01)
        assert d.is_gaussian and d.dof == dof
    assert Normal(0.0, 1.0).is_gaussian


def test_type_a_from_observations():
    """JCGM 100 4.2: mean, s(q̄) = s/√n, ν = n − 1; JCGM 101 6.4.9.2: t_{n−1}(q̄, s²/n)."""
    obs = (10.1, 10.3, 9.9, 10.0, 10.2)
    d = TypeA(obs)
    assert d.estimate == pytest.approx(10.1)
    assert d.std_dev == pytest.approx(np.std(obs, ddof=1))
    assert d.std_uncertainty == pytest.approx(np.std(obs, ddof=1) / math.sqrt(5))
    assert d.dof == 4
    assert d.to_dict() == {"distribution": "type_a", "observations": list(obs)}


def test_curvilinear_trapezoid_sampler_matches_its_distribution_function():
    d = CurvilinearTrapezoid(-0.05, 0.05, 0.025)
    x = np.sort(d.sample(np.random.default_rng(3), N))
    p = np.linspace(0.001, 0.999, 41)
    assert np.allclose(x[(p * N).astype(int)], d.ppf(p), atol=0.002)
    assert d.ppf(np.array([0.0]))[0] == pytest.approx(-0.075)


@pytest.mark.parametrize(("spec", "field"), [
    ({"value": 1.0, "u": -0.1}, "u"),
    ({"value": 1.0, "u": 0.1, "dof": 0}, "dof"),
    ({"value": 1.0, "u": 0.1, "dof": -3}, "dof"),
    ({"value": 1.0, "u": 0.1, "dof": "many"}, "dof"),
    ({"value": 1.0}, "u"),
    ({"u": 0.1}, "value"),
    ({"value": "1", "u": 0.1}, "value"),
    ({"value": float("nan"), "u": 0.1}, "value"),
    ({"value": 1.0, "U": 0.2}, "k"),
    ({"value": 1.0, "U": 0.2, "k": 0}, "k"),
    ({"value": 1.0, "u": 0.1, "colour": "red"}, "colour"),
    ({"distribution": "rectangular", "low": 2.0, "high": 1.0}, "high"),
    ({"distribution": "rectangular", "low": 1.0, "high": 1.0}, "high"),
    ({"distribution": "rectangular", "low": 1.0}, "high"),
    ({"distribution": "rectangular", "value": 1.0, "half_width": -1}, "half_width"),
    ({"distribution": "rectangular", "low": 0, "high": 1, "half_width": 1}, "half_width"),
    ({"distribution": "trapezoidal", "low": 0, "high": 1, "beta": 1.5}, "beta"),
    ({"distribution": "trapezoidal", "low": 0, "high": 1}, "beta"),
    ({"distribution": "curvilinear_trapezoid", "low": 0, "high": 1, "d": 0.6}, "d"),
    ({"distribution": "curvilinear_trapezoid", "low": 0, "high": 1, "d": -0.1}, "d"),
    ({"distribution": "t", "value": 0, "scale": 1}, "dof"),
    ({"distribution": "type_a", "observations": [1.0]}, "observations"),
    ({"distribution": "type_a", "observations": [1.0, "x"]}, "observations.1"),
    ({"distribution": "type_a", "observations": "1,2,3"}, "observations"),
    ({"distribution": "lognormal", "value": 1, "u": 1}, "distribution"),
])
def test_bad_parameters_name_their_field(spec, field):
    with pytest.raises(UncertaintyError) as err:
        distribution_from_dict(spec)
    assert err.value.field == field


def test_round_trip_through_dicts():
    for d, *_ in CASES:
        assert distribution_from_dict(d.to_dict()) == d
    assert distribution_from_dict({"value": 2.0, "U": 0.4, "k": 2}).std_uncertainty == pytest.approx(0.2)
    assert distribution_from_dict({"distribution": "uniform", "value": 1.0, "a": 0.5}) == Rectangular(0.5, 1.5)
    assert distribution_from_dict({"distribution": "u_shaped", "low": 0, "high": 1}) == Arcsine(0.0, 1.0)
    assert distribution_from_dict({"distribution": "rectangular", "low": 0, "high": 1, "dof": 50}).dof == 50
