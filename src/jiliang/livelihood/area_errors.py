"""Errors of household electricity meters estimated from a transformer area's energy balance (台区 误差 估计).

PURE: numpy and scipy, no Django.

The model
=========

Behind one distribution transformer (台区) the area meter (台区总表) measures the energy ``y_d`` delivered on day
``d``; household meter ``i`` registers ``x_{i,d} = (1 + ε_i) t_{i,d}`` of its household's true consumption
``t_{i,d}``, where ``ε_i`` is the meter's relative error. Energy is conserved up to the losses of the low-voltage
network::

    y_d = Σ_i t_{i,d} + L_d,      L_d = a·s_d + λ·Σ_i t_{i,d}

with a fixed (no-load) loss ``a`` per day (``s_d`` the days period ``d`` spans) and a loss proportional to the
energy delivered at the rate ``λ`` (the "invariable loss and line-loss rate" model of Cao et al.). Writing
``β_i = (1 + λ) / (1 + ε_i)`` the balance is linear in the unknowns::

    y_d = Σ_i β_i x_{i,d} + a·s_d + e_d

and ``(β, a)`` follow by ordinary least squares over many days (Liu, Liang & He 2020; the Energies 2019 paper
below solves the same equation recursively). ``e_d`` collects what the model leaves out: the area meter's own error and
resolution, losses that are not fixed or proportional (the I²R part varies with the square of the load), and
energy the households do not meter (theft, unmetered lighting).

Identifiability of the proportional loss
----------------------------------------

A loss proportional to the energy delivered scales every ``β_i`` by the same ``1 + λ``: it cannot be told apart
from a common error of all household meters. The proportional loss rate is therefore either

* **given** (``proportional_loss=λ``, e.g. the utility's calculated technical loss rate, or 0), then
  ``ε̂_i = (1 + λ) / β̂_i − 1``; or
* **anchored on the majority** (``proportional_loss=None``, the default): most meters in an area are assumed to
  be accurate, so ``1 + λ̂ = median_i β̂_i`` and every error is relative to the area's median meter. A common
  drift of all meters in an area is then invisible, and at least :data:`MIN_METERS_FOR_ANCHOR` meters are
  required.

Assumptions
-----------

1. The area meter is accurate (its error is much smaller than the household meters' MPE; it is usually class 0.5S
   or 1 with a current transformer), and every household meter of the area is in the balance (the area's meter
   list, 户变关系, is right).
2. Losses are fixed plus proportional (above); the rest goes into ``e_d``, taken independent between days with a
   common variance per day (so a period of k days has k times the variance: weighted least squares with weights
   1/k, ordinary least squares when every period is one day). Days where the balance fails badly (a reading glitch, a short
   outage) are removed once as outliers (|standardised residual| > :data:`OUTLIER_Z`) and the fit repeated.
3. Each meter's error is constant over the window (use 60–120 days; a meter that fails mid-window is found with a
   bias between its before and after values).
4. Enough days and enough independent variation: at least ``n + 1 + MIN_RESIDUAL_DOF`` usable periods for ``n``
   meters, no meter without consumption, and no two meters (or groups) whose daily energies move in proportion
   (the design matrix must have full column rank; its condition number after scaling the columns must stay below
   :data:`MAX_CONDITION`). Otherwise the estimate is refused with :class:`IllConditioned`, naming the meters.

Missing readings
----------------

A household meter's daily energy is the difference of two midnight readings; when a midnight reading is missing,
the next day's energy holds both days. :func:`merge_carried` merges such days, for every meter and the area
meter alike, into one balance period spanning several days (the fixed loss counts once per day of the span), so
the balance still holds without guessing any value; periods longer than :data:`MAX_SPAN_DAYS` are dropped. A
period closes only on a day every meter read, which happens with probability (1 − p)^(n+1) for a missing rate p
per meter and day: 55 % for 60 meters at p = 1 %.

Uncertainty and the decision rule
---------------------------------

``Cov(β̂) = σ̂² (XᵀX)⁻¹`` with ``σ̂² = RSS / (D − p)`` (JCGM 100 / GUM: a Type A evaluation from the fit). The
standard uncertainty of ``ε̂_i = m / β̂_i − 1`` follows by the law of propagation (JCGM 100 5.1.2) with
``∂ε/∂β_i = −m / β_i²``; with the majority anchor, the median ``m`` adds ``u²(m) ≈ (π/2)·mean u²(β)/n``
(asymptotic variance of a median, correlation with ``β_i`` neglected); with a given λ, ``m = 1 + λ`` is exact.

A meter is judged against its maximum permissible error (MPE) with one-sided confidence ``1 − α`` (default 95 %,
``k = 1.645``), in the manner of guarded acceptance and rejection (JCGM 106:2012 §8)::

    |ε̂| − k·u > MPE  → "exceeds"      (the error exceeds the MPE with 95 % confidence)
    |ε̂| + k·u < MPE  → "within"       (the error is within the MPE with 95 % confidence)
    otherwise        → "undecided"    (more days, or a test on site, are needed)

The MPE used is the percentage error limit of IEC 62053-21:2003 / GB/T 17215.321 for direct-connected meters at
0.1 Ib ≤ I ≤ Imax, PF 1: **class 1 ±1.0 %, class 2 ±2.0 %** (shared/reference/legal-metrology.md §3.4, confidence
V2). It is the limit of type test and verification under reference conditions; an in-service MPE for household
electricity meters was not found in the reference (JJG 596-2012's in-service provisions are unverified), and the
balance measures the error at the meter's actual daily mix of loads, not at one test point. A flag is therefore
a reason to test the meter on site, not a verification result.

References
==========

* F. Liu, C. Liang, Q. He, "A data-based approach for smart meter online calibration", ACTA IMEKO 9(2) 32–37,
  2020, doi:10.21014/acta_imeko.v9i2.777 (the energy-conservation model and least squares).
* "A recursive least squares method with double-parameter for online estimation of electric meter errors",
  Energies 12(5) 805, 2019, doi:10.3390/en12050805 (Tianjin University and State Grid Tianjin; recursive form,
  removal of null and light-load data).
* S. Cao, H. Lin, X. Wei, W. Gao, "A newly designed method for on-line error estimation of smart meter", DEStech
  Transactions on Environment, Energy and Earth Sciences (fixed loss and line-loss rate, removal of outlier
  days).
* Ž. Nakutis, P. Kaškonas, "A contemplation on electricity meters in-service surveillance assisted by remote error
  monitoring", Energies 13 5245, 2020 (remote error estimates as input to in-service surveillance, not as
  verification).
* JCGM 100:2008 (GUM) 5.1.2; JCGM 106:2012 §8 (guard bands).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy import stats

METHOD = "energy balance, OLS, fixed + proportional losses (Liu, Liang & He 2020)"
MIN_RESIDUAL_DOF = 10  # usable periods beyond the number of unknowns
MIN_METERS_FOR_ANCHOR = 10  # the median anchor needs a majority worth the name
MAX_CONDITION = 1e6  # of the column-scaled design matrix
OUTLIER_Z = 4.0
MAX_OUTLIER_SHARE = 0.1  # at most this share of the periods are dropped as outliers
MAX_SPAN_DAYS = 7
CONFIDENCE = 0.95

# MPE (%) by accuracy class: IEC 62053-21:2003 / GB/T 17215.321, direct-connected, 0.1 Ib ≤ I ≤ Imax, PF 1
# (shared/reference/legal-metrology.md §3.4, V2). Classes not in the reference have no MPE here.
MPE_PERCENT = {"1": 1.0, "2": 2.0}
MPE_SOURCE = "IEC 62053-21:2003 / GB/T 17215.321, 0.1 Ib ≤ I ≤ Imax, PF 1"

EXCEEDS, WITHIN, UNDECIDED, NO_MPE, NOT_ESTIMATED = "exceeds", "within", "undecided", "no_mpe", "not_estimated"


@lru_cache(maxsize=8)
def _one_sided_k(confidence: float) -> float:
    return float(stats.norm.ppf(confidence))


class IllConditioned(ValueError):
    """The data cannot determine the errors: ``reason`` is a code, ``meters`` the indices involved, ``params`` the
    numbers the message names (so a page can say it in the reader's language)."""

    def __init__(self, reason: str, message: str, meters: tuple[int, ...] = (), params: dict | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.meters = meters
        self.params = params or {}


def mpe_for(accuracy_class: str) -> float | None:
    """The MPE in percent for an accuracy class ('2', 'class 2', '2.0'), or None when the reference has none."""
    text = str(accuracy_class or "").strip().lower().removeprefix("class").strip()
    if text.endswith(".0"):
        text = text[:-2]
    return MPE_PERCENT.get(text)


def decide(error_pct: float, u_pct: float, mpe_pct: float | None, confidence: float = CONFIDENCE) -> str:
    """The decision rule above, for an error and its standard uncertainty in percent."""
    if mpe_pct is None:
        return NO_MPE
    k = _one_sided_k(confidence)
    if abs(error_pct) - k * u_pct > mpe_pct:
        return EXCEEDS
    if abs(error_pct) + k * u_pct < mpe_pct:
        return WITHIN
    return UNDECIDED


@dataclass
class MeterEstimate:
    index: int
    error_pct: float | None  # ε̂ × 100
    u_pct: float | None  # standard uncertainty of ε̂ × 100
    mpe_pct: float | None
    decision: str
    share_pct: float  # the meter's share of the metered energy in the used periods

    def interval(self, confidence: float = 0.95) -> tuple[float, float] | None:
        """Two-sided interval of the error (normal, coverage ``confidence``)."""
        if self.error_pct is None or self.u_pct is None:
            return None
        k = stats.norm.ppf(0.5 + confidence / 2)
        return self.error_pct - k * self.u_pct, self.error_pct + k * self.u_pct


@dataclass
class AreaFit:
    meters: list[MeterEstimate]
    periods_used: int
    days_used: int
    periods_dropped: dict = field(default_factory=dict)  # reason → count
    fixed_loss: float = 0.0  # a, energy per day
    u_fixed_loss: float = 0.0
    proportional_loss_pct: float = 0.0  # λ × 100 (estimated by the anchor, or given)
    proportional_loss_given: bool = False
    residual_sd: float = 0.0  # σ̂, energy per period
    condition: float = 0.0
    confidence: float = CONFIDENCE

    @property
    def flagged(self) -> list[MeterEstimate]:
        return [m for m in self.meters if m.decision == EXCEEDS]


def merge_carried(x: np.ndarray, y: np.ndarray, closed: np.ndarray,
                  max_span: int = MAX_SPAN_DAYS) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Merge days whose closing reading is missing into balance periods.

    ``x`` (meters × days) and ``y`` (days) are energies filed by the day their interval ends; ``closed``
    (meters + 1 × days, the area meter last) says whether each meter has a reading at the end of the day. A
    period ends on a day every meter closed; its energies are the sums over its days, its span the number of
    days. Periods longer than ``max_span`` days, and an unfinished period at the end, are dropped.
    Returns ``(x, y, span, dropped_days)``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    closed = np.asarray(closed, dtype=bool)
    all_closed = closed.all(axis=0)
    cols, ys, spans, dropped, start = [], [], [], 0, 0
    for d in range(x.shape[1]):
        if not all_closed[d]:
            continue
        span = d - start + 1
        if span <= max_span:
            cols.append(x[:, start:d + 1].sum(axis=1))
            ys.append(y[start:d + 1].sum())
            spans.append(span)
        else:
            dropped += span
        start = d + 1
    dropped += x.shape[1] - start
    if not cols:
        return np.zeros((x.shape[0], 0)), np.zeros(0), np.zeros(0), dropped
    return np.column_stack(cols), np.asarray(ys), np.asarray(spans, dtype=float), dropped


def _solve(X: np.ndarray, y: np.ndarray):
    """Least squares on the rows as given (already weighted), the columns scaled to unit norm, by one SVD:
    coefficients, residuals, condition number, the scaled matrix's right singular vectors and the diagonal of
    (XᵀX)⁻¹ (what the variances need)."""
    scale = np.linalg.norm(X, axis=0)
    scale[scale == 0] = 1.0
    Xs = X / scale
    u, sv, vt = np.linalg.svd(Xs, full_matrices=False)
    condition = float(sv[0] / sv[-1]) if sv[-1] > 0 else math.inf
    if not math.isfinite(condition) or condition > MAX_CONDITION:
        return None, None, condition, vt, None
    coef = (vt.T @ ((u.T @ y) / sv)) / scale
    resid = y - X @ coef
    inv_diag = ((vt.T / sv) ** 2).sum(axis=1) / scale ** 2
    return coef, resid, condition, vt, inv_diag


def _collinear(vt: np.ndarray, n: int) -> tuple[int, ...]:
    """The meters (column indices < n) that carry the design matrix's smallest singular direction."""
    v = np.abs(vt[-1])
    big = np.flatnonzero(v > 0.2 * v.max())
    return tuple(int(i) for i in big if i < n)


def estimate(x, y, *, classes=None, span=None, proportional_loss: float | None = None,
             confidence: float = CONFIDENCE, outliers: bool = True) -> AreaFit:
    """Estimate the relative errors of the household meters of one area.

    ``x``: energies of ``n`` household meters over ``D`` periods (n × D); ``y``: the area meter's energies (D);
    ``span``: days per period (default 1); NaN in ``x`` or ``y`` marks a period as unusable (dropped, counted).
    ``classes``: accuracy class per meter (for the MPE). ``proportional_loss``: λ if known, else None for the
    majority anchor. Raises :class:`IllConditioned` when the data cannot determine the errors.
    """
    x = np.atleast_2d(np.asarray(x, dtype=float))
    y = np.asarray(y, dtype=float)
    n, D = x.shape
    if y.shape != (D,):
        raise ValueError(f"the area meter has {y.shape[0]} periods, the household meters {D}")
    span = np.ones(D) if span is None else np.asarray(span, dtype=float)
    classes = list(classes) if classes is not None else [""] * n
    if len(classes) != n:
        raise ValueError(f"{len(classes)} classes for {n} meters")
    if n == 0:
        raise IllConditioned("no_meters", "The area has no household meters with data.")
    if proportional_loss is None and n < MIN_METERS_FOR_ANCHOR:
        raise IllConditioned(
            "too_few_meters",
            f"{n} meters: the proportional line loss can only be anchored on the majority of at least "
            f"{MIN_METERS_FOR_ANCHOR} meters; give the loss rate instead.",
            params={"meters": n, "minimum": MIN_METERS_FOR_ANCHOR})
    dropped: dict[str, int] = {}
    usable = np.isfinite(y) & np.isfinite(x).all(axis=0) & (span > 0)
    if (~usable).any():
        dropped["incomplete"] = int((~usable).sum())
    x, y, span = x[:, usable], y[usable], span[usable]

    silent = np.flatnonzero(~(np.abs(x) > 0).any(axis=1)) if x.shape[1] else np.arange(n)
    active = np.setdiff1d(np.arange(n), silent)
    if len(active) == 0:
        raise IllConditioned("no_consumption", "No household meter recorded any energy in the periods used.",
                             tuple(int(i) for i in silent))
    p = len(active) + 1
    need = p + MIN_RESIDUAL_DOF
    if x.shape[1] < need:
        raise IllConditioned(
            "too_few_days",
            f"{x.shape[1]} usable periods for {p} unknowns ({len(active)} meters and the fixed loss): "
            f"at least {need} are needed.",
            params={"periods": int(x.shape[1]), "unknowns": p, "meters": len(active), "need": need})
    w = 1 / np.sqrt(span)  # a period of k days has k days' noise: weighted least squares
    X = np.column_stack([x[active].T, span]) * w[:, None]
    y = y * w
    coef, resid, condition, vt, inv_diag = _solve(X, y)
    if coef is None:
        culprits = tuple(int(active[i]) for i in _collinear(vt, len(active)))
        raise IllConditioned(
            "collinear",
            f"The daily energies of meters {', '.join(str(i) for i in culprits) or '(the fixed loss)'} move "
            f"together (condition number {condition:.3g} > {MAX_CONDITION:.0e}): their errors cannot be told "
            f"apart.", culprits, params={"condition": f"{condition:.3g}"})
    if outliers:
        dof = len(y) - p
        sigma = math.sqrt(float(resid @ resid) / dof) if dof > 0 else 0.0
        if sigma > 0:
            z = np.abs(resid) / sigma
            worst = np.argsort(-z)[: int(MAX_OUTLIER_SHARE * len(y))]
            bad = worst[z[worst] > OUTLIER_Z]
            if len(bad) and len(y) - len(bad) >= need:
                keep = np.setdiff1d(np.arange(len(y)), bad)
                X, y, x, span = X[keep], y[keep], x[:, keep], span[keep]
                coef, resid, condition, vt, inv_diag = _solve(X, y)
                if coef is None:
                    raise IllConditioned("collinear", f"Without the outlier periods the meters' daily energies "
                                                      f"move together (condition number {condition:.3g}).")
                dropped["outlier"] = len(bad)
    dof = len(y) - p
    rss = float(resid @ resid)
    sigma2 = rss / dof
    var = sigma2 * inv_diag
    beta, u_beta = coef[:-1], np.sqrt(var[:-1])
    if (beta <= 0).any():
        bad_meters = tuple(int(active[i]) for i in np.flatnonzero(beta <= 0))
        raise IllConditioned("negative", f"The balance gives meters {', '.join(map(str, bad_meters))} a "
                                         f"non-positive weight: the area's meter list or data are wrong.",
                             bad_meters)
    if proportional_loss is None:
        m = float(np.median(beta))
        u_m2 = math.pi / 2 * float(np.mean(u_beta ** 2)) / len(beta)
    else:
        m, u_m2 = 1.0 + proportional_loss, 0.0
    eps = m / beta - 1
    u_eps = np.sqrt((m / beta ** 2) ** 2 * u_beta ** 2 + u_m2 / beta ** 2)
    total = float(x.sum())
    by_meter = {}
    for j, i in enumerate(active):
        e, u = float(eps[j] * 100), float(u_eps[j] * 100)
        mpe = mpe_for(classes[i])
        by_meter[int(i)] = MeterEstimate(int(i), e, u, mpe, decide(e, u, mpe, confidence),
                                         float(x[i].sum() / total * 100) if total else 0.0)
    for i in silent:
        by_meter[int(i)] = MeterEstimate(int(i), None, None, mpe_for(classes[i]), NOT_ESTIMATED, 0.0)
    return AreaFit(
        meters=[by_meter[i] for i in range(n)], periods_used=len(y), days_used=int(span.sum()),
        periods_dropped=dropped,
        fixed_loss=float(coef[-1]), u_fixed_loss=float(math.sqrt(var[-1])),
        proportional_loss_pct=(m - 1) * 100, proportional_loss_given=proportional_loss is not None,
        residual_sd=math.sqrt(sigma2), condition=condition, confidence=confidence)
