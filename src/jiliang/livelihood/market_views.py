"""Pages of markets: the list (filter, Excel), a market's page (stalls, scales by stall with their supervision
status, fair scales, the five unifications, the score), the operator's forms, the stall-and-scale import, and the
bureaus' ranking with the 专栏10 figures by region. Every query starts from ``restrict(request.user, …)``; every
change is a call into market_services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.audit import audit_context
from jiliang.core.export import workbook_bytes
from jiliang.core.filters import id_or_404
from jiliang.core.models import Region
from jiliang.core.regions import is_within
from jiliang.core.scoping import ADD, VIEW, may_write
from jiliang.core.services import validation_messages
from jiliang.core.tabular import TableError, read_table
from jiliang.registry.models import Instrument
from jiliang.supervision import dashboard
from jiliang.supervision.models import InstrumentState, Status

from . import market_rates, market_score
from . import market_services as ms
from .market_forms import ImportForm, MarketForm, MoveForm, ScaleForm, StallForm, UnificationForm
from .market_import import MarketImporter
from .models import Market, MarketScale, Unification, UnificationCheck

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = 50


def _period(request):
    try:
        return dashboard.parse_period(request.GET.get("period"), timezone.localdate())
    except dashboard.BadParameter:
        return dashboard.parse_period(None, timezone.localdate())


def _pct(rate) -> float | None:
    return None if rate.value is None else round(100 * rate.value, 1)


def _xlsx(name: str, title: str, headers, rows, about) -> HttpResponse:
    about = [(_("export of"), title), (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")), *about]
    response = HttpResponse(workbook_bytes(title, headers, rows, about=about), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _audited(request):
    return audit_context(actor=request.user, channel="web")


# ---------------------------------------------------------------- list


def _filtered(request):
    qs = (Market.objects.restrict(request.user, VIEW).select_related("operator", "region")
          .annotate(stall_count=Count("stalls")))
    params = request.GET
    if region := params.get("region", "").strip():
        qs = qs.filter(region_id__in=_region_codes(region))
    if operator := params.get("operator", "").strip():
        qs = qs.filter(operator_id=operator) if operator.isdigit() else qs.filter(operator__name__icontains=operator)
    if q := params.get("q", "").strip():
        qs = qs.filter(name__icontains=q)
    figures = market_rates.market_figures(qs.order_by("region_id", "name"), _period(request))
    try:
        min_score = float(params.get("min_score") or 0)
    except ValueError:
        min_score = 0
    if min_score:
        figures = [f for f in figures if f.score.value >= min_score]
    if params.get("unified") == "1":
        figures = [f for f in figures if f.score.fully_unified]
    return figures


def _region_codes(code: str) -> list[str]:
    from jiliang.core.regions import subtree_codes

    return subtree_codes(code) if Region.objects.filter(code=code).exists() else []


def _list_headers():
    return [_("market"), _("operator"), _("region"), _("stalls"), _("scales"), _("five unifications met"),
            _("verification rate on time (%)"), _("pass rate (%)"), _("score")]


def _list_cells(f: market_rates.MarketFigures) -> list:
    m = f.market
    return [m.name, m.operator.name, m.region.display_name, m.stall_count, f.scales,
            f"{f.score.unifications}/{market_score.ITEMS}", _pct(f.on_time), _pct(f.passed), round(f.score.value, 1)]


@login_required
def market_list(request):
    figures = _filtered(request)
    period = _period(request)
    if request.GET.get("export") == "xlsx":
        return _xlsx("markets", _("markets"), _list_headers(), [_list_cells(f) for f in figures],
                     [(_("period"), dashboard.period_label(period)),
                      *((k, v) for k, v in request.GET.items() if k != "export" and v),
                      (_("score"), market_score.DEFINITION), (_("definition version"), market_score.VERSION)])
    page = Paginator(figures, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    operators = (Market.objects.restrict(request.user, VIEW).values_list("operator_id", "operator__name")
                 .distinct().order_by("operator__name"))
    return render(request, "livelihood/markets/list.html", {
        "page": page, "params": request.GET, "query": query.urlencode(), "operators": operators,
        "period_label": dashboard.period_label(period), "can_add": may_write(request.user, Market.scope, ADD),
        "is_bureau": _is_bureau(request.user)})


def _is_bureau(user) -> bool:
    try:
        dashboard.root_of(user)
    except PermissionDenied:
        return False
    return True


# ---------------------------------------------------------------- market page


def _market(request, pk) -> Market:
    return get_object_or_404(Market.objects.restrict(request.user, VIEW).select_related("operator", "region"),
                             pk=id_or_404(str(pk)))


def unification_labels() -> dict[str, str]:
    """The five items in the reader's language (the model's labels carry the Chinese term in English too)."""
    return {Unification.CONFIGURATION: _("unified supply"), Unification.MANAGEMENT: _("unified management"),
            Unification.VERIFICATION: _("unified verification"), Unification.REPAIR: _("unified repair"),
            Unification.ROTATION: _("unified rotation")}


def checklist(market: Market) -> list[dict]:
    """The five items in the plan's order, each with its check (None: nothing entered) and what it lacks."""
    checks = {c.item: c for c in market.unifications.select_related("checked_by")}
    out = []
    for value, label in unification_labels().items():
        c = checks.get(value)
        item = market_rates.checklist_items([c])[0] if c else market_score.Item(False)
        out.append({"item": value, "label": label, "check": c, "counts": market_score.item_counts(item),
                    "missing": market_score.missing_evidence(item)})
    return out


