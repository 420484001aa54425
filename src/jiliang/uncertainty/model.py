"""The measurement model Y = f(X_1, ..., X_N) (JCGM 100 4.1; JCGM 102 for several outputs).

A model is either one or several expressions (see :mod:`.expression`), or a Python callable
that takes the inputs as keyword arguments (numpy arrays) and returns one array, or a tuple of
arrays for several outputs. Expressions are differentiated symbolically; callables
numerically (complex step when the callable accepts complex numbers, otherwise central
differences — see :meth:`Model.jacobian`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import expression as ex
from .errors import UncertaintyError
from .limits import check_time

EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class Jacobian:
    """Sensitivity coefficients c[l, i] = ∂f_l/∂x_i at the estimates (JCGM 100 5.1.3)."""

    matrix: np.ndarray
    method: str
    #: estimated absolute error of each coefficient (numerical methods only)
    error: np.ndarray | None = None


class Model:
    """One measurement model with named inputs and one or more named outputs."""

    def __init__(self, outputs: Sequence[str], inputs: Sequence[str], *,
                 expressions: Sequence[ex.Expr] | None = None, sources: Sequence[str] | None = None,
                 func: Callable[..., Any] | None = None):
        self.outputs = tuple(outputs)
        self.inputs = tuple(inputs)
        self.expressions = tuple(expressions) if expressions is not None else None
        self.sources = tuple(sources) if sources is not None else None
        self.func = func
        self._gradients: dict[tuple[int, tuple[str, ...]], dict[str, ex.Expr]] = {}

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_expression(cls, spec: str | Sequence[str] | Mapping[str, str], field: str = "model") -> Model:
        """``"V / I"``, ``["V*cos(phi)/I", "V*sin(phi)/I"]`` or ``{"R": "...", "X": "..."}``."""
        if isinstance(spec, str):
            names, texts = ["y"], [spec]
            fields = [field]
        elif isinstance(spec, Mapping):
            if not spec:
                raise UncertaintyError("the model has no output", field)
            names, texts = list(spec.keys()), list(spec.values())
            fields = [f"{field}.{n}" for n in names]
        elif isinstance(spec, Sequence):
            if not spec:
                raise UncertaintyError("the model has no output", field)
            texts = list(spec)
            names = ["y"] if len(texts) == 1 else [f"y{i + 1}" for i in range(len(texts))]
            fields = [field] if len(texts) == 1 else [f"{field}.{i}" for i in range(len(texts))]
        else:
            raise UncertaintyError("the model must be an expression, a list of them or an object of them", field)
        for name, where in zip(names, fields, strict=True):
            if not isinstance(name, str) or not name.isidentifier():
                raise UncertaintyError(f"output name {name!r} is not a valid name", where)
        exprs = [ex.parse(text, where) for text, where in zip(texts, fields, strict=True)]
        seen: dict[str, None] = {}
        for e in exprs:
            for s in ex.symbols(e):
                seen.setdefault(s, None)
        if not seen:
            raise UncertaintyError("the model has no input quantity", field)
        return cls(names, list(seen), expressions=exprs, sources=texts)

    @classmethod
    def from_callable(cls, func: Callable[..., Any], inputs: Sequence[str],
                      outputs: Sequence[str] = ("y",)) -> Model:
        if not callable(func):
            raise UncertaintyError("the model is not callable", "model")
        if not inputs:
            raise UncertaintyError("the model has no input quantity", "model")
        return cls(outputs, inputs, func=func)

    @property
    def is_symbolic(self) -> bool:
        return self.expressions is not None

    def to_dict(self) -> dict:
        if self.sources is None:
            raise UncertaintyError("a model given as a Python callable cannot be serialised", "model")
        if len(self.outputs) == 1 and self.outputs[0] == "y":
            return {"model": self.sources[0]}
        return {"model": dict(zip(self.outputs, self.sources, strict=True))}

    # ------------------------------------------------------------------ checks

    def check_inputs(self, given: Iterable[str], field: str = "inputs") -> None:
        """Every symbol of the model must be given, and every given input used."""
        given = list(given)
        missing = [n for n in self.inputs if n not in given]
        if missing:
            raise UncertaintyError(
                f"the model uses {', '.join(repr(m) for m in missing)}, which "
                f"{'is' if len(missing) == 1 else 'are'} not among the inputs", field)
        for name in given:
            if name not in self.inputs:
                raise UncertaintyError(f"input '{name}' does not appear in the model", f"{field}.{name}")
            if name in ex.RESERVED:
                raise UncertaintyError(f"'{name}' is a reserved name", f"{field}.{name}")

    # ------------------------------------------------------------------ evaluation

    def evaluate(self, values: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Model values for arrays of input values (vectorised, JCGM 101 7.4)."""
        n = None
        for v in values.values():
            n = np.shape(v)[0] if np.ndim(v) else n
        if self.expressions is not None:
            with np.errstate(all="ignore"):
                outs = [ex.evaluate(e, values) for e in self.expressions]
        else:
            with np.errstate(all="ignore"):
                raw = self.func(**values)  # type: ignore[misc]
            outs = list(raw) if isinstance(raw, tuple | list) else [raw]
            if len(outs) != len(self.outputs):
                raise UncertaintyError(
                    f"the model returned {len(outs)} value(s) for {len(self.outputs)} output(s)", "model")
        result = []
        for o in outs:
            arr = np.asarray(o, dtype=float)
            if n is not None and arr.shape != (n,):
                arr = np.broadcast_to(arr, (n,))
            result.append(arr)
        return result

    def value_at(self, x: Mapping[str, float], field: str = "model") -> np.ndarray:
        """y = f(x) at the estimates, with a diagnosis of any non-finite step (JCGM 100 4.1.4)."""
        if self.expressions is not None:
            where = [field] if len(self.outputs) == 1 else [f"{field}.{o}" for o in self.outputs]
            return np.array([ex.check_at(e, x, w) for e, w in zip(self.expressions, where, strict=True)])
        values = self._call_points({k: np.array([v], dtype=float) for k, v in x.items()})[:, 0]
        bad = [o for o, v in zip(self.outputs, values, strict=True) if not math.isfinite(v)]
        if bad:
            raise UncertaintyError(f"the model is not finite at the estimates (output {', '.join(bad)})", field)
        return values

    def _call_points(self, points: Mapping[str, np.ndarray]) -> np.ndarray:
        with np.errstate(all="ignore"):
            raw = self.func(**points)  # type: ignore[misc]
        outs = list(raw) if isinstance(raw, tuple | list) else [raw]
        if len(outs) != len(self.outputs):
            raise UncertaintyError(
                f"the model returned {len(outs)} value(s) for {len(self.outputs)} output(s)", "model")
        n = len(next(iter(points.values())))
        return np.array([np.broadcast_to(np.asarray(o), (n,)) for o in outs])

    # ------------------------------------------------------------------ derivatives

    def derivative(self, output: int, wrt: Sequence[str]) -> ex.Expr:
        """Symbolic ∂^k f_output / ∂wrt[0] ... ∂wrt[k-1]; gradients are computed once and cached."""
        assert self.expressions is not None
        if not wrt:
            return self.expressions[output]
        key = (output, tuple(wrt[:-1]))
        if key not in self._gradients:
            self._gradients[key] = ex.gradient(self.derivative(output, wrt[:-1]))
        return self._gradients[key].get(wrt[-1], ex.ZERO)

    def jacobian(self, x: Mapping[str, float], u: Mapping[str, float]) -> Jacobian:
        """Sensitivity coefficients at the estimates.

        Expressions: exact symbolic derivatives. Callables: the complex-step derivative
        Im f(x + ih e_i)/h with h = 10⁻²⁰·max(|x_i|, 1) when the callable returns complex values
        and agrees with central differences; otherwise central differences with step
        h_i = u(x_i)/100 (ε^(1/3)·max(|x_i|, 1) when u(x_i) = 0), Richardson-extrapolated from
        h_i and 2h_i, with the error estimated as |D(h) − D(2h)|/3 plus the rounding error.
        """
        n_out, names = len(self.outputs), self.inputs
        if self.expressions is not None:
            c = np.empty((n_out, len(names)))
            for lo in range(n_out):
                for i, name in enumerate(names):
                    check_time("model", "sensitivity coefficients")
                    d = self.derivative(lo, (name,))
                    c[lo, i] = _checked_value(d, x, f"derivative with respect to '{name}'")
            return Jacobian(c, "symbolic")
        fd, err = self._central_differences(x, u)
        cs = self._complex_step(x)
        if cs is not None and np.all(np.abs(cs - fd) <= 10.0 * err + 1e-7 * np.abs(fd) + 1e-300):
            return Jacobian(cs, "complex step", np.abs(cs) * EPS)
        method = "central difference (complex step disagreed)" if cs is not None else "central difference"
        return Jacobian(fd, method, err)

    def _steps(self, x: Mapping[str, float], u: Mapping[str, float]) -> np.ndarray:
        steps = []
        for name in self.inputs:
            ui = abs(float(u.get(name, 0.0)))
            steps.append(ui / 100.0 if ui > 0 else EPS ** (1 / 3) * max(abs(float(x[name])), 1.0))
        return np.array(steps)

    def _central_differences(self, x: Mapping[str, float], u: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        names = self.inputs
        n = len(names)
        h = self._steps(x, u)
        # points: base, then for each input +h, -h, +2h, -2h
        offsets = np.zeros((n, 1 + 4 * n))
        for i in range(n):
            offsets[i, 1 + 4 * i: 5 + 4 * i] = [h[i], -h[i], 2 * h[i], -2 * h[i]]
        points = {name: float(x[name]) + offsets[i] for i, name in enumerate(names)}
        f = self._call_points(points)
        base = f[:, :1]
        d1 = (f[:, 1::4] - f[:, 2::4]) / (2 * h)
        d2 = (f[:, 3::4] - f[:, 4::4]) / (4 * h)
        richardson = (4 * d1 - d2) / 3.0
        rounding = EPS * np.abs(base) / h
        error = np.abs(d1 - d2) / 3.0 + rounding
        if not np.all(np.isfinite(richardson)):
            raise UncertaintyError("the model is not finite next to the estimates; cannot differentiate", "model")
        return richardson, error

    def _complex_step(self, x: Mapping[str, float]) -> np.ndarray | None:
        names = self.inputs
        n = len(names)
        hs = np.array([1e-20 * max(abs(float(x[name])), 1.0) for name in names])
        points = {}
        for i, name in enumerate(names):
            col = np.full(n, complex(float(x[name])), dtype=complex)
            col[i] += 1j * hs[i]
            points[name] = col
        try:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # e.g. ComplexWarning from a callable that casts to float
                raw = self.func(**points)  # type: ignore[misc]
        except Exception:  # noqa: BLE001 - any failure means: no complex support
            return None
        outs = list(raw) if isinstance(raw, tuple | list) else [raw]
        if len(outs) != len(self.outputs) or not all(np.iscomplexobj(o) for o in outs):
            return None
        c = np.array([np.imag(np.broadcast_to(np.asarray(o), (n,))) for o in outs]) / hs
        return c if np.all(np.isfinite(c)) else None

    def second_order_variance(self, x: Mapping[str, float], u: Mapping[str, float]) -> np.ndarray:
        """Higher-order terms of JCGM 100 5.1.2 Note (uncorrelated inputs) for each output.

        Σ_i Σ_j [½(∂²f/∂x_i∂x_j)² + ∂f/∂x_i · ∂³f/∂x_i∂x_j²] u²(x_i) u²(x_j).
        Callables: central differences with steps h_i = u(x_i)/10.
        """
        names = self.inputs
        uu = np.array([float(u[n]) for n in names])
        out = np.zeros(len(self.outputs))
        if self.expressions is not None:
            for lo in range(len(self.outputs)):
                total = 0.0
                for i, a in enumerate(names):
                    if uu[i] == 0.0:
                        continue
                    fa = _checked_value(self.derivative(lo, (a,)), x, f"derivative with respect to '{a}'")
                    for j, b in enumerate(names):
                        if uu[j] == 0.0:
                            continue
                        check_time("second_order", "second-order terms")
                        fab = _checked_value(self.derivative(lo, (a, b)), x, "second derivative")
                        fabb = _checked_value(self.derivative(lo, (a, b, b)), x, "third derivative") if fa else 0.0
                        total += (0.5 * fab * fab + fa * fabb) * uu[i] ** 2 * uu[j] ** 2
                out[lo] = total
            return out
        return self._second_order_numeric(x, uu)

    def _second_order_numeric(self, x: Mapping[str, float], uu: np.ndarray) -> np.ndarray:
        names = self.inputs
        n = len(names)
        base = np.array([float(x[name]) for name in names])
        h = np.where(uu > 0, uu / 10.0, 1.0)
        grid: list[np.ndarray] = []

        def at(*moves: tuple[int, float]) -> int:
            p = base.copy()
            for i, k in moves:
                p[i] += k * h[i]
            grid.append(p)
            return len(grid) - 1

        plan = []
        for i in range(n):
            for j in range(n):
                if uu[i] == 0 or uu[j] == 0:
                    continue
                if i == j:
                    idx = [at((i, k)) for k in (2, 1, 0, -1, -2)]
                    plan.append((i, j, "diag", idx))
                else:
                    idx = [at((i, a), (j, b)) for a in (1, -1) for b in (1, 0, -1)]
                    plan.append((i, j, "off", idx))
        if not plan:
            return np.zeros(len(self.outputs))
        points = {name: np.array([g[k] for g in grid]) for k, name in enumerate(names)}
        f = self._call_points(points)
        out = np.zeros(len(self.outputs))
        for i, j, kind, idx in plan:
            v = f[:, idx]
            if kind == "diag":
                f2p, f1p, f0, f1m, f2m = v.T
                fi = (f1p - f1m) / (2 * h[i])
                fii = (f1p - 2 * f0 + f1m) / h[i] ** 2
                fiii = (f2p - 2 * f1p + 2 * f1m - f2m) / (2 * h[i] ** 3)
                out += (0.5 * fii**2 + fi * fiii) * uu[i] ** 2 * uu[i] ** 2
            else:
                ppj, p0, pmj, mpj, m0, mmj = v.T
                fij = (ppj - pmj - mpj + mmj) / (4 * h[i] * h[j])
                fjj_plus = (ppj - 2 * p0 + pmj) / h[j] ** 2
                fjj_minus = (mpj - 2 * m0 + mmj) / h[j] ** 2
                fijj = (fjj_plus - fjj_minus) / (2 * h[i])
                fi = (p0 - m0) / (2 * h[i])
                out += (0.5 * fij**2 + fi * fijj) * uu[i] ** 2 * uu[j] ** 2
        return out


def _checked_value(expr: ex.Expr, x: Mapping[str, float], what: str) -> float:
    if isinstance(expr, ex.Num):
        return expr.value
    try:
        value = ex.value(expr, x)
    except (ArithmeticError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise UncertaintyError(
            f"the {what} is not finite at the estimates ({ex.to_string(expr)}); the law of propagation of "
            "uncertainty (JCGM 100 5.1.2) cannot be applied there", "model")
    return value
