"""Independent cross-check with GTC (MSL New Zealand's GUM Tree Calculator).

Random models built from sums, products, quotients, powers, exp, log and sqrt are evaluated by
our GUM framework (symbolic derivatives) and by GTC (automatic differentiation), walking the same
parsed expression with GTC's uncertain numbers. Combined standard uncertainties must agree to a
relative 10⁻⁹, and so must the effective degrees of freedom (JCGM 100 G.4.1).

GTC refuses a correlation between inputs with finite degrees of freedom unless they were created
together as an ensemble (``multiple_ureal``, same ν). The correlated examples therefore give the
correlated inputs infinite ν (other inputs keep theirs, so W–S is still exercised), and the
ensemble rule is checked on its own against GTC's ``type_a.multi_estimate_real``.
"""

import math

import GTC
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jiliang.uncertainty import Model, Normal, evaluate_gum, welch_satterthwaite
from jiliang.uncertainty import expression as ex

NAMES = ["x0", "x1", "x2", "x3", "x4"]
GTC_FUNCS = {"exp": GTC.exp, "log": GTC.log, "sqrt": GTC.sqrt, "sin": GTC.sin, "cos": GTC.cos}


def to_gtc(e: ex.Expr, env: dict):
    if isinstance(e, ex.Num):
        return e.value
    if isinstance(e, ex.Sym):
        return env[e.name]
    if isinstance(e, ex.Neg):
        return -to_gtc(e.arg, env)
    if isinstance(e, ex.Bin):
        a, b = to_gtc(e.left, env), to_gtc(e.right, env)
        if e.op == "+":
            return a + b
        if e.op == "-":
            return a - b
        if e.op == "*":
            return a * b
        if e.op == "/":
            return a / b
        return a**b
    if isinstance(e, ex.Call):
        return GTC_FUNCS[e.func](*(to_gtc(a, env) for a in e.args))
    raise TypeError(e)


# positive sub-expressions only, so that log, sqrt and real powers stay defined
_leaf = st.sampled_from(NAMES)


def _positive(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return _leaf
    sub = _positive(depth - 1)
    return st.one_of(
        _leaf,
        st.tuples(sub, st.sampled_from(["+", "*", "/"]), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(sub, st.sampled_from(["2", "0.5", "-1", "1.5", "3"])).map(lambda t: f"{t[0]} ** {t[1]}"),
        _leaf.map(lambda s: f"exp({s} / 4)"),
        sub.map(lambda s: f"sqrt({s})"),
        sub.map(lambda s: f"log({s} + 1)"),
    )


models = st.one_of(
    _positive(3),
    st.tuples(_positive(2), _positive(2)).map(lambda t: f"{t[0]} - 0.5 * {t[1]}"),
)

inputs = st.fixed_dictionaries({
    name: st.tuples(
        st.floats(1.0, 5.0),                                    # estimate
        st.floats(1e-3, 0.1),                                   # relative standard uncertainty
        st.one_of(st.just(math.inf), st.integers(2, 60).map(float)),  # degrees of freedom
    )
    for name in NAMES
})


def _ours_and_gtc(text, spec, pairs):
    model = Model.from_expression(text)
    used = model.inputs
    index = {n: i for i, n in enumerate(used)}
    active = [(a, b, r) for a, b, r in pairs if a in index and b in index]
    correlated = {n for a, b, _ in active for n in (a, b)}
    dists = {n: Normal(spec[n][0], spec[n][0] * spec[n][1], math.inf if n in correlated else spec[n][2])
             for n in used}
    corr = np.eye(len(used))
    for a, b, r in active:
        corr[index[a], index[b]] = corr[index[b], index[a]] = r
    ours = evaluate_gum(model, dists, corr).output()
    env = {n: GTC.ureal(d.estimate, d.std_uncertainty, d.dof, label=n, independent=not active) for n, d in
           dists.items()}
    for a, b, r in active:
        GTC.set_correlation(r, env[a], env[b])
    y = to_gtc(model.expressions[0], env)
    return ours, y, active, dists


def _same_dof(ours, y) -> None:
    """ν_eff as GTC gives it; where the output has no uncertainty at all (every sensitivity zero, e.g.
    x3/x3) Welch–Satterthwaite is 0/0: GTC says nan, we say ∞ (nothing to expand), and either is fine."""
    gtc_dof = GTC.dof(y)
    if math.isnan(gtc_dof):
        # GTC's sensitivities are exactly 0; ours, numerical, may leave u at rounding level (x3/x3: u ~ 1e-17),
        # where any ν is as meaningless as 0/0
        assert ours.u <= 1e-12 * max(1.0, abs(GTC.value(y)))
        if ours.u == 0:
            assert ours.dof is None or math.isinf(ours.dof)
    elif math.isinf(gtc_dof):
        assert math.isinf(ours.dof)
    else:
        assert ours.dof == pytest.approx(gtc_dof, rel=1e-9)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(models, inputs)
def test_uncorrelated_models_agree_with_gtc(text, spec):
    ours, y, _, _ = _ours_and_gtc(text, spec, [])
    assert ours.y == pytest.approx(GTC.value(y), rel=1e-12)
    assert ours.u == pytest.approx(GTC.uncertainty(y), rel=1e-9)
    _same_dof(ours, y)


correlations = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(NAMES), st.floats(-0.45, 0.45)).filter(lambda t: t[0] < t[1]),
    max_size=3, unique_by=lambda t: (t[0], t[1]),
)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(models, inputs, correlations)
def test_correlated_models_agree_with_gtc(text, spec, pairs):
    """Pairs with |r| ≤ 0.45, at most three of them: the matrix stays positive definite."""
    ours, y, _, _ = _ours_and_gtc(text, spec, pairs)
    assert ours.u == pytest.approx(GTC.uncertainty(y), rel=1e-9)
    _same_dof(ours, y)


