"""Energy pages: the bureau's dashboard (online rate by city, top consumers, open anomalies, offline list)
and an enterprise's energy page (consumption by day and month, by energy type, native units and tce)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from urllib.parse import unquote_plus

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.export import csv_safe, workbook_bytes
from jiliang.core.locale import in_language
from jiliang.core.scoping import VIEW, is_unrestricted
from jiliang.core.values.decimals import decimal_text

from . import gb17167, quality, services
from .consumption import LOCAL
from .models import Anomaly, AnomalyState, EnergyType, EnterpriseRollup, MeteringPoint, PointRole
from .templatetags.energy import pct_down, pct_up

HISTORY_DAYS = 30
OFFLINE_SHOWN = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _local_midnight() -> dt.datetime:
    return timezone.now().astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)


def _offline_key(s: quality.EnterpriseStatus):
    """Longest offline first: never reported, then by the time it fell behind; those not connected (no
    required point) last."""
    return (not s.connected, s.offline_since is not None, s.offline_since or timezone.now(), s.enterprise.name)


def scope_name(user) -> str:
    """What the user's figures cover: the province, or the user's city or county."""
    from jiliang.core.models import Region
    from jiliang.core.regions import PROVINCE_CODE

    region = Region.objects.filter(code=PROVINCE_CODE if is_unrestricted(user) else user.region_id).first()
    return region.display_name if region else _("the province")


def history_chart(user, days: int = HISTORY_DAYS) -> dict:
    """The online rate over the last ``days`` days for the dashboard's line chart, in per cent, with one line for
    the user's scope and, when it spans several cities, one per city (hidden until picked in the legend)."""
    h = quality.online_history(user, _local_midnight() - dt.timedelta(days=days))
    pct = [[None if r is None else round(100 * r, 1) for r in rates]
           for rates in [h["total"], *[c["rates"] for c in h["cities"]]]]
    series = [{"name": scope_name(user), "data": pct[0], "total": True}]
    if len(h["cities"]) > 1:
        series += [{"name": c["name"], "data": data, "total": False} for c, data in zip(h["cities"], pct[1:])]
    return {"times": [t.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") for t in h["times"]], "series": series}


@login_required
def dashboard(request):
    user = request.user
    if request.GET.get("export") == "city-today":
        return _city_today_export(quality.consumption_by_city(user, _local_midnight()))
    statuses = quality.enterprise_statuses(user)
    if request.GET.get("export") == "offline":
        return _offline_export(statuses)
    rate = quality.online_rate(statuses)
    by_city = quality.online_by_city(statuses)
    offline = sorted((s for s in statuses if not s.online), key=_offline_key)
    not_connected = sum(not s.connected for s in statuses)
    since = _local_midnight() - dt.timedelta(days=30)
    top = list(EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start__gte=since)
               .values("enterprise_id", "enterprise__name").annotate(tce=Sum("tce_equivalent")).order_by("-tce")[:10])
    daily = list(EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start__gte=since)
                 .values("start").annotate(tce=Sum("tce_equivalent")).order_by("start"))
    # household meters' events are the livelihood app's (livelihood-iot.md), not the key consumers' anomalies
    anomalies = Anomaly.objects.restrict(user, VIEW).filter(state=AnomalyState.OPEN).exclude(
        point__role=PointRole.HOUSEHOLD)
    return render(request, "telemetry/dashboard.html", {
        "rate": rate, "statuses": statuses, "offline": offline[:OFFLINE_SHOWN],
        "offline_count": len(offline) - not_connected, "not_connected_count": not_connected,
        "coverage": quality.coverage(user, timezone.now().astimezone(LOCAL).date()),
        "online_count": sum(s.online for s in statuses), "by_city": by_city,
        "top": [{"id": t["enterprise_id"], "name": t["enterprise__name"], "tce": float(t["tce"])} for t in top],
        "daily": [{"day": d["start"].astimezone(LOCAL).strftime("%m-%d"), "tce": float(d["tce"])} for d in daily],
        "open_anomalies": anomalies.count(),
        "city_today": quality.consumption_by_city(user, _local_midnight()),
        "anomalies_by_kind": list(anomalies.values("kind").annotate(n=Sum("occurrences")).order_by("-n")),
        "history": history_chart(user), "history_days": HISTORY_DAYS,
    })


