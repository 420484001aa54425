"""Markets' verification figures, with supervision's definitions (supervision/rates.py), never a second one.

* **Per market**: the 受检率 (on time) and 合格率 of the scales registered in the market (MarketScale), in a period
  of whole months: the scales' due occurrences (supervision.DueOccurrence) through ``rates.verification_rate``, and
  their counted verification events (InstrumentState.event_counts, the keys the counters add up) through
  ``rates.pass_rate_from_counts``. :func:`market_figures` does every market of a list in three queries.
* **Per region (专栏10)**: the supervision dashboard's counters for owners of kind market
  (``dashboard.Filters(owner_kind="market")``): the same figures the supervision dashboard shows in its column-10
  row, by child region (a province by city, a city by county), against 受检率 100 % and 合格率 ≥ 95 %.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from jiliang.registry.models import OrganisationKind
from jiliang.supervision import dashboard, lifecycle, rates
from jiliang.supervision.models import DueOccurrence, InstrumentState

from . import market_score
from .models import MarketScale, UnificationCheck

TARGETS = dashboard.COLUMN10_TARGETS  # 专栏10: 受检率 100 %, 合格率 ≥ 95 % (plan text; reference §3.4)


@dataclass
class MarketFigures:
    market: object
    scales: int
    on_time: rates.Rate
    passed: rates.Rate
    score: market_score.Score
    statuses: dict

    @property
    def meets_on_time(self) -> bool:
        return self.on_time.value is not None and self.on_time.value >= TARGETS["verification_rate"]

    @property
    def meets_pass(self) -> bool:
        return self.passed.value is not None and self.passed.value >= TARGETS["pass_rate"]


def checklist_items(checks) -> list[market_score.Item]:
    return [market_score.Item(c.met, c.responsible, c.detail, c.evidence_date, bool(c.document)) for c in checks]


def market_figures(markets, period: rates.Period) -> list[MarketFigures]:
    """Figures of each market (in the order given) for ``period``."""
    markets = list(markets)
    ids = [m.pk for m in markets]
    scale_market = dict(MarketScale.objects.filter(market_id__in=ids).values_list("instrument_id", "market_id"))
    occ: dict[int, list[lifecycle.Occurrence]] = defaultdict(list)
    for inst, due, met_on, first in (DueOccurrence.objects.filter(
            instrument_id__in=MarketScale.objects.filter(market_id__in=ids).values("instrument_id"),
            due__gte=period.start, due__lte=period.end).values_list("instrument_id", "due", "met_on", "first")):
        occ[scale_market[inst]].append(lifecycle.Occurrence(due, met_on, first))
    events: dict[int, list[rates.EventCount]] = defaultdict(list)
    statuses: dict[int, dict] = defaultdict(dict)
    for inst, counts, status in (InstrumentState.objects.filter(
            instrument_id__in=MarketScale.objects.filter(market_id__in=ids).values("instrument_id"))
            .values_list("instrument_id", "event_counts", "status")):
        market = scale_market[inst]
        statuses[market][status] = statuses[market].get(status, 0) + 1
        for key, n in (counts or {}).items():
            month, result = key.split(":")
            events[market].append(rates.EventCount(int(month), result, n))
    checks: dict[int, list] = defaultdict(list)
    for c in UnificationCheck.objects.filter(market_id__in=ids):
        checks[c.market_id].append(c)
    per_market: dict[int, int] = defaultdict(int)
    for market in scale_market.values():
        per_market[market] += 1
    out = []
    for m in markets:
        on_time = rates.verification_rate(occ[m.pk], period)
        passed = rates.pass_rate_from_counts(events[m.pk], period)
        s = market_score.score(checklist_items(checks[m.pk]), on_time.value, passed.value)
        out.append(MarketFigures(m, per_market[m.pk], on_time, passed, s, statuses[m.pk]))
    return out


def ranked(figures: list[MarketFigures]) -> list[MarketFigures]:
    """Best first by 受检率 on time, then 合格率, then score; markets with nothing due come last."""
    return sorted(figures, key=lambda f: (f.on_time.value is None, -(f.on_time.value or 0),
                                          f.passed.value is None, -(f.passed.value or 0), -f.score.value,
                                          f.market.name))


def column10_by_region(region: str, period: rates.Period) -> tuple[dashboard.Row, list[dashboard.Row]]:
    """专栏10 figures of market-owned instruments: the region's total and its child regions (a county: itself)."""
    f = dashboard.Filters(region, period, owner_kind=OrganisationKind.MARKET)
    return dashboard.total(f, str(OrganisationKind.MARKET.label)), dashboard.by_child_region(f)


def meets(row: dashboard.Row) -> tuple[bool, bool]:
    return (row.on_time.value is not None and row.on_time.value >= TARGETS["verification_rate"],
            row.passed.value is not None and row.passed.value >= TARGETS["pass_rate"])
