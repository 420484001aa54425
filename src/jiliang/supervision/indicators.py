"""The plan's indicators supervision holds the data for (contributed to kpi as core.extending.IndicatorSource):
受检率 of key supervised instruments (专栏1 item 7, ≥ 98 %), 检定率 of environmental-monitoring instruments (§十四,
≥ 98 %), and the free-verification figures of markets and clinics (专栏10: 受检率 100 %, 合格率 ≥ 95 %).

The rates are supervision's own (rates.py, definition version :data:`rates.DEFINITION_VERSION`), read from the
monthly counters. The period is the calendar year of the day asked, to the last whole month: the year to the end
of ``day``'s month when ``day`` is a month's last day, else to the end of the month before; in a January not yet
ended, the whole previous year.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiliang.core.extending import Drill, IndicatorValue
from jiliang.core.regions import PROVINCE_CODE, subtree_codes

from . import counters, rates
from .models import DueOccurrence

PARAMS = frozenset({"key", "usage", "owner_kinds"})


def period_of(day: dt.date) -> rates.Period:
    """The year to the last whole month on ``day`` (see the module)."""
    if (day + dt.timedelta(days=1)).day != 1:
        day = day.replace(day=1) - dt.timedelta(days=1)
    return rates.Period(dt.date(day.year, 1, 1), day)


def _scope(region: str, key: bool, usage: str | None, owner_kinds: list[str] | None):
    return counters.scope_filter(regions=None if region == PROVINCE_CODE else subtree_codes(region),
                                 usages=[usage] if usage else None, owner_kinds=owner_kinds or None, key_only=key)


def _value(rate: rates.Rate, period: rates.Period, scope_words: str) -> IndicatorValue:
    return IndicatorValue(rate.value, rate.numerator, rate.denominator,
                          f"{rate.definition}; S = {scope_words}; P = {period.start} to {period.end}", rate.version)


def _words(key: bool, usage: str | None, owner_kinds: list[str] | None) -> str:
    parts = ["instruments under mandatory verification in the region"]
    if key:
        parts.append("key supervised")
    if usage:
        parts.append(f"usage {usage}")
    if owner_kinds:
        parts.append(f"owners {', '.join(owner_kinds)}")
    return ", ".join(parts)


def verification_rate(region: str, day: dt.date, since: dt.date, key: bool = False, usage: str | None = None,
                      owner_kinds: list[str] | None = None) -> IndicatorValue:
    """受检率, on time, over the year to the last whole month (rates.VERIFICATION_RATE)."""
    period = period_of(day)
    due = counters.due_counts(_scope(region, key, usage, owner_kinds), period).get(None, [])
    return _value(rates.verification_rate_from_counts(due, period), period, _words(key, usage, owner_kinds))


def pass_rate(region: str, day: dt.date, since: dt.date, key: bool = False, usage: str | None = None,
              owner_kinds: list[str] | None = None) -> IndicatorValue:
    """合格率 over the year to the last whole month (rates.PASS_RATE)."""
    period = period_of(day)
    events = counters.event_counts(_scope(region, key, usage, owner_kinds), period).get(None, [])
    return _value(rates.pass_rate_from_counts(events, period), period, _words(key, usage, owner_kinds))


def verification_rate_drill(region, day, since, limit, key=False, usage=None, owner_kinds=None) -> Drill:
    """The due occurrences the rate counts: each instrument's due date in the period and when it was verified."""
    period = period_of(day)
    qs = DueOccurrence.objects.filter(due__gte=period.start, due__lte=period.end)
    if region != PROVINCE_CODE:
        qs = qs.filter(instrument__supervision__region_id__in=subtree_codes(region))
    if key:
        qs = qs.filter(instrument__supervision__key_supervised=True)
    if usage:
        qs = qs.filter(instrument__supervision__usage=usage)
    if owner_kinds:
        qs = qs.filter(instrument__supervision__owner_kind__in=owner_kinds)
    rows = [(o.instrument_id, o.instrument.instrument_code or "", str(o.instrument.category), o.instrument.owner.name,
             o.instrument.region_id, o.due, o.met_on, bool(o.met_on and o.met_on <= o.due))
            for o in qs.select_related("instrument__category", "instrument__owner").order_by("due", "pk")[:limit]]
    return Drill((_("id"), _("instrument code"), _("category"), _("owner"), _("region"), _("due"), _("verified on"),
                  _("on time")), rows, qs.count())


def _by_region(counts: dict, regions: list[str]) -> dict[str, list]:
    """Counter rows grouped by county-level region, gathered for each region asked (its subtree)."""
    out = {}
    for region in regions:
        if region == PROVINCE_CODE:
            out[region] = [row for rows in counts.values() for row in rows]
        else:
            codes = set(subtree_codes(region))
            out[region] = [row for code, rows in counts.items() if code in codes for row in rows]
    return out


def verification_rate_many(regions: list[str], day: dt.date, since: dt.date, key: bool = False,
                           usage: str | None = None, owner_kinds: list[str] | None = None) -> dict:
    """:func:`verification_rate` of several regions from one grouped read of the counters."""
    period = period_of(day)
    counts = counters.due_counts(_scope(PROVINCE_CODE, key, usage, owner_kinds), period, by="region_id")
    words = _words(key, usage, owner_kinds)
    return {r: _value(rates.verification_rate_from_counts(rows, period), period, words)
            for r, rows in _by_region(counts, regions).items()}


def pass_rate_many(regions: list[str], day: dt.date, since: dt.date, key: bool = False, usage: str | None = None,
                   owner_kinds: list[str] | None = None) -> dict:
    """:func:`pass_rate` of several regions from one grouped read of the counters."""
    period = period_of(day)
    counts = counters.event_counts(_scope(PROVINCE_CODE, key, usage, owner_kinds), period, by="region_id")
    words = _words(key, usage, owner_kinds)
    return {r: _value(rates.pass_rate_from_counts(rows, period), period, words)
            for r, rows in _by_region(counts, regions).items()}
