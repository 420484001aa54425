"""Drawing the input quantities for the Monte Carlo method (JCGM 101 6.4, 7.3).

Independent inputs are sampled by their own procedures of JCGM 101 6.4. Inputs linked by
correlation coefficients are drawn together:

* all of them Gaussian: the multivariate Gaussian of JCGM 101 6.4.8, x = μ + L z with
  L Lᵀ = U_x (the covariance matrix);
* otherwise a Gaussian copula: correlated standard normal scores z = A w, then each input is
  x_i = F_i⁻¹(Φ(z_i)) with its own distribution function F_i. The correlation of the scores is
  chosen so that the inputs themselves have the stated correlation coefficients (NORTA), so the
  Monte Carlo method and the GUM framework see the same r(x_i, x_j). JCGM 101 does not prescribe
  a method for correlated non-Gaussian inputs; this choice is reported in the result notes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from .correlation import copula_matrix, factor, groups
from .distributions import Distribution, Normal, StudentT, TypeA, check_t_sampling


class InputSampler:
    """Draws all input quantities, chunk by chunk, with correlations honoured."""

    def __init__(self, names: Sequence[str], dists: Mapping[str, Distribution],
                 correlation: np.ndarray | None = None):
        self.names = tuple(names)
        self.dists = [dists[n] for n in self.names]
        n = len(self.names)
        corr = np.eye(n) if correlation is None else np.asarray(correlation, dtype=float)
        self.notes: list[str] = []
        for name, dist in zip(self.names, self.dists, strict=True):
            check_t_sampling(name, dist)
        type_b = [n for n, d in zip(self.names, self.dists, strict=True)
                  if isinstance(d, Normal) and not math.isinf(d.dof)]
        if type_b:
            self.notes.append(
                f"Monte Carlo: {', '.join(type_b)}: the ν of a Type B evaluation (JCGM 100 G.4.2) serves "
                "Welch–Satterthwaite only; sampled from the Gaussian N(x, u²) (JCGM 101 6.4.7)")
        t_inputs = [n for n, d in zip(self.names, self.dists, strict=True) if isinstance(d, TypeA | StudentT)]
        if t_inputs:
            self.notes.append(
                f"Monte Carlo: {', '.join(t_inputs)}: Type A, sampled from t_ν(x̄, s²/n) with ν > 2 "
                "(JCGM 101 6.4.9)")
        # plan: list of (member indices, kind, factor)
        self._plan: list[tuple[list[int], str, np.ndarray | None]] = []
        for members in groups(corr):
            if len(members) == 1:
                self._plan.append((members, "independent", None))
                continue
            sub = corr[np.ix_(members, members)]
            group_dists = [self.dists[i] for i in members]
            group_names = [self.names[i] for i in members]
            if all(d.is_gaussian for d in group_dists):
                u = np.array([d.std_uncertainty for d in group_dists])
                cov = sub * np.outer(u, u)
                self._plan.append((members, "gaussian", factor(cov)))
                self.notes.append(
                    f"{', '.join(group_names)}: multivariate Gaussian (JCGM 101 6.4.8)")
            else:
                scores = copula_matrix(group_names, group_dists, sub)
                self._plan.append((members, "copula", factor(scores)))
                self.notes.append(
                    f"{', '.join(group_names)}: Gaussian copula; normal-score correlations chosen so that "
                    "the inputs have the stated correlation coefficients")

    def draw(self, rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for members, kind, a in self._plan:
            if kind == "independent":
                i = members[0]
                out[self.names[i]] = self.dists[i].sample(rng, n)
                continue
            assert a is not None
            z = a @ rng.standard_normal((len(members), n))
            for row, i in enumerate(members):
                dist = self.dists[i]
                if kind == "gaussian":
                    out[self.names[i]] = z[row] + dist.estimate
                else:
                    out[self.names[i]] = dist.from_scores(z[row])
        return out
