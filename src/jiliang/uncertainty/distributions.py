"""Probability distributions assigned to input quantities (JCGM 101 clause 6, JCGM 100 4.2-4.3).

Each distribution gives the three numbers the GUM uncertainty framework uses — estimate,
standard uncertainty, degrees of freedom — and a sampler for the Monte Carlo method. The
samplers follow the procedures of JCGM 101 6.4 (and its Annex C for the random numbers), and
each distribution also has an inverse distribution function (``ppf``) so that correlated
non-Gaussian inputs can be sampled through a Gaussian copula (see :mod:`.sampling`).

The degrees of freedom of a Type B distribution (JCGM 100 G.4.2, equation (G.3)) — a normal
input's included — are used only by the Welch–Satterthwaite formula; they do not change the
Monte Carlo sampling of that distribution. Only a Type A evaluation (observations, or its summary
given as a ``t`` input) is sampled as a scaled and shifted t (JCGM 101 6.4.9), and only with
ν > 2: for ν ≤ 2 that distribution has no finite variance (JCGM 101 6.4.9.4), so the Monte Carlo
method refuses it (:func:`check_t_sampling`).
"""

from __future__ import annotations

import functools
import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from scipy import special

from .errors import UncertaintyError

INF = math.inf


def _finite(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise UncertaintyError(f"'{name}' must be a number, got {value!r}", name)
    number = float(value)
    if not math.isfinite(number):
        raise UncertaintyError(f"'{name}' must be finite, got {value!r}", name)
    return number


def _dof(value: Any) -> float:
    if value is None or (isinstance(value, str) and value.lower() in {"inf", "infinity", "∞"}):
        return INF
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise UncertaintyError(f"degrees of freedom must be a number or null (infinite), got {value!r}", "dof")
    dof = float(value)
    if math.isnan(dof) or dof <= 0:
        raise UncertaintyError(f"degrees of freedom must be > 0, got {value!r}", "dof")
    return dof


def _nonnegative(value: float, name: str, what: str) -> float:
    if value < 0:
        raise UncertaintyError(f"{what} must not be negative, got {value!r}", name)
    return value


def _limits(low: float, high: float) -> None:
    if not high > low:
        raise UncertaintyError(f"'high' ({high!r}) must be greater than 'low' ({low!r})", "high")


class Distribution(ABC):
    """A PDF assigned to an input quantity."""

    kind: ClassVar[str]
    name_zh: ClassVar[str]
    name_en: ClassVar[str]
    clause: ClassVar[str]

    dof: float

    @property
    @abstractmethod
    def estimate(self) -> float:
        """Best estimate x (the expectation of the PDF, JCGM 101 6.1)."""

    @property
    @abstractmethod
    def std_uncertainty(self) -> float:
        """Standard uncertainty u(x) used by the GUM uncertainty framework."""

    @abstractmethod
    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` independent draws (JCGM 101 6.4)."""

    @abstractmethod
    def ppf(self, p: np.ndarray) -> np.ndarray:
        """Inverse distribution function at probabilities ``p`` (0 < p < 1)."""

    @abstractmethod
    def to_dict(self) -> dict:
        """The parameters as plain JSON-safe values; :func:`distribution_from_dict` reads them."""

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        """F⁻¹(Φ(z)): the input value whose probability equals that of the standard normal score z."""
        return self.ppf(np.clip(special.ndtr(z), 1e-300, 1.0 - 1e-16))

    @property
    def is_gaussian(self) -> bool:
        return False

    @property
    def has_finite_variance(self) -> bool:
        return True

    def _dof_dict(self) -> dict:
        return {} if math.isinf(self.dof) else {"dof": self.dof}


@dataclass(frozen=True)
class Normal(Distribution):
    """Estimate and standard uncertainty (JCGM 100 4.3.3), optionally with degrees of freedom.

    Monte Carlo: the Gaussian N(x, u²) of JCGM 101 6.4.7, whatever ν. A finite ν here is the
    reliability of a Type B evaluation (JCGM 100 G.4.2), used by Welch–Satterthwaite only: sampling
    a t_ν for it (as JCGM 101 6.4.9.7 does for a Type A result) made the MCM u of JCGM 100 H.1
    change with the seed when ν ≤ 2, where t_ν has no variance. A Type A result is given as
    observations or as a ``t`` input.
    """

    value: float
    u: float
    dof: float = INF

    kind: ClassVar[str] = "normal"
    name_zh: ClassVar[str] = "正态"
    name_en: ClassVar[str] = "normal"
    clause: ClassVar[str] = "JCGM 101 6.4.7 (6.4.9.7 with finite ν)"

    def __post_init__(self) -> None:
        _nonnegative(self.u, "u", "standard uncertainty")

    @property
    def estimate(self) -> float:
        return self.value

    @property
    def std_uncertainty(self) -> float:
        return self.u

    @property
    def is_gaussian(self) -> bool:
        return True

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        z = rng.standard_normal(n)
        z *= self.u
        z += self.value
        return z

    def ppf(self, p: np.ndarray) -> np.ndarray:
        return self.value + self.u * special.ndtri(p)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self.value + self.u * z

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "value": self.value, "u": self.u, **self._dof_dict()}


@dataclass(frozen=True)
class StudentT(Distribution):
    """Scaled and shifted t-distribution t_ν(x, s²) (JCGM 101 6.4.9): a Type A result given by its summary.

    The GUM standard uncertainty is the scale s (for a Type A evaluation s/√n, JCGM 100 4.2.3)
    with ν degrees of freedom; the standard deviation of the PDF itself is s·√(ν/(ν−2)) for ν > 2
    (JCGM 101 6.4.9.4), which is what the Monte Carlo method propagates.
    """

    value: float
    scale: float
    dof: float

    kind: ClassVar[str] = "t"
    name_zh: ClassVar[str] = "t分布"
    name_en: ClassVar[str] = "t"
    clause: ClassVar[str] = "JCGM 101 6.4.9"

    def __post_init__(self) -> None:
        _nonnegative(self.scale, "scale", "scale (standard uncertainty)")
        if math.isinf(self.dof):
            raise UncertaintyError("a t-distribution needs finite degrees of freedom", "dof")

    @property
    def estimate(self) -> float:
        return self.value

    @property
    def std_uncertainty(self) -> float:
        return self.scale

    @property
    def has_finite_variance(self) -> bool:
        return self.dof > 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        z = rng.standard_t(self.dof, n)
        z *= self.scale
        z += self.value
        return z

    def ppf(self, p: np.ndarray) -> np.ndarray:
        return self.value + self.scale * special.stdtrit(self.dof, p)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self.value + self.scale * t_from_scores(self.dof, z)

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "value": self.value, "scale": self.scale, "dof": self.dof}


@dataclass(frozen=True)
class TypeA(Distribution):
    """Type A evaluation from repeated observations q_1..q_n (JCGM 100 4.2).

    Estimate: the arithmetic mean q̄ (4.2.1); standard uncertainty: the experimental standard
    deviation of the mean s(q̄) = s(q_k)/√n (4.2.3); ν = n − 1 (G.3.3). Monte Carlo:
    t_{n−1}(q̄, s²/n) (JCGM 101 6.4.9.2).
    """

    observations: tuple[float, ...]

    kind: ClassVar[str] = "type_a"
    name_zh: ClassVar[str] = "t分布(A类)"
    name_en: ClassVar[str] = "t (Type A)"
    clause: ClassVar[str] = "JCGM 101 6.4.9.2"

    def __post_init__(self) -> None:
        if len(self.observations) < 2:
            raise UncertaintyError("a Type A evaluation needs at least 2 observations", "observations")

    @property
    def n(self) -> int:
        return len(self.observations)

    @property
    def dof(self) -> float:  # type: ignore[override]
        return float(self.n - 1)

    @property
    def estimate(self) -> float:
        return float(math.fsum(self.observations) / self.n)

    @property
    def std_dev(self) -> float:
        """Experimental standard deviation s(q_k) of the observations (JCGM 100 4.2.2)."""
        mean = self.estimate
        return math.sqrt(math.fsum((q - mean) ** 2 for q in self.observations) / (self.n - 1))

    @property
    def std_uncertainty(self) -> float:
        return self.std_dev / math.sqrt(self.n)

    @property
    def has_finite_variance(self) -> bool:
        return self.dof > 2

    def as_t(self) -> StudentT:
        return StudentT(self.estimate, self.std_uncertainty, self.dof)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.as_t().sample(rng, n)

    def ppf(self, p: np.ndarray) -> np.ndarray:
        return self.as_t().ppf(p)

    def from_scores(self, z: np.ndarray) -> np.ndarray:
        return self.as_t().from_scores(z)

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "observations": list(self.observations)}


_TABLE_STEP = 1.0 / 256.0
_TABLE_END = 10.0


@functools.lru_cache(maxsize=32)
def _t_score_table(dof: float) -> tuple[np.ndarray, np.ndarray]:
    """T(z) = t_ν⁻¹(Φ(z)) and dT/dz = φ(z)/f_ν(T) on z = 0, h, ..., 10."""
    z = np.arange(0.0, _TABLE_END + _TABLE_STEP / 2, _TABLE_STEP)
    t = -special.stdtrit(dof, special.ndtr(-z))  # the lower tail keeps full precision
    log_norm = special.gammaln((dof + 1) / 2) - special.gammaln(dof / 2) - 0.5 * math.log(dof * math.pi)
    log_f = log_norm - (dof + 1) / 2 * np.log1p(t * t / dof)
    slope = np.exp(-0.5 * z * z - 0.5 * math.log(2 * math.pi) - log_f)
    return t, slope


def t_from_scores(dof: float, z: np.ndarray) -> np.ndarray:
    """t_ν⁻¹(Φ(z)) by cubic Hermite interpolation of a table of values and slopes.

    The values satisfy t_ν(T(z)) = Φ(z) to about 10⁻¹⁵ (closer than scipy's inverse incomplete
    beta near the centre) at a twentieth of its cost; |z| > 10 is computed directly.
    """
    z = np.asarray(z, dtype=float)
    t, slope = _t_score_table(float(dof))
    a = np.abs(z)
    pos = a / _TABLE_STEP
    i = np.minimum(pos.astype(np.intp), len(t) - 2)
    s = pos - i
    s2 = s * s
    s3 = s2 * s
    value = ((2 * s3 - 3 * s2 + 1) * t[i] + (s3 - 2 * s2 + s) * _TABLE_STEP * slope[i]
             + (-2 * s3 + 3 * s2) * t[i + 1] + (s3 - s2) * _TABLE_STEP * slope[i + 1])
    far = a > _TABLE_END
    if np.any(far):
        value[far] = -special.stdtrit(dof, special.ndtr(-a[far]))
    return np.copysign(value, z)


class _Bounded(Distribution):
    low: float
    high: float

    @property
    def estimate(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2.0


@dataclass(frozen=True)
class Rectangular(_Bounded):
    """Rectangular R(a, b): u = (b − a)/√12 (JCGM 100 4.3.7; JCGM 101 6.4.2)."""

    low: float
    high: float
    dof: float = INF

    kind: ClassVar[str] = "rectangular"
    name_zh: ClassVar[str] = "均匀"
    name_en: ClassVar[str] = "rectangular"
    clause: ClassVar[str] = "JCGM 101 6.4.2"

    def __post_init__(self) -> None:
        _limits(self.low, self.high)

    @property
    def std_uncertainty(self) -> float:
        return (self.high - self.low) / math.sqrt(12.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.random(n)
        x *= self.high - self.low
        x += self.low
        return x

    def ppf(self, p: np.ndarray) -> np.ndarray:
        return self.low + (self.high - self.low) * p

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "low": self.low, "high": self.high, **self._dof_dict()}


@dataclass(frozen=True)
class Triangular(_Bounded):
    """Symmetric triangular on [a, b]: u = (b − a)/√24 (JCGM 100 4.3.9; JCGM 101 6.4.5)."""

    low: float
    high: float
    dof: float = INF

    kind: ClassVar[str] = "triangular"
    name_zh: ClassVar[str] = "三角"
    name_en: ClassVar[str] = "triangular"
    clause: ClassVar[str] = "JCGM 101 6.4.5"

    def __post_init__(self) -> None:
        _limits(self.low, self.high)

    @property
    def std_uncertainty(self) -> float:
        return (self.high - self.low) / math.sqrt(24.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # JCGM 101 6.4.5.4: ξ = a + (b − a)(r1 + r2)/2
        x = rng.random(n)
        x += rng.random(n)
        x *= (self.high - self.low) / 2.0
        x += self.low
        return x

    def ppf(self, p: np.ndarray) -> np.ndarray:
        w = self.high - self.low
        return np.where(p < 0.5, self.low + w * np.sqrt(p / 2.0), self.high - w * np.sqrt((1.0 - p) / 2.0))

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "low": self.low, "high": self.high, **self._dof_dict()}


@dataclass(frozen=True)
class Trapezoidal(_Bounded):
    """Symmetric trapezoid on [a, b] with top width β(b − a), 0 ≤ β ≤ 1 (JCGM 101 6.4.4).

    u² = (b − a)²(1 + β²)/24 (JCGM 101 6.4.4.3; JCGM 100 4.3.9 with β = 0 is triangular).
    """

    low: float
    high: float
    beta: float
    dof: float = INF

    kind: ClassVar[str] = "trapezoidal"
    name_zh: ClassVar[str] = "梯形"
    name_en: ClassVar[str] = "trapezoidal"
    clause: ClassVar[str] = "JCGM 101 6.4.4"

    def __post_init__(self) -> None:
        _limits(self.low, self.high)
        if not 0.0 <= self.beta <= 1.0:
            raise UncertaintyError(f"'beta' must lie in [0, 1], got {self.beta!r}", "beta")

    @property
    def std_uncertainty(self) -> float:
        return (self.high - self.low) * math.sqrt((1.0 + self.beta**2) / 24.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # JCGM 101 6.4.4.4: ξ = a + (b − a)[(1 + β) r1 + (1 − β) r2]/2
        x = rng.random(n)
        x *= 1.0 + self.beta
        x += (1.0 - self.beta) * rng.random(n)
        x *= (self.high - self.low) / 2.0
        x += self.low
        return x

    def ppf(self, p: np.ndarray) -> np.ndarray:
        b = self.beta
        h = 1.0 / (1.0 + b)  # height of the standardised PDF on [-1, 1]
        corner = h * (1.0 - b) / 2.0  # probability below -β
        with np.errstate(invalid="ignore", divide="ignore"):
            left = -1.0 + np.sqrt(2.0 * (1.0 - b) * p / h)
            middle = -b + (p - corner) / h
            right = 1.0 - np.sqrt(2.0 * (1.0 - b) * (1.0 - p) / h)
        z = np.where(p <= corner, left, np.where(p <= 1.0 - corner, middle, right))
        return self.estimate + self.half_width * z

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "low": self.low, "high": self.high, "beta": self.beta,
                **self._dof_dict()}


@dataclass(frozen=True)
class Arcsine(_Bounded):
    """Arc sine (U-shaped) on [a, b]: u = (b − a)/(2√2) (JCGM 101 6.4.6)."""

    low: float
    high: float
    dof: float = INF

    kind: ClassVar[str] = "arcsine"
    name_zh: ClassVar[str] = "反正弦(U形)"
    name_en: ClassVar[str] = "arcsine (U-shaped)"
    clause: ClassVar[str] = "JCGM 101 6.4.6"

    def __post_init__(self) -> None:
        _limits(self.low, self.high)

    @property
    def std_uncertainty(self) -> float:
        return (self.high - self.low) / (2.0 * math.sqrt(2.0))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # JCGM 101 6.4.6.4: ξ = (a + b)/2 + (b − a)/2 · sin(2πr)
        x = rng.random(n)
        x *= 2.0 * math.pi
        np.sin(x, out=x)
        x *= self.half_width
        x += self.estimate
        return x

    def ppf(self, p: np.ndarray) -> np.ndarray:
        return self.estimate - self.half_width * np.cos(math.pi * p)

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "low": self.low, "high": self.high, **self._dof_dict()}


@dataclass(frozen=True)
class CurvilinearTrapezoid(_Bounded):
    """Rectangular with inexactly prescribed limits (JCGM 101 6.4.3).

    The limits are a = x − w and b = x + w, each known only to lie within ±d of its stated
    value (0 ≤ d ≤ w). u² = w²/3 + d²/9 (JCGM 101 6.4.3.3).
    """

    low: float
    high: float
    d: float
    dof: float = INF

    kind: ClassVar[str] = "curvilinear_trapezoid"
    name_zh: ClassVar[str] = "曲线梯形"
    name_en: ClassVar[str] = "curvilinear trapezoid"
    clause: ClassVar[str] = "JCGM 101 6.4.3"

    def __post_init__(self) -> None:
        _limits(self.low, self.high)
        _nonnegative(self.d, "d", "'d'")
        if self.d > self.half_width:
            raise UncertaintyError(
                f"'d' ({self.d!r}) must not exceed the half-width ({self.half_width!r})", "d")

    @property
    def std_uncertainty(self) -> float:
        return math.sqrt(self.half_width**2 / 3.0 + self.d**2 / 9.0)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        # JCGM 101 6.4.3.4: a_s = (a − d) + 2d r2 (half-width drawn first), ξ = x + a_s(2 r1 − 1)
        r1 = rng.random(n)
        half = rng.random(n)
        half *= 2.0 * self.d
        half += self.half_width - self.d
        r1 *= 2.0
        r1 -= 1.0
        r1 *= half
        r1 += self.estimate
        return r1

    def _cdf_standard(self, t: np.ndarray) -> np.ndarray:
        """Distribution function of the centred PDF at t ≥ 0 (integral of JCGM 101 (6))."""
        w, d = self.half_width, self.d
        lo, hi = w - d, w + d
        plateau = math.log(hi / lo) / (4.0 * d) if lo > 0 else INF
        t = np.clip(t, 0.0, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            inner = 0.5 + t * plateau if lo > 0 else np.full_like(t, 0.5)
            base = 0.5 + (lo * plateau if lo > 0 else 0.0)
            ts = np.maximum(t, lo) if lo > 0 else np.maximum(t, 1e-300 * hi)
            lo_term = lo * math.log(hi / lo) + lo if lo > 0 else 0.0
            outer = base + (ts * np.log(hi / ts) + ts - lo_term) / (4.0 * d)
        return np.where(t <= lo, inner, outer)

    def ppf(self, p: np.ndarray) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        if self.d == 0.0:
            return self.low + (self.high - self.low) * p
        q = np.where(p >= 0.5, p, 1.0 - p)
        lo = np.zeros_like(q)
        hi = np.full_like(q, self.half_width + self.d)
        for _ in range(60):  # bisection: the CDF is monotone and cheap
            mid = 0.5 * (lo + hi)
            below = self._cdf_standard(mid) < q
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        t = 0.5 * (lo + hi)
        return self.estimate + np.where(p >= 0.5, t, -t)

    def to_dict(self) -> dict:
        return {"distribution": self.kind, "low": self.low, "high": self.high, "d": self.d,
                **self._dof_dict()}


def check_t_sampling(name: str, dist: Distribution) -> None:
    """Refuse to draw t_ν with ν ≤ 2 for the Monte Carlo method (JCGM 101 6.4.9.4: no finite variance).

    Only Type A inputs (observations, or a ``t`` input) are sampled as t (JCGM 101 6.4.9.2, 6.4.9.7).
    """
    if not isinstance(dist, TypeA | StudentT) or dist.dof > 2:
        return
    if isinstance(dist, TypeA):
        raise UncertaintyError(
            f"'{name}': {dist.n} observations give ν = {dist.dof:g}; the Monte Carlo method draws a Type A input "
            "from the t-distribution t_ν (JCGM 101 6.4.9.2), which has no finite variance for ν ≤ 2 (JCGM 101 "
            "6.4.9.4). Take at least 4 observations, or evaluate without Monte Carlo",
            f"inputs.{name}.observations")
    raise UncertaintyError(
        f"'{name}': a t-distribution with ν = {dist.dof:g} has no finite variance (JCGM 101 6.4.9.4), so the "
        "Monte Carlo method cannot propagate it; t is sampled only for ν > 2. Give ν > 2, or evaluate without "
        "Monte Carlo", f"inputs.{name}.dof")


KINDS: dict[str, type[Distribution]] = {
    cls.kind: cls
    for cls in (Normal, StudentT, TypeA, Rectangular, Triangular, Trapezoidal, Arcsine, CurvilinearTrapezoid)
}
ALIASES = {"gaussian": "normal", "uniform": "rectangular", "u_shaped": "arcsine", "u-shaped": "arcsine",
           "student_t": "t", "student-t": "t", "typea": "type_a", "type-a": "type_a",
           "ctrap": "curvilinear_trapezoid"}

# Keys an input definition may carry besides the distribution parameters.
DESCRIPTIVE_KEYS = frozenset({"description", "unit", "label", "source"})


def _bounds(spec: Mapping[str, Any]) -> tuple[float, float]:
    """low/high, or value ± half_width (alias 'a', as JCGM 100 4.3.7 writes it)."""
    has_limits = "low" in spec or "high" in spec
    width_key = "half_width" if "half_width" in spec else ("a" if "a" in spec else None)
    if has_limits and width_key:
        raise UncertaintyError("give either 'low'/'high' or 'value' with 'half_width', not both", width_key)
    if has_limits:
        if "low" not in spec:
            raise UncertaintyError("'low' is missing", "low")
        if "high" not in spec:
            raise UncertaintyError("'high' is missing", "high")
        return _finite(spec["low"], "low"), _finite(spec["high"], "high")
    if width_key is None:
        raise UncertaintyError("give the limits 'low' and 'high', or 'value' and 'half_width'", "low")
    if "value" not in spec:
        raise UncertaintyError("'value' is missing", "value")
    centre = _finite(spec["value"], "value")
    half = _finite(spec[width_key], width_key)
    if half <= 0:
        raise UncertaintyError(f"'{width_key}' must be > 0, got {half!r}", width_key)
    return centre - half, centre + half


ALLOWED_KEYS: dict[str, frozenset[str]] = {
    "normal": frozenset({"value", "u", "U", "k", "dof"}),
    "t": frozenset({"value", "scale", "u", "dof"}),
    "type_a": frozenset({"observations"}),
    "rectangular": frozenset({"low", "high", "value", "half_width", "a", "dof"}),
    "triangular": frozenset({"low", "high", "value", "half_width", "a", "dof"}),
    "arcsine": frozenset({"low", "high", "value", "half_width", "a", "dof"}),
    "trapezoidal": frozenset({"low", "high", "value", "half_width", "a", "beta", "dof"}),
    "curvilinear_trapezoid": frozenset({"low", "high", "value", "half_width", "a", "d", "dof"}),
}


def distribution_from_dict(spec: Mapping[str, Any]) -> Distribution:
    """Build a distribution from a plain dict (field paths in errors are relative to ``spec``).

    Without a ``distribution`` key the input is an estimate with its standard uncertainty
    (``value``, ``u``, optional ``dof``), or observations for a Type A evaluation.
    """
    if not isinstance(spec, Mapping):
        raise UncertaintyError("an input must be an object with its parameters", None)
    raw_kind = spec.get("distribution")
    if raw_kind is None:
        raw_kind = "type_a" if "observations" in spec else "normal"
    if not isinstance(raw_kind, str):
        raise UncertaintyError(f"'distribution' must be a name, got {raw_kind!r}", "distribution")
    kind = ALIASES.get(raw_kind.lower(), raw_kind.lower())
    if kind not in KINDS:
        raise UncertaintyError(
            f"unknown distribution '{raw_kind}' (known: {', '.join(sorted(KINDS))})", "distribution")
    allowed = ALLOWED_KEYS[kind] | DESCRIPTIVE_KEYS | {"distribution"}
    for key in spec:
        if key not in allowed:
            raise UncertaintyError(f"unknown parameter '{key}' for a {kind} input", key)
    dof = _dof(spec.get("dof"))

    if kind == "normal":
        value = _finite(spec.get("value"), "value") if "value" in spec else None
        if value is None:
            raise UncertaintyError("'value' is missing", "value")
        if "u" in spec and "U" in spec:
            raise UncertaintyError("give either 'u' or 'U' with 'k', not both", "U")
        if "U" in spec:
            expanded = _finite(spec["U"], "U")
            _nonnegative(expanded, "U", "expanded uncertainty")
            if "k" not in spec:
                raise UncertaintyError("'k' is missing for the expanded uncertainty 'U'", "k")
            k = _finite(spec["k"], "k")
            if k <= 0:
                raise UncertaintyError(f"'k' must be > 0, got {k!r}", "k")
            return Normal(value, expanded / k, dof)
        if "u" not in spec:
            raise UncertaintyError("'u' (standard uncertainty) is missing", "u")
        return Normal(value, _finite(spec["u"], "u"), dof)
    if kind == "t":
        if "value" not in spec:
            raise UncertaintyError("'value' is missing", "value")
        key = "scale" if "scale" in spec else "u"
        if key not in spec:
            raise UncertaintyError("'scale' is missing", "scale")
        if math.isinf(dof):
            raise UncertaintyError("a t-distribution needs finite degrees of freedom", "dof")
        return StudentT(_finite(spec["value"], "value"), _finite(spec[key], key), dof)
    if kind == "type_a":
        obs = spec.get("observations")
        if not isinstance(obs, Sequence) or isinstance(obs, str | bytes):
            raise UncertaintyError("'observations' must be a list of numbers", "observations")
        values = []
        for i, q in enumerate(obs):
            try:
                values.append(_finite(q, f"observations.{i}"))
            except UncertaintyError as exc:
                raise UncertaintyError(exc.message, f"observations.{i}") from None
        return TypeA(tuple(values))
    low, high = _bounds(spec)
    _limits(low, high)
    if kind == "rectangular":
        return Rectangular(low, high, dof)
    if kind == "triangular":
        return Triangular(low, high, dof)
    if kind == "arcsine":
        return Arcsine(low, high, dof)
    if kind == "trapezoidal":
        if "beta" not in spec:
            raise UncertaintyError("'beta' is missing", "beta")
        return Trapezoidal(low, high, _finite(spec["beta"], "beta"), dof)
    if "d" not in spec:
        raise UncertaintyError("'d' is missing", "d")
    return CurvilinearTrapezoid(low, high, _finite(spec["d"], "d"), dof)