def _about(what, *lines) -> list[tuple[str, str]]:
    """The description sheet of an export, in the user's language; times are in Asia/Shanghai."""
    return [(_("export of"), what), (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
            *lines, (_("time zone"), "Asia/Shanghai")]


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _offline_export(statuses) -> HttpResponse:
    headers = [_("enterprise"), _("unified social credit code"), _("region"), _("required points"),
               _("points reporting"), _("offline since"), _("contact person"), _("contact phone"),
               _("contact e-mail")]
    rows = ([s.enterprise.name, s.enterprise.uscc, str(s.enterprise.region), s.required, s.reporting,
             s.offline_since.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if s.offline_since else "",
             s.enterprise.contact_name, s.enterprise.contact_phone, s.enterprise.contact_email]
            for s in sorted((s for s in statuses if not s.online), key=_offline_key))
    data = workbook_bytes(str(_("Offline enterprises")), headers, rows,
                          about=_about(_("offline key energy-consuming enterprises")))
    return _xlsx(data, f"offline-enterprises-{_stamp()}")


def _city_today_export(cities) -> HttpResponse:
    energy = dict(EnergyType.choices)
    kinds = sorted({key for c in cities for key in c["by_type"]})
    headers = [_("city"), _("tce (equivalent value)"),
               *[f"{energy.get(kind, kind)} ({unit})" for kind, unit in kinds]]
    rows = [[c["name"], c["tce"], *[c["by_type"].get(key, 0.0) for key in kinds]] for c in cities]
    data = workbook_bytes(str(_("Consumption by city")), headers, rows,
                          about=_about(_("today's consumption by city"),
                                       (_("local day"), f"{_local_midnight():%Y-%m-%d}")))
    return _xlsx(data, f"consumption-by-city-{_stamp()}")


@login_required
def online_history(request):
    """The online rate over time as the dashboard's chart shows it: JSON by default, ``?export=xlsx`` or
    ``?export=csv`` for a table with one row per hour (rate of the user's scope, then one column per city)."""
    try:
        days = min(max(int(request.GET.get("days", HISTORY_DAYS)), 1), 366)
    except ValueError:
        days = HISTORY_DAYS
    chart = history_chart(request.user, days)
    export = request.GET.get("export")
    if export not in ("xlsx", "csv"):
        return JsonResponse({"days": days, "unit": "%", **chart})
    headers = [_("time"), *[f"{s['name']} (%)" for s in chart["series"]]]
    rows = [[t, *[s["data"][i] for s in chart["series"]]] for i, t in enumerate(chart["times"])]
    name = f"online-rate-{_stamp()}"
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")  # a byte order mark, so that Excel reads the Chinese names as UTF-8
        writer = csv.writer(response)
        writer.writerow([csv_safe(str(h)) for h in headers])
        writer.writerows([csv_safe(v) for v in row] for row in rows)
        return response
    data = workbook_bytes(str(_("Online rate")), headers, rows,
                          about=_about(_("online rate of key energy-consuming enterprises per hour"),
                                       (_("period"), _("the last %(n)d days") % {"n": days})))
    return _xlsx(data, name)


@login_required
def enterprise_energy(request, pk):
    org = get_object_or_404(quality.key_enterprises(request.user), pk=pk)
    since = _local_midnight() - dt.timedelta(days=30)
    rollups = EnterpriseRollup.objects.restrict(request.user, VIEW).filter(enterprise=org)
    daily = list(rollups.filter(period="day", start__gte=since).order_by("start")
                 .values("start", "energy_type", "unit", "consumption", "tce_equivalent"))
    monthly = list(rollups.filter(period="month").order_by("start")
                   .values("start", "energy_type", "unit", "consumption", "tce_equivalent", "tce_equal_price",
                           "u_tce_sq"))
    points = MeteringPoint.objects.restrict(request.user, VIEW).filter(enterprise=org).select_related("state", "meter")
    anomalies = Anomaly.objects.restrict(request.user, VIEW).filter(enterprise=org).exclude(
        state=AnomalyState.RESOLVED).select_related("point")[:50]
    status = next(iter(quality.enterprise_statuses(request.user, enterprise=org)), None)

    def row(r):
        return {"day": r["start"].astimezone(LOCAL).strftime("%Y-%m-%d"), "type": r["energy_type"], "unit": r["unit"],
                "value": float(r["consumption"]), "tce": float(r["tce_equivalent"])}

    return render(request, "telemetry/enterprise.html", {
        "org": org, "daily": [row(r) for r in daily], "monthly": monthly, "points": points, "anomalies": anomalies,
        "status": status, "monthly_rows": [{**row(r), "U_tce": 2 * max(r["u_tce_sq"], 0) ** 0.5} for r in monthly],
    })


# --- data quality ----------------------------------------------------------------------------------------

QUALITY_PAGE_SIZE = 100
FIRST_DAY = dt.date(2000, 1, 1)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = ("1", "on", "true", "yes")


def _none_low(value):
    """Sort key: a missing figure (no points, no readings, no monthly total) below every figure."""
    return -1.0 if value is None else value


# ?sort= keys of the data-quality list; a leading "-" sorts descending. Ties are broken by region and name.
QUALITY_SORTS = {
    "enterprise": lambda r: r.enterprise.name,
    "region": lambda r: r.enterprise.region_id,
    "points": lambda r: r.points,
    "completeness": lambda r: _none_low(r.completeness),
    "incomplete": lambda r: r.points_incomplete,
    "misaligned": lambda r: _none_low(r.misaligned_share),
    "deviation": lambda r: _none_low(r.max_deviation),
    "flags": lambda r: len(r.flags),
}


class BadParameter(ValueError):
    """A query parameter of a page that cannot be used, with a message for the user naming it."""


def parse_quality_day(raw: str | None) -> dt.date:
    """The ``day`` parameter of the data-quality page: a local date YYYY-MM-DD, not in the future (today is
    allowed, its figures so far), not before 2000; yesterday when absent or empty."""
    if raw is None or not raw.strip():
        return quality.yesterday()
    raw = raw.strip()
    try:
        if not _DAY.match(raw):
            raise ValueError(raw)
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(_("The parameter “day” must be a date written YYYY-MM-DD, such as %(example)s; "
                             "“%(value)s” is not.") % {"example": quality.yesterday().isoformat(),
                                                       "value": raw[:40]}) from None
    today = timezone.now().astimezone(LOCAL).date()
    if day > today:
        raise BadParameter(_("The parameter “day” is %(day)s, which is in the future: pick a day up to today "
                             "(%(today)s).") % {"day": day.isoformat(), "today": today.isoformat()})
    if day < FIRST_DAY:
        raise BadParameter(_("The parameter “day” is %(day)s: the report starts on %(first)s.")
                           % {"day": day.isoformat(), "first": FIRST_DAY.isoformat()})
    return day


def _quality_enterprise(user, raw: str | None):
    """The ``enterprise`` parameter: None when absent; 404 when not a key enterprise ``user`` may see."""
    if raw is None or not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise BadParameter(_("The parameter “enterprise” must be the number of an enterprise, not “%(value)s”.")
                           % {"value": raw[:40]}) from None
    return get_object_or_404(quality.key_enterprises(user), pk=pk)


def _flag_labels() -> dict[str, str]:
    return {quality.Flag.NO_POINTS: _("no required metering points"),
            quality.Flag.COMPLETENESS: _("completeness under 90 %"),
            quality.Flag.POINTS: _("metering points under 90 %"),
            quality.Flag.MISALIGNED: _("misaligned timestamps"),
            quality.Flag.DAILY_MONTHLY: _("daily sum and monthly total over 5 % apart")}


def _energy_text(check: quality.EnergyCheck) -> str:
    monthly = "—" if check.monthly is None else f"{decimal_text(check.monthly)}"
    return (f"{check.energy_label}: {decimal_text(check.daily_sum)} / {monthly} {check.unit} "
            f"({pct_up(check.deviation):.2f} %)")


def _quality_columns(sort: str, sort_query: str) -> list[dict]:
    """The list's headers, each a link that sorts by it (again: the other way round)."""
    labels = [("enterprise", _("enterprise")), ("region", _("region")), ("points", _("required points")),
              (None, _("readings received / due")), ("completeness", _("completeness")),
              ("incomplete", _("points under 90 %")), ("misaligned", _("misaligned readings")),
              ("deviation", _("daily sum / monthly total")), ("flags", _("flags"))]
    prefix = f"?{sort_query}&" if sort_query else "?"
    return [{"label": label, "key": key,
             "href": None if key is None else f"{prefix}sort={'-' if sort == key else ''}{key}",
             "arrow": "▲" if sort == key else "▼" if key and sort == f"-{key}" else ""} for key, label in labels]


def _sorted_quality(rows: list, sort: str) -> list:
    key = sort.lstrip("-")
    if key not in QUALITY_SORTS:
        return rows  # data_quality's own order: region, then name
    return sorted(rows, key=QUALITY_SORTS[key], reverse=sort.startswith("-"))  # stable: ties keep that order


def _quality_export(report: quality.QualityReport, rows: list, filters: str) -> HttpResponse:
    labels = _flag_labels()
    headers = [_("enterprise"), _("unified social credit code"), _("region"), _("required points"),
               _("readings due"), _("readings received"), _("completeness (%)"), _("points under 90 %"),
               _("misaligned readings"), _("misaligned share (%)"), _("largest daily-vs-monthly deviation (%)"),
               _("daily sum / monthly total"), _("flags")]
    data = workbook_bytes(str(_("Data quality")), headers, (
        [r.enterprise.name, r.enterprise.uscc, str(r.enterprise.region), r.points, r.due, r.received,
         pct_down(r.completeness), r.points_incomplete, r.misaligned, pct_up(r.misaligned_share),
         pct_up(r.max_deviation), "; ".join(_energy_text(e) for e in r.energy),
         "; ".join(str(labels[f]) for f in r.flags)] for r in rows),
        about=_about(_("data quality of key energy-consuming enterprises"),
                     (_("local day"), f"{report.day:%Y-%m-%d}"),
                     (_("daily sums compared with the month from"), f"{report.month_start:%Y-%m-%d}"),
                     (_("filters"), unquote_plus(filters) or _("none")),
                     (_("thresholds"), _("completeness ≥ 90 %%; daily sum vs monthly total ≤ 5 %%; timestamps "
                                         "within %(s)d s of the collection grid")
                      % {"s": settings.JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S})))
    return _xlsx(data, f"data-quality-{report.day:%Y-%m-%d}")


def _points_export(org, day: dt.date, points: list[quality.PointQuality]) -> HttpResponse:
    headers = [_("code"), _("name"), _("energy type"), _("collection interval (s)"), _("readings due"),
               _("readings received"), _("completeness (%)"), _("misaligned readings"), _("flagged")]
    data = workbook_bytes(str(_("Data quality")), headers, (
        [p.code, p.name, p.energy_label, p.interval, p.due, p.received,
         pct_down(p.completeness), p.misaligned, p.flagged] for p in points),
        about=_about(_("data quality of the required metering points of %(org)s (%(uscc)s)")
                     % {"org": org.name, "uscc": org.uscc}, (_("local day"), f"{day:%Y-%m-%d}")))
    return _xlsx(data, f"data-quality-{org.uscc}-{day:%Y-%m-%d}")


@login_required
def data_quality(request):
    """Data quality of the key energy-consuming enterprises on one local day (``?day=YYYY-MM-DD``, default
    yesterday), as the national online monitoring system defines it (:func:`quality.data_quality`): the list,
    sortable (``?sort=``) and narrowed to the flagged ones (``?flagged=1``), or one enterprise's points
    (``?enterprise=<id>``); ``?export=xlsx`` exports the table shown. Bad parameters give the page with the
    message and status 400."""
    user, params = request.user, request.GET
    today = timezone.now().astimezone(LOCAL).date()
    ctx = {"today": today, "first_day": FIRST_DAY, "flag_labels": _flag_labels(),
           "tolerance": settings.JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S, "sort": params.get("sort", ""),
           "flagged_only": params.get("flagged", "").lower() in _TRUE}
    try:
        day = parse_quality_day(params.get("day"))
        org = _quality_enterprise(user, params.get("enterprise"))
    except BadParameter as exc:
        ctx.update(error=str(exc), day=None, raw_day=params.get("day", ""))
        return render(request, "telemetry/quality.html", ctx, status=400)
    query = params.copy()
    for name in ("page", "export"):
        query.pop(name, None)
    export = query.copy()
    export["export"] = "xlsx"
    ctx.update(day=day, export_query=export.urlencode())
    if org is not None:
        points = quality.point_quality(user, org, day)
        if params.get("export") == "xlsx":
            return _points_export(org, day, points)
        report = quality.data_quality(user, day, enterprise=org)
        summary = next(iter(report.enterprises), None)
        ctx.update(org=org, report=report, summary=summary, points=points,
                   summary_flags=[(f, ctx["flag_labels"][f]) for f in (summary.flags if summary else [])])
        return render(request, "telemetry/quality.html", ctx)
    report = quality.data_quality(user, day)
    rows = [r for r in report.enterprises if r.flagged] if ctx["flagged_only"] else report.enterprises
    rows = _sorted_quality(rows, ctx["sort"])
    if params.get("export") == "xlsx":
        return _quality_export(report, rows, query.urlencode())
    sort_query = query.copy()
    sort_query.pop("sort", None)
    page = Paginator(rows, QUALITY_PAGE_SIZE).get_page(params.get("page"))
    everyone = report.enterprises
    ctx.update(report=report, page=page, query=query.urlencode(),
               columns=_quality_columns(ctx["sort"], sort_query.urlencode()),
               rows=[(r, [(f, ctx["flag_labels"][f]) for f in r.flags]) for r in page.object_list],
               total=len(everyone), flagged_count=len(report.flagged),
               overall=quality.EnterpriseQuality(None, sum(r.points for r in everyone), sum(r.due for r in everyone),
                                                 sum(r.received for r in everyone),
                                                 sum(r.counted for r in everyone),
                                                 sum(r.misaligned for r in everyone)))
    return render(request, "telemetry/quality.html", ctx)


def gb17167_report(user, org, edition_name: str | None = None) -> gb17167.Report:
    """The GB 17167 check of an enterprise's points as ``user`` sees them."""
    path = getattr(settings, "JILIANG_GB17167_DATA", "") or None
    points = MeteringPoint.objects.restrict(user, VIEW).filter(enterprise=org).select_related("meter")
    facts = [gb17167.PointFacts(p.code, p.energy_type, p.role, p.effective_accuracy_class, p.active) for p in points]
    return gb17167.check(facts, data=gb17167.load(path), edition_name=edition_name)


@login_required
def enterprise_gb17167(request, pk):
    org = get_object_or_404(quality.key_enterprises(request.user), pk=pk)
    data = gb17167.load(getattr(settings, "JILIANG_GB17167_DATA", "") or None)
    names = [e["edition"] for e in gb17167.editions(data)]
    wanted = request.GET.get("edition")
    report = gb17167_report(request.user, org, wanted if wanted in names else None)
    labels = {gb17167.Gap.MISSING_IN: _("no enterprise energy-in point"),
              gb17167.Gap.MISSING_OUT: _("no enterprise energy-out point"),
              gb17167.Gap.ACCURACY: _("accuracy class worse than required"),
              gb17167.Gap.ACCURACY_UNKNOWN: _("accuracy class unknown")}
    energy = dict(EnergyType.choices)
    gaps = [{"kind": labels[g.kind], "energy": energy.get(g.energy_type, g.energy_type), "point": g.point,
             "required": g.required if g.kind.startswith("accuracy") else PointRole(g.required).label,
             "actual": g.actual, "rule": g.rule, "conf": g.conf, "source": g.source} for g in report.gaps]
    return render(request, "telemetry/gb17167.html", {
        "org": org, "report": report, "gaps": gaps, "editions": gb17167.editions(data),
        "checked": len(report.checked), "status": in_language(report.texts, "status"),
        "note": in_language(report.texts, "note"),
    })


@login_required
@require_POST
def anomaly_state(request, pk):
    anomaly = get_object_or_404(Anomaly.objects.restrict(request.user, VIEW), pk=pk)
    try:
        services.move_anomaly(anomaly, request.POST.get("state", ""), actor=request.user,
                              note=request.POST.get("note", ""))
        messages.success(request, _("The anomaly is now %(state)s.") % {"state": AnomalyState(request.POST["state"]).label})
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("anomalies-detail", pk=anomaly.pk)


# --- KPI 9: coverage of the listed enterprises by month -----------------------------------------------------

_MONTH = re.compile(r"^\d{4}-\d{2}$")


def parse_coverage_month(raw: str | None) -> dt.date:
    """The ``month`` parameter of the coverage page: YYYY-MM, from 2000-01 to the current month; the current
    month when absent or empty."""
    this_month = timezone.now().astimezone(LOCAL).date().replace(day=1)
    if raw is None or not raw.strip():
        return this_month
    raw = raw.strip()
    try:
        if not _MONTH.match(raw):
            raise ValueError(raw)
        month = dt.date.fromisoformat(raw + "-01")
    except ValueError:
        raise BadParameter(_("The parameter “month” must be a month written YYYY-MM, such as %(example)s; "
                             "“%(value)s” is not.") % {"example": this_month.strftime("%Y-%m"),
                                                       "value": raw[:40]}) from None
    if month > this_month:
        raise BadParameter(_("The parameter “month” is %(month)s, which is in the future: pick a month up to "
                             "%(this)s.") % {"month": raw, "this": this_month.strftime("%Y-%m")})
    if month < FIRST_DAY:
        raise BadParameter(_("The parameter “month” is %(month)s: the report starts in %(first)s.")
                           % {"month": raw, "first": FIRST_DAY.strftime("%Y-%m")})
    return month


def _coverage_export(report: quality.Coverage) -> HttpResponse:
    headers = [_("enterprise"), _("unified social credit code"), _("region"), _("readings received"),
               _("readings due"), _("completeness (%)"), _("covered (completeness ≥ 90 %)")]
    yes, no = _("yes"), _("no")
    rows = ([e.enterprise.name, e.enterprise.uscc, str(e.enterprise.region), e.received, e.due,
             None if e.completeness is None else round(100 * e.completeness, 1), yes if e.covered else no]
            for e in report.enterprises)
    month = report.month.strftime("%Y-%m")
    note = _("KPI 9 coverage for %(month)s, until %(until)s (Asia/Shanghai): listed key energy-consuming "
             "enterprises whose data were collected online with completeness of at least 90 %% ÷ listed "
             "enterprises. Exported %(stamp)s.") % {
        "month": month, "until": report.until.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M"), "stamp": _stamp()}
    return _xlsx(workbook_bytes(str(_("KPI 9 coverage")), headers, rows, note=note), f"kpi9-coverage-{month}")


@login_required
def coverage(request):
    """KPI 9 as the plan means it (专栏1 indicator 9), by month and region, with the enterprises behind it."""
    try:
        month = parse_coverage_month(request.GET.get("month"))
    except BadParameter as exc:
        return render(request, "telemetry/coverage.html", {"error": str(exc),
                                                            "raw_month": request.GET.get("month", "")[:40]},
                      status=400)
    report = quality.coverage(request.user, month)
    if request.GET.get("export") == "xlsx":
        return _coverage_export(report)
    trend = quality.coverage_trend(request.user)
    uncovered = sorted((e for e in report.enterprises if not e.covered),
                       key=lambda e: (e.completeness is not None, e.completeness or 0, e.enterprise.name))
    return render(request, "telemetry/coverage.html", {
        "report": report, "month": month, "raw_month": month.strftime("%Y-%m"), "scope": scope_name(request.user),
        "uncovered": uncovered[:OFFLINE_SHOWN], "uncovered_count": len(uncovered),
        "trend": {"months": [m.strftime("%Y-%m") for m, _r in trend],
                  "rates": [None if r is None else round(100 * r, 1) for _m, r in trend]},
    })
