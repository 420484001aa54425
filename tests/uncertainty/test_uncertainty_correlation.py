"""Correlated inputs: checks on the coefficients, the multivariate Gaussian and the Gaussian copula."""

import numpy as np
import pytest

from jiliang.uncertainty import Arcsine, Normal, Rectangular, StudentT, Triangular, UncertaintyError
from jiliang.uncertainty.correlation import correlation_matrix, pearson_of_copula
from jiliang.uncertainty.sampling import InputSampler


def test_coefficient_outside_minus_one_one():
    with pytest.raises(UncertaintyError) as err:
        correlation_matrix(["a", "b"], [("a", "b", 1.2)])
    assert err.value.field == "correlations.0" and "outside [-1, 1]" in err.value.message


@pytest.mark.parametrize(("pairs", "fragment"), [
    ([("a", "zz", 0.1)], "unknown input 'zz'"),
    ([("a", "a", 0.1)], "itself"),
    ([("a", "b", 0.1), ("b", "a", 0.2)], "twice"),
    ([("a", "b", "x")], "must be a number"),
    ([("a", "b", float("nan"))], "outside"),
])
def test_bad_pairs(pairs, fragment):
    with pytest.raises(UncertaintyError) as err:
        correlation_matrix(["a", "b", "c"], pairs)
    assert fragment in err.value.message


def test_not_positive_semidefinite_names_the_inputs():
    """r(a,b) = r(b,c) = 0.9 with r(a,c) = −0.9 is impossible (JCGM 100 5.2.2 needs a valid matrix)."""
    with pytest.raises(UncertaintyError) as err:
        correlation_matrix(["a", "b", "c", "d"], [("a", "b", 0.9), ("b", "c", 0.9), ("a", "c", -0.9)])
    message = err.value.message
    assert "not positive semi-definite" in message
    assert all(name in message for name in ("a", "b", "c")) and "d," not in message
    assert err.value.field == "correlations"


def test_singular_but_valid_matrix_is_accepted():
    m = correlation_matrix(["a", "b"], [("a", "b", 1.0)])
    assert m[0, 1] == 1.0


def test_multivariate_gaussian_reproduces_covariance():
    """JCGM 101 6.4.8."""
    dists = {"a": Normal(1.0, 0.5), "b": Normal(-2.0, 2.0), "c": Normal(0.0, 1.0)}
    corr = correlation_matrix(list(dists), [("a", "b", 0.7), ("b", "c", -0.3)])
    s = InputSampler(list(dists), dists, corr)
    x = s.draw(np.random.default_rng(0), 300_000)
    sample = np.corrcoef([x["a"], x["b"], x["c"]])
    assert np.allclose(sample, corr, atol=0.01)
    assert x["b"].std() == pytest.approx(2.0, rel=0.01)
    assert "multivariate Gaussian" in s.notes[0]


@pytest.mark.parametrize(("d1", "d2", "r"), [
    (Normal(5.0, 0.003, 9), Rectangular(0.0195, 0.0205), 0.2),
    (Rectangular(0.0, 1.0), Rectangular(-3.0, 1.0), -0.8),
    (Arcsine(0.0, 1.0), Triangular(0.0, 2.0), 0.5),
    (Normal(0.0, 1.0), Rectangular(0.0, 1.0), 0.95),
    (StudentT(0.0, 1.0, 6), Normal(0.0, 1.0), 0.6),
])
def test_gaussian_copula_gives_the_stated_pearson_correlation(d1, d2, r):
    dists = {"a": d1, "b": d2}
    s = InputSampler(["a", "b"], dists, np.array([[1.0, r], [r, 1.0]]))
    x = s.draw(np.random.default_rng(1), 400_000)
    assert np.corrcoef(x["a"], x["b"])[0, 1] == pytest.approx(r, abs=0.01)
    # the marginals are untouched
    assert x["a"].mean() == pytest.approx(d1.estimate, abs=4 * d1.std_uncertainty * 2 / np.sqrt(400_000) + 1e-12)
    assert any("copula" in n for n in s.notes)


def test_unreachable_copula_correlation_is_refused():
    """A normal and a rectangular input cannot have |r| above √(3/π) ≈ 0.977 through a Gaussian copula."""
    dists = {"a": Normal(0.0, 1.0), "b": Rectangular(0.0, 1.0)}
    assert pearson_of_copula(dists["a"], dists["b"], 1.0) == pytest.approx(np.sqrt(3 / np.pi), abs=1e-6)
    with pytest.raises(UncertaintyError) as err:
        InputSampler(["a", "b"], dists, np.array([[1.0, 0.99], [0.99, 1.0]]))
    assert "cannot be reached" in err.value.message
