"""Pages of verification: work orders and certificates (generic list/detail), workflow buttons as small views
that call one service each, the institute's work queue, and the public certificate check (no login)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import statistics

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from jiliang.core import ratelimit, units
from jiliang.core.extending import certificate_notices
from jiliang.core.filters import posted_ids as _ids
from jiliang.core.roles import Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.core.services import validation_messages
from jiliang.core.ui import ObjectDetailView
from jiliang.core.values.decimals import number_text
from jiliang.registry.models import Instrument, MeasurementStandard, Organisation, Person

from . import certificates as certs
from . import dcc_bridge, decisions, services, signing, workflow
from .forms import WorkRequestForm
from .models import Certificate, CertificateStatus, SigningKey, WorkKind, WorkOrder, WorkOrderItem, WorkStatus
from .rules import RuleError, load_regulation, required_test_points
from .standing import nonconformity_meaning


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


STEPS = [(WorkStatus.REQUESTED, "requested_at"), (WorkStatus.ACCEPTED, "accepted_at"),
         (WorkStatus.SCHEDULED, "scheduled_date"), (WorkStatus.MEASURED, "measured_at"),
         (WorkStatus.CHECKED, "checked_at"), (WorkStatus.APPROVED, "approved_at"), (WorkStatus.ISSUED, "issued_at")]


def _steps(wo: WorkOrder, technicians: list) -> list[dict]:
    """The stepper: each step of the flow with its time and who signed it; the current one marked."""
    order = [s for s, _f in STEPS]
    closed = wo.status in (WorkStatus.DECLINED, WorkStatus.CANCELLED)
    reached = order.index(wo.status) if wo.status in order else -1
    who = {WorkStatus.REQUESTED: wo.requested_by.full_name if wo.requested_by_id and wo.requested_by else "",
           WorkStatus.SCHEDULED: wo.technician.name if wo.technician_id else "",
           WorkStatus.MEASURED: "、".join(sorted({p.name for p in technicians})),
           WorkStatus.CHECKED: wo.checker.name if wo.checker_id else "",
           WorkStatus.APPROVED: wo.approver.name if wo.approver_id else ""}
    steps = []
    for i, (status, field) in enumerate(STEPS):
        when = getattr(wo, field)
        done = i <= reached if not closed else when is not None
        steps.append({"key": status, "label": WorkStatus(status).label, "when": when, "done": done,
                      "current": i == reached and not closed and status != WorkStatus.ISSUED,
                      "who": who.get(status, "") if done else ""})
    if closed:
        steps.append({"key": wo.status, "label": wo.get_status_display(), "when": wo.closed_at, "done": True,
                      "current": True, "closed": True, "who": wo.status_reason})
    return steps


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
        for item in items:
            result = getattr(item, "result", None) if _has_result(item) else None
            item.points = list(result.points.all()) if result else []
            item.conformity = any(p.mpe or p.outcome for p in item.points)
            item.point_attributes = sorted({k for p in item.points for k in (p.attributes or {})})
            for p in item.points:
                p.attribute_values = [_attribute_value(k, (p.attributes or {}).get(k, "")) for k in
                                      item.point_attributes]
            item.attribute_labels = [_attribute_label(k) for k in item.point_attributes]
        technicians = [item.result.technician for item in items if _has_result(item)]
        signer = services.signer_of(user, wo.institute) if staff else None
        measured_by_signer = signer is not None and any(t.pk == signer.pk for t in technicians)
        sides = {workflow.INSTITUTE} if staff else {workflow.OWNER} if owner_side else set()
        allowed = workflow.allowed_acts(wo.status, sides)
        ctx.update(
            items=items, staff=staff, people=people, S=WorkStatus, signer=signer,
            measured_by_signer=measured_by_signer, steps=_steps(wo, technicians),
            # the buttons: what the flow table (workflow.ACTS) lets this viewer's side do in this state
            **{f"can_{name}": name in allowed for name in workflow.ACTS},
            today=timezone.localdate().isoformat(),
        )
        return ctx


def _has_result(item) -> bool:
    try:
        return item.result is not None
    except WorkOrderItem.result.RelatedObjectDoesNotExist:
        return False


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
    elif step == "send-back":
        _run(request, services.return_to_measurement, _("Sent back to measurement."), wo,
             reason=post.get("reason", ""))
    elif step == "issue":
        issued = _run(request, services.issue_certificate, done, wo)
        if issued:
            messages.success(request, _("Issued %(numbers)s.") % {"numbers": ", ".join(c.number for c in issued)})
    else:
        raise Http404
    return redirect("work-orders-detail", pk=wo.pk)


def _instrument_text(inst: Instrument) -> str:
    parts = [inst.category.name, f"{inst.manufacturer} {inst.model}".strip(), inst.serial_number]
    if inst.range_max is not None:
        parts.append(units.range_text(inst.range_min, inst.range_max, inst.range_unit))
    return " · ".join(p for p in parts if p)


@login_required
def instrument_search(request):
    """Instruments for the request form's search box: those the user may see (region scoped), of the chosen
    owner, matching the words typed in serial number, model, maker or category; at most 20."""
    qs = Instrument.objects.restrict(request.user, VIEW).exclude(status="retired").select_related("category")
    owner = request.GET.get("owner", "")
    if owner.isdigit() and len(owner) < 12:
        qs = qs.filter(owner_id=int(owner))
    for word in (request.GET.get("q") or "").split()[:5]:
        qs = qs.filter(Q(serial_number__icontains=word) | Q(model__icontains=word) | Q(manufacturer__icontains=word)
                       | Q(category__name__icontains=word))
    rows = [{"id": i.pk, "text": _instrument_text(i), "owner": i.owner_id} for i in qs.order_by("serial_number")[:20]]
    return JsonResponse({"results": rows})


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
    chosen = []
    if form.is_bound:
        ids = [x for x in request.POST.getlist("instruments") if x.isdigit()][:200]
        chosen = [(i.pk, _instrument_text(i)) for i in form.fields["instruments"].queryset.filter(pk__in=ids)]
    return render(request, "verification/request_form.html", {"form": form, "chosen": chosen})


# Labels of the rules files' attributes and their values, in the user's language (the files are English data).
ATTRIBUTE_LABELS = {"pf": gettext_lazy("power factor"), "load": gettext_lazy("load"),
                    "kind": gettext_lazy("kind of test"), "class": gettext_lazy("accuracy class"),
                    "connection": gettext_lazy("connection")}
VALUE_LABELS = {("pf", "0.5L"): gettext_lazy("0.5 L (inductive)"), ("pf", "0.8C"): gettext_lazy("0.8 C (capacitive)"),
                ("load", "balanced"): gettext_lazy("balanced load"),
                ("load", "single_phase"): gettext_lazy("single-phase load"),
                ("kind", "normal"): gettext_lazy("normal quantity"),
                ("kind", "minimum_measured_quantity"): gettext_lazy("minimum measured quantity"),
                ("connection", "direct"): gettext_lazy("direct-connected"),
                ("connection", "transformer"): gettext_lazy("transformer-operated")}
FIELD_LABELS = {"reference_value": gettext_lazy("reference value"), "indication": gettext_lazy("indication"),
                "unit": gettext_lazy("unit"), "error_unit": gettext_lazy("unit of the error"),
                "error": gettext_lazy("error"), "U": gettext_lazy("expanded uncertainty U"),
                "k": gettext_lazy("coverage factor k"), "label": gettext_lazy("test point"),
                "measured_on": gettext_lazy("measured on"), "standards": gettext_lazy("standards used"),
                "temperature": gettext_lazy("temperature (°C)"), "humidity": gettext_lazy("relative humidity (%)"),
                "technician": gettext_lazy("technician"), "points": gettext_lazy("test points"),
                "attributes": gettext_lazy("conditions of the point")}
MAX_ROWS = 200


def _attribute_label(name: str) -> str:
    return str(ATTRIBUTE_LABELS.get(name, name))


def _attribute_value(name: str, value: str) -> str:
    return str(VALUE_LABELS.get((name, value), value))


def _point_specs(item: WorkOrderItem) -> list[dict]:
    """The point attributes of the item's regulation (power factor, load ...), each a field of the results form."""
    if not item.regulation:
        return []
    try:
        reg = load_regulation(item.regulation)
    except RuleError:
        return []
    return [{"name": a.name, "label": _attribute_label(a.name), "default": a.default or "",
             "choices": [(v, _attribute_value(a.name, v)) for v in a.values]}
            for a in reg.attributes.values() if a.of == "point"]


