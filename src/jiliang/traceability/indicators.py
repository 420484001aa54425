"""Indicator 2 of the plan (专栏1: 社会公用计量标准和量值传递体系覆盖率 ≥ 98 %), contributed to kpi as a
core.extending.IndicatorSource: traceability's coverage (coverage.py, definition coverage_rules.DEFINITION_VERSION)
of the region's subtree at the date."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiliang.core.extending import Drill, IndicatorValue
from jiliang.core.regions import PROVINCE_CODE, group_under

from . import coverage
from .coverage_rules import DEFINITION_VERSION

DEFINITION = ("instruments in use whose parameter and range a valid social public standard of the province serves "
              "÷ instruments in use")


def _value(tally) -> IndicatorValue:
    return IndicatorValue(tally.rate, tally.served, tally.in_use, DEFINITION, DEFINITION_VERSION)


def coverage_rate(region: str, day: dt.date, since: dt.date) -> IndicatorValue:
    """Instruments in use served by a social public standard of the province ÷ instruments in use
    (docs/traceability-coverage.md)."""
    return _value(coverage.compute(region, day).result.total)


def coverage_rate_many(regions: list[str], day: dt.date, since: dt.date) -> dict[str, IndicatorValue]:
    """The province and the regions directly below it from one computation of the province (its rows by city);
    other regions are left to :func:`coverage_rate`."""
    below = set(group_under(PROVINCE_CODE).values()) - {PROVINCE_CODE}
    wanted = [r for r in regions if r == PROVINCE_CODE or r in below]
    if not wanted:
        return {}
    result = coverage.compute(PROVINCE_CODE, day).result
    out = {}
    for r in wanted:
        tally = result.total if r == PROVINCE_CODE else result.by_region.get(r)
        out[r] = _value(tally) if tally else IndicatorValue(None, 0, 0, DEFINITION, DEFINITION_VERSION)
    return out


def coverage_drill(region, day, since, limit) -> Drill:
    """The gaps: parameters and ranges no standard of the province serves, with the instruments they leave out."""
    result = coverage.compute(region, day).result
    gaps = sorted(result.gaps, key=lambda g: -g.instruments)
    rows = [(g.parameter, g.band, g.reason, g.instruments, g.outside, g.nowhere) for g in gaps[:limit]]
    return Drill((_("parameter"), _("range"), _("reason"), _("instruments"), _("served by an external laboratory"),
                  _("served nowhere")), rows, len(gaps))
