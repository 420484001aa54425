"""The city scorecard of §二十四 (PURE): the plan puts indicators into the city governments' performance assessment
but gives no method of scoring them, so jiliang states its own rule here, on the scorecard page and in the export.

**jiliang's rule** (SCORE_RULE): a city's score is the mean, over the indicators in city assessment, of its
achievement capped at 1, times 100:

* achievement of an "at least" indicator: value / target (a target of 0 is achieved by any value);
* achievement of an "at most" indicator: target / value (a value of 0 achieves it);
* each capped at 1, so exceeding one target does not make up for missing another.

A city with an assessed indicator that has no value (nothing to count, not entered), whose computation failed or
that has no target gets **no score**: it is marked incomplete with those indicators, and is not ranked. Scored cities
are ranked by score, highest first; equal scores share a rank (1, 2, 2, 4).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

SCORE_RULE = ("score = 100 × mean over the assessed indicators of min(achievement, 1); achievement = value / target "
              "(at least) or target / value (at most); a city lacking a value, a target or a computation of any "
              "assessed indicator is incomplete and not ranked")
NO_VALUE, FAILED, NO_TARGET = "no_value", "failed", "no_target"


@dataclass(frozen=True)
class Entry:
    """One assessed indicator of one city: its code, value, target, direction and whether its computation failed."""

    code: str
    value: Decimal | None
    target: Decimal | None
    at_least: bool = True
    failed: bool = False


@dataclass
class CityScore:
    region: str
    score: Decimal | None
    achievements: dict[str, Decimal] = field(default_factory=dict)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (indicator code, no_value / failed / no_target)
    rank: int | None = None

    @property
    def complete(self) -> bool:
        return not self.missing


def achievement(e: Entry) -> Decimal:
    """min(value / target, 1) for "at least", min(target / value, 1) for "at most"."""
    one = Decimal(1)
    if e.at_least:
        return one if e.target <= 0 else min(e.value / e.target, one)
    return one if e.value <= 0 else min(e.target / e.value, one)


def score_city(region: str, entries: list[Entry]) -> CityScore:
    out = CityScore(region, None)
    for e in entries:
        if e.failed:
            out.missing.append((e.code, FAILED))
        elif e.value is None:
            out.missing.append((e.code, NO_VALUE))
        elif e.target is None:
            out.missing.append((e.code, NO_TARGET))
        else:
            out.achievements[e.code] = achievement(e)
    if entries and not out.missing:
        out.score = (sum(out.achievements.values()) * 100 / len(out.achievements)).quantize(Decimal("0.01"))
    elif not entries:
        out.missing.append(("", NO_VALUE))
    return out


def rank(scores: list[CityScore]) -> list[CityScore]:
    """Scored cities by score (highest first, equal scores share a rank), then the incomplete ones by region."""
    scored = sorted((s for s in scores if s.score is not None), key=lambda s: (-s.score, s.region))
    for i, s in enumerate(scored):
        s.rank = scored[i - 1].rank if i and s.score == scored[i - 1].score else i + 1
    return scored + sorted((s for s in scores if s.score is None), key=lambda s: s.region)
