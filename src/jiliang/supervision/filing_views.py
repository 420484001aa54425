"""Pages of filing (登记造册、备案) under /supervision/filings/: the owner files (chosen instruments or an Excel
file), the county bureau decides in its queue or on a filing's page and designates the verifying institution,
everybody in scope reads filings and the unfiled instruments in service of their region (with Excel export)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiliang.core.filters import posted_ids as _ids
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import VIEW, user_role
from jiliang.core.services import validation_messages
from jiliang.core.tables import Column
from jiliang.core.tabular import TableError, read_table
from jiliang.core.ui import XLSX, ModelUI, ObjectListView, register
from jiliang.registry.models import INSTITUTE_KINDS, Instrument, InstrumentCategory, Organisation

from . import filing
from .filing_filters import FilingFilterSet, UnfiledFilterSet
from .filing_import import FilingImporter, template_bytes
from .models import Filing, FilingEntry, FilingState, InstitutionDesignation, InstrumentState

ENTRY_COLUMNS = [
    Column("instrument", gettext_lazy("instrument")),
    Column("state", gettext_lazy("state")),
    Column("reason", gettext_lazy("reason for return")),
    Column("designated_institution", gettext_lazy("designated institution")),
    Column("decided_at", gettext_lazy("decided at")),
]
def _is_county(user) -> bool:
    return user.is_superuser or user_role(user) == Role.COUNTY_BUREAU


def _institutions():
    return Organisation.objects.filter(kind__in=INSTITUTE_KINDS, deregistered_on__isnull=True).order_by("name")


def filing_context(request, obj):
    pending = [e for e in obj.entries.all().restrict(request.user, VIEW).select_related("instrument")
               if e.state == FilingState.SUBMITTED]
    return {"pending": pending, "may_decide": bool(pending) and _is_county(request.user),
            "institutions": _institutions() if _is_county(request.user) else []}


filing_ui = register(ModelUI(
    model=Filing, slug="filings", read_only=True, filterset=FilingFilterSet,
    columns=[Column("id", gettext_lazy("filing"), lambda f: f.pk, order_by="id", link=True),
             Column("owner", gettext_lazy("owner"), order_by="owner__name"),
             Column("bureau_region", gettext_lazy("filed with (county)")),
             Column("created", gettext_lazy("filed at"), order_by="created"),
             Column("note", gettext_lazy("note"))],
    detail_fields=["owner", "bureau_region", "submitted_by", "note", "created"],
    related=[(gettext_lazy("instruments filed"), "entries", ENTRY_COLUMNS)],
    detail_template="supervision/filing/filing_detail.html", detail_context=filing_context,
))

unfiled_ui = ModelUI(
    model=InstrumentState, slug="filings-unfiled", read_only=True, filterset=UnfiledFilterSet,
    columns=[Column("instrument", gettext_lazy("instrument"), link=True, order_by="instrument__serial_number"),
             Column("owner", gettext_lazy("owner"), order_by="owner__name"),
             Column("category", gettext_lazy("category")),
             Column("region", gettext_lazy("region"), order_by="region"),
             Column("filing_state", gettext_lazy("filing"), order_by="filing_state"),
             Column("status", gettext_lazy("verification status"))],
    default_order="region",
)


@login_required
def unfiled_detail(request, pk):
    """A row of the unfiled list opens its instrument's page."""
    state = get_object_or_404(InstrumentState.objects.restrict(request.user, VIEW), pk=pk)
    return redirect("instruments-detail", pk=state.pk)


def _owner_of(request) -> Organisation:
    user = request.user
    if user_role(user) != Role.ENTERPRISE or not user.organisation_id:
        raise PermissionDenied(_("Only an owner's staff file its instruments."))
    return user.organisation


def _fileable(owner):
    return (Instrument.objects.filter(owner=owner, mandatory=True, status="in_service")
            .filter(supervision__filing_state__in=[FilingState.UNFILED, FilingState.RETURNED])
            .select_related("category", "region").order_by("serial_number"))




@login_required
def file_new(request):
    """The owner chooses instruments to file with its county bureau."""
    owner = _owner_of(request)
    refused = []
    if request.method == "POST":
        ids = _ids(request.POST.getlist("instruments"))
        if not ids:
            messages.error(request, _("Choose at least one instrument."))
        else:
            result = filing.file_instruments(owner, ids, request.user, note=request.POST.get("note", ""))
            refused = result.refused
            if result.filings:
                messages.success(request, _("%(n)d instrument(s) filed with the county bureau.") % {"n": result.filed})
                if not refused:
                    return redirect("filings-detail", pk=result.filings[0].pk)
    return render(request, "supervision/filing/file_new.html",
                  {"owner": owner, "instruments": _fileable(owner), "refused": refused})


