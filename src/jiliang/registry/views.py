"""Excel import pages: download a template, upload, read the row-by-row report, import valid rows or nothing."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.filters import id_or_404 as _id
from jiliang.core.models import ImportBatch, ImportStatus
from jiliang.core.scoping import ADD, CHANGE, VIEW, is_authority, may_write
from jiliang.core.tabular import TableError, read_table
from jiliang.core.ui import UIView

from .forms import DecisionForm, DeregisterForm, proposal_form
from .importing import IMPORTERS, errors_file, template_workbook
from .jobs import start_import

SLUG_TO_KIND = {"organisations": "organisations", "instruments": "instruments", "categories": "categories"}


class ImportView(UIView):
    def importer(self):
        kind = SLUG_TO_KIND[self.ui.slug]
        spec = self.ui.model.scope
        if not (may_write(self.request.user, spec, ADD) or may_write(self.request.user, spec, CHANGE)):
            raise PermissionDenied(_("Your role may not import these records."))
        return IMPORTERS[kind](self.request.user), kind

    def get(self, request):
        importer, kind = self.importer()
        batch = None
        if request.GET.get("batch"):
            batch = get_object_or_404(ImportBatch, pk=_id(request.GET["batch"]), user=request.user, kind=kind)
            if request.GET.get("download") == "errors":
                name, data, content_type = errors_file(kind, request.user, batch.filename, bytes(batch.data))
                response = HttpResponse(data, content_type=content_type)
                response["Content-Disposition"] = content_disposition_header(True, name)
                return response
        return render(request, "registry/import.html", self.base_context(importer=importer, kind=kind, batch=batch))

    def post(self, request):
        importer, kind = self.importer()
        if "batch" in request.POST:
            return self.decide(request, importer, kind)
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
            return redirect(request.path)
        try:
            data = upload.read()
            table = read_table(upload.name, data)
            report = importer.plan(table)
        except TableError as exc:
            messages.error(request, _("%(name)s: %(reason)s") % {"name": upload.name, "reason": exc})
            return redirect(request.path)
        batch = ImportBatch.objects.create(kind=kind, user=request.user, filename=upload.name[:200], data=data,
                                           report=report.summary())
        return redirect(f"{request.path}?batch={batch.pk}")

    def decide(self, request, importer, kind):
        batch = get_object_or_404(ImportBatch, pk=_id(request.POST["batch"]), user=request.user, kind=kind,
                                  status=ImportStatus.CHECKED)
        choice = request.POST.get("choice")
        if choice == "cancel":
            batch.status, batch.finished = ImportStatus.CANCELLED, timezone.now()
            batch.save(update_fields=["status", "finished"])
            messages.info(request, _("Nothing was imported."))
            return redirect(self.ui.url("list"))
        if choice not in ("valid", "all"):
            raise Http404
        # The checked upload is kept with its report; the rows are written by a job in the worker, not here.
        if not ImportBatch.objects.filter(pk=batch.pk, status=ImportStatus.CHECKED).update(
                status=ImportStatus.APPLYING):
            raise Http404
        job = start_import(batch, choice=choice, list_url=self.ui.url("list"))
        return redirect("job-detail", pk=job.pk)




def _template(request, kind):
    if kind not in IMPORTERS or not request.user.is_authenticated:
        raise Http404
    response = HttpResponse(template_workbook(kind, request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="jiliang-{kind}-template.xlsx"'
    return response


import_template = path("import-template/<str:kind>/", _template, name="import-template")


# --- the registry's named acts on pages (registry.services) --------------------------------------------------

ACT_MODELS = {"instruments": "Instrument", "organisations": "Organisation", "people": "Person",
              "standards": "MeasurementStandard"}


def _record(request, slug, pk, action=VIEW):
    from . import models as m

    if slug not in ACT_MODELS:
        raise Http404
    model = getattr(m, ACT_MODELS[slug])
    obj = get_object_or_404(model.objects.restrict(request.user, VIEW), pk=pk)
    if action != VIEW and not model.objects.restrict(request.user, action).filter(pk=pk).exists():
        raise PermissionDenied(_("You may see this record but not change it."))
    return model, obj


def _apply_errors(form, exc: ValidationError, rename: dict | None = None) -> None:
    from jiliang.core.services import validation_messages

    for name, errs in validation_messages(exc).items():
        name = (rename or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errs)


@login_required
def deregister(request, slug, pk):
    """注销 an instrument or an organisation: a reason and a date; the record stays, marked."""
    from . import services

    if slug not in ("instruments", "organisations"):
        raise Http404
    model, obj = _record(request, slug, pk, CHANGE)
    if slug == "organisations" and not is_authority(request.user):
        raise PermissionDenied(_("Only the market supervision bureau deregisters an organisation."))
    act = services.deregister_instrument if slug == "instruments" else services.deregister_organisation
    form = DeregisterForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            act(obj, reason=form.cleaned_data["reason"], on=form.cleaned_data["date"], actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc, {"status_reason": "reason", "deregistration_reason": "reason",
                                      "status_date": "date", "deregistered_on": "date"})
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Deregistered %(obj)s.") % {"obj": obj})
            return redirect(f"{slug}-detail", pk=obj.pk)
    return render(request, "registry/deregister.html", {"object": obj, "meta": model._meta, "form": form,
                                                        "slug": slug},
                  status=400 if form.errors else 200)


@login_required
def propose(request, slug, pk):
    """The holder proposes a change to fields only the bureau writes; the bureau decides."""
    from . import services

    model, obj = _record(request, slug, pk, CHANGE)
    fields = services.proposable_fields(model)
    if not fields:
        raise Http404
    if is_authority(request.user):
        raise PermissionDenied(_("A bureau changes these fields itself."))
    form_class = proposal_form(model, fields)
    form = form_class(request.POST or None, instance=model._base_manager.get(pk=obj.pk))
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in fields}
        try:
            proposal = services.propose_change(obj, changes, reason=form.cleaned_data["reason"], actor=request.user)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your proposal was sent to the bureau."))
            return redirect("change-proposals-detail", pk=proposal.pk)
    return render(request, "registry/propose.html", {"object": obj, "meta": model._meta, "form": form,
                                                     "slug": slug}, status=400 if form.errors else 200)


@login_required
@require_POST
def decide(request, pk):
    from . import models as m
    from . import services

    proposal = get_object_or_404(m.ChangeProposal.objects.restrict(request.user, VIEW), pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    choice = request.POST.get("choice")
    if choice not in ("accept", "reject"):
        raise Http404
    act = services.accept_proposal if choice == "accept" else services.reject_proposal
    try:
        act(proposal, note=form.cleaned_data.get("note", ""), actor=request.user)
    except ValidationError as exc:
        for errs in services_messages(exc):
            messages.error(request, errs)
    else:
        messages.success(request, _("Proposal accepted: the record is changed.") if choice == "accept"
                         else _("Proposal rejected."))
    return redirect("change-proposals-detail", pk=proposal.pk)


def services_messages(exc: ValidationError) -> list[str]:
    from jiliang.core.services import validation_messages

    return [m for msgs in validation_messages(exc).values() for m in msgs]


act_urls = [
    path("<str:slug>/<int:pk>/deregister/", deregister, name="registry-deregister"),
    path("<str:slug>/<int:pk>/propose/", propose, name="registry-propose"),
    path("change-proposals/<int:pk>/decide/", decide, name="change-proposals-decide"),
]
