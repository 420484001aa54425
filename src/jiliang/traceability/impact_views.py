"""Pages of reverse traceability and early warnings under /traceability/: the cases (list, Excel), a case (the
affected tree drawn, the table with the institute's decisions, the report as a job), opening a case from a
standard's page, and the list of standards lapsing soon (Excel)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.export import workbook_bytes
from jiliang.core.scoping import VIEW
from jiliang.registry.models import MeasurementStandard

from . import impact, impact_report, lapsing
from .models import AffectedRecord, Decision, ImpactCase, ImpactStatus, NodeKind

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 100
TREE_STANDARDS = 300  # standards drawn in the tree (instruments are drawn as one count per standard)


def _xlsx(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def case_list(request):
    qs = ImpactCase.objects.restrict(request.user, VIEW).select_related("standard", "certificate", "organisation")
    status = request.GET.get("status")
    if status in ImpactStatus.values:
        qs = qs.filter(status=status)
    if request.GET.get("export") == "xlsx":
        return _xlsx(workbook_bytes(_("Reverse-traceability cases"), [
            _("case"), _("trigger"), _("source"), _("institute"), _("found on"), _("last good calibration on"),
            _("status"), _("certificates affected"), _("instruments affected"), _("standards affected")],
            [(c.pk, c.get_trigger_display(), str(c.standard or c.certificate), c.organisation.name, c.found_on,
              c.last_good_on, c.get_status_display(), c.affected_certificates, c.affected_instruments,
              c.affected_standards) for c in qs], about=[(_("status"), status or _("all"))]), "impact-cases.xlsx")
    return render(request, "traceability/impact_list.html", {
        "cases": qs[:500], "status": status, "statuses": ImpactStatus.choices, "query": request.GET.urlencode()})


def _case(request, pk) -> ImpactCase:
    case = (ImpactCase.objects.restrict(request.user, VIEW).select_related("standard__institute", "certificate",
                                                                            "organisation", "opened_by")
            .filter(pk=pk).first())
    if case is None:
        raise Http404
    return case


def tree(user, case: ImpactCase) -> dict:
    """The affected tree for ECharts: the source, the standards reached (by the link that reached them first) and
    under each standard the count of instruments it reached, as far as the user may see."""
    seen = AffectedRecord.objects.restrict(user, VIEW).filter(case=case)
    root_id = case.standard_id
    nodes: dict[int | None, dict] = {root_id: {"name": str(case.standard or case.certificate), "children": []}}
    stds = list(seen.filter(node_kind=NodeKind.STANDARD).order_by("depth", "on", "id")
                .values_list("node_id", "parent_standard")[:TREE_STANDARDS])
    names = dict(MeasurementStandard.objects.filter(pk__in=[s for s, _p in stds]).values_list("pk", "name"))
    for node_id, _parent in stds:
        nodes.setdefault(node_id, {"name": names.get(node_id, str(node_id)), "children": []})
    attached = {root_id}
    for node_id, parent in stds:  # by depth: each standard under the standard that reached it first
        if node_id not in attached:
            attached.add(node_id)
            nodes.get(parent, nodes[root_id])["children"].append(nodes[node_id])
    counts = (seen.filter(node_kind__in=[NodeKind.INSTRUMENT, NodeKind.REFERENCE_MATERIAL])
              .values("parent_standard").annotate(n=Count("id")).order_by())
    for row in counts:
        parent = nodes.get(row["parent_standard"])
        if parent is not None:
            parent["children"].append({"name": _("%(n)d instruments") % {"n": row["n"]}, "value": row["n"]})
    return nodes[root_id]


@login_required
def case_detail(request, pk):
    case = _case(request, pk)
    qs = AffectedRecord.objects.restrict(request.user, VIEW).filter(case=case).select_related("owner")
    decision, depth = request.GET.get("decision"), request.GET.get("depth")
    if decision in Decision.values:
        qs = qs.filter(decision=decision)
    if depth and depth.isdigit():
        qs = qs.filter(depth=int(depth))
    page = Paginator(qs.order_by("depth", "on", "id"), PAGE).get_page(request.GET.get("page"))
    rows = list(impact_report.labelled(AffectedRecord.objects.filter(pk__in=[r.pk for r in page])
                                       .select_related("owner").order_by("depth", "on", "id")))
    deciding = {r.pk for r, _n in rows if r.decision == Decision.PENDING and case.status == ImpactStatus.OPEN
                and impact.may_decide(request.user, r)}
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "traceability/impact_detail.html", {
        "case": case, "rows": rows, "page": page, "deciding": deciding, "decisions": Decision.choices,
        "choices": [c for c in Decision.choices if c[0] != Decision.PENDING], "decision": decision, "depth": depth,
        "tree": tree(request.user, case), "query": params.urlencode(),
        "pending": qs.filter(decision=Decision.PENDING).count()})


@login_required
@require_POST
def decide(request, pk):
    case = _case(request, pk)
    rec = AffectedRecord.objects.restrict(request.user, VIEW).filter(case=case, pk=request.POST.get("record")).first()
    if rec is None:
        raise Http404
    try:
        impact.decide(rec, actor=request.user, decision=request.POST.get("decision", ""),
                      note=request.POST.get("note", ""))
        messages.success(request, _("Decision recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect(request.POST.get("next") or reverse("traceability-impact-detail", args=[case.pk]))


@login_required
@require_POST
def report(request, pk):
    case = _case(request, pk)
    job = impact_report.start_report(request.user, case, request.POST.get("format", "pdf"))
    return redirect("job-detail", pk=job.pk)


@login_required
def open_case(request, standard):
    std = MeasurementStandard.objects.restrict(request.user, VIEW).select_related("institute").filter(
        pk=standard).first()
    if std is None:
        raise Http404
    if not impact.may_open_for(request.user, std.institute_id, std.institute.region_id):
        raise PermissionDenied(_("Only the standard's institute or a bureau over its region opens a case for it."))
    errors: dict = {}
    found_on = timezone.localdate()
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")
        try:
            found_on = dt.date.fromisoformat(request.POST.get("found_on", ""))
        except ValueError:
            errors["found_on"] = [_("Give the date the standard was found out of tolerance.")]
        if not errors:
            try:
                case = impact.open_standard_case(std, actor=request.user, found_on=found_on, reason=reason)
            except ValidationError as exc:
                errors = exc.message_dict
            else:
                messages.success(request, _("Case opened: %(n)d records reached.") % {
                    "n": case.affected_certificates + case.affected_standards})
                return redirect("traceability-impact-detail", pk=case.pk)
    return render(request, "traceability/impact_open.html", {
        "standard": std, "errors": errors, "general_errors": errors.get("__all__", []), "found_on": found_on,
        "reason": reason,
        "last_good_on": impact.last_good_calibration(std.pk, found_on)}, status=400 if errors else 200)


def standard_lead(request, standard) -> dict:
    """The top of a standard's page (a DetailLead): its open cases, and the link to open one."""
    user = request.user
    cases = ImpactCase.objects.restrict(user, VIEW).filter(standard=standard).order_by("-found_on")[:5]
    may = impact.may_open_for(user, standard.institute_id, standard.institute.region_id)
    return {"impact_cases": list(cases), "may_open_case": may, "impact_standard": standard}