def describe_field(field: str, rows: list[dict]) -> str:
    """``points[2].attributes.pf`` or ``points[Imax/1].attributes.pf`` as "test point Imax/1 · power factor"."""
    m = re.match(r"^points\[([^\]]*)\](?:\.(.*))?$", field)
    if not m:
        head = field.split(".")[0].split("[")[0]
        if field.startswith("standards["):
            return str(FIELD_LABELS["standards"])
        return str(FIELD_LABELS.get(head, field)) if field != "__all__" else ""
    key, rest = m.group(1), m.group(2) or ""
    label = rows[int(key)]["label"] if key.isdigit() and int(key) < len(rows) else key
    parts = [_("test point %(label)s") % {"label": label}]
    bits = rest.split(".") if rest else []
    if bits and bits[0] == "attributes":
        parts.append(_attribute_label(bits[1]) if len(bits) > 1 else str(FIELD_LABELS["attributes"]))
    elif bits and bits[0] == "quantities":
        parts.append(str(FIELD_LABELS["reference_value"]))
    elif bits:
        parts.append(str(FIELD_LABELS.get(bits[0], bits[0])))
    return " · ".join(parts)


def _result_rows(item: WorkOrderItem, specs: list[dict]) -> list[dict]:
    """Rows of the results form: the regulation's required points with their nominal values and conditions."""
    existing = getattr(item, "result", None) if _has_result(item) else None
    names = [a["name"] for a in specs]
    if existing is not None:
        return [{"label": p.label, "ref": number_text(p.reference_value),
                 "ind": number_text(p.indication), "unit": units.symbol(p.unit),
                 "U": number_text(p.expanded_uncertainty), "k": number_text(p.coverage_factor),
                 "attrs": {n: (p.attributes or {}).get(n, "") for n in names}} for p in existing.points.all()]
    if item.regulation:
        try:
            spec = decisions.rules_instrument(item.regulation, item.attributes, item.parameters)
            return [{"label": p.label, "ref": number_text(p.nominal.value), "ind": "",
                     "unit": units.symbol(p.nominal.unit), "U": "", "k": "2",
                     "attrs": {a["name"]: p.attributes.get(a["name"], a["default"]) for a in specs}}
                    for p in required_test_points(spec)]
        except (RuleError, ValidationError):
            pass
    unit = item.instrument.range_unit if decisions.registry_dsi(item.instrument.range_unit) else ""
    return [{"label": f"P{i + 1}", "ref": "", "ind": "", "unit": unit, "U": "", "k": "2", "attrs": {}}
            for i in range(3)]