@login_required
def market_detail(request, pk):
    market = _market(request, pk)
    period = _period(request)
    [fig] = market_rates.market_figures([market], period)
    scales = list(MarketScale.objects.filter(market=market).select_related("instrument", "stall")
                  .order_by("stall__number", "instrument_id"))
    states = dict(InstrumentState.objects.filter(instrument_id__in=[s.pk for s in scales])
                  .values_list("instrument_id", "status"))
    labels = dict(Status.choices)
    by_stall: dict = {}
    fair = []
    for s in scales:
        s.status = states.get(s.pk, "")
        s.status_label = labels.get(s.status, "")
        (fair.append(s) if s.fair_scale else by_stall.setdefault(s.stall_id, []).append(s))
    stalls = [(st, by_stall.get(st.pk, [])) for st in market.stalls.order_by("number")]
    writable = ms.may_enter_evidence(request.user, market)
    return render(request, "livelihood/markets/detail.html", {
        "market": market, "fig": fig, "stalls": stalls, "fair": fair, "checklist": checklist(market),
        "writable": writable, "may_confirm": ms.may_confirm(request.user, market),
        "period_label": dashboard.period_label(period), "score_definition": market_score.DEFINITION,
        "score_version": market_score.VERSION, "must_not": set(_must_not_statuses()),
        "stall_form": StallForm(), "scale_form": ScaleForm(market=market), "move_form": MoveForm(market=market),
        "unification_form": UnificationForm()})


def _must_not_statuses():
    from jiliang.supervision.lifecycle import MUST_NOT_BE_USED

    return MUST_NOT_BE_USED


def _writable_market(request, pk) -> Market:
    market = _market(request, pk)
    if not ms.may_enter_evidence(request.user, market):
        raise PermissionDenied(_("You may see this market but not change it."))
    return market


def _errors_to_messages(request, exc: ValidationError) -> None:
    for name, errs in validation_messages(exc).items():
        for e in errs:
            messages.error(request, e if name == "__all__" else f"{name}: {e}")


@login_required
def market_add(request):
    if not may_write(request.user, Market.scope, ADD):
        raise PermissionDenied(_("Your role may not add markets."))
    form = MarketForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with _audited(request):
                market = ms.create_market(operator=d["operator"], name=d["name"], region=d["region"],
                                          address=d["address"], opened_on=d["opened_on"], actor=request.user)
        except ValidationError as exc:
            for name, errs in validation_messages(exc).items():
                form.add_error(name if name in form.fields else None, errs)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Created %(obj)s.") % {"obj": market})
            return redirect("markets-detail", pk=market.pk)
    return render(request, "livelihood/markets/form.html", {"form": form, "title": _("Add a market")})