def certificate_notice(certificate) -> str | None:
    """The public check page's notice (a CertificateNotice): "under review" while an open case holds the
    certificate undecided."""
    if impact.under_review(certificate.pk):
        return _("Under review (复核中): a standard used for this certificate was found out of tolerance; the institute "
                 "is reviewing the result.")
    return None


@login_required
def warning_list(request):
    days = request.GET.get("days")
    days = int(days) if days and days.isdigit() and int(days) <= 3650 else lapsing.warning_days()
    rows = lapsing.lapsing(MeasurementStandard.objects.restrict(request.user, VIEW), timezone.localdate(), days)
    if request.GET.get("export") == "xlsx":
        return _xlsx(workbook_bytes(_("Standards lapsing soon"), [
            _("standard"), _("institute"), _("region"), _("what lapses"), _("lapses on"), _("days left"),
            _("instruments depending"), _("standards depending")],
            [(lp.standard.name, lp.standard.institute.name, lp.standard.institute.region_id, lp.kind_label,
              lp.lapses_on, lp.days_left, lp.instruments, lp.standards) for lp in rows],
            about=[(_("within days"), str(days))]), "standards-lapsing.xlsx")
    return render(request, "traceability/warnings.html", {"rows": rows, "days": days,
                                                          "query": request.GET.urlencode()})
