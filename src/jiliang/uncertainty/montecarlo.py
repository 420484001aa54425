"""Propagation of distributions by the Monte Carlo method (JCGM 101:2008 = JJF 1059.2-2012).

M trials (7.2) are run in chunks: each chunk draws the inputs (6.4, :mod:`.sampling`) with its
own random generator — PCG64 seeded by ``SeedSequence(seed, spawn_key=(chunk,))`` — so the
result depends only on the seed, M and the chunk size, and the inputs of one chunk are dropped
before the next. Only the output values are kept (float64, 8 bytes per trial and output), from
which the estimate and standard uncertainty (7.6), the probabilistically symmetric and the
shortest coverage intervals (7.7) and a histogram are taken. The adaptive procedure of 7.9
runs blocks of M = max(J, 10⁴) trials until the estimates are stable to the numerical tolerance
of 7.9.2.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .distributions import Distribution
from .errors import UncertaintyError
from .limits import check_time
from .model import Model
from .sampling import InputSampler

DEFAULT_TRIALS = 1_000_000
MAX_TRIALS = 10_000_000
CHUNK_SIZE = 1 << 16
HISTOGRAM_BINS = 60


@dataclass(frozen=True)
class Histogram:
    """Counts of the output values in equal bins; ``below``/``above`` count values outside."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]
    below: int
    above: int

    def to_dict(self) -> dict:
        return {"edges": list(self.edges), "counts": list(self.counts), "below": self.below, "above": self.above}


@dataclass(frozen=True)
class MonteCarloOutput:
    name: str
    y: float
    u: float
    p: float
    interval_symmetric: tuple[float, float]
    interval_shortest: tuple[float, float]
    histogram: Histogram
    trials: int


@dataclass(frozen=True)
class MonteCarloResult:
    outputs: tuple[MonteCarloOutput, ...]
    covariance: np.ndarray
    correlation: np.ndarray
    trials: int
    seed: int
    adaptive: bool
    #: adaptive procedure only: whether the tolerance was met before the trial limit
    converged: bool | None = None
    ndig: int | None = None
    notes: tuple[str, ...] = field(default=())
    #: sorted output values (outputs × trials), only with ``keep_samples=True``
    samples: np.ndarray | None = field(default=None, repr=False)

    def output(self, name: str | None = None) -> MonteCarloOutput:
        if name is None:
            return self.outputs[0]
        for out in self.outputs:
            if out.name == name:
                return out
        raise KeyError(name)


# --------------------------------------------------------------------------- clause 7 helpers


def numerical_tolerance(u: float, ndig: int = 2) -> float:
    """δ of JCGM 101 7.9.2: write u as c × 10^ℓ with c an ndig-digit integer; δ = ½ × 10^ℓ."""
    if not isinstance(ndig, int) or isinstance(ndig, bool) or ndig < 1:
        raise UncertaintyError(f"ndig must be a positive integer, got {ndig!r}", "ndig")
    if u == 0.0 or not math.isfinite(u):
        return 0.0
    ell = math.floor(math.log10(abs(u))) - (ndig - 1)
    if round(abs(u) / 10.0**ell) >= 10**ndig:  # e.g. 0.0996 with ndig = 2 is written 10 × 10⁻²
        ell += 1
    return 0.5 * 10.0**ell


def _q(p: float, m: int) -> int:
    pm = p * m
    nearest = round(pm)
    if abs(pm - nearest) <= 1e-9 * max(1.0, pm):
        return int(nearest)
    return int(math.floor(pm + 0.5))


