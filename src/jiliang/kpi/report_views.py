"""Pages of the evaluation reports: /kpi/reports/ (the reports of the reader's region and the form to start one),
/kpi/reports/<id>/ (progress and downloads), publishing (the provincial bureau), and /kpi/public/ where anyone
downloads the published public reports. Every report is read through ``restrict()`` (its region)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.audit import audit_context
from jiliang.core.filters import id_or_404
from jiliang.core.models import Region
from jiliang.core.scoping import VIEW

from . import access, reports, values
from .models import EvaluationReport, Plan, ReportKind

PAGE = 100
FILES = {"pdf": "application/pdf",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _audited(request):
    return audit_context(actor=request.user, channel="web", remote_addr=request.META.get("REMOTE_ADDR"))


def _report(request, pk) -> EvaluationReport:
    return get_object_or_404(EvaluationReport.objects.restrict(request.user, VIEW)
                             .select_related("plan", "region", "job", "requested_by"), pk=id_or_404(str(pk)))


def _form_context(request, errors=None, posted=None):
    plans = list(Plan.objects.all())
    if access.is_province(request.user):
        regions = list(Region.objects.filter(code__in=sorted({c for p in plans for c in
                                                              values.plan_regions(p)})))
    else:
        regions = list(Region.objects.filter(code=access.root_of(request.user)))
    return {"plans": plans, "kinds": ReportKind.choices, "regions": regions, "errors": errors or {},
            "values": posted or {}, "general_errors": (errors or {}).get("__all__", []),
            "is_province": access.is_province(request.user)}


@login_required
def report_list(request):
    access.check_read(request.user)
    errors, posted = {}, {}
    if request.method == "POST":
        posted = request.POST
        plan = Plan.objects.filter(code=request.POST.get("plan", "")).first()
        on = None
        if plan is None:
            errors["plan"] = [_("Choose a plan.")]
        raw_on = request.POST.get("on", "").strip()
        if raw_on:
            try:
                on = dt.date.fromisoformat(raw_on)
            except ValueError:
                errors["on"] = [_("Give the date as YYYY-MM-DD, not %(v)s.") % {"v": raw_on}]
        if not errors:
            try:
                with _audited(request):
                    report = reports.start_report(request.user, plan, on=on, kind=request.POST.get("kind", ""),
                                                  public=request.POST.get("public") == "1",
                                                  region=request.POST.get("region") or None)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                return redirect("kpi:report", pk=report.pk)
    rows = list(EvaluationReport.objects.restrict(request.user, VIEW)
                .select_related("plan", "region", "job", "requested_by")[:PAGE])
    context = {"reports": rows, **_form_context(request, errors, posted)}
    return render(request, "kpi/reports.html", context, status=400 if errors else 200)


@login_required
def report_detail(request, pk):
    access.check_read(request.user)
    report = _report(request, pk)
    template = "kpi/htmx/report_progress.html" if request.htmx else "kpi/report_detail.html"
    return render(request, template, {"report": report, "job": report.job,
                                      "may_publish": access.is_province(request.user) and report.public
                                      and not report.published_on and bool(report.pdf)})


@login_required
def report_file(request, pk, fmt):
    access.check_read(request.user)
    return _serve(_report(request, pk), fmt)


def _serve(report: EvaluationReport, fmt: str):
    if fmt not in FILES:
        raise Http404
    stored = getattr(report, fmt)
    if not stored:
        raise Http404
    return FileResponse(stored.open("rb"), content_type=FILES[fmt], as_attachment=True,
                        filename=reports.file_name(report, fmt))


@login_required
@require_POST
def report_publish(request, pk):
    access.check_read(request.user)
    report = _report(request, pk)
    try:
        with _audited(request):
            reports.publish(report, actor=request.user)
        messages.success(request, _("The report is published on the portal."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return render(request, "kpi/report_detail.html", {"report": report, "job": report.job}, status=403)
    return redirect("kpi:report", pk=report.pk)


def public_list(request):
    return render(request, "kpi/public_reports.html", {"reports": list(reports.published()[:PAGE])})


def public_file(request, pk, fmt):
    return _serve(get_object_or_404(reports.published(), pk=id_or_404(str(pk))), fmt)
