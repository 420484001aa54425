"""Correlation between input quantities (JCGM 100 5.2; JCGM 101 6.4.8).

The correlation coefficients r(x_i, x_j) of JCGM 100 5.2.2 are collected into a symmetric
matrix, checked (|r| ≤ 1, positive semi-definite), and — for the Monte Carlo method with
non-Gaussian inputs — converted to the correlation of the normal scores of a Gaussian copula.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from scipy import optimize

from .distributions import Distribution, TypeA
from .errors import UncertaintyError
from .limits import check_time

#: eigenvalues above -PSD_TOLERANCE count as non-negative (rounding in user-typed coefficients)
PSD_TOLERANCE = 1e-9


def correlation_matrix(
    names: Sequence[str],
    pairs: Iterable[tuple[str, str, float]],
    field: str = "correlations",
) -> np.ndarray:
    """Build the correlation matrix of ``names`` from (name, name, r) triples.

    Rejects unknown names, a quantity correlated with itself, |r| > 1, contradictory
    duplicates and a matrix that is not positive semi-definite (naming the inputs involved).
    """
    index = {n: i for i, n in enumerate(names)}
    matrix = np.eye(len(names))
    seen: dict[tuple[int, int], float] = {}
    for pos, pair in enumerate(pairs):
        where = f"{field}.{pos}"
        try:
            a, b, r = pair
        except (TypeError, ValueError):
            raise UncertaintyError("a correlation is given as [name, name, r]", where) from None
        for name in (a, b):
            if name not in index:
                raise UncertaintyError(f"correlation names unknown input '{name}'", where)
        if a == b:
            raise UncertaintyError(f"an input cannot be correlated with itself ('{a}')", where)
        if isinstance(r, bool) or not isinstance(r, int | float | np.floating):
            raise UncertaintyError(f"correlation coefficient must be a number, got {r!r}", where)
        r = float(r)
        if not math.isfinite(r) or not -1.0 <= r <= 1.0:
            raise UncertaintyError(f"correlation coefficient r({a}, {b}) = {r!r} lies outside [-1, 1]", where)
        i, j = sorted((index[a], index[b]))
        if (i, j) in seen and seen[(i, j)] != r:
            raise UncertaintyError(f"correlation between '{a}' and '{b}' is given twice with different values",
                                   where)
        seen[(i, j)] = r
        matrix[i, j] = matrix[j, i] = r
    check_positive_semidefinite(matrix, names, field)
    return matrix


def check_positive_semidefinite(matrix: np.ndarray, names: Sequence[str], field: str = "correlations") -> None:
    """Raise unless ``matrix`` is positive semi-definite, naming the inputs that conflict."""
    if len(names) == 0:
        return
    values, vectors = np.linalg.eigh(matrix)
    if values[0] >= -PSD_TOLERANCE:
        return
    weights = np.abs(vectors[:, 0])
    involved = [names[i] for i in np.argsort(-weights) if weights[i] > 0.05 and _correlated(matrix, i)]
    raise UncertaintyError(
        "the correlation matrix is not positive semi-definite (smallest eigenvalue "
        f"{values[0]:.3g}); the correlations among {', '.join(involved)} contradict each other",
        field,
    )


def _correlated(matrix: np.ndarray, i: int) -> bool:
    row = matrix[i].copy()
    row[i] = 0.0
    return bool(np.any(row != 0.0))


def covariance(u: np.ndarray, correlation: np.ndarray) -> np.ndarray:
    """Covariance matrix u(x_i, x_j) = u(x_i) r(x_i, x_j) u(x_j) (JCGM 100 5.2.2, eq. (14))."""
    return correlation * np.outer(u, u)


def from_observations(observations: Mapping[str, TypeA], a: str, b: str, field: str) -> float:
    """r(q̄, r̄) from simultaneous observations (JCGM 100 5.2.3, eq. (17)).

    The experimental correlation of the means equals that of the individual observations.
    """
    qa, qb = observations.get(a), observations.get(b)
    for name, q in ((a, qa), (b, qb)):
        if q is None:
            raise UncertaintyError(f"'{name}' has no observations to compute a correlation from", field)
    assert qa is not None and qb is not None
    if qa.n != qb.n:
        raise UncertaintyError(
            f"'{a}' and '{b}' have different numbers of observations ({qa.n} and {qb.n})", field)
    xa, xb = np.asarray(qa.observations), np.asarray(qb.observations)
    da, db = xa - xa.mean(), xb - xb.mean()
    denom = math.sqrt(float(da @ da) * float(db @ db))
    if denom == 0.0:
        raise UncertaintyError(f"'{a}' or '{b}' has identical observations: no correlation defined", field)
    return float(da @ db) / denom


# --------------------------------------------------------------------------- Gaussian copula

_GH_NODES, _GH_WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
_GH_WEIGHTS = _GH_WEIGHTS / math.sqrt(2.0 * math.pi)


def _scores_to_values(dist: Distribution, z: np.ndarray) -> np.ndarray:
    return dist.from_scores(z)


def pearson_of_copula(d1: Distribution, d2: Distribution, rho: float) -> float:
    """Pearson correlation of X_i = F_i⁻¹(Φ(Z_i)) when corr(Z_1, Z_2) = ρ (Gauss–Hermite quadrature)."""
    x, w = _GH_NODES, _GH_WEIGHTS
    g1 = _scores_to_values(d1, x)
    m1 = float(w @ g1)
    s1 = math.sqrt(float(w @ (g1 - m1) ** 2))
    g2x = _scores_to_values(d2, x)
    m2 = float(w @ g2x)
    s2 = math.sqrt(float(w @ (g2x - m2) ** 2))
    z2 = rho * x[:, None] + math.sqrt(max(0.0, 1.0 - rho * rho)) * x[None, :]
    g2 = _scores_to_values(d2, z2)
    joint = float(w @ ((g1 - m1)[:, None] * (g2 - m2)) @ w)
    return joint / (s1 * s2)


def normal_score_correlation(d1: Distribution, d2: Distribution, r: float, names: tuple[str, str],
                             field: str) -> float:
    """The correlation ρ of the normal scores that gives the inputs Pearson correlation ``r``.

    For two Gaussian inputs ρ = r (JCGM 101 6.4.8). Otherwise ρ is solved so that the
    copula-transformed inputs have exactly the correlation coefficient r that the GUM
    framework uses (the NORTA construction); inputs without finite variance keep ρ = r.
    """
    if r == 0.0 or (d1.is_gaussian and d2.is_gaussian):
        return r
    if not (d1.has_finite_variance and d2.has_finite_variance):
        return r
    lo, hi = -1.0, 1.0
    f_lo = pearson_of_copula(d1, d2, lo) - r
    f_hi = pearson_of_copula(d1, d2, hi) - r
    if f_lo > 1e-9 or f_hi < -1e-9:
        reach = pearson_of_copula(d1, d2, 1.0 if r > 0 else -1.0)
        raise UncertaintyError(
            f"correlation r({names[0]}, {names[1]}) = {r} cannot be reached by a Gaussian copula with "
            f"their distributions (the largest attainable is {reach:+.4f})", field)
    if f_lo >= 0.0:
        return lo
    if f_hi <= 0.0:
        return hi
    return float(optimize.brentq(lambda rho: pearson_of_copula(d1, d2, rho) - r, lo, hi, xtol=1e-12))


def copula_matrix(
    names: Sequence[str], dists: Sequence[Distribution], correlation: np.ndarray, field: str = "correlations"
) -> np.ndarray:
    """Normal-score correlation matrix for the Gaussian copula of correlated inputs."""
    n = len(names)
    out = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            check_time("correlations", "normal-score correlations of the Gaussian copula")
            r = float(correlation[i, j])
            if r != 0.0:
                out[i, j] = out[j, i] = normal_score_correlation(
                    dists[i], dists[j], r, (names[i], names[j]), field)
    try:
        check_positive_semidefinite(out, names, field)
    except UncertaintyError as exc:
        raise UncertaintyError(
            exc.message + " after conversion to normal scores for the Gaussian copula", field) from None
    return out


def groups(correlation: np.ndarray) -> list[list[int]]:
    """Indices of inputs linked by non-zero correlations (connected components, singletons too)."""
    n = correlation.shape[0]
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if correlation[i, j] != 0.0:
                parent[find(i)] = find(j)
    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(find(i), []).append(i)
    return sorted(members.values())


def factor(matrix: np.ndarray) -> np.ndarray:
    """A with A Aᵀ = matrix: Cholesky when positive definite, else from the eigen-decomposition."""
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        values, vectors = np.linalg.eigh(matrix)
        return vectors * np.sqrt(np.clip(values, 0.0, None))


def parse_pairs(raw: Any, field: str = "correlations") -> list[tuple[str, str, Any]]:
    """Validate the shape of a list of [name, name, r] entries (r may be "observations")."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise UncertaintyError("correlations must be a list of [name, name, r]", field)
    out = []
    for pos, entry in enumerate(raw):
        where = f"{field}.{pos}"
        if isinstance(entry, Mapping):
            try:
                entry = (entry["a"], entry["b"], entry["r"])
            except KeyError:
                raise UncertaintyError("a correlation object needs 'a', 'b' and 'r'", where) from None
        if not isinstance(entry, list | tuple) or len(entry) != 3:
            raise UncertaintyError("a correlation is given as [name, name, r]", where)
        a, b, r = entry
        if not isinstance(a, str) or not isinstance(b, str):
            raise UncertaintyError("correlation names must be strings", where)
        out.append((a, b, r))
    return out
