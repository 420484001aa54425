"""Pages of the plan's indicators (issue 17): the live page (/kpi/), an indicator (/kpi/indicators/<pk>/) with its
drill-down, entered values and targets, the city scorecards of §二十四 (/kpi/scorecards/), the issued documents
(/kpi/documents/) and the plans (/kpi/plans/). Who reads and writes what is kpi/access.py; every value comes from
kpi/values.py (live) or the snapshots (services.readings_at), every change from kpi/services.py."""

from __future__ import annotations

import datetime as dt
import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from jiliang.core.extending import indicator_sources
from jiliang.core.filters import id_or_404
from jiliang.core.formatting import display
from jiliang.core.models import Region
from jiliang.core.scoping import VIEW

from . import access, pages, scores, services, values
from . import status as st
from .forms import DocumentForm, EnterValueForm, PlanUploadForm, TargetForm
from .models import DocumentKind, EnteredValue, Indicator, Plan, PlanDocument, SourceKind

DRILL_PAGE_ROWS = 500
DRILL_EXPORT_ROWS = 100_000


def bad(request, exc) -> object:
    return render(request, "kpi/bad_request.html", {"message": str(exc)}, status=400)


def region_param(request, default: str, *, public_only: bool = False) -> str:
    """``region=<GB/T 2260 code>``: a current region (else 404) the reader may see (else 403)."""
    code = request.GET.get("region") or default
    if not (code.isascii() and code.isdigit() and len(code) <= 12):
        raise Http404(_("region: no region has the code %(c)s.") % {"c": code[:20]})
    if not Region.objects.filter(code=code).exists():
        raise Http404(_("region: no region has the code %(c)s.") % {"c": code})
    access.check_region(request.user, code, public_only=public_only)
    return code


def _root(user, plan: Plan) -> str:
    root = plan.region_id if access.is_province(user) else access.root_of(user)
    if not root:
        raise PermissionDenied(_("Your account has no region."))
    return root


def _query(request, **drop) -> str:
    q = request.GET.copy()
    for k in ("export", *drop):
        q.pop(k, None)
    return q.urlencode()


@login_required
def live_page(request):
    """Every indicator of the plan for the reader's region on a date, the city table (province) and the chart."""
    user = request.user
    access.check_read(user)
    try:
        day = pages.parse_day(request.GET.get("on"))
        plan = pages.choose_plan(request.GET.get("plan"), day)
    except pages.BadParameter as exc:
        return bad(request, exc)
    ctx = {"plan": plan, "on": day, "plans": Plan.objects.all(), "rule": pages.status_rule()}
    if plan is None:
        return render(request, "kpi/live.html", ctx)
    root = _root(user, plan)
    indicators = list(plan.indicators.select_related("plan"))
    readings = values.live(indicators, [root], day)
    keys = [(i.code, root) for i in indicators]
    if root != plan.region_id:  # a city or county: the province's public figures beside its own
        public = [i for i in indicators if i.public]
        readings.update(values.live(public, [plan.region_id], day))
        keys += [(i.code, plan.region_id) for i in public]
    assessed = [i for i in indicators if i.city_assessment]
    cities = values.plan_regions(plan)[1:] if access.is_province(user) else []
    city_readings = values.live(assessed, cities, day) if cities else {}
    names = pages.region_names({root, plan.region_id, *cities})
    spark = pages.sparklines(plan, list({r for _c, r in keys}), day)
    rows = []
    for key in keys:
        x = pages.row(readings[key], names)
        x["spark"] = spark.get((x["pk"], x["region"]), [])
        rows.append(x)
    city_rows = [{"code": c, "name": names.get(c, c),
                  "cells": [pages.row(city_readings[(i.code, c)], names) for i in assessed]} for c in cities]
    if request.GET.get("export") == "xlsx":
        sheets = [(_("Indicators"), pages.reading_headers(), [pages.reading_cells(x) for x in rows])]
        if city_rows:
            sheets.append((_("Cities"), pages.reading_headers(),
                           [pages.reading_cells(x) for c in city_rows for x in c["cells"]]))
        return pages.xlsx(f"kpi-{plan.code}-{root}-{day:%Y%m%d}.xlsx", sheets, [
            (_("export of"), _("Plan indicators, live")), (_("plan"), str(plan)),
            (_("region"), names.get(root, root)), (_("date"), day.isoformat()), (_("status rule"), pages.status_rule())])
    ctx.update({
        "root": root, "root_name": names.get(root, root), "rows": rows, "assessed": assessed, "city_rows": city_rows,
        "query": _query(request), "chart": [{"label": x["code"], "name": x["name"], "pct": x["pct"],
                                             "region": x["region_name"]} for x in rows if x["region"] == root],
        "sparks": {f"{x['pk']}-{x['region']}": x["spark"] for x in rows},
    })
    return render(request, "kpi/live.html", ctx)


