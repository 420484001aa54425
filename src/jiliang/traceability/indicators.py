"""Indicator 2 of the plan (专栏1: 社会公用计量标准和量值传递体系覆盖率 ≥ 98 %), contributed to kpi as a
core.extending.IndicatorSource: traceability's coverage (coverage.py, definition coverage_rules.DEFINITION_VERSION)
of the region's subtree at the date."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jiliang.core.extending import Drill, IndicatorValue

from . import coverage
from .coverage_rules import DEFINITION_VERSION


def coverage_rate(region: str, day: dt.date, since: dt.date) -> IndicatorValue:
    """Instruments in use served by a social public standard of the province ÷ instruments in use
    (docs/traceability-coverage.md)."""
    total = coverage.compute(region, day).result.total
    note = ""
    return IndicatorValue(total.rate, total.served, total.in_use,
                          "instruments in use whose parameter and range a valid social public standard of the "
                          "province serves ÷ instruments in use", DEFINITION_VERSION, note)


def coverage_drill(region, day, since, limit) -> Drill:
    """The gaps: parameters and ranges no standard of the province serves, with the instruments they leave out."""
    result = coverage.compute(region, day).result
    gaps = sorted(result.gaps, key=lambda g: -g.instruments)
    rows = [(g.parameter, g.band, g.reason, g.instruments, g.outside, g.nowhere) for g in gaps[:limit]]
    return Drill((_("parameter"), _("range"), _("reason"), _("instruments"), _("served by an external laboratory"),
                  _("served nowhere")), rows, len(gaps))