def _required_conditions(item: WorkOrderItem) -> dict[str, dict]:
    """{label: conditions} of the points the regulation requires for this item (power factor 1 at Ib ...)."""
    if not item.regulation:
        return {}
    try:
        spec = decisions.rules_instrument(item.regulation, item.attributes, item.parameters)
        return {p.label: dict(p.attributes) for p in required_test_points(spec)}
    except (RuleError, ValidationError):
        return {}


def _posted_rows(post, specs: list[dict], required: dict | None = None) -> tuple[list[dict], list[tuple[str, str]]]:
    """The rows as typed, and the errors of their conditions (each naming the point and the field)."""
    try:
        count = max(0, min(int(post.get("rows", "0") or 0), MAX_ROWS))
    except ValueError:
        count = 0
    rows, errors = [], []
    for i in range(count):
        label = (post.get(f"label_{i}") or "").strip()
        if not label:
            continue
        row = {"label": label, "ref": post.get(f"ref_{i}", ""), "ind": post.get(f"ind_{i}", ""),
               "unit": post.get(f"unit_{i}", ""), "U": post.get(f"U_{i}", ""), "k": post.get(f"k_{i}", ""),
               "attrs": {}}
        for a in specs:
            value = (post.get(f"attr_{i}_{a['name']}") or "").strip()
            row["attrs"][a["name"]] = value
            allowed = [v for v, _label in a["choices"]]
            where = _("test point %(label)s · %(field)s") % {"label": label, "field": a["label"]}
            if not value and not a["default"]:
                errors.append((where, _("choose a value (%(values)s).")
                               % {"values": ", ".join(str(lbl) for _v, lbl in a["choices"])}))
            elif value and value not in allowed:
                errors.append((where, _("%(value)s is not one of %(values)s.")
                               % {"value": value, "values": ", ".join(str(lbl) for _v, lbl in a["choices"])}))
            else:
                wanted = (required or {}).get(label, {}).get(a["name"])
                if wanted and (value or a["default"]) != wanted:
                    errors.append((where, _("the regulation requires this point at %(value)s.")
                                   % {"value": _attribute_value(a["name"], wanted)}))
        rows.append(row)
    return rows, errors


