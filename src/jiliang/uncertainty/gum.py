"""The GUM uncertainty framework (JCGM 100:2008 = JJF 1059.1-2012).

Estimate y = f(x) (4.1.4), sensitivity coefficients (5.1.3), combined standard uncertainty by
the law of propagation of uncertainty with correlations (5.2.2, eq. (13)), optionally with the
higher-order terms of the 5.1.2 Note, effective degrees of freedom by Welch–Satterthwaite
(G.4.1), coverage factor from the t-distribution (G.3, G.6.4) or a fixed k, expanded
uncertainty U = k u_c(y) (6.2.1) and the interval y ± U. For several outputs the covariance
matrix of the output estimates is C U_x Cᵀ (JCGM 102 6.2.1.3; JCGM 100 H.2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from .distributions import Distribution
from .errors import UncertaintyError
from .model import Model

INF = math.inf


@dataclass(frozen=True)
class GumOutput:
    """GUM result for one output quantity."""

    name: str
    y: float
    u: float
    #: u_c(y) from the first-order terms alone (equal to u unless second-order terms were added)
    u_first_order: float
    dof: float
    dof_method: str
    k: float
    U: float
    #: coverage probability the interval is meant to have (None with a conventional k)
    p: float | None
    interval: tuple[float, float]
    sensitivities: dict[str, float]
    #: signed u_i(y) = c_i u(x_i) (JCGM 100 5.1.3)
    components: dict[str, float]
    sensitivity_method: str
    sensitivity_errors: dict[str, float] | None = None
    second_order_variance: float = 0.0


@dataclass(frozen=True)
class GumResult:
    outputs: tuple[GumOutput, ...]
    input_names: tuple[str, ...]
    covariance: np.ndarray
    correlation: np.ndarray
    notes: tuple[str, ...] = field(default=())

    def output(self, name: str | None = None) -> GumOutput:
        if name is None:
            return self.outputs[0]
        for out in self.outputs:
            if out.name == name:
                return out
        raise KeyError(name)


def coverage_factor(p: float, dof: float, truncate: bool = True) -> float:
    """k_p = t_p(ν_eff) (JCGM 100 G.3.2, G.6.4); ν_eff truncated to the next lower integer.

    Truncation follows JCGM 100 G.6.4 and JJF 1059.1 (ν_eff taken as an integer by dropping
    the decimals); an infinite ν gives the normal quantile.
    ν_eff below 1 is refused (issue #9: never a coverage factor from ν < 1).
    """
    if not 0.0 < p < 1.0:
        raise UncertaintyError(f"coverage probability must lie in (0, 1), got {p!r}", "coverage_probability")
    q = (1.0 + p) / 2.0
    if math.isnan(dof) or dof * (1.0 + 1e-12) < 1.0:
        raise UncertaintyError(f"no coverage factor for ν_eff = {dof!r}: it must be at least 1 (JCGM 100 G.6.4)",
                               "k")
    if math.isinf(dof):
        return float(special.ndtri(q))
    # ν_eff = 3.9999999999999996 from rounding is 4, not 3
    nu = math.floor(dof * (1.0 + 1e-12)) if truncate else dof
    return float(special.stdtrit(nu, q))


class EffectiveDofRefused(UncertaintyError):
    """No coverage factor can be taken from ν_eff; a fixed k does without it (the note says why)."""

    note = ""


class WelchSatterthwaiteRefused(EffectiveDofRefused):
    """Welch–Satterthwaite does not apply: finite-ν inputs correlated outside an ensemble (JCGM 100 G.4).

    ``pairs`` are the (name, name) pairs that break its assumption of independent components.
    """

    def __init__(self, pairs: Sequence[tuple[str, str]], dofs: Mapping[str, float]):
        self.pairs = tuple(pairs)
        names = sorted({n for pair in self.pairs for n in pair})
        listed = ", ".join(f"{a}–{b}" for a, b in self.pairs)
        self.note = (f"Welch–Satterthwaite (JCGM 100 G.4.1) assumes independent components, and {listed} are "
                     "correlated inputs with finite ν")
        finite = ", ".join(f"{n} (ν = {dofs[n]:g})" for n in names if math.isfinite(dofs[n]))
        super().__init__(
            f"the effective degrees of freedom cannot be evaluated: the Welch–Satterthwaite formula (JCGM 100 "
            f"G.4.1) holds only for independent components, and {finite} "
            f"{'is' if finite.count('ν') == 1 else 'are'} correlated ({listed}). Either declare the correlated "
            "inputs as one ensemble of the same observations (give their observations with the correlation "
            "\"observations\", or name them in \"ensembles\" with a common ν; Willink 2007, as GTC's "
            "multiple_ureal), or fix the coverage factor (e.g. \"k\": 2, JJF 1059.1-2012), or give the "
            "correlated inputs infinite degrees of freedom", "correlations")


def welch_satterthwaite(
    components: np.ndarray,
    dofs: np.ndarray,
    correlation: np.ndarray,
    variance: float,
    names: Sequence[str],
    ensembles: Sequence[Sequence[int]] = (),
) -> tuple[float, str]:
    """ν_eff = u_c⁴(y) / Σ u_i⁴(y)/ν_i (JCGM 100 G.4.1, eq. (G.2b)).

    ``components`` are the signed u_i(y) = c_i u(x_i); ``variance`` is u_c²(y) (including any
    correlation and higher-order terms, which count as having infinite degrees of freedom).
    Correlated inputs with finite ν that belong to one ensemble (e.g. means of simultaneous
    observations, JCGM 100 H.2) are treated as a single component with their common ν, as in
    Willink, Metrologia 44 (2007) 340 — the method GTC uses. Correlation between inputs with
    infinite ν does not affect the formula. Any other correlation involving an input with finite ν
    is outside G.4.1, whose formula assumes independent components (G.4.1, G.4.2): it raises
    :class:`WelchSatterthwaiteRefused` rather than give a number (JCGM 100 H.2 with its correlation
    coefficients typed in gives 0.12). A ν_eff below 1 is refused too: no coverage factor is taken
    from it (G.6.4 truncates ν_eff to an integer, which must be at least 1).
    """
    finite = [i for i in range(len(components)) if math.isfinite(dofs[i]) and components[i] != 0.0]
    if not finite or variance == 0.0:
        return INF, "all components have infinite degrees of freedom"
    ensemble_of: dict[int, int] = {}
    for e, members in enumerate(ensembles):
        for i in members:
            ensemble_of[i] = e
    outside: list[tuple[str, str]] = []
    for i in finite:
        for j in range(len(components)):
            if j == i or correlation[i, j] == 0.0 or components[j] == 0.0:
                continue
            if ensemble_of.get(i) is not None and ensemble_of.get(i) == ensemble_of.get(j):
                continue
            pair = (names[min(i, j)], names[max(i, j)])
            if pair not in outside:
                outside.append(pair)
    if outside:
        raise WelchSatterthwaiteRefused(outside, {names[i]: float(dofs[i]) for i in range(len(names))})
    denominator = 0.0
    done: set[int] = set()
    for i in finite:
        if i in done:
            continue
        e = ensemble_of.get(i)
        if e is None:
            denominator += components[i] ** 4 / dofs[i]
            done.add(i)
            continue
        members = [m for m in ensembles[e] if components[m] != 0.0]
        group_var = sum(components[a] * correlation[a, b] * components[b] for a in members for b in members)
        denominator += group_var**2 / dofs[i]
        done.update(members)
    nu = INF if denominator == 0.0 else variance**2 / denominator
    if nu * (1.0 + 1e-12) < 1.0:
        refused = EffectiveDofRefused(
            f"the effective degrees of freedom come out as ν_eff = {nu:.3g}, below 1; no coverage factor is taken "
            "from them (JCGM 100 G.6.4). Give the inputs at least 1 degree of freedom, or fix the coverage "
            "factor (e.g. \"k\": 2, JJF 1059.1-2012)", "inputs")
        refused.note = f"Welch–Satterthwaite gives ν_eff = {nu:.3g}, below 1, which is never used"
        raise refused
    if any(ensemble_of.get(i) is not None for i in finite):
        return nu, "Welch–Satterthwaite with correlated ensembles as single components (Willink 2007)"
    return nu, "Welch–Satterthwaite (JCGM 100 G.4.1)"


def _ensemble_note(names: Sequence[str], groups: Sequence[Sequence[int]], dof: np.ndarray) -> list[str]:
    return [
        f"{', '.join(names[i] for i in g)}: correlated estimates from the same observations, counted as one "
        f"component with ν = {dof[g[0]]:g} in Welch–Satterthwaite (JCGM 100 H.2; Willink 2007, as GTC's "
        "multiple_ureal)"
        for g in groups if len(g) > 1 and math.isfinite(dof[g[0]])
    ]


def evaluate_gum(
    model: Model,
    inputs: Mapping[str, Distribution],
    correlation: np.ndarray | None = None,
    *,
    p: float = 0.95,
    k: float | None = None,
    second_order: bool = False,
    ensembles: Sequence[Sequence[str]] = (),
    truncate_dof: bool = True,
) -> GumResult:
    """Evaluate the model by the GUM uncertainty framework.

    ``correlation`` is the input correlation matrix in the order of ``model.inputs``;
    ``k`` fixes the coverage factor (e.g. the k = 2 convention of JJF 1059.1 for p ≈ 95 %), otherwise
    k = t_p(ν_eff). ``second_order`` adds the higher-order terms of JCGM 100 5.1.2 Note, which
    that clause gives for uncorrelated inputs only.
    """
    names = model.inputs
    model.check_inputs(inputs.keys())
    n = len(names)
    corr = np.eye(n) if correlation is None else np.asarray(correlation, dtype=float)
    if corr.shape != (n, n):
        raise UncertaintyError("the correlation matrix does not match the inputs", "correlations")
    correlated = bool(np.any(corr - np.eye(n)))
    if second_order and correlated:
        raise UncertaintyError(
            "second-order terms (JCGM 100 5.1.2 Note) are defined for uncorrelated inputs only", "second_order")
    if k is not None and (not math.isfinite(k) or k <= 0):
        raise UncertaintyError(f"coverage factor k must be > 0, got {k!r}", "k")
    if k is None:
        coverage_factor(p, INF)  # validates p
    index = {name: i for i, name in enumerate(names)}
    groups = []
    for pos, members in enumerate(ensembles):
        idx = [index[m] for m in members if m in index]
        dofs = {inputs[m].dof for m in members if m in index}
        if len(dofs) > 1:
            raise UncertaintyError(
                f"the inputs of an ensemble must share their degrees of freedom ({', '.join(members)})",
                f"ensembles.{pos}")
        groups.append(idx)

    x = {name: float(inputs[name].estimate) for name in names}
    u = np.array([inputs[name].std_uncertainty for name in names])
    dof = np.array([inputs[name].dof for name in names])
    y = model.value_at(x)
    jac = model.jacobian(x, dict(zip(names, u, strict=True)))
    c = jac.matrix
    with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below, by output
        cov_x = corr * np.outer(u, u)
        cov_y = c @ cov_x @ c.T
    extra = model.second_order_variance(x, dict(zip(names, u, strict=True))) if second_order else np.zeros(len(y))

    outputs = []
    notes: list[str] = []
    for lo, out_name in enumerate(model.outputs):
        var1 = float(max(cov_y[lo, lo], 0.0))
        var = var1 + float(extra[lo])
        if not (math.isfinite(var) and np.all(np.isfinite(c[lo] * u))):
            raise UncertaintyError(
                f"u_c²({out_name}) overflows the floating-point range (beyond about 1.8e308): the sensitivity "
                "coefficients or the uncertainties are too large to be propagated; express the model in other units",
                "model")
        uc = math.sqrt(max(var, 0.0))
        comps = c[lo] * u
        try:
            nu, how = welch_satterthwaite(comps, dof, corr, var, names, groups)
        except EffectiveDofRefused as refused:
            if k is None:
                raise
            nu = math.nan
            how = "not evaluated: the coverage factor is fixed"
            notes.append(f"{out_name}: effective degrees of freedom not evaluated; {refused.note}; the fixed "
                         "coverage factor is used instead")
        if second_order and extra[lo] != 0.0 and math.isfinite(nu):
            how += "; the second-order terms count as having infinite degrees of freedom"
        if k is None:
            kk = coverage_factor(p, nu, truncate_dof)
            pp: float | None = p
        else:
            kk, pp = float(k), None
        expanded = kk * uc
        outputs.append(GumOutput(
            name=out_name, y=float(y[lo]), u=uc, u_first_order=math.sqrt(var1), dof=nu, dof_method=how,
            k=kk, U=expanded, p=pp, interval=(float(y[lo]) - expanded, float(y[lo]) + expanded),
            sensitivities={nm: float(c[lo, i]) for i, nm in enumerate(names)},
            components={nm: float(comps[i]) for i, nm in enumerate(names)},
            sensitivity_method=jac.method,
            sensitivity_errors=None if jac.error is None else
            {nm: float(jac.error[lo, i]) for i, nm in enumerate(names)},
            second_order_variance=float(extra[lo]),
        ))
    sd = np.sqrt(np.clip(np.diag(cov_y), 0.0, None))
    with np.errstate(all="ignore"):
        corr_y = cov_y / np.outer(sd, sd)
    corr_y[~np.isfinite(corr_y)] = 0.0
    np.fill_diagonal(corr_y, 1.0)
    notes[:0] = _ensemble_note(names, groups, dof)
    if k is not None:
        notes.append(f"coverage factor fixed at k = {k:g} by convention (JJF 1059.1)")
    if second_order:
        notes.append("u_c(y) includes the higher-order terms of JCGM 100 5.1.2 Note; output covariances are "
                     "first-order")
    return GumResult(tuple(outputs), names, cov_y, corr_y, tuple(notes))
