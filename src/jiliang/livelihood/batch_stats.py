"""Statistics of a first-verification batch of household meters. PURE.

Zhejiang's metrology regulation (浙江省计量监督管理条例, in force 2014-01-01) Art. 19: "每批次首次强制检定的平均示值
误差应当趋向零" (shared/reference/supervision-integrity-licensing.md §3.2, H). No text says how to judge it, so
jiliang's rule (a choice, documented in docs/livelihood.md) is a test of the mean:

* for each test flow (or load point) the meters' indication errors e₁…eₙ (in %) give the mean ē, the sample
  standard deviation s, the standard error s/√n and Student's t = ē/(s/√n) with n − 1 degrees of freedom;
* the two-sided p-value is compared with α/k (Bonferroni over the k flows of the batch, so the chance of flagging
  an unbiased batch stays at α whatever the number of flows); α defaults to 0.05;
* the batch is flagged when any flow's mean is significantly non-zero. The 95 % confidence interval of the mean is
  kept with it, so a reader sees how large the bias is, not only that it is there.

A flow with fewer than 2 meters, or with all errors equal (s = 0), cannot be tested: it says so (and a batch whose
errors are all the same non-zero value is flagged, as its mean is exactly non-zero).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from scipy import stats

DEFAULT_ALPHA = 0.05
METHOD = "one-sample Student t test of the mean error against 0, two-sided, Bonferroni over flows"


@dataclass(frozen=True)
class FlowResult:
    flow: str
    n: int
    mean: float | None
    sd: float | None
    t: float | None
    p: float | None
    ci_low: float | None
    ci_high: float | None
    significant: bool
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class BatchResult:
    flows: tuple[FlowResult, ...]
    alpha: float
    flagged: bool
    method: str = METHOD

    def as_dict(self) -> dict:
        return {"flows": [f.as_dict() for f in self.flows], "alpha": self.alpha, "flagged": self.flagged,
                "method": self.method}


def flow_result(flow: str, errors: Sequence[float], alpha: float) -> FlowResult:
    """The mean error of one flow and whether it differs from zero at level ``alpha`` (already divided by k)."""
    xs = [float(e) for e in errors if e is not None and not (isinstance(e, float) and math.isnan(e))]
    n = len(xs)
    if n == 0:
        return FlowResult(flow, 0, None, None, None, None, None, None, False, "no errors recorded")
    mean = sum(xs) / n
    if n < 2:
        return FlowResult(flow, n, mean, None, None, None, None, None, False, "one meter: no test")
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    if sd == 0:
        return FlowResult(flow, n, mean, 0.0, None, None, mean, mean, mean != 0,
                          "all errors equal" + ("" if mean == 0 else ": the mean is exactly non-zero"))
    se = sd / math.sqrt(n)
    t = mean / se
    p = 2 * stats.t.sf(abs(t), n - 1)
    half = stats.t.ppf(0.975, n - 1) * se
    return FlowResult(flow, n, mean, sd, t, float(p), mean - half, mean + half, bool(p < alpha))


def evaluate(errors_by_flow: Mapping[str, Sequence[float]], alpha: float = DEFAULT_ALPHA) -> BatchResult:
    """Test every flow of a batch; ``errors_by_flow`` maps a flow's label (e.g. 'Q1', 'Q2', 'Q3') to the errors
    in % of the batch's meters at that flow."""
    if not 0 < alpha < 1:
        raise ValueError("alpha is between 0 and 1")
    k = max(1, len(errors_by_flow))
    flows = tuple(flow_result(f, errs, alpha / k) for f, errs in errors_by_flow.items())
    return BatchResult(flows, alpha, any(f.significant for f in flows))