def test_ensemble_dof_agrees_with_gtc():
    """JCGM 100 H.2 inputs as a GTC ensemble (type_a.multi_estimate_real) and as ours: ν_eff = 4."""
    V = [5.007, 4.994, 5.005, 4.990, 4.999]
    current = [19.663e-3, 19.639e-3, 19.640e-3, 19.685e-3, 19.678e-3]
    phi = [1.0456, 1.0438, 1.0468, 1.0428, 1.0433]
    v, i, p = GTC.type_a.multi_estimate_real((V, current, phi), labels=("V", "I", "phi"))
    r = v * GTC.sin(p) / i
    comps = np.array([1.0, -0.5, 2.0])
    corr = np.array([[1, -0.3, 0.2], [-0.3, 1, 0.1], [0.2, 0.1, 1.0]])
    nu, how = welch_satterthwaite(comps, np.array([4.0, 4.0, 4.0]), corr, float(comps @ corr @ comps),
                                  ["a", "b", "c"], [[0, 1, 2]])
    assert nu == pytest.approx(4.0) and "Willink" in how
    assert GTC.dof(r) == pytest.approx(4.0)


# --------------------------------------------------------------------------- issue #9 item 1

H2_OBS = {"V": [5.007, 4.994, 5.005, 4.990, 4.999],
          "I": [19.663e-3, 19.639e-3, 19.640e-3, 19.685e-3, 19.678e-3],
          "phi": [1.0456, 1.0438, 1.0468, 1.0428, 1.0433]}
# JCGM 100 H.2.2, Table H.2: the correlation coefficients of the means as printed
H2_R = [["V", "I", -0.36], ["V", "phi", 0.86], ["I", "phi", -0.65]]


def _h2_means_request(**extra):
    """R = V/I·cos φ from the means of Table H.2 typed in with u, ν = 4 and the printed r."""
    inputs = {n: {"value": float(np.mean(x)), "u": float(np.std(x, ddof=1) / math.sqrt(5)), "dof": 4}
              for n, x in H2_OBS.items()}
    return {"model": "V/I*cos(phi)", "inputs": inputs, "correlations": H2_R, "monte_carlo": None, **extra}


