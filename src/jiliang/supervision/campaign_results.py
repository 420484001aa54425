"""Results of a spot-check campaign: targets, checked, nonconforming, the nonconformity rate and its 95 % Wilson
score interval, by county, by city and by category (docs/supervision-campaigns.md).

Definitions
    checked: a target whose status is ``checked`` or that has at least one finding against it;
    nonconforming: a checked target with at least one finding whose kind is not ``conforming`` (for an owner
    target: any of its findings, whichever instrument);
    rate = nonconforming ÷ checked; with no target checked there is no rate ("—", never 0 %).

A finding counts against a target when it names the target; a finding that names only the campaign counts against
the target of its instrument (instrument campaigns) or of its instrument's owner (owner campaigns).

By category: an instrument target under its instrument's category; an owner target under each category of the
instruments its findings concern (so an owner can count under several categories; unchecked owners under none).

The interval is Wilson's score interval (E. B. Wilson, "Probable inference, the law of succession, and statistical
inference", JASA 22 (1927) 209–212; the form below is Newcombe's method 3, Statistics in Medicine 17 (1998)
857–872): with p = k/n and z = 1.959963984540054 (the 0.975 quantile of the standard normal distribution),

    (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from jiliang.core.models import Region
from jiliang.registry.models import Instrument, InstrumentCategory

from .models import Campaign, CampaignTargetKind, Finding, FindingKind, TargetStatus

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson's score interval for k successes in n trials; None when n = 0 (there is no estimate)."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError("k must lie in [0, n]")
    p = k / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    targets: int
    checked: int
    nonconforming: int

    @property
    def rate(self) -> float | None:
        return self.nonconforming / self.checked if self.checked else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.nonconforming, self.checked)

    @property
    def rate_text(self) -> str:
        return percent(self.rate)

    @property
    def interval_text(self) -> str:
        return interval_text(self.interval)


def percent(value: float | None, digits: int = 1) -> str:
    """A rate as a percentage, or "—" when there is none."""
    return "—" if value is None else f"{value * 100:.{digits}f} %"


def interval_text(interval: tuple[float, float] | None) -> str:
    return "—" if interval is None else f"{interval[0] * 100:.1f} – {interval[1] * 100:.1f} %"


@dataclass(frozen=True)
class Results:
    total: Row
    by_county: list[Row]
    by_city: list[Row]
    by_category: list[Row]


@dataclass
class _Unit:
    county: str
    categories: set
    checked: bool = False
    bad: bool = False


def target_outcomes(campaign: Campaign, targets) -> dict[int, _Unit]:
    """Each target's county, categories, whether it was checked and found nonconforming."""
    owners = campaign.target_kind == CampaignTargetKind.OWNERS
    rows = list(targets.values_list("pk", "instrument_id", "organisation_id", "county_id", "status"))
    units: dict[int, _Unit] = {}
    by_subject: dict[int, int] = {}
    instrument_ids = [i for _pk, i, _o, _c, _s in rows if i]
    category_of = dict(Instrument.objects.filter(pk__in=instrument_ids).values_list("pk", "category_id"))
    for pk, instrument_id, organisation_id, county, status in rows:
        units[pk] = _Unit(county=county, checked=status == TargetStatus.CHECKED,
                          categories=set() if owners else {category_of.get(instrument_id)})
        by_subject[organisation_id if owners else instrument_id] = pk
    findings = (Finding.objects.filter(campaign=campaign) | Finding.objects.filter(target__in=list(units)))
    for target_id, instrument_id, owner_id, category_id, kind in findings.values_list(
            "target_id", "instrument_id", "instrument__owner_id", "instrument__category_id", "kind"):
        pk = target_id if target_id in units else by_subject.get(owner_id if owners else instrument_id)
        if pk is None or pk not in units:
            continue
        unit = units[pk]
        unit.checked = True
        if owners:
            unit.categories.add(category_id)
        if kind != FindingKind.CONFORMING:
            unit.bad = True
    return units


def _rows(groups: dict[str, list[_Unit]], labels: dict[str, str]) -> list[Row]:
    out = []
    for key in sorted(groups, key=lambda k: (labels.get(k, str(k)), str(k))):
        units = groups[key]
        out.append(Row(key=str(key), label=labels.get(key, str(key)), targets=len(units),
                       checked=sum(u.checked for u in units), nonconforming=sum(u.checked and u.bad for u in units)))
    return out


def results(campaign: Campaign, targets=None) -> Results:
    """The results of ``campaign`` over ``targets`` (default: all of its targets; pass the ones a user may see)."""
    targets = campaign.targets.all() if targets is None else targets
    units = list(target_outcomes(campaign, targets).values())
    counties = {u.county for u in units}
    parents = dict(Region.objects.filter(code__in=counties).values_list("code", "parent_id"))
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=counties | set(parents.values()))}
    by_county: dict[str, list[_Unit]] = defaultdict(list)
    by_city: dict[str, list[_Unit]] = defaultdict(list)
    by_category: dict[str, list[_Unit]] = defaultdict(list)
    for u in units:
        by_county[u.county].append(u)
        by_city[parents.get(u.county) or u.county].append(u)
        for c in u.categories:
            by_category[c].append(u)
    # display_name: two entries of the catalogue share a name (水表) and differ by their second level
    categories = {c.pk: c.display_name for c in InstrumentCategory.objects.filter(pk__in=[k for k in by_category if k])}
    total = Row(key="", label=_("total"), targets=len(units), checked=sum(u.checked for u in units),
                nonconforming=sum(u.checked and u.bad for u in units))
    return Results(total=total, by_county=_rows(by_county, names), by_city=_rows(by_city, names),
                   by_category=_rows(by_category, categories))
