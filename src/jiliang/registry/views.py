"""Excel import pages: download a template, upload, read the row-by-row report, import valid rows or nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from jiliang.core.filters import MAX_ID
from jiliang.core.models import ImportBatch, ImportStatus
from jiliang.core.scoping import ADD, CHANGE, may_write
from jiliang.core.tabular import TableError, read_table
from jiliang.core.ui import UIView

from .importing import IMPORTERS, errors_file, template_workbook

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
        report = importer.plan(read_table(batch.filename, bytes(batch.data)))
        try:
            result = importer.apply(report, valid_only=(choice == "valid"))
        except (ValidationError, PermissionDenied) as exc:
            batch.status, batch.result = ImportStatus.FAILED, {"error": " ".join(getattr(exc, "messages", [str(exc)]))}
            batch.finished = timezone.now()
            batch.save(update_fields=["status", "result", "finished"])
            messages.error(request, batch.result["error"])
            return redirect(f"{request.path}?batch={batch.pk}")
        batch.status, batch.result, batch.finished = ImportStatus.APPLIED, result, timezone.now()
        batch.save(update_fields=["status", "result", "finished"])
        messages.success(request, _("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, "
                                    "%(skipped_error_rows)d rows with errors skipped.") % result)
        return redirect(self.ui.url("list"))


def _id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ID:
        raise Http404
    return int(value)


def _template(request, kind):
    if kind not in IMPORTERS or not request.user.is_authenticated:
        raise Http404
    response = HttpResponse(template_workbook(kind, request.user),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="jiliang-{kind}-template.xlsx"'
    return response


import_template = path("import-template/<str:kind>/", _template, name="import-template")