def test_correlated_finite_dof_is_refused_like_gtc():
    """JCGM 100 G.4.1: the Welch–Satterthwaite formula assumes independent components. With the
    H.2 means correlated by numbers it gave ν_eff = 0.12 and U ≈ 8.5×10⁸ Ω; it is refused with the
    reason and the alternatives — and GTC refuses the same correlations outside an ensemble."""
    from jiliang.uncertainty import UncertaintyError, evaluate_request

    with pytest.raises(UncertaintyError) as err:
        evaluate_request(_h2_means_request())
    assert err.value.field == "correlations"
    text = err.value.message
    for part in ("G.4.1", "independent", "V–I", "V–phi", "I–phi", "ensemble", "\"k\": 2", "ν = 4"):
        assert part in text
    v, i = (GTC.ureal(1.0, 0.1, 4, independent=False) for _ in range(2))
    with pytest.raises(RuntimeError):
        GTC.set_correlation(-0.36, v, i)


def test_h2_as_one_ensemble_agrees_with_gtc_multiple_ureal():
    """The same inputs declared as one ensemble of five observations (GTC ``multiple_ureal``):
    ν_eff = 4, k = t_95(4) = 2.78, U = 0.195 Ω (0.19 Ω to two digits cut, 0.20 Ω rounded per
    JJF 1059.1 5.3.8.1), and the decision is in the notes."""
    from jiliang.uncertainty import evaluate_request

    out = evaluate_request(_h2_means_request(ensembles=[["V", "I", "phi"]]))
    g = out["gum"]
    means = [float(np.mean(x)) for x in H2_OBS.values()]
    uncs = [float(np.std(x, ddof=1) / math.sqrt(5)) for x in H2_OBS.values()]
    v, i, p = GTC.multiple_ureal(means, uncs, 4, label_seq=("V", "I", "phi"))
    env = {"V": v, "I": i, "phi": p}
    for a, b, r in H2_R:
        GTC.set_correlation(r, env[a], env[b])
    r_gtc = v / i * GTC.cos(p)
    assert g["y"] == pytest.approx(GTC.value(r_gtc), rel=1e-12)
    assert g["u"] == pytest.approx(GTC.uncertainty(r_gtc), rel=1e-9)
    assert g["dof"] == pytest.approx(GTC.dof(r_gtc), rel=1e-9) and GTC.dof(r_gtc) == pytest.approx(4.0)
    k_gtc = GTC.reporting.k_factor(GTC.dof(r_gtc), 95)
    assert g["k"] == pytest.approx(k_gtc, rel=1e-6) and round(g["k"], 2) == 2.78
    assert g["U"] == pytest.approx(k_gtc * GTC.uncertainty(r_gtc), rel=1e-6)
    assert math.floor(g["U"] * 100) / 100 == 0.19
    assert any("V, I, phi" in n and "ν = 4" in n and "multiple_ureal" in n for n in out["notes"])


def test_fixed_k_with_correlated_finite_dof_is_noted():
    """With a fixed k the formula is not needed: ν_eff is reported as not evaluated, and the notes
    say why, rather than a number from outside G.4.1."""
    from jiliang.uncertainty import evaluate_request

    out = evaluate_request(_h2_means_request(k=2))
    g = out["gum"]
    assert g["k"] == 2.0 and g["dof"] is None and g["dof_evaluated"] is False
    assert out["budgets"][0]["dof_evaluated"] is False
    assert any("not evaluated" in n and "V–I" in n for n in out["notes"])


def test_effective_dof_below_one_is_never_used():
    """ν_eff < 1 gives no coverage factor (issue #9): refused, and with a fixed k it is not needed."""
    from jiliang.uncertainty import UncertaintyError, evaluate_request

    request = {"model": "a + b", "inputs": {"a": {"value": 1.0, "u": 1.0, "dof": 0.5},
                                           "b": {"value": 1.0, "u": 0.1, "dof": 0.5}}, "monte_carlo": None}
    with pytest.raises(UncertaintyError) as err:
        evaluate_request(request)
    assert err.value.field == "inputs" and "below 1" in err.value.message
    assert evaluate_request({**request, "k": 2})["gum"]["U"] == pytest.approx(2 * math.sqrt(1.01))