@login_required
def item_results(request, pk):
    item = get_object_or_404(WorkOrderItem.objects.restrict(request.user, VIEW)
                             .select_related("work_order__institute", "instrument__category"), pk=pk)
    wo = item.work_order
    if not _is_institute_staff(request.user, wo):
        raise PermissionDenied(_("Only the institute's staff record results."))
    specs = _point_specs(item)
    day = timezone.localdate()
    if request.method == "POST":
        try:
            day = dt.date.fromisoformat(request.POST.get("measured_on", ""))
        except ValueError:
            pass
    offered = services.standards_for(item, day)
    signer = services.signer_of(request.user, wo.institute)
    rows = _result_rows(item, specs)
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        post = request.POST
        try:
            count = int(post.get("rows", "0") or 0)
        except ValueError:
            count = -1
        if not 0 <= count <= MAX_RESULT_ROWS:
            return HttpResponseBadRequest(_("The form's number of rows must be a whole number from 0 to %(n)d.")
                                          % {"n": MAX_RESULT_ROWS})
        rows, errors = _posted_rows(post, specs, _required_conditions(item))
        points = [{"label": r["label"], "reference_value": r["ref"], "indication": r["ind"], "unit": r["unit"],
                   "U": r["U"] or None, "k": r["k"] or None, "attributes": {k: v for k, v in r["attrs"].items() if v}}
                  for r in rows]
        try:
            measured_on = dt.date.fromisoformat(post.get("measured_on", ""))
        except ValueError:
            measured_on = None
            errors.append((str(FIELD_LABELS["measured_on"]), _("give the date as YYYY-MM-DD.")))
        chosen = MeasurementStandard.objects.filter(institute_id=wo.institute_id,
                                                    pk__in=_ids(post.getlist("standards")))
        if not errors:
            try:
                services.record_results(item, actor=request.user, measured_on=measured_on, standards=list(chosen),
                                        points=points, temperature=post.get("temperature") or None,
                                        humidity=post.get("humidity") or None)
            except ValidationError as exc:
                errors = [(describe_field(f, rows), m) for f, msgs in validation_messages(exc).items() for m in msgs]
            except PermissionDenied as exc:
                errors = [("", str(exc) or _("You may not do this."))]
            else:
                messages.success(request, _("Results recorded."))
                return redirect("work-orders-detail", pk=wo.pk)
        rows = rows or _result_rows(item, specs)
    return render(request, "verification/results_form.html", {
        "item": item, "wo": wo, "rows": rows, "standards": offered, "specs": specs, "errors": errors,
        "signer": signer, "today": (day if request.method == "POST" else timezone.localdate()).isoformat(),
        "calibration": wo.kind == WorkKind.CALIBRATION, "max_rows": MAX_ROWS,
        "parameters": [(k, units.quantity(v.get("value"), v.get("unit", "")))
                       for k, v in (item.parameters or {}).items() if isinstance(v, dict)],
        "selected": set(_ids(request.POST.getlist("standards")))
        if request.method == "POST" else set()})


# The results form posts one row per measurement point; a regulation's points number in the tens.
MAX_RESULT_ROWS = 500




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
                       verify_path=certs.verify_path(cert.number, cert.check_code),
                       verify_url=certs.public_url(certs.verify_path(cert.number, cert.check_code)),
                       check_code=certs.display_check_code(cert.check_code))
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


def _public_certificate(number: str) -> Certificate | None:
    # The public check reads by number (and then the check code): no restrict().
    return (Certificate.objects.select_related("signing_key", "superseded_by").defer("pdf", "superseded_by__pdf")
            .filter(number=number).first())


def _sees_everything(request, cert: Certificate) -> bool:
    """The owner and the authorities (whoever may open the certificate's record) see the full content."""
    return Certificate.objects.restrict(request.user, VIEW).filter(pk=cert.pk).exists()


def _given_code(request) -> str:
    return (request.POST.get("code") or request.GET.get("code") or "").strip()


def verify_start(request):
    """The public check's front door (linked from the sign-in page): type the number and the check code
    printed on a certificate; both lead to the certificate's check page, as its QR code does."""
    number = (request.GET.get("number") or "").strip()
    code = _given_code(request)
    if number and code and "/" not in number:
        return redirect(f"{reverse('verify', args=[number])}?code={certs.normalise_check_code(code)}")
    asked = "number" in request.GET or "code" in request.GET
    return render(request, "verification/verify.html", {"number": "", "cert": None, "code": code,
                                                         "ask_code": not asked}, status=400 if asked else 200)