@login_required
@require_POST
def stall_add(request, pk):
    market = _writable_market(request, pk)
    form = StallForm(request.POST)
    if form.is_valid():
        try:
            with _audited(request):
                stall = ms.add_stall(market=market, actor=request.user, **form.cleaned_data)
            messages.success(request, _("Stall %(n)s opened.") % {"n": stall.number})
        except ValidationError as exc:
            _errors_to_messages(request, exc)
    else:
        _errors_to_messages(request, ValidationError(form.errors))
    return redirect("markets-detail", pk=market.pk)


@login_required
@require_POST
def scale_add(request, pk):
    market = _writable_market(request, pk)
    form = ScaleForm(request.POST, market=market)
    if form.is_valid():
        d = dict(form.cleaned_data)
        inst_id = d.pop("instrument")
        instrument = None
        try:
            if inst_id:
                instrument = Instrument.objects.restrict(request.user, VIEW).filter(pk=inst_id).first()
                if instrument is None:
                    raise ValidationError({"instrument": _("no instrument %(v)s that you may see") % {"v": inst_id}})
            with _audited(request):
                scale = ms.register_scale(market=market, instrument=instrument, stall=d.pop("stall"),
                                          fair_scale=d.pop("fair_scale"), category=d.pop("category") or None,
                                          actor=request.user, **d)
            messages.success(request, _("Scale %(s)s registered as %(where)s.")
                             % {"s": scale.instrument.instrument_code or scale.pk, "where": ms.where_registered(scale)})
        except ValidationError as exc:
            _errors_to_messages(request, exc)
    else:
        _errors_to_messages(request, ValidationError(form.errors))
    return redirect("markets-detail", pk=market.pk)


def _scale(request, pk) -> MarketScale:
    scale = get_object_or_404(MarketScale.objects.restrict(request.user, VIEW).select_related("market"),
                              pk=id_or_404(str(pk)))
    if not ms.may_enter_evidence(request.user, scale.market):
        raise PermissionDenied(_("You may see this market but not change it."))
    return scale


@login_required
@require_POST
def scale_move(request, pk):
    scale = _scale(request, pk)
    form = MoveForm(request.POST, market=scale.market)
    if form.is_valid():
        try:
            with _audited(request):
                stall = form.cleaned_data["stall"]  # no stall: the market's fair scales
                scale = ms.move_scale(scale, stall=stall, fair_scale=stall is None, actor=request.user)
            messages.success(request, _("Scale moved: now %(where)s.") % {"where": ms.where_registered(scale)})
        except ValidationError as exc:
            _errors_to_messages(request, exc)
    return redirect("markets-detail", pk=scale.market_id)


@login_required
@require_POST
def scale_remove(request, pk):
    scale = _scale(request, pk)
    market_id = scale.market_id
    with _audited(request):
        ms.remove_scale(scale, actor=request.user, reason=request.POST.get("reason", "")[:200])
    messages.success(request, _("Scale taken off the market's register."))
    return redirect("markets-detail", pk=market_id)


# ---------------------------------------------------------------- five unifications


@login_required
def unifications(request, pk):
    """The checklist page: the operator enters each item's evidence; the bureau confirms it."""
    market = _market(request, pk)
    writable = ms.may_enter_evidence(request.user, market)
    if request.method == "POST":
        if not writable:
            raise PermissionDenied(_("You may see this market but not change it."))
        form = UnificationForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            upload = d.get("document")
            if upload is not None and upload.size > ms.DOCUMENT_MAX_BYTES:  # refused before it is read
                messages.error(request, _("%(name)s is %(mb).1f MB; a document may be at most 10 MB.")
                               % {"name": upload.name, "mb": upload.size / 2**20})
                return redirect("markets-unifications", pk=market.pk)
            try:
                with _audited(request):
                    ms.record_unification(market=market, item=d["item"], met=d["met"], responsible=d["responsible"],
                                          detail=d["detail"], evidence_date=d["evidence_date"],
                                          document=(upload.name, upload.read()) if upload else None,
                                          actor=request.user)
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                _errors_to_messages(request, exc)
        else:
            _errors_to_messages(request, ValidationError(form.errors))
        return redirect("markets-unifications", pk=market.pk)
    return render(request, "livelihood/markets/unifications.html", {
        "market": market, "checklist": checklist(market), "writable": writable,
        "may_confirm": ms.may_confirm(request.user, market), "today": timezone.localdate()})


