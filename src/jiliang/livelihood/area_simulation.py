"""Simulated transformer areas with known meter errors, for the tests and the demo of area_errors.py.

PURE: numpy only, no Django.

A household's true daily energy is its own level (log-normal across households, median ``median_kwh``) times a
factor common to the area (a slow seasonal swing and lower weekends) times its own day-to-day variation
(log-normal, ``spread``): people are away, cook, wash, heat or cool on different days, which is what lets the
balance tell the meters apart. Each meter registers ``(1 + ε_i)`` of its household's energy; healthy meters
have small errors (normal, ``healthy_sd_pct``), the injected faulty ones the errors asked for. The area meter
measures the households' true energy plus the losses (fixed per day, and a rate of the energy delivered) plus
noise (normal, ``noise_pct`` of the day's energy: area meter resolution and losses the model does not capture).
A missing midnight reading (probability ``missing``) carries the meter's energy into the next day, as the
telemetry rollups do.

The numbers are illustrative, not measured from a real area.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class SimulatedArea:
    x: np.ndarray  # household meters' registered energy per day filed by the day its reading closed (n × D)
    y: np.ndarray  # area meter's energy per day, filed likewise (D)
    closed: np.ndarray  # (n + 1) × D: a reading at the end of the day (area meter last)
    true_errors_pct: np.ndarray  # ε_i × 100
    faulty: tuple[int, ...]
    true_x: np.ndarray  # registered energy per calendar day, before any reading went missing (n × D)
    true_y: np.ndarray
    fixed_loss: float
    proportional_loss: float
    classes: list[str]

    def registers(self, start: float = 1000.0) -> np.ndarray:
        """Register values at the end of each day (n + 1 × D), area meter last: ``start`` plus the running sum;
        NaN where the reading is missing."""
        energies = np.vstack([self.true_x, self.true_y[None, :]])
        values = start + np.cumsum(energies, axis=1)
        return np.where(self.closed, values, np.nan)


def simulate_area(*, meters: int = 60, days: int = 90, faults: dict[int, float] | None = None,
                  healthy_sd_pct: float = 0.3, median_kwh: float = 8.0, spread: float = 0.35,
                  fixed_loss_kwh: float | None = None, proportional_loss: float = 0.03, noise_pct: float = 0.05,
                  missing: float = 0.0, accuracy_class: str = "2", seed: int = 0) -> SimulatedArea:
    """One simulated area. ``faults`` maps meter index → injected error in percent."""
    rng = np.random.default_rng(seed)
    faults = dict(faults or {})
    level = median_kwh * rng.lognormal(0.0, 0.5, size=meters)
    d = np.arange(days)
    common = (1 + 0.15 * np.sin(2 * np.pi * d / 365 + rng.uniform(0, 2 * np.pi))) * np.where(d % 7 >= 5, 1.1, 1.0)
    own = rng.lognormal(-spread ** 2 / 2, spread, size=(meters, days))
    true_t = level[:, None] * common[None, :] * own
    errors = rng.normal(0.0, healthy_sd_pct, size=meters)
    for i, e in faults.items():
        errors[i] = e
    x = (1 + errors[:, None] / 100) * true_t
    delivered = true_t.sum(axis=0)
    fixed = 0.01 * float(delivered.mean()) if fixed_loss_kwh is None else fixed_loss_kwh
    y = delivered * (1 + proportional_loss) + fixed
    y = y + rng.normal(0.0, noise_pct / 100, size=days) * y
    closed = rng.random((meters + 1, days)) >= missing
    closed[:, -1] = True
    filed_x = _carry(x, closed[:meters])
    filed_y = _carry(y[None, :], closed[meters:])[0]
    return SimulatedArea(x=filed_x, y=filed_y, closed=closed, true_errors_pct=errors, faulty=tuple(sorted(faults)),
                         true_x=x, true_y=y, fixed_loss=fixed, proportional_loss=proportional_loss,
                         classes=[accuracy_class] * meters)


def _carry(energy: np.ndarray, closed: np.ndarray) -> np.ndarray:
    """Energy filed under the day whose closing reading ends its interval (0 on days without one)."""
    total = np.cumsum(energy, axis=1)
    last = np.maximum.accumulate(np.where(closed, np.arange(energy.shape[1]), -1), axis=1)
    before = np.hstack([np.full((energy.shape[0], 1), -1), last[:, :-1]])  # the last closed day before each day
    carried = np.where(before >= 0, np.take_along_axis(total, np.clip(before, 0, None), axis=1), 0.0)
    return np.where(closed, total - carried, 0.0)
