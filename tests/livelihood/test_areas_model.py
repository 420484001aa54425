"""The transformer-area error estimator (livelihood/area_errors.py) on simulated areas with known errors
(area_simulation.py), on a case computed by hand, and on data it must refuse.

Stated conditions of the recovery figures: 60 meters, 90 days, households' own day-to-day spread 0.5
(log-normal σ), fixed loss 1 % of the mean daily energy, proportional loss 3 %; balance noise as stated per test
(normal, percent of the day's energy)."""

import numpy as np
import pytest

from jiliang.livelihood import area_errors as ae
from jiliang.livelihood.area_simulation import simulate_area

FAULTS = {5: -10.0, 6: 8.0, 7: 6.0}
SEEDS = range(8)


def fit(s, **kw):
    x, y, span, _ = ae.merge_carried(s.x, s.y, s.closed)
    return ae.estimate(x, y, span=span, classes=s.classes, **kw)


def errors(f):
    return np.array([m.error_pct for m in f.meters]), np.array([m.u_pct for m in f.meters])


def test_hand_computed_two_meters():
    """y = x1/1.05 + x2/0.99 + 2 kWh per day, exact: the errors come back exactly, with no uncertainty."""
    rng = np.random.default_rng(1)
    x = rng.uniform(3, 12, size=(2, 14))
    y = x[0] / 1.05 + x[1] / 0.99 + 2.0
    f = ae.estimate(x, y, classes=["2", "2"], proportional_loss=0.0)
    e, u = errors(f)
    assert e == pytest.approx([5.0, -1.0], abs=1e-9)
    assert u == pytest.approx([0.0, 0.0], abs=1e-9)
    assert f.fixed_loss == pytest.approx(2.0)
    assert [m.decision for m in f.meters] == [ae.EXCEEDS, ae.WITHIN]


