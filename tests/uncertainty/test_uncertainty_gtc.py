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


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(models, inputs)
def test_uncorrelated_models_agree_with_gtc(text, spec):
    ours, y, _, _ = _ours_and_gtc(text, spec, [])
    assert ours.y == pytest.approx(GTC.value(y), rel=1e-12)
    assert ours.u == pytest.approx(GTC.uncertainty(y), rel=1e-9)
    gtc_dof = GTC.dof(y)
    if math.isinf(gtc_dof):
        assert math.isinf(ours.dof)
    else:
        assert ours.dof == pytest.approx(gtc_dof, rel=1e-9)


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
    gtc_dof = GTC.dof(y)
    if math.isinf(gtc_dof):
        assert math.isinf(ours.dof)
    else:
        assert ours.dof == pytest.approx(gtc_dof, rel=1e-9)


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
