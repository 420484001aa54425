"""Pages of transformer areas and their error estimates (see core.ui): the areas of a utility with their latest
estimate, an area's page with the chart of estimated errors against ±MPE and the flagged meters, and the list of
estimates. Read-only: estimates are made by the weekly task or ``jiliang livelihood-estimate-areas``."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from jiliang.core.scoping import VIEW
from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register
from jiliang.registry.models import Instrument

from . import area_errors
from .area_filters import AreaEstimateFilterSet, TransformerAreaFilterSet
from .models import AreaEstimate, TransformerArea

DECISIONS = {
    area_errors.EXCEEDS: _("exceeds the MPE"),
    area_errors.WITHIN: _("within the MPE"),
    area_errors.UNDECIDED: _("undecided"),
    area_errors.NO_MPE: _("no MPE for its class"),
    area_errors.NOT_ESTIMATED: _("not estimated (no consumption)"),
}
# reason → (label, message with the refusal's params)
REFUSALS = {
    "no_area_meter": (_("data missing"), _("The area has no area meter.")),
    "no_area_point": (_("data missing"), _("The area meter has no metering point, so there are no data for it.")),
    "no_household_meters": (_("data missing"), _("The area has no household electricity meters.")),
    "no_points": (_("data missing"),
                  _("Household meters without a metering point: their energy cannot be balanced.")),
    "no_meters": (_("data missing"), _("The area has no household meters with data.")),
    "too_few_meters": (_("too few meters"), _("%(meters)s meters: the proportional loss can only be anchored on the "
                                              "majority of at least %(minimum)s meters.")),
    "too_few_days": (_("too few days"), _("%(periods)s usable periods for %(unknowns)s unknowns (%(meters)s meters "
                                          "and the fixed loss): at least %(need)s are needed.")),
    "no_consumption": (_("no consumption recorded"),
                       _("No household meter recorded any energy in the periods used.")),
    "collinear": (_("meters whose daily energies move together"),
                  _("Their errors cannot be told apart (condition number %(condition)s).")),
    "negative": (_("the balance does not hold"),
                 _("The balance gives these meters a non-positive weight: the area's meter list or data are wrong.")),
}


def _latest_date(area):
    created = getattr(area, "latest_created", None)
    return f"{created:%Y-%m-%d}" if created else ""


AREA_COLUMNS = [
    Column("code", _("code"), order_by="code", link=True),
    Column("name", _("name"), order_by="name"),
    Column("utility", _("utility"), accessor="utility.name", order_by="utility__name"),
    Column("region", _("region"), accessor="region.name", order_by="region__code"),
    Column("meter_count", _("household meters"), order_by="meter_count"),
    Column("latest_flagged", _("meters flagged"), order_by="latest_flagged"),
    Column("latest_created", _("last estimate"), accessor=_latest_date, order_by="latest_created"),
]
ESTIMATE_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("area", _("transformer area"), accessor="area.code", order_by="area__code"),
    Column("utility", _("utility"), accessor="area.utility.name"),
    Column("first_day", _("from"), order_by="first_day"),
    Column("last_day", _("to"), order_by="last_day"),
    Column("days", _("days used"), order_by="days"),
    Column("flagged", _("meters flagged"), order_by="flagged"),
    Column("outcome", _("outcome"), accessor=lambda e: refusal_text(e) or _("estimated")),
    Column("created", _("run at"), order_by="created"),
]


def refusal_text(estimate) -> str:
    refused = (estimate.line_loss or {}).get("refused")
    if not refused:
        return ""
    known = REFUSALS.get(refused.get("reason"))
    if known is None:
        return refused.get("message", "")
    label, message = known
    try:
        message = message % refused.get("params", {}) if "%(" in str(message) else message
    except (KeyError, TypeError, ValueError):
        message = refused.get("message", "")
    return gettext("%(label)s: %(value)s") % {"label": label, "value": message}


def estimate_context(request, estimate: AreaEstimate | None) -> dict:
    """What the estimate card and chart show: rows per meter, the flagged ones with a link to the instrument
    when the reader may see it, the chart's data and the losses."""
    if estimate is None:
        return {"estimate": None}
    rows = []
    visible = set(Instrument.objects.restrict(request.user, VIEW)
                  .filter(pk__in=[r["instrument"] for r in estimate.results]).values_list("pk", flat=True))
    for r in sorted(estimate.results, key=lambda r: (r["error_pct"] is None, -abs(r["error_pct"] or 0))):
        rows.append({**r, "decision_label": DECISIONS.get(r["decision"], r["decision"]),
                     "url": reverse("instruments-detail", kwargs={"pk": r["instrument"]})
                     if r["instrument"] in visible else None})
    chart = [{"code": r["code"] or r["serial"], "error": r["error_pct"], "low": r["low_pct"], "high": r["high_pct"],
              "mpe": r["mpe_pct"], "decision": r["decision"]}
             for r in sorted(estimate.results, key=lambda r: r["code"] or "") if r["error_pct"] is not None]
    mpes = sorted({r["mpe_pct"] for r in estimate.results if r["mpe_pct"] is not None})
    return {"estimate": estimate, "estimate_rows": rows, "flagged_rows": [r for r in rows if r["decision"] == "exceeds"],
            "chart": chart, "chart_mpe": mpes[-1] if mpes else None, "refusal": refusal_text(estimate),
            "loss": estimate.line_loss or {}, "confidence_pct": round(100 * (estimate.line_loss or {}).get(
                "confidence", area_errors.CONFIDENCE)), "mpe_source": area_errors.MPE_SOURCE}


def area_context(request, area) -> dict:
    latest = area.estimates.order_by("-created", "-pk").first()
    ctx = estimate_context(request, latest)
    ctx["earlier"] = list(area.estimates.order_by("-created", "-pk")[1:11])
    return ctx


area_ui = register(ModelUI(
    model=TransformerArea, slug="transformer-areas", columns=AREA_COLUMNS, filterset=TransformerAreaFilterSet,
    default_order="code", read_only=True, filter_fields=["q", "region", "flagged"],
    detail_fields=["code", "name", "utility", "region", "area_meter"],
    detail_template="livelihood/area_detail.html", detail_context=area_context))
estimate_ui = register(ModelUI(
    model=AreaEstimate, slug="area-estimates", columns=ESTIMATE_COLUMNS, filterset=AreaEstimateFilterSet,
    default_order="-created", read_only=True, filter_fields=["area", "region", "flagged"],
    detail_fields=["area", "first_day", "last_day", "days", "method", "flagged", "residual_sd", "created"],
    detail_template="livelihood/area_estimate_detail.html",
    detail_context=lambda request, obj: estimate_context(request, obj)))
