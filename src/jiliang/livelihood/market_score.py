"""A market's score: how far it keeps the five unifications and how well its scales are verified. PURE.

**This is jiliang's own definition, not a regulator's.** The plan (专栏10) names the five unifications of market
price scales (统一配置、统一管理、统一检定、统一维修、统一轮换) and the targets for markets' free verification
(受检率 100 %, 合格率 ≥ 95 %); no text found gives a formula that combines them into one figure
(reference/supervision-integrity-licensing.md §3.4 and §8.2). The score below is a reading aid for the bureau's
ranking; the three components are always shown beside it.

Components, each a fraction from 0 to 1:

* **U, five unifications**: items met *with evidence* ÷ 5. An item counts when it is marked met and names the
  responsible party, the date of the evidence, and either an evidence text or a document (:func:`item_counts`).
* **V, verification rate (受检率)** of the market's scales in the period, supervision's definition
  (supervision/rates.py ``verification_rate``: on time).
* **P, pass rate (合格率)** of the market's scales in the period, supervision's definition (rates.py
  ``pass_rate``).

**Score** = 100 × the mean of the components that have a value. V and P have none when nothing fell due or no
verification concluded in the period (rates.Rate.value is None: "nothing due is not a failure"); U always has one.
Equal weights are jiliang's choice (:data:`VERSION` names the definition, so a change is never silent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

VERSION = "jiliang-market-score-2026.1"
ITEMS = 5  # the five unifications (plan 专栏10 item 2)
DEFINITION = ("100 × mean of the available components: five unifications met with evidence ÷ 5; the scales' "
              "verification rate (on time) and pass rate in the period (supervision/rates.py)")


@dataclass(frozen=True)
class Item:
    """What a market says of one unification item."""

    met: bool
    responsible: str = ""
    detail: str = ""
    evidence_date: dt.date | None = None
    has_document: bool = False


def item_counts(item: Item) -> bool:
    """An item counts towards U when it is met and its evidence names who, when, and what (text or document)."""
    return bool(item.met and item.responsible.strip() and item.evidence_date is not None
                and (item.detail.strip() or item.has_document))


def missing_evidence(item: Item) -> list[str]:
    """What keeps a met item from counting: "responsible", "evidence_date", "evidence" (text or document)."""
    if not item.met:
        return []
    out = []
    if not item.responsible.strip():
        out.append("responsible")
    if item.evidence_date is None:
        out.append("evidence_date")
    if not (item.detail.strip() or item.has_document):
        out.append("evidence")
    return out


@dataclass(frozen=True)
class Score:
    unifications: int  # items met with evidence, 0 to 5
    verification_rate: float | None
    pass_rate: float | None
    version: str = VERSION

    @property
    def unification_share(self) -> float:
        return self.unifications / ITEMS

    @property
    def components(self) -> list[float]:
        return [self.unification_share, *(v for v in (self.verification_rate, self.pass_rate) if v is not None)]

    @property
    def value(self) -> float:
        """0 to 100."""
        parts = self.components
        return 100 * sum(parts) / len(parts)

    @property
    def fully_unified(self) -> bool:
        return self.unifications == ITEMS

    def as_dict(self) -> dict:
        return {"value": round(self.value, 1), "unifications": self.unifications, "unification_items": ITEMS,
                "verification_rate": self.verification_rate, "pass_rate": self.pass_rate,
                "definition": DEFINITION, "version": self.version}


def score(items: Iterable[Item], verification_rate: float | None, pass_rate: float | None) -> Score:
    """The score of a market from its checklist (at most one entry per item; missing items are not met) and the
    values of its scales' rates (rates.Rate.value)."""
    met = sum(1 for i in items if item_counts(i))
    if met > ITEMS:
        raise ValueError(f"{met} items counted; a market has {ITEMS}")
    for name, v in (("verification_rate", verification_rate), ("pass_rate", pass_rate)):
        if v is not None and not 0 <= v <= 1:
            raise ValueError(f"{name} {v} is not a fraction from 0 to 1")
    return Score(met, verification_rate, pass_rate)
