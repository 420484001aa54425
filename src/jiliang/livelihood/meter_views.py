"""Pages of household meters: the list and detail (core.ui), the meter file upload (a background job), batches
with their statistics and histogram, the quarterly rotation lists (page, Excel, PDF, publication), the overdue
counts per utility, a rotation, and the public page of a county's published lists (no login, rate-limited)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core.jobs.services import JobError, Run, job_task, start_job
from jiliang.core.models import ImportBatch, ImportStatus, Region
from jiliang.core.regions import subtree_codes
from jiliang.core.scoping import VIEW
from jiliang.core.tables import Column
from jiliang.core.tabular import TableError, read_table
from jiliang.core.ui import ModelUI, register
from jiliang.registry.models import Organisation, OrganisationKind

from . import meter_batches, meter_import, meter_rotation
from .meter_access import may_act_for, utilities_for
from .meter_filters import HouseholdMeterFilterSet, MeterBatchFilterSet
from .models import HouseholdMeter, MeterBatch, RotationPublication

IMPORT_KIND = "household-meters"

# ---------------------------------------------------------------- list and detail (core.ui)

METER_COLUMNS = [
    Column("code", gettext_lazy("instrument code"), "instrument.instrument_code", "instrument__instrument_code",
           link=True),
    Column("kind", gettext_lazy("meter kind"), order_by="kind"),
    Column("size", gettext_lazy("size"), order_by="size"),
    Column("accuracy_class", gettext_lazy("accuracy class")),
    Column("rule", gettext_lazy("regulation row"), order_by="rule"),
    Column("utility", gettext_lazy("utility"), "utility.name", "utility__name"),
    Column("region", gettext_lazy("region"), "region", "region_id"),
    Column("batch", gettext_lazy("batch"), "batch.number"),
    Column("first_verified_on", gettext_lazy("first verified on"), order_by="first_verified_on"),
    Column("first_result", gettext_lazy("first verification")),
    Column("rotation_due", gettext_lazy("rotate by"), order_by="rotation_due"),
    Column("retired_on", gettext_lazy("retired on"), order_by="retired_on"),
]
BATCH_COLUMNS = [
    Column("number", gettext_lazy("batch number"), order_by="number", link=True),
    Column("utility", gettext_lazy("utility"), "utility.name", "utility__name"),
    Column("kind", gettext_lazy("meter kind"), order_by="kind"),
    Column("manufacturer", gettext_lazy("manufacturer")),
    Column("declared_count", gettext_lazy("meters in the batch"), order_by="declared_count"),
    Column("verified_on", gettext_lazy("first verified on"), order_by="verified_on"),
    Column("passed", gettext_lazy("passed")),
    Column("failed", gettext_lazy("failed")),
    Column("biased", gettext_lazy("mean error significantly non-zero"), order_by="biased"),
]


def _meter_context(request, meter: HouseholdMeter) -> dict:
    from jiliang.supervision.models import InstrumentState

    state = InstrumentState.objects.filter(pk=meter.pk).first()
    return {"meter": meter, "state": state, "may_rotate": meter.retired_on is None
            and may_act_for(request.user, meter.utility),
            "replaces": HouseholdMeter.objects.filter(replaced_by=meter).select_related("instrument").first(),
            "source": meter_rotation.RULE_SOURCES.get(meter.rule, "")}


def _batch_context(request, batch: MeterBatch) -> dict:
    histograms = {}
    for flow in batch.flows or []:
        errors = [e[flow] for e in HouseholdMeter.objects.filter(batch=batch).values_list("first_errors", flat=True)
                  if isinstance(e, dict) and isinstance(e.get(flow), int | float)]
        histograms[flow] = histogram(errors)
    return {"batch": batch, "flows": (batch.statistics or {}).get("flows", []),
            "method": _method_text((batch.statistics or {}).get("method", "")),
            "alpha": (batch.statistics or {}).get("alpha"),
            "histograms": histograms, "may_record": may_act_for(request.user, batch.utility)
            and not (batch.passed or batch.failed), "results_form": styled(ResultsForm())}


def _method_text(method: str) -> str:
    """The stored name of the batch test (batch_stats.METHOD, kept in English in the data) in the reader's language."""
    from .batch_stats import METHOD

    return _("one-sample Student t test of the mean error against 0, two-sided, Bonferroni over the flows") \
        if method == METHOD else method


