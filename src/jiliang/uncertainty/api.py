"""One call for the API layer: a JSON request in, a JSON-safe result out.

``evaluate_request`` validates every field (raising :class:`UncertaintyError` with the field
path, e.g. ``inputs.I.high``), runs the GUM framework, the Monte Carlo method and the validation
of JCGM 101 clause 8, and returns unrounded numbers together with display strings rounded per
JJF 1059.1 5.3.8.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import rounding
from .budget import build_budget
from .correlation import correlation_matrix, from_observations, groups, parse_pairs
from .distributions import Distribution, TypeA, distribution_from_dict
from .errors import UncertaintyError
from .expression import RESERVED
from .gum import GumOutput, evaluate_gum
from .limits import Limits, time_limit
from .model import Model
from .montecarlo import DEFAULT_TRIALS, HISTOGRAM_BINS, MAX_TRIALS, MonteCarloOutput, run_monte_carlo
from .validation import validate_gum

TOP_KEYS = frozenset({"model", "inputs", "correlations", "coverage_probability", "k", "second_order",
                      "monte_carlo", "validation", "rounding", "unit", "ensembles", "truncate_dof"})
MC_KEYS = frozenset({"trials", "seed", "adaptive", "ndig", "bins"})

COPULA_NOTE = ("Monte Carlo: correlated inputs that are not all Gaussian are drawn through a Gaussian copula "
               "(normal scores with correlations chosen so that the inputs have the stated correlation "
               "coefficients, then each input's inverse distribution function); JCGM 101 6.4.8 covers only "
               "the multivariate Gaussian")


def _num(x: float | None) -> float | None:
    if x is None:
        return None
    x = float(x)
    return x if math.isfinite(x) else None


def _bool(payload: Mapping[str, Any], key: str, default: bool, field: str | None = None) -> bool:
    value = payload.get(key, default)
    if not isinstance(value, bool):
        raise UncertaintyError(f"'{key}' must be true or false, got {value!r}", field or key)
    return value


def _probability(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UncertaintyError(f"coverage probability must be a number, got {value!r}", field)
    p = float(value)
    if not 0.0 < p < 1.0:
        raise UncertaintyError(f"coverage probability must lie strictly between 0 and 1, got {value!r}", field)
    return p


def _int_option(options: Mapping[str, Any], key: str, default: int | None, field: str, least: int = 1) -> int | None:
    value = options.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UncertaintyError(f"'{key}' must be an integer, got {value!r}", field)
    if value < least:
        raise UncertaintyError(f"'{key}' must be at least {least}, got {value!r}", field)
    return value


def parse_inputs(raw: Any) -> dict[str, Distribution]:
    if not isinstance(raw, Mapping) or not raw:
        raise UncertaintyError("'inputs' must be a non-empty object of input definitions", "inputs")
    dists: dict[str, Distribution] = {}
    for name, spec in raw.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise UncertaintyError(f"input name {name!r} is not a valid name", f"inputs.{name}")
        if name in RESERVED:
            raise UncertaintyError(f"'{name}' is a reserved name (function or constant)", f"inputs.{name}")
        try:
            dists[name] = distribution_from_dict(spec)
        except UncertaintyError as exc:
            raise exc.prefixed(f"inputs.{name}") from None
    return dists


def parse_correlations(raw: Any, names: tuple[str, ...], dists: Mapping[str, Distribution]
                       ) -> tuple[np.ndarray, list[list[str]]]:
    """The correlation matrix, and the ensembles of inputs correlated through joint observations."""
    pairs = parse_pairs(raw)
    resolved = []
    linked = np.eye(len(names))
    index = {n: i for i, n in enumerate(names)}
    observations = {n: d for n, d in dists.items() if isinstance(d, TypeA)}
    for pos, (a, b, r) in enumerate(pairs):
        if isinstance(r, str):
            if r != "observations":
                raise UncertaintyError(f"correlation must be a number or \"observations\", got {r!r}",
                                       f"correlations.{pos}")
            r = from_observations(observations, a, b, f"correlations.{pos}")
            if a in index and b in index:
                linked[index[a], index[b]] = linked[index[b], index[a]] = 1.0
        resolved.append((a, b, r))
    matrix = correlation_matrix(names, resolved)
    ensembles = [[names[i] for i in g] for g in groups(linked) if len(g) > 1]
    return matrix, ensembles


def _gum_dict(g: GumOutput, second_order: bool, digits: int, mode: str) -> dict:
    return {
        "y": g.y, "u": g.u, "u_first_order": g.u_first_order, "dof": _num(g.dof), "dof_method": g.dof_method,
        "dof_evaluated": not math.isnan(g.dof),
        "k": g.k, "U": g.U, "p": g.p, "interval": list(g.interval),
        "sensitivity_coefficients": g.sensitivities, "sensitivity_method": g.sensitivity_method,
        "second_order": second_order, "second_order_variance": g.second_order_variance,
        "display": rounding.display(g.y, g.u, g.U, g.k, digits=digits, mode=mode),
    }


def _mc_dict(m: MonteCarloOutput, seed: int, adaptive: bool, converged: bool | None, digits: int,
             mode: str) -> dict:
    ref = rounding.round_uncertainty(m.u, digits, mode) if m.u > 0 else None
    return {
        "y": m.y, "u": m.u, "p": m.p, "trials": m.trials, "seed": seed, "adaptive": adaptive,
        "converged": converged,
        "interval_symmetric": list(m.interval_symmetric), "interval_shortest": list(m.interval_shortest),
        "histogram": m.histogram.to_dict(),
        "display": {
            "y": rounding.text(rounding.round_to(m.y, ref)) if ref is not None else repr(m.y),
            "u": rounding.text(ref) if ref is not None else "0",
            "interval_symmetric": rounding.display_interval(*m.interval_symmetric, m.u, digits, mode),
            "interval_shortest": rounding.display_interval(*m.interval_shortest, m.u, digits, mode),
        },
    }


def evaluate_request(payload: Mapping[str, Any], *, max_trials: int = MAX_TRIALS, limits: Limits | None = None) -> dict:
    """Evaluate a JSON request (see the module docstring of :mod:`jiliang.uncertainty`).

    ``max_trials`` is the server's limit on M (default 10⁷); a request asking for more is refused
    with field ``monte_carlo.trials``. ``limits`` bounds the rest of the work (inputs, outputs,
    second-order terms, outputs × trials, wall-clock time; :class:`~.limits.Limits`), with
    ``max_trials`` taken from it when given. A number that overflows the floating-point range on
    the way is refused like any other bad input.
    """
    limits = limits if limits is not None else Limits(max_trials=max_trials, time_limit=None)
    with time_limit(limits.time_limit):
        try:
            return _evaluate(payload, limits)
        except (OverflowError, FloatingPointError) as exc:
            raise UncertaintyError(
                f"a number in the evaluation went beyond the floating-point range ({exc}); express the model in "
                "other units", "model") from None


def _evaluate(payload: Mapping[str, Any], limits: Limits) -> dict:
    max_trials = limits.max_trials
    if not isinstance(payload, Mapping):
        raise UncertaintyError("the request must be an object", None)
    for key in payload:
        if key not in TOP_KEYS:
            raise UncertaintyError(f"unknown request field '{key}'", str(key))
    if "model" not in payload:
        raise UncertaintyError("'model' is missing", "model")
    if "inputs" not in payload:
        raise UncertaintyError("'inputs' is missing", "inputs")
    spec = payload["model"]
    if isinstance(spec, Mapping | list | tuple):
        limits.check_outputs(len(spec))
    if isinstance(payload["inputs"], Mapping):
        limits.check_inputs(len(payload["inputs"]))
    model = Model.from_expression(spec)
    limits.check_inputs(len(model.inputs), "model")
    dists = parse_inputs(payload["inputs"])
    model.check_inputs(dists.keys())
    p = _probability(payload.get("coverage_probability", 0.95), "coverage_probability")
    k = payload.get("k")
    if k is not None and (isinstance(k, bool) or not isinstance(k, int | float) or not math.isfinite(k) or k <= 0):
        raise UncertaintyError(f"coverage factor k must be a positive number, got {k!r}", "k")
    second_order = _bool(payload, "second_order", False)
    if second_order:
        limits.check_second_order(len(model.outputs), len(model.inputs))
    truncate = _bool(payload, "truncate_dof", True)
    corr, ensembles = parse_correlations(payload.get("correlations"), model.inputs, dists)
    extra_ensembles = payload.get("ensembles") or []
    if not isinstance(extra_ensembles, list) or not all(
            isinstance(e, list) and all(isinstance(n, str) and n in dists for n in e) for e in extra_ensembles):
        raise UncertaintyError("ensembles must be lists of input names", "ensembles")
    ensembles = ensembles + extra_ensembles

    rounding_opts = payload.get("rounding") or {}
    if not isinstance(rounding_opts, Mapping) or set(rounding_opts) - {"digits", "mode"}:
        raise UncertaintyError("rounding takes 'digits' (1 or 2) and 'mode' ('half_even' or 'up')", "rounding")
    digits = rounding_opts.get("digits", 2)
    mode = rounding_opts.get("mode", "half_even")
    rounding.round_uncertainty(1.0, digits, mode)  # validates both

    units = payload.get("unit") or ""
    if not isinstance(units, str | Mapping):
        raise UncertaintyError("'unit' must be a string or an object of output units", "unit")

    def unit_of(name: str) -> str:
        return str(units.get(name, "")) if isinstance(units, Mapping) else units

    gum = evaluate_gum(model, dists, corr, p=p, k=None if k is None else float(k), second_order=second_order,
                       ensembles=ensembles, truncate_dof=truncate)
    notes = list(gum.notes)

    mc_opts = payload.get("monte_carlo", {})
    mc = None
    if mc_opts is not None and mc_opts is not False:
        if not isinstance(mc_opts, Mapping):
            raise UncertaintyError("'monte_carlo' must be an object of options, or null to skip it", "monte_carlo")
        for key in mc_opts:
            if key not in MC_KEYS:
                raise UncertaintyError(f"unknown Monte Carlo option '{key}'", f"monte_carlo.{key}")
        adaptive = _bool(mc_opts, "adaptive", False, "monte_carlo.adaptive")
        n_out = len(model.outputs)
        trials = mc_opts.get("trials", min(DEFAULT_TRIALS, limits.trials_for(n_out)))
        if isinstance(trials, int) and not isinstance(trials, bool) and trials <= max_trials:
            limits.check_trials(trials, n_out)
        ndig = _int_option(mc_opts, "ndig", 2, "monte_carlo.ndig")
        seed = _int_option(mc_opts, "seed", None, "monte_carlo.seed", least=0)
        bins = _int_option(mc_opts, "bins", HISTOGRAM_BINS, "monte_carlo.bins")
        assert ndig is not None and bins is not None
        if bins > 1000:
            raise UncertaintyError("at most 1000 histogram bins", "monte_carlo.bins")
        mc = run_monte_carlo(model, dists, corr, p=p, trials=trials, seed=seed, adaptive=adaptive, ndig=ndig,
                             max_trials=limits.trials_for(n_out) if adaptive else max_trials, bins=bins)
        notes.extend(mc.notes)
        if any("copula" in n for n in mc.notes):
            notes.append(COPULA_NOTE)

    val_opts = payload.get("validation") or {}
    if not isinstance(val_opts, Mapping) or set(val_opts) - {"ndig", "interval"}:
        raise UncertaintyError("validation takes 'ndig' and 'interval' ('shortest' or 'symmetric')", "validation")
    val_ndig = _int_option(val_opts, "ndig", 2, "validation.ndig")
    assert val_ndig is not None
    val_interval = val_opts.get("interval", "shortest")
    if k is not None and mc is not None:
        notes.append(f"validation compares the GUM interval with k = {k:g} against the Monte Carlo {p:g} "
                     "coverage interval")

    outputs = []
    budgets = []
    for j, name in enumerate(model.outputs):
        g = gum.outputs[j]
        budget = build_budget(g, dists, descriptions=payload["inputs"], unit=unit_of(name),
                              model=(model.sources or ("",) * len(model.outputs))[j], digits=digits, mode=mode,
                              notes=tuple(notes))
        budgets.append(budget)
        entry: dict[str, Any] = {"name": name, "unit": unit_of(name),
                                 "gum": _gum_dict(g, second_order, digits, mode),
                                 "budget": [r.to_dict() for r in budget.rows],
                                 "budget_other_share": budget.other_share}
        if mc is not None:
            m = mc.outputs[j]
            entry["monte_carlo"] = _mc_dict(m, mc.seed, mc.adaptive, mc.converged, digits, mode)
            entry["validation"] = validate_gum(g, m, val_ndig, val_interval).to_dict()
        else:
            entry["monte_carlo"] = None
            entry["validation"] = None
        outputs.append(entry)

    result: dict[str, Any] = dict(outputs[0])
    result["outputs"] = outputs
    result["inputs"] = [
        {"name": n, "distribution": d.kind, "estimate": d.estimate, "u": d.std_uncertainty, "dof": _num(d.dof),
         "parameters": d.to_dict()}
        for n, d in ((n, dists[n]) for n in model.inputs)
    ]
    result["input_correlation"] = {"names": list(model.inputs), "matrix": corr.tolist()}
    if len(outputs) > 1:
        result["output_covariance"] = {
            "names": list(model.outputs),
            "gum": {"covariance": gum.covariance.tolist(), "correlation": gum.correlation.tolist()},
            "monte_carlo": None if mc is None else {"covariance": mc.covariance.tolist(),
                                                    "correlation": mc.correlation.tolist()},
        }
    result["budgets"] = [b.to_dict() for b in budgets]
    result["notes"] = list(dict.fromkeys(notes))
    return result