@login_required
def file_import(request):
    """The owner files a batch from an Excel or CSV file; the report names every row not filed."""
    owner = _owner_of(request)
    report, problem = None, ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = _("Choose a file.")
        else:
            try:
                table = read_table(upload.name, upload.read())
                report = FilingImporter(request.user, owner).file(table, note=request.POST.get("note", ""))
            except TableError as exc:
                problem = str(exc)
    return render(request, "supervision/filing/file_import.html", {
        "owner": owner, "report": report, "problem": problem,
        "columns": FilingImporter(request.user, owner).columns})


@login_required
def file_template(request):
    owner = _owner_of(request)
    response = HttpResponse(template_bytes(request.user, owner), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="jiliang-filing-template.xlsx"'
    return response


def _require_bureau(request):
    if not (request.user.is_superuser or user_role(request.user) in BUREAU_ROLES):
        raise PermissionDenied(_("The queue of filings is the bureaus'."))


@login_required
def queue(request):
    """Pending filing entries in the bureau's region, oldest first; the county bureau decides here."""
    _require_bureau(request)
    entries = (FilingEntry.objects.restrict(request.user, VIEW).filter(state=FilingState.SUBMITTED)
               .select_related("filing", "filing__owner", "instrument", "instrument__category")
               .order_by("id")[:500])
    return render(request, "supervision/filing/queue.html", {
        "entries": entries, "may_decide": _is_county(request.user),
        "institutions": _institutions() if _is_county(request.user) else []})


@login_required
@require_POST
def decide(request):
    """Accept or return the chosen entries (one or many); a return needs a reason for each."""
    ids = _ids(request.POST.getlist("entries"))
    visible = list(FilingEntry.objects.restrict(request.user, VIEW).filter(pk__in=ids).values_list("pk", flat=True))
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if not visible:
        messages.error(request, _("Choose at least one instrument."))
        return redirect(back or "filings-queue")
    reasons = {pk: request.POST.get(f"reason_{pk}", "").strip() or request.POST.get("reason", "").strip()
               for pk in visible}
    institution = _ids([request.POST.get("designated_institution", "")])
    try:
        rows = filing.decide(visible, request.user, request.POST.get("decision", ""), reasons=reasons,
                             institution=institution[0] if institution else None)
    except ValidationError as exc:
        for _field, msgs in validation_messages(exc).items():
            for m in msgs:
                messages.error(request, m)
    else:
        messages.success(request, _("%(n)d filing entry(ies) decided.") % {"n": len(rows)})
    return redirect(back or "filings-queue")


@login_required
def designations(request):
    """The designations in scope; the county bureau designates per owner and category (or all categories)."""
    may = _is_county(request.user)
    if request.method == "POST":
        if not may:
            raise PermissionDenied(_("Only a county bureau designates the verifying institution."))
        owner = Organisation.objects.restrict(request.user, VIEW).filter(
            pk__in=_ids([request.POST.get("owner", "")])).first()
        category = InstrumentCategory.objects.filter(pk__in=_ids([request.POST.get("category", "")])).first()
        institution = _ids([request.POST.get("institution", "")])
        instrument = None
        if request.POST.get("instrument", "").strip():
            instrument = Instrument.objects.restrict(request.user, VIEW).filter(
                pk__in=_ids([request.POST["instrument"].strip()])).first()
            owner = instrument.owner if instrument else None
        if owner is None:
            messages.error(request, _("owner: choose an owner in your region.") if instrument is None and
                           not request.POST.get("instrument", "").strip()
                           else _("instrument: no instrument with this number in your region."))
        else:
            try:
                filing.designate(owner, institution[0] if institution else None, request.user, category=category,
                                 instrument=instrument)
            except ValidationError as exc:
                for m in [m for msgs in validation_messages(exc).values() for m in msgs]:
                    messages.error(request, m)
            else:
                messages.success(request, _("Designation saved."))
                return redirect("filings-designations")
    rows = (InstitutionDesignation.objects.restrict(request.user, VIEW)
            .select_related("owner", "category", "institution").order_by("owner__name", "category__name"))
    owners = (Organisation.objects.restrict(request.user, VIEW).filter(kind="enterprise").order_by("name")[:1000]
              if may else [])
    categories = (InstrumentCategory.objects.filter(supervision_mode__in=["V", "P+V"]).order_by("name")
                  if may else [])
    return render(request, "supervision/filing/designations.html", {
        "rows": rows, "may_designate": may, "owners": owners, "categories": categories,
        "institutions": _institutions() if may else []})


urlpatterns = [
    path("filings/new/", file_new, name="filings-new"),
    path("filings/import/", file_import, name="filings-import"),
    path("filings/import/template.xlsx", file_template, name="filings-import-template"),
    path("filings/queue/", queue, name="filings-queue"),
    path("filings/decide/", decide, name="filings-decide"),
    path("filings/designations/", designations, name="filings-designations"),
    path("filings/unfiled/", ObjectListView.as_view(ui=unfiled_ui), name="filings-unfiled-list"),
    path("filings/unfiled/<int:pk>/", unfiled_detail, name="filings-unfiled-detail"),
    *filing_ui.urls(),
]
