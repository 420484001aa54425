"""The first-verification batch test (Zhejiang 条例 Art. 19: the mean error should tend to zero)."""

import math
import random

import pytest
from scipy import stats

from jiliang.livelihood import batch_stats as bs


def test_against_a_hand_computation():
    # errors 0.2, 0.4, 0.6, 0.8 %: mean 0.5, s = sqrt(((.3²+.1²)*2)/3) = 0.2582, t = 0.5/(0.2582/2) = 3.873,
    # p (3 d.f., two-sided) = 0.0305; the 95 % interval is 0.5 ± 3.182·0.1291 = [0.089, 0.911].
    r = bs.flow_result("Q3", [0.2, 0.4, 0.6, 0.8], alpha=0.05)
    assert r.mean == pytest.approx(0.5) and r.sd == pytest.approx(math.sqrt(0.2 / 3))
    assert r.t == pytest.approx(3.8730, abs=1e-4) and r.p == pytest.approx(0.03047, abs=1e-4)
    assert (r.ci_low, r.ci_high) == (pytest.approx(0.0892, abs=1e-3), pytest.approx(0.9108, abs=1e-3))
    assert r.significant
    # scipy's own one-sample test agrees
    assert r.p == pytest.approx(stats.ttest_1samp([0.2, 0.4, 0.6, 0.8], 0).pvalue)


def test_bonferroni_over_flows():
    # The same flow at p ≈ 0.03 is not significant once three flows share α = 0.05 (0.0167 each).
    r = bs.evaluate({"Q1": [0.2, 0.4, 0.6, 0.8], "Q2": [-0.1, 0.1, 0.0, 0.05], "Q3": [0.1, -0.1, 0.2, -0.2]})
    assert not r.flagged and all(not f.significant for f in r.flows)
    assert bs.evaluate({"Q1": [0.2, 0.4, 0.6, 0.8]}).flagged


def test_unbiased_batches_are_rarely_flagged_and_biased_ones_are():
    rng = random.Random(7)
    unbiased = sum(bs.evaluate({q: [rng.gauss(0, 0.5) for _ in range(200)] for q in ("Q1", "Q2", "Q3")}).flagged
                   for _ in range(200))
    assert unbiased <= 25  # the false-flag rate stays near α = 5 % (binomial 200·0.05 = 10, sd 3.1)
    biased = sum(bs.evaluate({"Q1": [rng.gauss(0, 0.5) for _ in range(200)],
                              "Q3": [rng.gauss(0.3, 0.5) for _ in range(200)]}).flagged for _ in range(50))
    assert biased == 50


def test_edge_cases():
    assert bs.flow_result("Q", [], 0.05).note == "no errors recorded"
    one = bs.flow_result("Q", [0.3], 0.05)
    assert one.n == 1 and not one.significant and one.p is None
    same = bs.flow_result("Q", [0.5, 0.5, 0.5], 0.05)
    assert same.significant and "exactly non-zero" in same.note
    assert not bs.flow_result("Q", [0.0, 0.0], 0.05).significant
    with pytest.raises(ValueError):
        bs.evaluate({"Q": [1, 2]}, alpha=1.5)
