"""Pages of the reported-records side: the Excel/CSV import of records (check, then store the good rows) and the
resolve form of a conflicting record. The lists and detail pages are core.ui's (ui.py)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiliang.core.filters import id_or_404 as _batch_id
from jiliang.core.models import ImportBatch, ImportStatus
from jiliang.core.roles import BUREAU_ROLES
from jiliang.core.scoping import VIEW, user_role
from jiliang.core.services import validation_messages
from jiliang.core.tabular import TableError, read_table

from . import importing, records
from .models import ConflictStatus, RecordConflict


class ResolveForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=gettext_lazy("decision"), coerce=lambda v: v == "accept",
        choices=[("keep", gettext_lazy("keep the stored event")),
                 ("accept", gettext_lazy("take the reported values"))], widget=forms.RadioSelect)
    resolution = forms.CharField(label=gettext_lazy("resolution"), max_length=500,
                                 widget=forms.Textarea(attrs={"rows": 3}))


def may_resolve(user) -> bool:
    return bool(getattr(user, "is_superuser", False)) or user_role(user) in BUREAU_ROLES


def resolve_context(request, obj) -> dict:
    show = obj.status == ConflictStatus.OPEN and may_resolve(request.user)
    return {"resolve_form": ResolveForm() if show else None}


@login_required
@require_POST
def resolve(request, pk):
    conflict = get_object_or_404(RecordConflict.objects.restrict(request.user, VIEW), pk=pk)
    if not may_resolve(request.user):
        raise PermissionDenied(_("Only a market supervision bureau resolves conflicting records."))
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            records.resolve_conflict(conflict, actor=request.user, accept=form.cleaned_data["accept"],
                                     resolution=form.cleaned_data["resolution"])
        except ValidationError as exc:
            for errs in validation_messages(exc).values():
                for e in errs:
                    messages.error(request, e)
        else:
            messages.success(request, _("The conflict is resolved."))
    else:
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, e)
    return redirect("record-conflicts-detail", pk=conflict.pk)




@login_required
def import_records(request):
    """Upload an Excel or CSV file of records; the check shows what each row would do; storing keeps the good
    rows (a record is idempotent, so storing the same file again changes nothing)."""
    if not records.may_report(request.user):
        raise PermissionDenied(_("Only verification institutions and market supervision bureaus report "
                                 "verification records."))
    kind = importing.KIND
    if request.GET.get("template"):
        response = HttpResponse(_template(request.user), content_type=
                                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="jiliang-verification-records-template.xlsx"'
        return response
    batch = None
    if request.method == "POST" and "batch" in request.POST:
        batch = get_object_or_404(ImportBatch, pk=_batch_id(request.POST["batch"]), user=request.user, kind=kind,
                                  status=ImportStatus.CHECKED)
        if request.POST.get("choice") == "cancel":
            batch.status, batch.finished = ImportStatus.CANCELLED, timezone.now()
            batch.save(update_fields=["status", "finished"])
            messages.info(request, _("Nothing was imported."))
            return redirect("records-import")
        table = read_table(batch.filename, bytes(batch.data))
        batch.result = importing.apply(table, actor=request.user, batch=batch)
        batch.status, batch.finished = ImportStatus.APPLIED, timezone.now()
        batch.save(update_fields=["result", "status", "finished"])
        return redirect(f"{request.path}?batch={batch.pk}")
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            messages.error(request, _("Choose a file to upload."))
            return redirect(request.path)
        try:
            data = upload.read()
            report = importing.check(read_table(upload.name, data), actor=request.user)
        except TableError as exc:
            messages.error(request, _("%(name)s: %(reason)s") % {"name": upload.name, "reason": exc})
            return redirect(request.path)
        batch = ImportBatch.objects.create(kind=kind, user=request.user, filename=upload.name[:200], data=data,
                                           report=report)
        return redirect(f"{request.path}?batch={batch.pk}")
    if request.GET.get("batch"):
        batch = get_object_or_404(ImportBatch, pk=_batch_id(request.GET["batch"]), user=request.user, kind=kind)
    return render(request, "supervision/records_import.html", {"batch": batch, "fields": records.FIELDS})


def _template(user) -> bytes:
    """The header row in the active language (required columns in red) and a sheet saying what each column takes."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Font

    importer = importing.RecordImporter(user)
    wb = Workbook()
    ws = wb.active
    ws.title = str(importer.label)[:31]
    ws.append([c.header() for c in importer.columns])
    for cell, col in zip(ws[1], importer.columns, strict=True):
        cell.font = Font(bold=True, color="C00000" if col.required else "000000")
    notes = wb.create_sheet(str(_("column notes"))[:31])
    notes.append([str(_("column")), str(_("must be filled in")), str(_("what it takes"))])
    for c in importer.columns:
        notes.append([c.header(), str(_("yes") if c.required else _("no")), str(_column_help(c))])
    notes.append([])
    notes.append([str(_("Name the instrument by its jiliang id, or by owner USCC, manufacturer, model and serial "
                        "number."))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _column_help(col):
    from jiliang.registry.importing import _column_help as registry_help

    return registry_help(col)