def test_hand_computed_with_given_loss_rate():
    """A 4 % proportional loss known: β_i = 1.04 / (1 + ε_i)."""
    x = np.array([[5, 6, 7, 3, 9, 2, 8, 4, 6, 5, 7, 3, 8, 6.0], [2, 9, 4, 8, 3, 7, 5, 6, 2, 8, 4, 9, 3, 5.0],
                  [4, 4, 6, 2, 5, 8, 3, 9, 7, 1, 6, 2, 5, 9.0]])
    eps = np.array([0.0, -0.03, 0.015])
    y = 1.04 * (x / (1 + eps)[:, None]).sum(axis=0) + 1.5
    f = ae.estimate(x, y, classes=["1", "1", "2"], proportional_loss=0.04)
    assert errors(f)[0] == pytest.approx([0.0, -3.0, 1.5], abs=1e-9)
    assert [m.decision for m in f.meters] == [ae.WITHIN, ae.EXCEEDS, ae.WITHIN]
    assert f.proportional_loss_pct == pytest.approx(4.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_recovery_within_0_3_points(seed):
    """Balance noise 0.001 % (the area meter alone), loss rate given: every meter within 0.3 percentage points,
    also with 0.2 % of the midnight readings missing."""
    for missing in (0.0, 0.002):
        s = simulate_area(meters=60, days=90, faults=FAULTS, noise_pct=0.001, spread=0.5, missing=missing, seed=seed)
        e, _ = errors(fit(s, proportional_loss=s.proportional_loss))
        assert np.abs(e - s.true_errors_pct).max() < 0.3


def test_uncertainty_is_calibrated():
    """(ε̂ − ε) / u is standard normal: its spread over 8 areas × 60 meters is 1 within sampling."""
    z = []
    for seed in SEEDS:
        s = simulate_area(meters=60, days=90, faults=FAULTS, noise_pct=0.05, spread=0.5, seed=seed)
        e, u = errors(fit(s))
        z.extend((e - s.true_errors_pct) / u)
    assert 0.85 < np.std(z) < 1.15
    assert np.mean(np.abs(z) > 3) < 0.01


@pytest.mark.parametrize("seed", SEEDS)
def test_faulty_meters_flagged(seed):
    """Balance noise 0.02 %, loss rate anchored on the majority: −10 %, +8 % and +6 % class-2 meters exceed
    their MPE with 95 % confidence; no healthy meter does."""
    s = simulate_area(meters=60, days=90, faults=FAULTS, noise_pct=0.02, spread=0.5, missing=0.002, seed=seed)
    f = fit(s)
    assert {m.index for m in f.flagged} == set(FAULTS)
    assert f.proportional_loss_pct == pytest.approx(3.0, abs=0.5)


def test_false_flag_rate_on_healthy_areas():
    """Healthy areas at 0.05 % noise: under 2 % of the meters flagged (the rule's worst case is 10 %, when the
    uncertainty is much larger than the MPE)."""
    flagged = total = 0
    for seed in SEEDS:
        s = simulate_area(meters=60, days=90, noise_pct=0.05, spread=0.5, seed=100 + seed)
        flagged += len(fit(s).flagged)
        total += 60
    assert flagged / total < 0.02


def test_decision_rule():
    assert ae.decide(3.0, 0.5, 2.0) == ae.EXCEEDS  # 3 − 1.645·0.5 = 2.18 > 2
    assert ae.decide(-3.0, 0.5, 2.0) == ae.EXCEEDS
    assert ae.decide(2.5, 0.5, 2.0) == ae.UNDECIDED
    assert ae.decide(1.0, 0.5, 2.0) == ae.WITHIN  # 1 + 0.82 < 2
    assert ae.decide(1.0, 0.5, None) == ae.NO_MPE
    assert ae.mpe_for("2") == 2.0 and ae.mpe_for("class 1") == 1.0 and ae.mpe_for("0.5S") is None


def test_too_few_days_refused():
    s = simulate_area(meters=60, days=60, seed=1)
    with pytest.raises(ae.IllConditioned) as exc:
        fit(s)
    assert exc.value.reason == "too_few_days"
    assert "71" in exc.value.message


def test_too_few_meters_for_the_anchor():
    s = simulate_area(meters=4, days=30, seed=1)
    with pytest.raises(ae.IllConditioned) as exc:
        fit(s)
    assert exc.value.reason == "too_few_meters"
    assert fit(s, proportional_loss=0.03).periods_used == 30


def test_meter_without_consumption_not_estimated():
    """A vacant flat: its meter records nothing and the area meter delivers nothing to it."""
    s = simulate_area(meters=20, days=60, noise_pct=0.01, seed=2)
    s.y -= s.x[4] * (1 + s.proportional_loss) / (1 + s.true_errors_pct[4] / 100)
    s.x[4] = 0.0
    f = fit(s)
    assert f.meters[4].decision == ae.NOT_ESTIMATED and f.meters[4].error_pct is None
    assert all(m.error_pct is not None for i, m in enumerate(f.meters) if i != 4)


def test_collinear_meters_refused_with_their_names():
    s = simulate_area(meters=20, days=60, noise_pct=0.01, seed=3)
    s.x[7] = 2 * s.x[3]  # two meters whose daily energies move in proportion
    with pytest.raises(ae.IllConditioned) as exc:
        fit(s)
    assert exc.value.reason == "collinear"
    assert set(exc.value.meters) == {3, 7}


def test_incomplete_and_outlier_days_dropped():
    s = simulate_area(meters=20, days=80, faults={2: 7.0}, noise_pct=0.02, spread=0.5, seed=4)
    x, y = s.x.copy(), s.y.copy()
    x[5, 10] = np.nan  # a value that never came
    y[30] += 0.2 * y[30]  # a glitch on the area meter
    f = ae.estimate(x, y, classes=s.classes)
    assert f.periods_dropped == {"incomplete": 1, "outlier": 1}
    assert f.periods_used == 78
    assert [m.index for m in f.flagged] == [2]


def test_merge_carried_keeps_the_balance():
    """A missing midnight reading carries the energy into the next day: merged, the period still balances."""
    x = np.array([[1.0, 0.0, 5.0, 2.0], [2.0, 2.0, 2.0, 2.0]])
    y = np.array([3.0, 2.0, 7.0, 4.0])
    closed = np.array([[1, 0, 1, 1], [1, 1, 1, 1], [1, 1, 1, 1]], dtype=bool)
    mx, my, span, dropped = ae.merge_carried(x, y, closed)
    assert mx.tolist() == [[1.0, 5.0, 2.0], [2.0, 4.0, 2.0]]
    assert my.tolist() == [3.0, 9.0, 4.0] and span.tolist() == [1, 2, 1] and dropped == 0
