"""Pages of verification: work orders and certificates (generic list/detail), workflow buttons as small views
that call one service each, the institute's work queue, and the public certificate check (no login)."""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from jiliang.core.filters import MAX_ID
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.core.services import validation_messages
from jiliang.core.ui import ObjectDetailView
from jiliang.registry.models import Instrument, MeasurementStandard, Organisation, Person

from . import certificates as certs
from . import dcc_bridge, decisions, services, signing
from .models import Certificate, CertificateStatus, SigningKey, WorkKind, WorkOrder, WorkOrderItem, WorkStatus
from .rules import RuleError, available_regulations, required_test_points


def _flash_errors(request, exc: ValidationError) -> None:
    for field, msgs in validation_messages(exc).items():
        for msg in msgs:
            messages.error(request, f"{field}: {msg}" if field != "__all__" else msg)


def _run(request, fn, success: str, *args, **kwargs):
    try:
        result = fn(*args, actor=request.user, **kwargs)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return None
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
        return None
    messages.success(request, success)
    return result


# -- work orders ----------------------------------------------------------------------------------


def _is_institute_staff(user, wo) -> bool:
    return user.is_superuser or (user_role(user) == Role.INSTITUTE and user.organisation_id == wo.institute_id)


class WorkOrderDetailView(ObjectDetailView):
    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        wo = extra.get("object")
        if wo is None:
            return ctx
        user = self.request.user
        staff = _is_institute_staff(user, wo)
        owner_side = Organisation.objects.restrict(user, VIEW).filter(pk=wo.owner_id).exists() and not staff
        people = Person.objects.filter(organisation_id=wo.institute_id).exclude(metrologist_certificate="") \
            if staff else Person.objects.none()
        items = list(wo.items.select_related("instrument__category", "result__technician")
                     .prefetch_related("certificates", "result__points", "result__standards"))
        ctx.update(
            items=items, staff=staff, people=people, S=WorkStatus,
            can_accept=staff and wo.status == WorkStatus.REQUESTED,
            can_schedule=staff and wo.status in (WorkStatus.ACCEPTED, WorkStatus.SCHEDULED),
            can_measure=staff and wo.status in (WorkStatus.SCHEDULED, WorkStatus.MEASURED),
            can_check=staff and wo.status == WorkStatus.MEASURED,
            can_approve=staff and wo.status == WorkStatus.CHECKED,
            can_issue=staff and wo.status == WorkStatus.APPROVED,
            can_cancel=(staff or owner_side) and wo.status in (WorkStatus.REQUESTED, WorkStatus.ACCEPTED,
                                                               WorkStatus.SCHEDULED, WorkStatus.MEASURED,
                                                               WorkStatus.CHECKED, WorkStatus.APPROVED),
            today=timezone.localdate().isoformat(),
        )
        return ctx


def _work_order(request, pk) -> WorkOrder:
    return get_object_or_404(WorkOrder.objects.restrict(request.user, VIEW), pk=pk)


def _person(request, key) -> Person | None:
    pk = request.POST.get(key)
    if not pk:
        return None
    return Person.objects.restrict(request.user, VIEW).filter(pk=pk).first()


@login_required
@require_POST
def work_order_step(request, pk, step):
    wo = _work_order(request, pk)
    post = request.POST
    done = _("Done.")
    if step == "accept":
        _run(request, services.accept, _("Accepted."), wo)
    elif step == "decline":
        _run(request, services.decline, _("Declined."), wo, reason=post.get("reason", ""))
    elif step == "cancel":
        _run(request, services.cancel, _("Cancelled."), wo, reason=post.get("reason", ""))
    elif step == "schedule":
        try:
            date = dt.date.fromisoformat(post.get("date", ""))
        except ValueError:
            messages.error(request, _("date: give the date as YYYY-MM-DD."))
        else:
            _run(request, services.schedule, _("Scheduled."), wo, date=date, technician=_person(request, "technician"))
    elif step == "check":
        _run(request, services.check, _("Checked."), wo, checker=_person(request, "person"))
    elif step == "approve":
        _run(request, services.approve, _("Approved."), wo, approver=_person(request, "person"))
    elif step == "issue":
        issued = _run(request, services.issue_certificate, done, wo)
        if issued:
            messages.success(request, _("Issued %(numbers)s.") % {"numbers": ", ".join(c.number for c in issued)})
    else:
        raise Http404
    return redirect("work-orders-detail", pk=wo.pk)


class WorkRequestForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=gettext_lazy("owner"))
    institute = forms.ModelChoiceField(queryset=Organisation.objects.filter(kind__in=["institute", "authorised"]),
                                       label=gettext_lazy("institute"))
    kind = forms.ChoiceField(choices=WorkKind.choices, label=gettext_lazy("kind"))
    location = forms.ChoiceField(choices=[("laboratory", gettext_lazy("in the laboratory")),
                                          ("on_site", gettext_lazy("on site"))], label=gettext_lazy("where"))
    instruments = forms.ModelMultipleChoiceField(queryset=Instrument.objects.none(),
                                                 label=gettext_lazy("instruments"))
    regulation = forms.ChoiceField(required=False, label=gettext_lazy("regulation"))
    method = forms.CharField(required=False, label=gettext_lazy("calibration method"))
    stage = forms.ChoiceField(choices=[("initial", gettext_lazy("initial verification")),
                                       ("subsequent", gettext_lazy("subsequent verification")),
                                       ("in_service", gettext_lazy("in-service inspection"))],
                              label=gettext_lazy("stage"))
    decision_rule = forms.ChoiceField(choices=[("simple", gettext_lazy("simple acceptance (w = 0)")),
                                               ("guarded", gettext_lazy("guarded acceptance (w = U)"))],
                                      label=gettext_lazy("decision rule"))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("note"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.restrict(user, VIEW).exclude(
            kind__in=["bureau"]).order_by("name")
        self.fields["instruments"].queryset = Instrument.objects.restrict(user, VIEW).select_related("category")
        self.fields["regulation"].choices = [("", "—"), *[(r, r) for r in available_regulations()]]
        for f in self.fields.values():
            w = f.widget
            w.attrs.setdefault("class", "form-select" if isinstance(w, (forms.Select, forms.SelectMultiple))
                               else "form-control")


@login_required
def work_order_request(request):
    form = WorkRequestForm(request.POST or None, user=request.user,
                           initial={"owner": request.user.organisation_id, **request.GET.dict()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        items = [{"instrument": inst, "regulation": d["regulation"], "method": d["method"], "stage": d["stage"],
                  "decision_rule": d["decision_rule"]} for inst in d["instruments"]]
        try:
            wo = services.request_work(actor=request.user, owner=d["owner"], institute=d["institute"], kind=d["kind"],
                                       location=d["location"], note=d["note"], items=items)
        except ValidationError as exc:
            for field, msgs in validation_messages(exc).items():
                form.add_error(None, [f"{field}: {m}" for m in msgs])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Work order %(number)s was sent.") % {"number": wo.number})
            return redirect("work-orders-detail", pk=wo.pk)
    return render(request, "verification/request_form.html", {"form": form})


def _result_rows(item: WorkOrderItem) -> list[dict]:
    """Rows of the results form: the regulation's required points with their nominal values."""
    existing = getattr(item, "result", None) if hasattr(item, "result") else None
    if existing is not None:
        return [{"label": p.label, "ref": p.reference_value.normalize(), "ind": p.indication.normalize(),
                 "unit": p.unit, "U": "" if p.expanded_uncertainty is None else p.expanded_uncertainty.normalize(),
                 "k": "" if p.coverage_factor is None else p.coverage_factor.normalize()} for p in existing.points.all()]
    if item.regulation:
        try:
            spec = decisions.rules_instrument(item.regulation, item.attributes, item.parameters)
            return [{"label": p.label, "ref": p.nominal.value.normalize(), "ind": "", "unit": p.nominal.unit,
                     "U": "", "k": "2"} for p in required_test_points(spec)]
        except (RuleError, ValidationError):
            pass
    unit = decisions.REGISTRY_UNITS.get(item.instrument.range_unit or "", "")
    return [{"label": f"P{i + 1}", "ref": "", "ind": "", "unit": unit, "U": "", "k": "2"} for i in range(3)]


@login_required
def item_results(request, pk):
    item = get_object_or_404(WorkOrderItem.objects.restrict(request.user, VIEW)
                             .select_related("work_order", "instrument__category"), pk=pk)
    wo = item.work_order
    if not _is_institute_staff(request.user, wo):
        raise PermissionDenied(_("Only the institute's staff record results."))
    standards = MeasurementStandard.objects.filter(institute_id=wo.institute_id).order_by("name")
    rows = _result_rows(item)
    if request.method == "POST":
        post = request.POST
        try:
            count = int(post.get("rows", "0") or 0)
        except ValueError:
            count = -1
        if not 0 <= count <= MAX_RESULT_ROWS:
            return HttpResponseBadRequest(_("The form's number of rows must be a whole number from 0 to %(n)d.")
                                          % {"n": MAX_RESULT_ROWS})
        points = []
        for i in range(count):
            if not post.get(f"label_{i}"):
                continue
            points.append({"label": post.get(f"label_{i}"), "reference_value": post.get(f"ref_{i}"),
                           "indication": post.get(f"ind_{i}"), "unit": post.get(f"unit_{i}"),
                           "U": post.get(f"U_{i}") or None, "k": post.get(f"k_{i}") or None})
        try:
            measured_on = dt.date.fromisoformat(post.get("measured_on", ""))
        except ValueError:
            measured_on = None
        result = _run(request, services.record_results, _("Results recorded."), item, measured_on=measured_on,
                      standards=list(standards.filter(pk__in=_ids(post.getlist("standards")))), points=points,
                      temperature=post.get("temperature") or None, humidity=post.get("humidity") or None)
        if result is not None:
            return redirect("work-orders-detail", pk=wo.pk)
        rows = [{"label": p["label"], "ref": p["reference_value"], "ind": p["indication"], "unit": p["unit"],
                 "U": p["U"] or "", "k": p["k"] or ""} for p in points] or rows
    return render(request, "verification/results_form.html", {
        "item": item, "wo": wo, "rows": rows, "standards": standards, "today": timezone.localdate().isoformat(),
        "selected": set(_ids(request.POST.getlist("standards"))) if request.method == "POST" else set()})


# The results form posts one row per measurement point; a regulation's points number in the tens.
MAX_RESULT_ROWS = 500


def _ids(values: list[str]) -> list[int]:
    """The whole numbers among posted ids that can be primary keys (others match nothing)."""
    return [int(v) for v in values if v.isascii() and v.isdigit() and 0 < int(v) <= MAX_ID]


@login_required
def work_queue(request):
    """The institute's queue: open work orders by status, their age, and turnaround of the last 90 days."""
    qs = WorkOrder.objects.restrict(request.user, VIEW)
    if user_role(request.user) == Role.INSTITUTE:
        qs = qs.filter(institute_id=request.user.organisation_id)
    now = timezone.now()
    open_orders = list(qs.filter(status__in=[s for s in WorkStatus.values if s not in ("issued", "declined",
                                                                                         "cancelled")])
                       .select_related("owner", "technician").order_by("requested_at")[:300])
    for wo in open_orders:
        wo.age_days = round((now - wo.requested_at).total_seconds() / 86400, 1)
    since = now - dt.timedelta(days=90)
    done = list(qs.filter(status=WorkStatus.ISSUED, issued_at__gte=since).values_list("requested_at", "issued_at"))
    days = sorted((b - a).total_seconds() / 86400 for a, b in done)
    stats = {"count": len(days), "mean": round(statistics.fmean(days), 1) if days else None,
             "median": round(statistics.median(days), 1) if days else None,
             "p90": round(days[int(0.9 * (len(days) - 1))], 1) if days else None}
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    return render(request, "verification/queue.html", {
        "orders": open_orders, "stats": stats,
        "by_status": [(WorkStatus(k).label, by_status.get(k, 0)) for k in WorkStatus.values]})


# -- certificates ---------------------------------------------------------------------------------


class CertificateDetailView(ObjectDetailView):
    def base_context(self, **extra):
        ctx = super().base_context(**extra)
        cert = extra.get("object")
        if cert is not None:
            ctx.update(signature_ok=certs.signature_status(cert), effective=cert.effective_status(),
                       staff=_is_institute_staff(self.request.user, cert),
                       verify_url=certs.public_url(f"/verify/{cert.number}"))
        return ctx


def _certificate(request, pk) -> Certificate:
    return get_object_or_404(Certificate.objects.restrict(request.user, VIEW).select_related("signing_key"), pk=pk)


@login_required
def certificate_pdf(request, pk):
    cert = _certificate(request, pk)
    lang = request.GET.get("lang", "zh")
    if lang == "en":
        from .pdf import render_pdf

        data = render_pdf(cert.content, lang="en", verify_url=certs.public_url(cert.content["verify_path"]))
    else:
        data = bytes(cert.pdf)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{cert.number}{"-en" if lang == "en" else ""}.pdf"'
    return response


@login_required
def certificate_dcc(request, pk):
    cert = _certificate(request, pk)
    try:
        xml = dcc_bridge.export_dcc(cert)
    except ValidationError as exc:
        _flash_errors(request, exc)
        return redirect("certificates-detail", pk=cert.pk)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{cert.number}.dcc.xml"'
    return response


@login_required
@require_POST
def certificate_step(request, pk, step):
    cert = _certificate(request, pk)
    reason = request.POST.get("reason", "")
    if step == "revoke":
        _run(request, services.revoke_certificate, _("Revoked."), cert, reason=reason)
    elif step == "reissue":
        new = _run(request, services.reissue_certificate, _("Re-issued."), cert, reason=reason)
        if new is not None:
            return redirect("certificates-detail", pk=new.pk)
    else:
        raise Http404
    return redirect("certificates-detail", pk=cert.pk)


# -- public ---------------------------------------------------------------------------------------


def _public_certificate(number: str) -> Certificate:
    # The public check reads by number only: no restrict(); it shows the published fields of one certificate.
    cert = (Certificate.objects.select_related("signing_key", "superseded_by").defer("pdf", "superseded_by__pdf")
            .filter(number=number).first())
    if cert is None:
        raise Http404(_("No certificate has the number %(n)s.") % {"n": number})
    return cert


@cache_control(no_cache=True)
def verify_page(request, number):
    """The public check page of a certificate (the QR code's target): status and signature, no login.

    POST a PDF (``pdf``) to compare it byte for byte with the issued one (its SHA-256 is stored at issue):
    a PDF edited after issue is reported as not the issued document.
    """
    try:
        cert = _public_certificate(number)
    except Http404:
        return render(request, "verification/verify.html", {"number": number, "cert": None}, status=404)
    pdf_check = None
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is not None and upload.size <= settings.JILIANG_VERIFY_MAX_PDF_BYTES:
            digest = hashlib.sha256()
            for chunk in upload.chunks():
                digest.update(chunk)
            pdf_check = "same" if digest.hexdigest() == cert.pdf_sha256 else "different"
        else:
            pdf_check = "missing"
    status = cert.effective_status()
    signature_ok = certs.signature_status(cert)
    c = cert.content
    return render(request, "verification/verify.html", {
        "number": number, "cert": cert, "status": status, "status_label": CertificateStatus(status).label,
        "signature_ok": signature_ok, "content": c, "key": cert.signing_key,
        "json_url": f"/verify/{cert.number}.json", "pdf_check": pdf_check,
    })


def verify_json(request, number):
    cert = _public_certificate(number)
    doc = signing.signed_document(cert.content, cert.signature, cert.signing_key.key_id)
    doc["status"] = cert.effective_status()
    doc["status_reason"] = cert.status_reason
    doc["superseded_by"] = cert.superseded_by.number if cert.superseded_by_id else None
    doc["pdf_sha256"] = cert.pdf_sha256
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{cert.number}.json"'
    return response


def public_keys(request):
    """The published public keys of every institute (active and retired: old certificates still verify)."""
    keys = SigningKey.objects.select_related("institute").order_by("institute__name", "-id")
    return render(request, "verification/keys.html", {"keys": keys})


def public_key_pem(request, key_id):
    key = get_object_or_404(SigningKey, key_id=key_id)
    return HttpResponse(key.public_key, content_type="application/x-pem-file")



@login_required
def import_dcc(request):
    """Record a calibration of one of our standards from another laboratory's DCC (XSD-validated)."""
    standards = MeasurementStandard.objects.restrict(request.user, "change").order_by("name")
    errors: list[str] = []
    if request.method == "POST":
        standard = standards.filter(pk=request.POST.get("standard") or 0).first()
        upload = request.FILES.get("dcc")
        valid_until = None
        if request.POST.get("valid_until"):
            try:
                valid_until = dt.date.fromisoformat(request.POST["valid_until"])
            except ValueError:
                errors.append(_("valid until: give the date as YYYY-MM-DD."))
        if standard is None:
            errors.append(_("standard: choose one of your standards."))
        if upload is None or upload.size > 5 * 1024 * 1024:
            errors.append(_("dcc: choose a DCC XML file (at most 5 MB)."))
        if not errors:
            try:
                cal = services.import_dcc(standard, upload.read(), actor=request.user, valid_until=valid_until,
                                          traceability=request.POST.get("traceability", ""))
            except ValidationError as exc:
                errors += [f"{f}: {m}" for f, msgs in validation_messages(exc).items() for m in msgs]
            except PermissionDenied as exc:
                errors.append(str(exc))
            else:
                messages.success(request, _("Calibration %(no)s recorded.") % {"no": cal.certificate_no})
                return redirect("standard-calibrations-detail", pk=cal.pk)
    return render(request, "verification/import_dcc.html", {"standards": standards, "errors": errors})
