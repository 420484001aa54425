"""Supervision's own pages beyond the generic lists: issuing a notice, its PDF, recording an on-site finding, its
photo, and the late verification requests (with Excel export). Every read starts from ``restrict(user, VIEW)``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.export import workbook_bytes
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.core.services import validation_messages
from jiliang.registry.models import Organisation

from . import late, notices, onsite
from .forms import FindingForm, NoticeForm
from .models import Finding, FindingPhoto, Notice, SupervisionSettings


def _county_only(request) -> None:
    if user_role(request.user) != Role.COUNTY_BUREAU:
        raise PermissionDenied(_("Only a county bureau issues notices and records on-site findings."))


def _add_errors(form, exc: ValidationError) -> None:
    for name, errs in validation_messages(exc).items():
        form.add_error(name if name in form.fields else None, errs)


@login_required
def notice_issue(request):
    _county_only(request)
    owner_id = request.POST.get("owner") or request.GET.get("owner")
    owner_id = int(owner_id) if owner_id and str(owner_id).isdigit() else None
    form = NoticeForm(request.POST or None, user=request.user, owner_id=owner_id,
                      initial={"owner": owner_id} if owner_id else None)
    if request.method == "POST" and "issue" in request.POST and form.is_valid():
        d = form.cleaned_data
        try:
            notice = notices.issue_notice(actor=request.user, owner=d["owner"], instruments=list(d["instruments"]),
                                          deadline=d["deadline"])
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Notice %(number)s was issued.") % {"number": notice.number})
            return redirect("notices-detail", pk=notice.pk)
    elif request.method == "POST" and "issue" not in request.POST:
        form = NoticeForm(initial={"owner": owner_id}, user=request.user, owner_id=owner_id)
    return render(request, "supervision/form.html", {
        "form": form, "title": _("Issue a notice to verify"), "back": reverse("notices-list"),
        "back_label": _("notices to verify"), "submit": _("Issue the notice") if owner_id else _("Show instruments"),
        "submit_name": "issue" if owner_id else "",
        "intro": _("A numbered notice (county code-year-sequence) with the legal basis (Implementing Rules Art. 22 "
                   "and 43); the owner is told in the app and by e-mail.")})


@login_required
def notice_pdf(request, pk):
    notice = get_object_or_404(Notice.objects.restrict(request.user, VIEW), pk=pk)
    notices.mark_read(notice, actor=request.user)
    response = HttpResponse(bytes(notice.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{notice.number}.pdf"'
    return response


@login_required
def finding_record(request):
    _county_only(request)
    initial = {k: v for k, v in request.GET.items() if k in ("instrument", "notice")}
    form = FindingForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            finding = notices.record_finding(actor=request.user, instrument=d["instrument"], found_on=d["found_on"],
                                             kind=d["kind"], detail=d["detail"], measure=d["measure"],
                                             photos=onsite.read_uploads(d["photos"]), latitude=d["latitude"],
                                             longitude=d["longitude"], notice=d["notice"])
        except ValidationError as exc:
            _add_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The finding was recorded."))
            return redirect("findings-detail", pk=finding.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": _("Record an on-site finding"), "back": reverse("findings-list"),
        "back_label": _("on-site findings"), "submit": _("Save"), "multipart": True})


@login_required
def finding_photo(request, pk, photo=None):
    """A finding's photo (its first when no photo id is given), with its own content type, for whoever may see the
    finding."""
    finding = get_object_or_404(Finding.objects.restrict(request.user, VIEW), pk=pk)
    photos = finding.photos.all()
    found = (photos.filter(pk=photo) if photo is not None else photos).first()
    if found is None:
        raise Http404
    return photo_response(found)


def photo_response(found: FindingPhoto) -> HttpResponse:
    response = HttpResponse(bytes(found.data), content_type=found.content_type)
    response["Content-Disposition"] = f'inline; filename="finding-{found.finding_id}-{found.pk}.{_EXT[found.content_type]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


_EXT = {"image/jpeg": "jpg", "image/png": "png"}


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


LATE_HEADERS = (gettext_lazy("work order"), gettext_lazy("institution"), gettext_lazy("owner"),
                gettext_lazy("where"), gettext_lazy("received"), gettext_lazy("result"),
                gettext_lazy("working days"), gettext_lazy("limit"), gettext_lazy("last day allowed"),
                gettext_lazy("working days late"), gettext_lazy("consequence"))


@login_required
def late_requests(request):
    institution = request.GET.get("institution")
    institution = int(institution) if institution and institution.isdigit() else None
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    rows = late.late_requests(request.user, institution=institution, since=since, until=until)
    if request.GET.get("export") == "xlsx":
        data = workbook_bytes(_("Late verification requests"), [str(h) for h in LATE_HEADERS], [
            (m.work_order.number, m.work_order.institute.name, m.work_order.owner.name,
             str(m.work_order.get_location_display()), m.received, m.result, m.taken, m.limit, m.last_day,
             m.days_late, str(late.CONSEQUENCE)) for m in rows],
            about=[(_("institution"), institution or _("all")), (_("from"), since or "—"), (_("until"), until or "—")])
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="late-requests.xlsx"'
        return response
    by_institution: dict[str, int] = {}
    for m in rows:
        by_institution[m.work_order.institute.name] = by_institution.get(m.work_order.institute.name, 0) + 1
    institutions = (Organisation.objects.filter(kind__in=["institute", "authorised", "bureau"],
                                                pk__in=late.verification_orders(request.user).values("institute_id"))
                    .order_by("name"))
    return render(request, "supervision/late_requests.html", {
        "rows": rows, "by_institution": sorted(by_institution.items()), "settings": SupervisionSettings.current(),
        "institutions": institutions, "institution": institution, "since": since, "until": until,
        "consequence": late.CONSEQUENCE, "query": request.GET.urlencode()})