@login_required
@require_POST
def unification_confirm(request, pk):
    check = get_object_or_404(UnificationCheck.objects.restrict(request.user, VIEW), pk=id_or_404(str(pk)))
    try:
        with _audited(request):
            ms.confirm_unification(check, actor=request.user, confirm=request.POST.get("confirm") != "0")
        messages.success(request, _("Saved."))
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    return redirect("markets-unifications", pk=check.market_id)


@login_required
def unification_document(request, pk):
    check = get_object_or_404(UnificationCheck.objects.restrict(request.user, VIEW), pk=id_or_404(str(pk)))
    if not check.document:
        raise Http404
    ext = check.document.name.rsplit(".", 1)[-1]
    mime = {e: m for m, e in ms.DOCUMENT_TYPES.values()}.get(ext, "application/octet-stream")
    return FileResponse(check.document.open("rb"), content_type=mime, as_attachment=False,
                        filename=f"{check.market_id}-{check.item}.{ext}")


# ---------------------------------------------------------------- import


@login_required
def market_import(request, pk):
    market = _writable_market(request, pk)
    importer = MarketImporter(request.user, market)
    if request.GET.get("template") == "xlsx":
        headers, rows = importer.template_rows()
        return _xlsx("market-import-template", _("stalls and scales of a market"), headers, rows, [])
    report = error = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.name, upload.read())
            with _audited(request):
                report = importer.run(table)
        except TableError as exc:
            error = str(exc)
    return render(request, "livelihood/markets/import.html", {"market": market, "form": form, "report": report,
                                                              "error": error, "columns": importer.columns})


# ---------------------------------------------------------------- bureaus' ranking


@login_required
def ranking(request):
    """Markets ranked by their scales' 受检率 and 合格率, and the 专栏10 figures by region (a bureau's subtree)."""
    try:
        region = dashboard.check_region(request.user, request.GET.get("region") or None)
    except dashboard.BadParameter as exc:
        return HttpResponse(str(exc), status=400)
    period = _period(request)
    total, rows = market_rates.column10_by_region(region, period)
    markets = (Market.objects.restrict(request.user, VIEW).filter(region_id__in=_region_codes(region), active=True)
               .select_related("operator", "region").annotate(stall_count=Count("stalls")))
    ranked = market_rates.ranked(market_rates.market_figures(markets, period))
    export = request.GET.get("export")
    about = [(_("region"), region), (_("period"), dashboard.period_label(period)),
             (_("definition version"), dashboard.rates.DEFINITION_VERSION)]
    if export == "ranking":
        return _xlsx("market-ranking", _("Markets ranked"), [_("rank"), *_list_headers()],
                     [[n, *_list_cells(f)] for n, f in enumerate(ranked, 1)], about)
    if export == "column10":
        return _xlsx("market-column10", _("Plan column 10 by region"), _column10_headers(),
                     [_column10_cells(r) for r in [*rows, total]], about)
    crumbs = []
    node = Region.objects.filter(code=region).first()
    root = dashboard.root_of(request.user)
    while node is not None and is_within(node.code, root):
        crumbs.insert(0, node)
        node = node.parent
    chart = {"labels": [r.label for r in rows], "on_time": [_pct(r.on_time) for r in rows],
             "passed": [_pct(r.passed) for r in rows], "targets": [100 * market_rates.TARGETS["verification_rate"],
                                                                 100 * market_rates.TARGETS["pass_rate"]]}
    return render(request, "livelihood/markets/ranking.html", {
        "region": region, "crumbs": crumbs, "total": total, "total_meets": market_rates.meets(total),
        "rows": [(r, market_rates.meets(r)) for r in rows], "ranked": ranked, "chart": chart,
        "period_label": dashboard.period_label(period), "query": request.GET.urlencode(),
        "targets": {k: 100 * v for k, v in market_rates.TARGETS.items()}})


def _column10_headers():
    return [_("region"), _("due"), _("verified on time"), _("verification rate on time (%)"),
            _("concluded verifications"), _("passed"), _("pass rate (%)"), _("meets 100 %"), _("meets 95 %")]


def _column10_cells(r) -> list:
    on, ps = market_rates.meets(r)
    return [r.label, r.on_time.denominator, r.on_time.numerator, _pct(r.on_time), r.passed.denominator,
            r.passed.numerator, _pct(r.passed), on, ps]

