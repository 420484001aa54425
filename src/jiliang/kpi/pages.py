"""What the kpi pages show, in the reader's language: parameters read from the query string, readings as table rows,
status labels, unit names and the Excel layout (the views in views.py only put these together)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from jiliang.core.export import write_sheets
from jiliang.core.extending import indicator_sources
from jiliang.core.models import Region

from . import status as st
from .models import Plan, Snapshot, SourceKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STATUS = {
    st.MET: (pgettext_lazy("kpi status", "met"), "success"),
    st.ON_TRACK: (pgettext_lazy("kpi status", "on track"), "info"),
    st.BEHIND: (pgettext_lazy("kpi status", "behind"), "warning"),
    st.NOT_MET: (pgettext_lazy("kpi status", "not met"), "danger"),
    st.NO_TARGET: (pgettext_lazy("kpi status", "no target"), "secondary"),
    st.NO_VALUE: (pgettext_lazy("kpi status", "no value"), "light"),
    st.FAILED: (pgettext_lazy("kpi status", "failed"), "dark"),
}
# The units the plans write in Chinese, named in the reader's language.
UNITS = {"部": pgettext_lazy("kpi unit", "documents"), "个": pgettext_lazy("kpi unit", "units"),
         "项": pgettext_lazy("kpi unit", "items"), "家": pgettext_lazy("kpi unit", "organisations"),
         "人次": pgettext_lazy("kpi unit", "person-times"), "%": "%"}


class BadParameter(ValueError):
    """A query parameter the page cannot take; the message names it and says why."""


def parse_day(raw: str | None, today: dt.date | None = None) -> dt.date:
    """``on=YYYY-MM-DD`` (default today); not in the future."""
    today = today or timezone.localdate()
    if not raw:
        return today
    try:
        day = dt.date.fromisoformat(raw.strip()) if len(raw.strip()) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise BadParameter(_("on: give a date as YYYY-MM-DD, such as 2017-12-31, not “%(v)s”.") % {"v": raw[:40]})
    if day > today:
        raise BadParameter(_("on: the date %(d)s lies in the future.") % {"d": day.isoformat()})
    return day


def choose_plan(raw: str | None, day: dt.date) -> Plan | None:
    """``plan=<code>``; by default the plan whose period includes ``day``, else the latest."""
    if raw:
        plan = Plan.objects.filter(code=raw[:60]).select_related("region").first()
        if plan is None:
            raise BadParameter(_("plan: no plan has the code “%(v)s”.") % {"v": raw[:60]})
        return plan
    qs = Plan.objects.select_related("region")
    return qs.filter(starts_on__lte=day, ends_on__gte=day).first() or qs.order_by("-ends_on", "code").first()


def region_names(codes) -> dict[str, str]:
    return {r.code: r.display_name for r in Region.objects.filter(code__in=list(codes))}


def fmt(v: Decimal | float | None, places: int = 2) -> str:
    """A number as people read it: at most ``places`` decimals, no trailing zeros; — for none."""
    if v is None:
        return "—"
    d = Decimal(str(v)).quantize(Decimal(1).scaleb(-places))
    text = f"{d:,f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def unit_label(unit: str) -> str:
    return str(UNITS.get(unit, unit))


def status_label(key: str) -> str:
    return str(STATUS.get(key, (key, ""))[0])


def source_text(ind) -> str:
    """Where the value comes from: the registered source, or why it is entered."""
    if ind.source_kind == SourceKind.ENTERED:
        return _("entered: %(why)s") % {"why": ind.display_entered_note} if ind.entered_note else _("entered")
    src = indicator_sources().get(ind.source_key)
    return _("computed by %(s)s") % {"s": src.label if src else ind.source_key}


def status_rule() -> str:
    """kpi/status.py's rule in the reader's language (the page and the export state it)."""
    return _("Expected value on a day: the straight line from the baseline to the target at the end of the target's "
             "year. Met: the value reaches the target. On track: not yet at the target, but at or beyond the line. "
             "Behind: short of the line. Not met: short of the target where there is no baseline to draw a line "
             "from. No target, no value (nothing to count or not entered) and failed (the computation failed, with "
             "its reason; never shown as 0) are shown as such.")


def pct_of_target(r) -> float | None:
    """The value as a percentage of the target (None without both, or a target of 0)."""
    if r.value is None or r.target is None or r.target == 0 or r.status == st.FAILED:
        return None
    return round(float(r.value / r.target * 100), 1)


def row(r, names: dict[str, str]) -> dict:
    """One reading as a table row."""
    ind = r.indicator
    label, colour = STATUS.get(r.status, (r.status, "secondary"))
    return {"pk": ind.pk, "code": ind.code, "name": ind.display_name, "region": r.region,
            "region_name": names.get(r.region, r.region), "unit": unit_label(ind.unit), "value": r.value,
            "value_text": fmt(r.value), "numerator": fmt(r.numerator), "denominator": fmt(r.denominator),
            "target": fmt(r.target), "target_year": r.goal.by.year if r.goal else None,
            "expected": fmt(r.expected), "status": r.status, "status_label": str(label), "colour": colour,
            "reason": r.reason, "source": source_text(ind), "computed": ind.source_kind == SourceKind.COMPUTED,
            "pct": pct_of_target(r), "on": r.on, "reading": r}


def sparklines(plan: Plan, regions: list[str], day: dt.date) -> dict[tuple[int, str], list]:
    """{(indicator id, region): [[date, value], ...]} from the snapshots up to ``day`` (one query)."""
    out: dict[tuple[int, str], list] = {}
    for ind, region, on, value in (Snapshot.objects.filter(indicator__plan=plan, region_id__in=regions, on__lte=day)
                                   .order_by("on").values_list("indicator_id", "region_id", "on", "value")):
        out.setdefault((ind, region), []).append([on.isoformat(), None if value is None else float(value)])
    return out


def reading_cells(x: dict) -> list:
    """A row of the Excel export: the numbers as numbers (a missing one an empty cell), so that they add up."""
    r = x["reading"]
    return [x["region_name"], x["code"], x["name"], r.value, x["unit"], r.numerator, r.denominator, r.target,
            x["target_year"], r.expected, x["status_label"], x["reason"], x["source"]]


def reading_headers() -> list[str]:
    return [_("region"), _("code"), _("indicator"), _("value"), pgettext("kpi", "unit"), _("numerator"), _("denominator"),
            pgettext("kpi", "target"), _("target year"), _("expected on the straight line"), _("status"), _("reason of failure"),
            _("source")]


def xlsx(filename: str, sheets, about) -> HttpResponse:
    """A workbook (core/export.py layout) as a download."""
    buf = io.BytesIO()
    write_sheets(buf, sheets, about=[*about, (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M"))])
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