def coverage_intervals(ys: np.ndarray, p: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Probabilistically symmetric and shortest 100p % intervals from sorted values (JCGM 101 7.7).

    q = pM (or the integer part of pM + ½); intervals [y_(r), y_(r+q)]: symmetric with
    r = (M − q)/2 (or the integer part of (M − q + 1)/2), shortest with the r* that minimises
    y_(r+q) − y_(r) (7.7.2).
    """
    m = len(ys)
    q = _q(p, m)
    if not 0 < q < m:
        raise UncertaintyError(f"{m} trials are too few for a {p:g} coverage interval", "monte_carlo.trials")
    r = (m - q) // 2 if (m - q) % 2 == 0 else (m - q + 1) // 2
    symmetric = (float(ys[r - 1]), float(ys[r + q - 1]))
    best_i, best_w = 0, math.inf
    block = 1 << 20
    for start in range(0, m - q, block):
        stop = min(start + block, m - q)
        widths = ys[start + q: stop + q] - ys[start:stop]
        i = int(np.argmin(widths))
        if widths[i] < best_w:
            best_i, best_w = start + i, float(widths[i])
    shortest = (float(ys[best_i]), float(ys[best_i + q]))
    return symmetric, shortest


def histogram(ys: np.ndarray, bins: int, include: tuple[float, ...] = ()) -> Histogram:
    """Histogram of sorted values over the central 99.9 % (widened to show ``include``)."""
    m = len(ys)
    lo = float(ys[int(0.0005 * m)])
    hi = float(ys[min(m - 1, math.ceil(0.9995 * m) - 1)])
    if include:
        lo, hi = min(lo, *include), max(hi, *include)
    if not hi > lo:
        pad = max(abs(lo) * 1e-9, 1e-300)
        lo, hi = lo - pad, hi + pad
    edges = np.linspace(lo, hi, bins + 1)
    idx = np.searchsorted(ys, edges, side="left")
    idx[-1] = np.searchsorted(ys, edges[-1], side="right")
    return Histogram(tuple(float(e) for e in edges), tuple(int(c) for c in np.diff(idx)),
                     int(idx[0]), int(m - idx[-1]))


class _Moments:
    """Streaming mean and co-moments of several outputs (Chan et al. pairwise update)."""

    def __init__(self, k: int):
        self.n = 0
        self.mean = np.zeros(k)
        self.m2 = np.zeros((k, k))

    def add(self, block: np.ndarray) -> None:
        nb = block.shape[1]
        mb = block.mean(axis=1)
        d = block - mb[:, None]
        m2b = d @ d.T
        delta = mb - self.mean
        total = self.n + nb
        self.mean = self.mean + delta * (nb / total)
        self.m2 = self.m2 + m2b + np.outer(delta, delta) * (self.n * nb / total)
        self.n = total

    @property
    def covariance(self) -> np.ndarray:
        return self.m2 / (self.n - 1)


class _Simulator:
    def __init__(self, model: Model, dists: Mapping[str, Distribution], correlation: np.ndarray | None,
                 seed: int | None, chunk_size: int):
        self.model = model
        self.sampler = InputSampler(model.inputs, dists, correlation)
        sequence = np.random.SeedSequence(seed)
        self.entropy = int(sequence.entropy)  # type: ignore[arg-type]
        self.chunk = 0
        self.chunk_size = chunk_size

    def fill(self, out: np.ndarray, moments: _Moments) -> None:
        """Run out.shape[1] trials into ``out`` (outputs × trials)."""
        m = out.shape[1]
        for start in range(0, m, self.chunk_size):
            check_time("monte_carlo.trials", f"after {moments.n} Monte Carlo trials")
            n = min(self.chunk_size, m - start)
            seq = np.random.SeedSequence(self.entropy, spawn_key=(self.chunk,))
            self.chunk += 1
            rng = np.random.Generator(np.random.PCG64(seq))
            values = self.sampler.draw(rng, n)
            for j, y in enumerate(self.model.evaluate(values)):
                if not np.all(np.isfinite(y)):
                    bad = int(np.flatnonzero(~np.isfinite(y))[0])
                    at = ", ".join(f"{k}={float(v[bad]):.6g}" for k, v in values.items())
                    count = int(np.count_nonzero(~np.isfinite(y)))
                    raise UncertaintyError(
                        f"the model gave a non-finite value for output '{self.model.outputs[j]}' in {count} of "
                        f"{n} trials of one chunk (e.g. at {at}); restrict the input distributions to the "
                        "model's domain", "model")
                out[j, start:start + n] = y
            moments.add(out[:, start:start + n])


def _summarise(name: str, ys: np.ndarray, y: float, u: float, p: float, bins: int) -> MonteCarloOutput:
    ys.sort()
    symmetric, shortest = coverage_intervals(ys, p)
    hist = histogram(ys, bins, symmetric + shortest)
    return MonteCarloOutput(name, y, u, p, symmetric, shortest, hist, len(ys))


def _check_trials(trials: object, p: float, max_trials: int, field_name: str) -> int:
    if isinstance(trials, bool) or not isinstance(trials, int | np.integer):
        raise UncertaintyError(f"the number of trials M must be an integer, got {trials!r}", field_name)
    trials = int(trials)
    if trials > max_trials:
        raise UncertaintyError(f"M = {trials} exceeds the configured limit of {max_trials} trials", field_name)
    least = math.ceil(100.0 / (1.0 - p))
    if trials < least:
        raise UncertaintyError(
            f"M = {trials} is too small for coverage probability {p:g}: at least ⌈100/(1 − p)⌉ = {least} "
            "trials are needed (JCGM 101 7.2, 7.9.4 b)", field_name)
    return trials


def run_monte_carlo(
    model: Model,
    inputs: Mapping[str, Distribution],
    correlation: np.ndarray | None = None,
    *,
    p: float = 0.95,
    trials: int | None = DEFAULT_TRIALS,
    seed: int | None = None,
    adaptive: bool = False,
    ndig: int = 2,
    max_trials: int = MAX_TRIALS,
    chunk_size: int = CHUNK_SIZE,
    bins: int = HISTOGRAM_BINS,
    keep_samples: bool = False,
) -> MonteCarloResult:
    """Run the Monte Carlo method with M = ``trials`` or, if ``adaptive``, JCGM 101 7.9.

    ``seed`` makes the run reproducible (the seed used is returned either way); ``max_trials``
    caps M (default 10⁷) for fixed and adaptive runs alike.
    """
    if not 0.0 < p < 1.0:
        raise UncertaintyError(f"coverage probability must lie in (0, 1), got {p!r}", "coverage_probability")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise UncertaintyError(f"seed must be a non-negative integer, got {seed!r}", "monte_carlo.seed")
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise UncertaintyError(f"chunk size must be a positive integer, got {chunk_size!r}", "monte_carlo.chunk_size")
    model.check_inputs(inputs.keys())
    sim = _Simulator(model, inputs, correlation, seed, chunk_size)
    k = len(model.outputs)
    notes = list(sim.sampler.notes)
    if adaptive:
        samples, moments, converged = _adaptive(sim, k, p, ndig, max_trials)
    else:
        m = _check_trials(DEFAULT_TRIALS if trials is None else trials, p, max_trials, "monte_carlo.trials")
        if m < 1e4 / (1.0 - p):
            notes.append(f"M = {m} is small compared with 10⁴/(1 − p); the coverage interval endpoints are "
                         "only roughly determined")
        samples = np.empty((k, m))
        moments = _Moments(k)
        sim.fill(samples, moments)
        converged = None
    cov = moments.covariance
    if not np.all(np.isfinite(cov)) or not np.all(np.isfinite(moments.mean)):
        raise UncertaintyError("the Monte Carlo values of the output are too large for their mean and variance to be "
                               "represented in floating point (beyond about 1.8e308); express the model in other "
                               "units", "model")
    sd = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    with np.errstate(all="ignore"):
        corr = cov / np.outer(sd, sd)
    corr[~np.isfinite(corr)] = 0.0
    np.fill_diagonal(corr, 1.0)
    outputs = tuple(
        _summarise(name, samples[j], float(moments.mean[j]), float(sd[j]), p, bins)
        for j, name in enumerate(model.outputs)
    )
    if converged is False:
        notes.append(f"the adaptive procedure reached the limit of {max_trials} trials before the results were "
                     "stable to the numerical tolerance (JCGM 101 7.9.4)")
    return MonteCarloResult(outputs, cov, corr, samples.shape[1], sim.entropy, adaptive, converged,
                            ndig if adaptive else None, tuple(notes), samples if keep_samples else None)


def _adaptive(sim: _Simulator, k: int, p: float, ndig: int, max_trials: int
              ) -> tuple[np.ndarray, _Moments, bool]:
    """JCGM 101 7.9.4: blocks of M = max(J, 10⁴) trials until 2 s ≤ δ for every result."""
    numerical_tolerance(1.0, ndig)  # validates ndig
    block = max(math.ceil(100.0 / (1.0 - p)), 10_000)
    if block > max_trials:
        raise UncertaintyError(f"the adaptive procedure needs blocks of {block} trials, more than the limit "
                               f"of {max_trials}", "monte_carlo.max_trials")
    blocks: list[np.ndarray] = []
    stats: list[np.ndarray] = []  # per block: outputs × (y, u, 4 interval endpoints)
    moments = _Moments(k)
    converged = False
    while True:
        out = np.empty((k, block))
        sim.fill(out, moments)
        blocks.append(out)
        row = np.empty((k, 6))
        for j in range(k):
            ys = np.sort(out[j])
            symmetric, shortest = coverage_intervals(ys, p)
            row[j] = (ys.mean(), ys.std(ddof=1), *symmetric, *shortest)
        stats.append(row)
        h = len(blocks)
        if h >= 2:
            s = np.std(np.array(stats), axis=0, ddof=1) / math.sqrt(h)  # 7.9.4 f)
            u_all = np.sqrt(np.diag(moments.covariance))  # 7.9.4 g)
            delta = np.array([numerical_tolerance(float(uj), ndig) for uj in u_all])  # 7.9.4 h)
            if np.all(2.0 * s <= delta[:, None]):  # 7.9.4 i)
                converged = True
                break
        if (h + 1) * block > max_trials:
            break
    return np.concatenate(blocks, axis=1), moments, converged