def histogram(values: list[float], bins: int = 20) -> dict:
    """Bin edges and counts of the errors of one flow (the batch page draws them with ECharts)."""
    if not values:
        return {"labels": [], "counts": []}
    lo, hi = min(values), max(values)
    if hi == lo:
        return {"labels": [f"{lo:.3f}"], "counts": [len(values)]}
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    return {"labels": [f"{lo + (i + 0.5) * width:.3f}" for i in range(bins)], "counts": counts}


meter_ui = register(ModelUI(
    model=HouseholdMeter, slug="household-meters", columns=METER_COLUMNS, filterset=HouseholdMeterFilterSet,
    default_order="rotation_due", read_only=True,
    filter_fields=["utility", "region", "kind", "rule", "due_year", "due_quarter", "overdue", "retired", "code"],
    detail_fields=["instrument", "utility", "region", "kind", "size", "gas_kind", "accuracy_class", "rule",
                   "service_life_years", "batch", "area", "account_area", "installed_on", "first_verified_on",
                   "first_result", "first_errors", "rotation_due", "retired_on", "replaced_by"],
    detail_template="livelihood/household_meter_detail.html", detail_context=_meter_context,
    list_actions=((gettext_lazy("Upload a meter file"), "household-meter-import", "bi-upload"),)))
batch_ui = register(ModelUI(
    model=MeterBatch, slug="meter-batches", columns=BATCH_COLUMNS, filterset=MeterBatchFilterSet,
    default_order="-id", read_only=True, filter_fields=["utility", "region", "kind", "biased", "number"],
    detail_fields=["number", "utility", "kind", "manufacturer", "model", "declared_count", "institution",
                   "verified_on", "flows", "biased", "passed", "failed"],
    detail_template="livelihood/meter_batch_detail.html", detail_context=_batch_context,
    list_actions=((gettext_lazy("Register a batch"), "meter-batch-add", "bi-plus"),)))


# ---------------------------------------------------------------- the meter file (a job)


def styled(form):
    """Bootstrap classes on the form's widgets."""
    for f in form.fields.values():
        css = "form-select" if isinstance(f.widget, forms.Select) else "form-control"
        f.widget.attrs.setdefault("class", css)
    return form


class UtilityChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class MeterFileForm(forms.Form):
    utility = UtilityChoice(queryset=Organisation.objects.none(), label=gettext_lazy("utility"))
    file = forms.FileField(label=gettext_lazy("meter file (.xlsx or .csv)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utility"].queryset = utilities_for(user)
        if self.fields["utility"].queryset.count() == 1:
            self.fields["utility"].initial = self.fields["utility"].queryset.first()


@login_required
def meter_import_page(request):
    if not utilities_for(request.user).exists():
        raise PermissionDenied(_("Only utilities and bureaus register household meters."))
    form = MeterFileForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            table = read_table(upload.name, data)
            _rows, problems = meter_import.table_rows(table)
        except TableError as exc:
            problems = [str(exc)]
        if problems:
            for p in problems:
                form.add_error("file", p)
        else:
            utility = form.cleaned_data["utility"]
            batch = ImportBatch.objects.create(kind=IMPORT_KIND, user=request.user, filename=upload.name[:200],
                                               data=data, report={"total": len(table.rows), "utility": utility.pk})
            title = _("Household meters of %(u)s from %(file)s") % {"u": utility.name, "file": upload.name}
            job = start_job(request.user, kind="household-meters", title=title, task=meter_import_task,
                            params={"batch": batch.pk, "utility": utility.pk})
            return redirect("job-detail", pk=job.pk)
    return render(request, "livelihood/meter_import.html", {
        "form": styled(form), "columns": meter_import.COLUMNS,
        "examples": ["", "", "水表", "DN20", "", "", "", "宁波水表", "LXS-20E", "S2024000001", "B-2024-01",
                     "320583", "", "片区A-01", "2024-05-01", "2024-04-20", "合格", ""]})


@job_task
def meter_import_task(run: Run) -> None:
    job = run.job
    batch = ImportBatch.objects.get(pk=job.params["batch"], user=job.owner)
    utility = Organisation.objects.get(pk=job.params["utility"])
    table = read_table(batch.filename, bytes(batch.data))
    rows, problems = meter_import.table_rows(table)
    if problems:
        raise JobError(" ".join(problems))
    total = len(table.rows)
    run.progress(0, total, _("rows checked and written"), force=True)
    try:
        result = meter_import.register_rows(
            rows, utility=utility, actor=job.owner, total=total, message=f"household meter file {batch.filename}",
            progress=lambda n, t: run.progress(n, t, _("rows checked and written")))
    except BaseException:
        batch.status, batch.finished = ImportStatus.FAILED, timezone.now()
        batch.save(update_fields=["status", "finished"])
        raise
    batch.status, batch.result, batch.finished = ImportStatus.APPLIED, result.as_dict(), timezone.now()
    batch.save(update_fields=["status", "result", "finished"])
    if result.errors:
        from jiliang.core.export import write_workbook

        path = run.result_file(f"errors-{batch.pk}.xlsx")
        write_workbook(path, _("rows with errors"), [_("row"), _("field"), _("reason")],
                       ([e.row, e.field, e.message] for e in result.errors))
    run.progress(total, total, _("%(created)d meters registered, %(first_verifications)d first verifications "
                                 "recorded, %(error_rows)d rows with errors (the file of errors lists them).")
                 % result.as_dict(max_errors=0), force=True)
    run.link(reverse("household-meters-list") + f"?utility={utility.pk}")


@login_required
def meter_template(request):
    """An empty meter file with the headers (Chinese) and one example row."""
    from jiliang.core.export import workbook_bytes

    data = workbook_bytes(_("household meters"), [c.zh for c in meter_import.COLUMNS],
                          [["", "", "水表", "DN20", "", "", "", "宁波水表", "LXS-20E", "S2024000001", "", "320583", "",
                            "片区A-01", "2024-05-01", "2024-04-20", "合格", ""]])
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="household-meters.xlsx"'
    return response


# ---------------------------------------------------------------- batches


class BatchForm(forms.Form):
    utility = UtilityChoice(queryset=Organisation.objects.none(), label=gettext_lazy("utility"))
    number = forms.CharField(label=gettext_lazy("batch number"), max_length=60)
    kind = forms.ChoiceField(label=gettext_lazy("meter kind"), choices=HouseholdMeter._meta.get_field("kind").choices)
    manufacturer = forms.CharField(label=gettext_lazy("manufacturer"), max_length=200)
    model = forms.CharField(label=gettext_lazy("model"), max_length=100, required=False)
    declared_count = forms.IntegerField(label=gettext_lazy("meters in the batch"), min_value=1)
    institution = UtilityChoice(queryset=Organisation.objects.filter(kind=OrganisationKind.INSTITUTE),
                                label=gettext_lazy("verifying institution"))
    verified_on = forms.DateField(label=gettext_lazy("first verified on"), widget=forms.DateInput(attrs={"type": "date"}))
    flows = forms.CharField(label=gettext_lazy("test flows"), required=False,
                            help_text=gettext_lazy("comma-separated, e.g. Q1, Q2, Q3 (empty: the usual ones)"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["utility"].queryset = utilities_for(user)


class ResultsForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("results file (.xlsx or .csv): instrument_code, result, one column "
                                              "per flow"))


@login_required
def batch_add(request):
    if not utilities_for(request.user).exists():
        raise PermissionDenied(_("Only utilities and bureaus register batches."))
    form = BatchForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        v = form.cleaned_data
        flows = [f.strip() for f in (v.pop("flows") or "").split(",") if f.strip()]
        try:
            batch = meter_batches.register_batch(actor=request.user, flows=flows or None,
                                                 today=timezone.localdate(), **v)
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(k if k in form.fields else None, msg)
        else:
            messages.success(request, _("Batch %(n)s registered.") % {"n": batch.number})
            return redirect("meter-batches-detail", pk=batch.pk)
    return render(request, "supervision/form.html", {
        "form": styled(form), "title": _("Register a batch"), "back": reverse("meter-batches-list"),
        "back_label": _("meter batches"), "submit": _("Register")})


@login_required
def batch_results(request, pk: int):
    batch = get_object_or_404(MeterBatch.objects.restrict(request.user, VIEW), pk=pk)
    form = ResultsForm(request.POST or None, request.FILES or None)
    if request.method != "POST" or not form.is_valid():
        return redirect("meter-batches-detail", pk=batch.pk)
    upload = form.cleaned_data["file"]
    try:
        table = read_table(upload.name, upload.read())
        flows, rows, problems = meter_batches.rows_from_table(table)
        if problems:
            raise meter_batches.BatchRefused(problems)
        meter_batches.record_results(batch, rows, actor=request.user, flows=flows or None,
                                     today=timezone.localdate())
    except TableError as exc:
        messages.error(request, str(exc))
    except meter_batches.BatchRefused as exc:
        return render(request, "livelihood/batch_refused.html", {"batch": batch, "errors": exc.rows}, status=400)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The results of batch %(n)s are recorded.") % {"n": batch.number})
    return redirect("meter-batches-detail", pk=batch.pk)


# ---------------------------------------------------------------- rotation


class RotateForm(forms.Form):
    rotated_on = forms.DateField(label=gettext_lazy("rotated on"), widget=forms.DateInput(attrs={"type": "date"}))
    manufacturer = forms.CharField(label=gettext_lazy("manufacturer of the new meter"), max_length=200)
    model = forms.CharField(label=gettext_lazy("model"), max_length=100, required=False)
    serial_number = forms.CharField(label=gettext_lazy("serial number"), max_length=100)
    instrument_code = forms.CharField(label=gettext_lazy("instrument code (empty: jiliang issues one)"),
                                      max_length=40, required=False)
    code_scheme = forms.ChoiceField(label=gettext_lazy("code scheme"), required=False,
                                    choices=[("", "—"), ("GB/T 36377", "GB/T 36377"), ("SGCC", "SGCC")])
    first_verified_on = forms.DateField(label=gettext_lazy("first verified on"), required=False,
                                        widget=forms.DateInput(attrs={"type": "date"}))
    first_result = forms.ChoiceField(label=gettext_lazy("first verification"), required=False,
                                     choices=HouseholdMeter._meta.get_field("first_result").choices)


@login_required
def rotate(request, pk: int):
    meter = get_object_or_404(HouseholdMeter.objects.restrict(request.user, VIEW), pk=pk)
    form = RotateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = meter_rotation.rotate_meter(meter, actor=request.user, today=timezone.localdate(),
                                              **form.cleaned_data)
        except ValidationError as exc:
            for k, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(k if k in form.fields else None, msg)
        else:
            messages.success(request, _("Meter rotated: the new meter is %(code)s.")
                             % {"code": new.instrument.instrument_code})
            return redirect("household-meters-detail", pk=new.pk)
    return render(request, "supervision/form.html", {
        "form": styled(form), "title": _("Rotate meter %(code)s") % {"code": meter.instrument.instrument_code},
        "back": reverse("household-meters-detail", args=[meter.pk]), "back_label": _("household meter"),
        "submit": _("Record the rotation"),
        "intro": _("The meter is retired and the new one registered at the same place (region, address, account "
                   "area).")})


PAGE_ROWS = 200
PUBLIC_ROWS = 5000  # a county's public page shows at most this many meters (the bureau's Excel file has all)


def _list_request(request):
    """(quarter, utility, county, queryset) of a rotation list asked for by the page's query string."""
    today = timezone.localdate()
    q = meter_rotation.Quarter.of(today)
    try:
        quarter = meter_rotation.Quarter.parse(request.GET.get("year") or q.year,
                                               request.GET.get("quarter") or q.quarter)
    except ValidationError:
        quarter = q
    utility = county = None
    if (u := request.GET.get("utility", "")).isdigit():
        utility = get_object_or_404(Organisation.objects.filter(kind=OrganisationKind.UTILITY), pk=int(u))
    if (c := request.GET.get("region", "")).isdigit():
        county = get_object_or_404(Region, pk=c)
    base = HouseholdMeter.objects.restrict(request.user, VIEW)
    qs = meter_rotation.rotation_queryset(base, quarter, utility=utility, region=county.code if county else None)
    return quarter, utility, county, qs


def _title(quarter, utility, county) -> str:
    who = utility.name if utility else county.name if county else _("all meters you may see")
    return _("Rotation list %(q)s · %(who)s") % {"q": quarter.label, "who": who}


@login_required
def rotation_list(request):
    quarter, utility, county, qs = _list_request(request)
    title = _title(quarter, utility, county)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        response = HttpResponse(meter_rotation.workbook(qs, quarter, title),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="rotation-{quarter.year}Q{quarter.quarter}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(meter_rotation.pdf(qs, quarter, title), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="rotation-{quarter.year}Q{quarter.quarter}.pdf"'
        return response
    counties = []
    if request.user.region_id:
        counties = list(Region.objects.filter(code__in=subtree_codes(request.user.region_id), is_current=True,
                                              level__in=meter_import.COUNTY_LEVELS).order_by("code"))
    publication = None
    may_publish = county is not None and meter_rotation.may_publish(request.user, county)
    if county is not None:
        publication = RotationPublication.objects.filter(region=county, year=quarter.year,
                                                         quarter=quarter.quarter).first()
    after = request.GET.get("after") or None
    try:
        rows, next_cursor = meter_rotation.page(qs, quarter, size=PAGE_ROWS, after=after)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        (rows, next_cursor), after = meter_rotation.page(qs, quarter, size=PAGE_ROWS), None
    params = request.GET.copy()
    params.pop("after", None)
    return render(request, "livelihood/rotation_list.html", {
        "title": title, "quarter": quarter, "utility": utility, "county": county,
        "rows": rows, "page_rows": PAGE_ROWS, "after": after, "next_cursor": next_cursor,
        "list_query": params.urlencode(),
        "summary": meter_rotation.summary(qs, quarter), "rules": [
            (r, meter_rotation.RULE_SOURCES.get(r.category, "")) for r in meter_rotation.rules_used(qs)],
        "utilities": Organisation.objects.restrict(request.user, VIEW).filter(kind=OrganisationKind.UTILITY)
        .order_by("name"), "counties": counties, "quarters": (1, 2, 3, 4),
        "query": request.GET.urlencode(), "may_publish": may_publish, "publication": publication})


@login_required
def rotation_publish(request):
    if request.method != "POST":
        return redirect("rotation-list")
    county = get_object_or_404(Region, pk=request.POST.get("region", ""))
    try:
        quarter = meter_rotation.Quarter.parse(request.POST.get("year"), request.POST.get("quarter"))
        meter_rotation.publish(region=county, quarter=quarter, actor=request.user,
                               withdraw=request.POST.get("withdraw") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rotation-list")
    messages.success(request, _("The list is withdrawn from the public page.") if request.POST.get("withdraw") == "1"
                     else _("The list is published on the county's public page."))
    return redirect(f"{reverse('rotation-list')}?region={county.code}&year={quarter.year}&quarter={quarter.quarter}")


@login_required
def rotation_overdue(request):
    today = timezone.localdate()
    rows = list(meter_rotation.overdue_by_utility(HouseholdMeter.objects.restrict(request.user, VIEW), today))
    if request.GET.get("format") == "xlsx":
        from jiliang.core.export import workbook_bytes

        data = workbook_bytes(_("overdue rotations"), [_("utility"), _("meters in service"), _("overdue")],
                              [[r["utility__name"], r["in_service"], r["overdue"]] for r in rows])
        response = HttpResponse(data,
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="overdue-rotations.xlsx"'
        return response
    return render(request, "livelihood/rotation_overdue.html", {"rows": rows, "today": today})


# ---------------------------------------------------------------- public page (no login)


def _public_limited(request):
    from jiliang.supervision.public_views import _limited

    return _limited(request, "rotation", "JILIANG_RATE_PUBLIC_PAGE")


def public_rotation(request, county: str, year: int | None = None, quarter: int | None = None):
    """A county's published rotation lists (no login): only what the list shows, no personal data."""
    lang = request.GET.get("lang") if request.GET.get("lang") in ("en", "zh-hans") else None
    with translation.override(lang or translation.get_language()):
        refused = _public_limited(request)
        if refused:
            return refused
        region = Region.objects.filter(pk=county).first()
        published = RotationPublication.objects.filter(region_id=county, withdrawn=False).order_by("-year",
                                                                                                  "-quarter")
        if region is None or not published.exists():
            raise Http404(_("No rotation list is published for this county."))
        ctx = {"region": region, "published": published, "lang": lang}
        if year is not None:
            if not published.filter(year=year, quarter=quarter).exists():
                raise Http404(_("This quarter's list is not published."))
            q = meter_rotation.Quarter.parse(year, quarter)
            qs = meter_rotation.rotation_queryset(HouseholdMeter.objects.all(), q, region=county)
            by_utility: dict[str, list] = {}
            for r in meter_rotation.list_rows(qs, q, limit=PUBLIC_ROWS):
                by_utility.setdefault(r["utility__name"], []).append(r)
            ctx.update(quarter=q, by_utility=by_utility, summary=meter_rotation.summary(qs, q),
                       limit=PUBLIC_ROWS)
        response = render(request, "livelihood/public_rotation.html", ctx)
        response["Cache-Control"] = "public, max-age=300"
        return response