def _indicator(pk) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("plan__region"), pk=id_or_404(str(pk)))


def _enter_regions(user, plan: Plan) -> list[tuple[str, str]]:
    codes = [c for c in values.plan_regions(plan) if access.may_enter(user, c)]
    if not codes and user.region_id and access.may_enter(user, user.region_id):
        codes = [user.region_id]
    names = pages.region_names(codes)
    return [(c, names.get(c, c)) for c in codes]


def _post_forms(request, ind: Indicator, enter: EnterValueForm | None, target: TargetForm | None):
    """Runs the posted action; returns a redirect on success, None when the form shows its errors."""
    action = request.POST.get("action")
    user = request.user
    if action == "enter" and enter is not None:
        return _submit(request, ind, enter, _("Value entered."), lambda d: services.enter_value(
            ind, region=d["region"], on=d["on"], value=d["value"], document_number=d["document_number"],
            document_date=d["document_date"], attachment=d["attachment"], note=d["note"], actor=user))
    if action == "target" and target is not None:
        return _submit(request, ind, target, _("Target saved."), lambda d: services.set_target(
            ind, region=d["region"], year=d["year"], value=d["value"] or "", baseline=d["baseline"] or None,
            baseline_on=d["baseline_on"], actor=user))
    raise PermissionDenied(_("You may not do this here."))


def _submit(request, ind: Indicator, form, done: str, act):
    """``act(cleaned_data)`` for a valid form, then back to the indicator's page for the form's region; None when
    the form (or the service, by its ValidationError) has errors to show."""
    if not form.is_valid():
        return None
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        form.put_errors(exc)
        return None
    messages.success(request, done)
    return redirect(f"{reverse('kpi:indicator', args=[ind.pk])}?region={form.cleaned_data['region']}")


@login_required
def indicator_page(request, pk):
    """One indicator: definition, source, targets, value, trend, city table, entered values and the forms."""
    user = request.user
    access.check_read(user)
    ind = _indicator(pk)
    plan = ind.plan
    region = region_param(request, _root(user, plan), public_only=ind.public)
    try:
        day = pages.parse_day(request.GET.get("on"))
    except pages.BadParameter as exc:
        return bad(request, exc)
    entered = ind.source_kind == SourceKind.ENTERED
    enter_regions = _enter_regions(user, plan) if entered else []
    province = access.is_province(user)
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    enter = EnterValueForm(data, files, regions=enter_regions, initial={"region": region}) if enter_regions else None
    target_regions = [(c, n) for c, n in pages.region_names(values.plan_regions(plan)).items()] if province else []
    target = TargetForm(data, regions=sorted(target_regions), initial={"region": region}) if province else None
    if request.method == "POST":
        done = _post_forms(request, ind, enter, target)
        if done is not None:
            return done
    cities = [c for c in values.plan_regions(plan)[1:] if access.may_see(user, c)]
    readings = values.live([ind], [region, *cities], day)
    names = pages.region_names({region, *cities, plan.region_id})
    reading = pages.row(readings[(ind.code, region)], names)
    city_rows = [pages.row(readings[(ind.code, c)], names) for c in cities]
    at_least = ind.direction == "at_least"
    city_rows.sort(key=lambda x: (x["value"] is None, -(x["value"] or 0) if at_least else (x["value"] or 0),
                                  x["region"]))
    history = [h for h in values.history(ind, region) if h.on <= day]
    live_point = readings[(ind.code, region)]
    trend = [{"on": h.on.isoformat(), "value": None if h.value is None else float(h.value),
              "target": None if h.target is None else float(h.target),
              "expected": None if h.expected is None else float(h.expected)}
             for h in [*history, *([] if history and history[-1].on == day else [live_point])]]
    targets = (ind.targets.filter(region_id__in=[c for c in values.plan_regions(plan) if access.may_see(
        user, c, public_only=ind.public)]).select_related("region").order_by("region_id", "year"))
    src = indicator_sources().get(ind.source_key)
    status = 400 if request.method == "POST" else 200
    return render(request, "kpi/indicator.html", {
        "ind": ind, "plan": plan, "region": region, "region_name": names.get(region, region), "on": day,
        "reading": reading, "city_rows": city_rows, "trend": trend, "targets": targets, "entered": entered,
        "source": pages.source_text(ind), "source_kind": src.kind if src else "",
        "drillable": entered or (src is not None and src.drill is not None), "unit": pages.unit_label(ind.unit),
        "params": sorted(ind.params.items()),
        "entered_values": (EnteredValue.objects.restrict(user, VIEW).filter(indicator=ind)
                           .select_related("region", "entered_by")[:200]),
        "enter_form": enter, "target_form": target, "labels": {
            "value": _("value"), "target": pgettext("kpi", "target"), "expected": _("expected on the straight line")}},
        status=status)


