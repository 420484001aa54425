"""Pages of free verification beyond the generic lists (free_ui.py): marking one verification free, marking from
a file, the year's figures with their chart, and the annual report (a background job)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core import services as core
from jiliang.core.export import workbook_bytes
from jiliang.core.models import Region
from jiliang.core.regions import subtree_codes
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import VIEW, is_unrestricted, user_role
from jiliang.supervision import rates
from jiliang.supervision.dashboard import COLUMN10_TARGETS
from jiliang.supervision.models import VerificationEvent

from . import free_figures, free_report, free_services
from .free_forms import BulkMarkForm, MarkFreeForm
from .models import FreeProgramme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _may_mark_any(user) -> bool:
    return is_unrestricted(user) or user_role(user) in BUREAU_ROLES | {Role.INSTITUTE}


def _refuse(user) -> None:
    if not _may_mark_any(user):
        raise PermissionDenied(_("Verification institutions and market supervision bureaus mark verifications free."))


@login_required
def mark(request):
    _refuse(request.user)
    form = MarkFreeForm(request.POST or None, initial=request.GET.dict() or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        events = VerificationEvent.objects.restrict(request.user, VIEW).filter(number=d["number"].strip())
        if d["institution_uscc"]:
            events = events.filter(institution__uscc=d["institution_uscc"].strip().upper())
        found = list(events[:2])
        if not found:
            form.add_error("number", _("No verification you may see has this number."))
        elif len(found) > 1:
            form.add_error("institution_uscc", _("Two institutions used this number: give the institution's USCC."))
        else:
            try:
                free = free_services.mark_free(found[0], d["programme"], d["fee_waived"], d["fee_basis"],
                                               actor=request.user)
            except ValidationError as exc:
                for name, errs in core.validation_messages(exc).items():
                    form.add_error(name if name in form.fields else ("number" if name == "event" else None), errs)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Marked %(n)s free under %(p)s.") % {"n": found[0].number,
                                                                                 "p": free.programme})
                return redirect("free-verifications-detail", pk=free.pk)
    return render(request, "livelihood/free/form.html", {
        "form": form, "title": _("Mark a verification free"), "submit": _("Mark free"),
        "back": reverse("free-verifications-list"), "back_label": _("free verifications"),
        "intro": _("The institution that did the verification, or a bureau of the instrument's region, marks it "
                   "free under a programme that covers it.")})


TEMPLATE_HEADERS = ["证书编号 / certificate or notice number", "检定机构统一社会信用代码 / institution USCC",
                    "项目代码 / programme", "减免费用（元） / fee waived (yuan)", "收费依据 / fee basis"]


@login_required
def bulk(request):
    _refuse(request.user)
    if request.GET.get("template"):
        data = workbook_bytes(_("free verifications"), ["证书编号", "检定机构统一社会信用代码", "项目代码",
                                                        "减免费用（元）", "收费依据"], [])
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="free-verifications-template.xlsx"'
        return response
    form = BulkMarkForm(request.POST or None, request.FILES or None)
    rows = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = free_services.mark_from_file(upload.name, upload.read(), actor=request.user)
        except ValidationError as exc:
            form.add_error("file", exc.messages)
    counts = None
    if rows is not None:
        counts = {"marked": sum(r.status == "marked" for r in rows), "error": sum(r.status == "error" for r in rows)}
    return render(request, "livelihood/free/bulk.html", {
        "form": form, "rows": rows, "counts": counts, "programmes": FreeProgramme.objects.filter(active=True)})


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@login_required
def figures(request):
    user = request.user
    if not free_report.may_report(user):
        raise PermissionDenied(_("The free-verification figures are for market supervision bureaus and "
                                 "verification institutions."))
    year = _year(request)
    try:
        region = free_report.check_region(user, request.GET.get("region") or None)
    except ValidationError:
        region = free_report.check_region(user, None)
    programme = FreeProgramme.objects.filter(code=request.GET.get("programme") or "").first()
    s = free_figures.summary(user, year=year, region=region, programme=programme)
    if request.GET.get("export") == "xlsx":
        response = HttpResponse(free_report.render_xlsx(s), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="free-verification-{year}.xlsx"'
        return response
    chart = {"labels": [r.label for r in s.by_county], "counts": [r.count for r in s.by_county],
             "pass": [None if r.passed.value is None else round(100 * r.passed.value, 1) for r in s.by_county],
             "verification": [None if r.verification.value is None else round(100 * r.verification.value, 1)
                              for r in s.by_county]}
    root = user.region_id if user_role(user) in (Role.CITY_BUREAU, Role.COUNTY_BUREAU) else "320000"
    regions = Region.objects.filter(code__in=subtree_codes(root or "320000"), is_current=True)
    return render(request, "livelihood/free/figures.html", {
        "s": s, "year": year, "region": region, "programme": programme, "chart": chart,
        "regions": regions.order_by("code"), "programmes": FreeProgramme.objects.order_by("code"),
        "targets": {"verification": round(100 * COLUMN10_TARGETS["verification_rate"]),
                    "pass": round(100 * COLUMN10_TARGETS["pass_rate"])},
        "definitions": free_report.definitions(),
        "version": rates.DEFINITION_VERSION,
        "can_mark": _may_mark_any(user)})


@login_required
@require_POST
def report(request):
    try:
        year = int(request.POST.get("year") or 0)
    except ValueError:
        year = 0
    try:
        job = free_report.start_report(request.user, year=year, region=request.POST.get("region") or None,
                                       fmt=request.POST.get("format", "pdf"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("free-figures") + f"?year={year}")
    return redirect("job-detail", pk=job.pk)
