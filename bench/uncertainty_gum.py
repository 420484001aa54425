"""GUM framework benchmark: a 20-input model, ours against GTC in the same run.

Prints evaluations per second of
* evaluate_gum on a model parsed once (symbolic derivatives cached: the situation of a budget
  template evaluated per calibration),
* evaluate_gum including parsing and differentiating the expression each time,
* GTC evaluating the same expression with uncertain numbers (ureal for each input, then value,
  uncertainty and degrees of freedom of the result),
and the ratios. Both give the same u_c and ν_eff (checked here).

Run: .venv/bin/python bench/uncertainty_gum.py
"""

from __future__ import annotations

import math
import time

import GTC

from jiliang.uncertainty import Model, Normal, Rectangular, evaluate_gum
from jiliang.uncertainty import expression as ex

N_INPUTS = 20
TERMS = [
    "x1 * x2 / x3", "sqrt(x4) * x5", "exp(x6 / 10) - log(x7)", "x8 ** 2 / (x9 + x10)", "x11 * x12 * x13",
    "(x14 - x15) / x16", "sin(x17) + cos(x18)", "x19 ** 0.5 * x20",
]
MODEL = " + ".join(TERMS)


def inputs() -> dict:
    out = {}
    for i in range(1, N_INPUTS + 1):
        value = 1.0 + i / 10.0
        if i % 3 == 0:
            out[f"x{i}"] = Rectangular(value - 0.05, value + 0.05)
        else:
            out[f"x{i}"] = Normal(value, 0.01 * value, math.inf if i % 2 else 5 + i)
    return out


GTC_FUNCS = {"exp": GTC.exp, "log": GTC.log, "sqrt": GTC.sqrt, "sin": GTC.sin, "cos": GTC.cos}


def to_gtc(e: ex.Expr, env: dict):
    if isinstance(e, ex.Num):
        return e.value
    if isinstance(e, ex.Sym):
        return env[e.name]
    if isinstance(e, ex.Neg):
        return -to_gtc(e.arg, env)
    if isinstance(e, ex.Call):
        return GTC_FUNCS[e.func](*(to_gtc(a, env) for a in e.args))
    a, b = to_gtc(e.left, env), to_gtc(e.right, env)  # type: ignore[union-attr]
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "**": lambda: a**b}[e.op]()  # type: ignore[union-attr]


def rate(fn, seconds: float = 2.0) -> float:
    fn()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        fn()
        n += 1
    return n / (time.perf_counter() - start)


def main() -> None:
    dists = inputs()
    model = Model.from_expression(MODEL)
    tree = ex.parse(MODEL)

    def ours_warm():
        return evaluate_gum(model, dists).output()

    def ours_cold():
        return evaluate_gum(Model.from_expression(MODEL), dists).output()

    def gtc():
        env = {n: GTC.ureal(d.estimate, d.std_uncertainty, d.dof, label=n) for n, d in dists.items()}
        y = to_gtc(tree, env)
        return GTC.value(y), GTC.uncertainty(y), GTC.dof(y)

    a, (gy, gu, gdof) = ours_warm(), gtc()
    assert math.isclose(a.y, gy, rel_tol=1e-12)
    assert math.isclose(a.u, gu, rel_tol=1e-9) and math.isclose(a.dof, gdof, rel_tol=1e-9), (a.u, gu, a.dof, gdof)
    warm, cold, ref = rate(ours_warm), rate(ours_cold), rate(gtc)
    rows = [
        (f"model: {N_INPUTS} inputs", MODEL),
        ("u_c, ν_eff (ours = GTC)", f"{a.u:.6g}, {a.dof:.4g}"),
        ("evaluate_gum, model parsed once", f"{warm:,.0f} evaluations/s"),
        ("evaluate_gum, parse + differentiate each time", f"{cold:,.0f} evaluations/s"),
        ("GTC (ureal, propagate, uncertainty, dof)", f"{ref:,.0f} evaluations/s"),
        ("ratio ours (parsed once) / GTC", f"{warm / ref:.2f}"),
        ("ratio ours (cold) / GTC", f"{cold / ref:.2f}"),
    ]
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(title="GUM framework benchmark (same run)")
        table.add_column("measure")
        table.add_column("value", overflow="fold")
        for row in rows:
            table.add_row(*row)
        Console().print(table)
    except ImportError:
        for label, value in rows:
            print(f"{label:48s} {value}")


if __name__ == "__main__":
    main()