@login_required
def evidence(request, pk):
    """The attachment of an entered value, for readers of its region only."""
    access.check_read(request.user)
    ev = get_object_or_404(EnteredValue.objects.restrict(request.user, VIEW), pk=id_or_404(str(pk)))
    access.check_region(request.user, ev.region_id)
    if not ev.attachment:
        raise Http404(_("This value has no attachment."))
    return FileResponse(ev.attachment.open("rb"), as_attachment=True, filename=os.path.basename(ev.attachment.name))


@login_required
def drill_page(request, pk):
    """The records behind a computed value (the source's Drill), or the entered values of an entered indicator."""
    user = request.user
    access.check_read(user)
    ind = _indicator(pk)
    region = region_param(request, _root(user, ind.plan), public_only=ind.public)
    try:
        day = pages.parse_day(request.GET.get("on"))
    except pages.BadParameter as exc:
        return bad(request, exc)
    names = pages.region_names([region])
    export = request.GET.get("export") == "xlsx"
    if ind.source_kind == SourceKind.ENTERED:
        evs = list(EnteredValue.objects.filter(indicator=ind, region_id=region, on__lte=day)
                   .select_related("entered_by")[:DRILL_EXPORT_ROWS])
        headers = (_("as of"), _("value"), _("evidence document number"), _("evidence document date"), _("note"),
                   _("entered by"))
        rows = [(e.on, e.value, e.document_number, e.document_date, e.note, str(e.entered_by)) for e in evs]
        total, error = len(rows), ""
    else:
        src = indicator_sources().get(ind.source_key)
        if src is None or src.drill is None:
            raise Http404(_("The source of this indicator lists no records."))
        try:
            drill = src.drill(region, day, ind.plan.starts_on, DRILL_EXPORT_ROWS if export else DRILL_PAGE_ROWS,
                              **ind.params)
            headers, rows, total, error = drill.headers, drill.rows, drill.total, ""
        except Exception as exc:  # shown as failed with its reason, as the value is
            headers, rows, total, error = (), [], 0, f"{type(exc).__name__}: {exc}"
    if export and not error:
        return pages.xlsx(f"kpi-{ind.code}-{region}-{day:%Y%m%d}.xlsx",
                          [(ind.code, [str(h) for h in headers], rows)],
                          [(_("export of"), f"{ind.code} {ind.display_name}"), (_("region"), names.get(region, region)),
                           (_("date"), day.isoformat()), (_("records counted"), str(total))])
    return render(request, "kpi/drill.html", {
        "ind": ind, "region": region, "region_name": names.get(region, region), "on": day, "headers": headers,
        "rows": [[display(v) for v in r] for r in rows[:DRILL_PAGE_ROWS]], "total": total, "error": error, "query": _query(request),
        "shown": min(len(rows), DRILL_PAGE_ROWS), "entered": ind.source_kind == SourceKind.ENTERED})