@cache_control(no_cache=True, private=True)
@ratelimit.throttle("verify", "JILIANG_RATE_PUBLIC_CHECK")
def verify_page(request, number):
    """The public check page of a certificate (the QR code's target): status and signature, no login.

    Anyone holding the certificate gives its number and the check code printed on it (the QR code carries
    both) and sees the public part of the content; a wrong code is answered like an unknown number, so the
    page is no index of the province. The owner and the authorities, signed in, see everything without a code.

    POST a PDF (``pdf``) to compare it byte for byte with the issued one (its SHA-256 is stored at issue):
    a PDF edited after issue is reported as not the issued document.
    """
    code = _given_code(request)
    cert = _public_certificate(number)
    full = cert is not None and _sees_everything(request, cert)
    if not full:
        if not code:
            return render(request, "verification/verify.html", {"number": number, "cert": None, "ask_code": True})
        if cert is None or not certs.check_code_matches(cert, code):
            return render(request, "verification/verify.html", {"number": number, "cert": None, "code": code},
                          status=404)
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
    query = f"?code={certs.normalise_check_code(code)}" if code and not full else ""
    meaning = nonconformity_meaning(cert)
    return render(request, "verification/verify.html", {
        "nonconforming": bool(meaning), "nonconforming_meaning": meaning,
        "number": number, "cert": cert, "status": status, "status_label": CertificateStatus(status).label,
        "signature_ok": signature_ok, "content": cert.content if full else certs.public_content(cert.content),
        "full": full, "key": cert.signing_key, "json_url": f"/verify/{cert.number}.json{query}",
        "pdf_check": pdf_check, "notices": certificate_notices(cert),
    })


@ratelimit.throttle("verify", "JILIANG_RATE_PUBLIC_CHECK")
def verify_json(request, number):
    """The signed document (owner and authorities, for `jiliang verify-certificate`), or with the check code
    the public part of the content with the server's verdict on the signature."""
    cert = _public_certificate(number)
    full = cert is not None and _sees_everything(request, cert)
    if full:
        doc = signing.signed_document(cert.content, cert.signature, cert.signing_key.key_id)
    elif cert is not None and certs.check_code_matches(cert, _given_code(request)):
        doc = {"format": "jiliang.certificate.public/1", "content": certs.public_content(cert.content),
               "key_id": cert.signing_key.key_id, "signature_verifies": certs.signature_status(cert)}
    else:
        return JsonResponse({"detail": _("No certificate has the number %(n)s with this check code.")
                             % {"n": number}}, status=404)
    doc["status"] = cert.effective_status()
    doc["status_reason"] = cert.status_reason
    doc["superseded_by"] = cert.superseded_by.number if cert.superseded_by_id else None
    doc["pdf_sha256"] = cert.pdf_sha256
    doc["notices"] = [{"key": key, "text": text} for key, text in certificate_notices(cert)]
    response = JsonResponse(doc, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'inline; filename="{cert.number}.json"'
    response["Cache-Control"] = "no-cache, private"
    return response


def public_keys(request):
    """The published public keys of every institute (active and retired: old certificates still verify), with
    their SHA-256 fingerprints and the period each signed in; ``?institute=<id>`` shows one institute's."""
    keys = SigningKey.objects.select_related("institute").order_by("institute__name", "-id")
    institute = None
    if (request.GET.get("institute") or "").isdigit():
        institute = get_object_or_404(Organisation, pk=int(request.GET["institute"]), kind="institute")
        keys = keys.filter(institute=institute)
    rows = [{"key": k, "fingerprint": signing.fingerprint(k.public_key)} for k in keys]
    own = getattr(request.user, "organisation", None) if request.user.is_authenticated else None
    may_rotate = own is not None and user_role(request.user) == Role.INSTITUTE and own.is_institute
    return render(request, "verification/keys.html", {"rows": rows, "institute": institute,
                                                      "rotate_for": own if may_rotate else None})


@login_required
@require_POST
def rotate_key(request):
    """Institute staff replace their institute's signing key (audited; the old key keeps verifying)."""
    institute = getattr(request.user, "organisation", None)
    if institute is None or not institute.is_institute:
        raise PermissionDenied(_("Only the staff of an institute rotate its signing key."))
    _run(request, services.create_signing_key, _("A new signing key was created; the previous one is retired."),
         institute, reason=request.POST.get("reason", ""))
    return redirect(f"{reverse('verify-keys')}?institute={institute.pk}")


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