def _scorecard_rows(plan: Plan, year: int, cities: list[str], today: dt.date):
    """Scores of the cities for ``year`` (scores.py's rule): the snapshots of Dec 31 for a past year, live readings
    for the current one."""
    assessed = list(plan.indicators.filter(city_assessment=True).select_related("plan"))
    if year < today.year:
        day = dt.date(year, 12, 31)
        readings = services.readings_at(plan, day, cities)
    else:
        day = today
        readings = values.live(assessed, cities, day)
    out = []
    for c in cities:
        entries = [scores.Entry(i.code, readings[(i.code, c)].value, readings[(i.code, c)].target,
                                i.direction == "at_least", readings[(i.code, c)].status == st.FAILED)
                   for i in assessed if (i.code, c) in readings]
        out.append(scores.score_city(c, entries))
    return assessed, readings, scores.rank(out), day


@login_required
def scorecards_page(request):
    """§二十四: the indicators in city government assessment, per city and year, scored and ranked."""
    user = request.user
    access.check_read(user)
    today = timezone.localdate()
    try:
        plan = pages.choose_plan(request.GET.get("plan"), today)
    except pages.BadParameter as exc:
        return bad(request, exc)
    if plan is None:
        return render(request, "kpi/scorecards.html", {"plan": None})
    # The plan's years, and the years after it until today: its end targets stay the measure (status.goal_for)
    # until the bureau loads the next plan.
    years = list(range(plan.starts_on.year, today.year + 1))
    raw = request.GET.get("year") or str(years[-1] if years else today.year)
    if not (raw.isascii() and raw.isdigit() and int(raw) in years):
        return bad(request, _("year: give a year from the plan's start to this year (%(a)s–%(b)s), not “%(v)s”.")
                   % {"a": years[0] if years else "", "b": years[-1] if years else "", "v": raw[:20]})
    year = int(raw)
    cities = values.plan_regions(plan)[1:]
    assessed, readings, ranked, day = _scorecard_rows(plan, year, cities, today)
    names = pages.region_names(cities)
    visible = [s for s in ranked if access.may_see(user, s.region)]
    labels = dict(scores_labels())
    rows = [{"region": s.region, "name": names.get(s.region, s.region), "rank": s.rank, "score": s.score,
             "score_text": pages.fmt(s.score), "cells": [pages.row(readings[(i.code, s.region)], names)
                                                        for i in assessed if (i.code, s.region) in readings],
             "missing": [f"{code} ({labels.get(why, why)})" for code, why in s.missing]} for s in visible]
    if request.GET.get("export") == "xlsx":
        headers = [_("rank"), _("city"), _("score"), *[f"{i.code} {i.display_name}" for i in assessed],
                   _("incomplete: indicators without a score")]
        sheet = [[r["rank"], r["name"], r["score"], *[c["value"] for c in r["cells"]], "; ".join(r["missing"])]
                 for r in rows]
        return pages.xlsx(f"kpi-scorecards-{plan.code}-{year}.xlsx", [(_("Scorecards"), headers, sheet)], [
            (_("export of"), _("City scorecards")), (_("plan"), str(plan)), (_("year"), str(year)),
            (_("date"), day.isoformat()), (_("scoring rule"), scoring_rule())])
    return render(request, "kpi/scorecards.html", {
        "plan": plan, "plans": Plan.objects.all(), "year": year, "years": years, "day": day, "assessed": assessed,
        "rows": rows, "rule": scoring_rule(), "past": year < today.year, "query": _query(request),
        "hidden": len(ranked) - len(visible), "total": len(ranked)})


def scores_labels():
    return ((scores.NO_VALUE, _("no value")), (scores.FAILED, _("failed")), (scores.NO_TARGET, _("no target")))


def scoring_rule() -> str:
    return _("A city's score is the mean, over the indicators in city assessment, of its achievement capped at 1, "
             "times 100: achievement = value / target for an indicator of “at least”, target / value for one of "
             "“at most”. A city with an assessed indicator that has no value, no target or whose computation failed "
             "gets no score: it is marked incomplete and is not ranked. Equal scores share a rank. The plan gives no "
             "scoring method; this is jiliang's rule.")


def _documents(request):
    qs = PlanDocument.objects.restrict(request.user, VIEW).select_related("region")
    kind, year = request.GET.get("kind") or "", request.GET.get("year") or ""
    errors = []
    if kind:
        if kind in DocumentKind.values:
            qs = qs.filter(kind=kind)
        else:
            errors.append(_("kind: choose one of the listed kinds, not “%(v)s”.") % {"v": kind[:40]})
    if year:
        if year.isascii() and year.isdigit() and 1900 <= int(year) <= 2100:
            qs = qs.filter(issued_on__year=int(year))
        else:
            errors.append(_("year: give a year such as 2016, not “%(v)s”.") % {"v": year[:20]})
            qs = qs.none()
    return qs, kind, year, errors


@login_required
def documents_page(request):
    """The issued regulations, measures, normative documents and technical specifications (indicator 1)."""
    access.check_read(request.user)
    qs, kind, year, errors = _documents(request)
    if request.GET.get("export") == "xlsx" and not errors:
        headers = [_("document number"), _("title"), _("kind"), _("issuer"), pgettext("kpi", "issued on"), _("revision"),
                   _("region")]
        rows = [[d.number, d.title, d.get_kind_display(), d.issuer, d.issued_on, d.revision, d.region.display_name]
                for d in qs]
        return pages.xlsx("kpi-documents.xlsx", [(_("Issued documents"), headers, rows)], [
            (_("export of"), _("Issued documents")), (_("kind"), kind or "—"), (_("year"), year or "—")])
    return render(request, "kpi/documents.html", {
        "documents": qs[:1000], "count": qs.count(), "kinds": DocumentKind.choices, "kind": kind, "year": year,
        "errors": errors, "query": _query(request), "can_add": access.is_province(request.user)},
        status=400 if errors else 200)


@login_required
def document_add(request):
    access.check_province(request.user)
    regions = [(r.code, r.display_name) for r in Region.objects.filter(is_current=True, level__in=("province",
                                                                                                     "prefecture"))
               .order_by("code")]
    form = DocumentForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.add_document(number=d["number"], title=d["title"], kind=d["kind"], issuer=d["issuer"],
                                  issued_on=d["issued_on"], region=d["region"], revision=d["revision"],
                                  file=d["file"], actor=request.user)
        except ValidationError as exc:
            form.put_errors(exc)
        else:
            messages.success(request, _("Document registered."))
            return redirect("kpi:documents")
    return render(request, "supervision/form.html", {
        "form": form, "title": _("Register an issued document"), "back": reverse("kpi:documents"),
        "back_label": _("Issued documents"), "submit": _("Save"), "multipart": True},
        status=400 if request.method == "POST" else 200)


@login_required
def plans_page(request):
    access.check_read(request.user)
    return render(request, "kpi/plans.html", {"plans": Plan.objects.select_related("region"),
                                              "can_upload": access.is_province(request.user)})


@login_required
def plan_page(request, code):
    access.check_read(request.user)
    plan = get_object_or_404(Plan.objects.select_related("region"), code=code[:60])
    root = _root(request.user, plan)
    seen = [c for c in values.plan_regions(plan) if access.may_see(request.user, c, public_only=True)]
    if root not in seen:
        seen.append(root)
    indicators = list(plan.indicators.prefetch_related("targets__region"))
    rows = [{"ind": i, "unit": pages.unit_label(i.unit), "source": pages.source_text(i),
             "targets": [t for t in i.targets.all() if t.region_id in seen and (
                 i.public or access.may_see(request.user, t.region_id))]} for i in indicators]
    return render(request, "kpi/plan.html", {"plan": plan, "rows": rows})


@login_required
def plan_upload(request):
    access.check_province(request.user)
    form = PlanUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.load_plan(form.cleaned_data["file"].read(), actor=request.user)
        except ValidationError as exc:
            problems = exc.messages
        else:
            messages.success(request, _("Plan loaded."))
            return redirect("kpi:plan", code=plan.code)
    return render(request, "kpi/plan_upload.html", {"form": form, "problems": problems},
                  status=400 if request.method == "POST" else 200)


urlpatterns = [
    path("", live_page, name="live"),
    path("indicators/<str:pk>/", indicator_page, name="indicator"),
    path("indicators/<str:pk>/drill/", drill_page, name="drill"),
    path("evidence/<str:pk>/", evidence, name="evidence"),
    path("scorecards/", scorecards_page, name="scorecards"),
    path("documents/", documents_page, name="documents"),
    path("documents/add/", document_add, name="document-add"),
    path("plans/", plans_page, name="plans"),
    path("plans/upload/", plan_upload, name="plan-upload"),
    path("plans/<slug:code>/", plan_page, name="plan"),
]
