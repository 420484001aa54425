"""Supervision pages for bureaus: the dashboard (supervision/dashboard.py, over the counters), the overdue list
(InstrumentState, status overdue) and the provincial administrator's settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiliang.core import audit
from jiliang.core.export import workbook_bytes
from jiliang.core.models import Region
from jiliang.core.regions import PROVINCE_CODE, group_under
from jiliang.core.scoping import VIEW, is_unrestricted
from jiliang.registry.models import InstrumentCategory, OrganisationKind, Usage

from . import dashboard as dash
from . import lifecycle, state
from .models import InstrumentState, Status, SupervisionSettings

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
OVERDUE_PAGE = 50
EXPORTS = ("regions", "category", "usage", "owner_kind", "trend", "ranking", "column10")


def definitions() -> list[tuple[str, str]]:
    """rates.DEFINITIONS in the reader's language (docs/supervision.md; the API gives rates.py's own text)."""
    return [(_("verification rate on time"), _("instruments of D(P, S) verified by an authorised institution on or "
                                              "before their due date ÷ |D(P, S)|")),
            (_("verification rate by the end of the period"), _("instruments of D(P, S) verified by an authorised "
                                                                "institution by the end of P ÷ |D(P, S)|")),
            (_("pass rate"), _("passing verification events ÷ concluded verification events in P, per unit")),
            (_("D(P, S)"), _("the due dates in period P of the instruments in scope S: validity ending in P, or put "
                             "in service in P (first verification)"))]


def _pct(rate) -> float | None:
    return None if rate.value is None else round(100 * rate.value, 2)


def _status_headers() -> list[str]:
    return [str(Status(s).label) for s in dash.SHOWN_STATUSES]


def _rate_headers() -> list[str]:
    return [_("due"), _("verified on time"), _("verification rate on time (%)"),
            _("verified by the end of the period"), _("verification rate by the end of the period (%)"),
            _("concluded verifications"), _("passed"), _("pass rate (%)")]


def _row_cells(r: dash.Row) -> list:
    return [*[r.statuses.get(s, 0) for s in dash.SHOWN_STATUSES],
            r.on_time.denominator, r.on_time.numerator, _pct(r.on_time), r.by_end.numerator, _pct(r.by_end),
            r.passed.denominator, r.passed.numerator, _pct(r.passed)]


def _xlsx(title: str, headers, rows, f: dash.Filters, name: str) -> HttpResponse:
    about = [(_("export of"), title), (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
             (_("region"), f.region), (_("period"), dash.period_label(f.period)),
             (_("key supervised only"), f.key), (_("definition version"), dash.rates.DEFINITION_VERSION)]
    data = workbook_bytes(title, headers, rows, about=about)
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="supervision-{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


def _export(kind: str, f: dash.Filters, tables: dict) -> HttpResponse:
    if kind == "trend":
        rows = [[t["month"], t["on_time"].denominator, t["on_time"].numerator, _pct(t["on_time"]),
                 t["passed"].denominator, t["passed"].numerator, _pct(t["passed"])] for t in tables["trend"]]
        return _xlsx(_("Monthly trend"), [_("month"), _("due"), _("verified on time"),
                                          _("verification rate on time (%)"), _("concluded verifications"),
                                          _("passed"), _("pass rate (%)")], rows, f, kind)
    if kind == "ranking":
        rows = [[x["rank"], x["row"].label, x["row"].key, _pct(x["row"].on_time), x["meets"]]
                for x in tables["ranking"]]
        return _xlsx(_("Ranking against the 98 % target"),
                     [_("rank"), _("region"), _("code"), _("verification rate on time (%)"), _("meets the target")],
                     rows, f, kind)
    if kind == "column10":
        rows = [[x["row"].label, *_row_cells(x["row"]), x["meets_on_time"], x["meets_pass"]]
                for x in tables["column10"]]
        return _xlsx(_("Markets and clinics"), [_("owner kind"), *_status_headers(), *_rate_headers(),
                                                _("verification rate target met"), _("pass rate target met")],
                     rows, f, kind)
    titles = {"regions": _("By region"), "category": _("By category"), "usage": _("By usage"),
              "owner_kind": _("By owner kind")}
    first = {"regions": _("region"), "category": _("category"), "usage": _("usage"), "owner_kind": _("owner kind")}
    rows = [[r.label, *_row_cells(r)] for r in tables[kind]]
    total = tables["total"]
    rows.append([_("total"), *_row_cells(total)])
    return _xlsx(titles[kind], [first[kind], *_status_headers(), *_rate_headers()], rows, f, kind)


def _map_rows(f: dash.Filters) -> list[dict]:
    """受检率 on time by city for the map of Jiangsu (Chinese names: those of the GeoJSON), the user's scope only."""
    if f.region != PROVINCE_CODE:
        return []
    rows = dash.by_child_region(f)
    names = dict(Region.objects.filter(code__in=[r.key for r in rows]).values_list("code", "name"))
    return [{"name": names.get(r.key, r.key), "label": r.label, "value": _pct(r.on_time),
             "due": r.on_time.denominator, "met": r.on_time.numerator} for r in rows]


def _breadcrumbs(user, region: str) -> list[dict]:
    root = dash.root_of(user)
    chain, code = [], region
    parents = dict(Region.objects.values_list("code", "parent_id"))
    while code:
        chain.append(code)
        if code == root:
            break
        code = parents.get(code)
    names = {r.code: r.display_name for r in Region.objects.filter(code__in=chain)}
    return [{"code": c, "name": names.get(c, c)} for c in reversed(chain)]


@login_required
def dashboard_page(request):
    user = request.user
    dash.root_of(user)
    try:
        f = dash.parse_filters(user, request.GET, timezone.localdate())
    except dash.BadParameter as exc:
        return HttpResponseBadRequest(str(exc))
    total = dash.total(f, _("total"))
    regions = dash.by_child_region(f)
    tables = {"total": total, "regions": regions, "category": dash.by_dimension(f, "category"),
              "usage": dash.by_dimension(f, "usage"), "owner_kind": dash.by_dimension(f, "owner_kind"),
              "trend": dash.trend(f), "ranking": dash.ranking([r for r in regions if r.key != f.region]),
              "column10": dash.column10(f)}
    export = request.GET.get("export")
    if export:
        if export not in EXPORTS:
            return HttpResponseBadRequest(f"export: unknown table {export!r}")
        return _export(export, f, tables)
    query = request.GET.copy()
    query.pop("export", None)
    base = query.copy()
    base.pop("region", None)
    groups = group_under(f.region)
    return render(request, "supervision/dashboard.html", {
        **tables, "f": f, "period_label": dash.period_label(f.period), "statuses": _status_headers(),
        "status_keys": dash.SHOWN_STATUSES, "query": query.urlencode(), "base_query": base.urlencode(),
        "drill": len(groups) > 1, "crumbs": _breadcrumbs(user, f.region),
        "map": _map_rows(f), "target": dash.TARGET_VERIFICATION_RATE * 100,
        "trend_json": [{"month": t["month"], "on_time": _pct(t["on_time"]), "passed": _pct(t["passed"])}
                       for t in tables["trend"]],
        "categories": InstrumentCategory.objects.filter(pk__in=[r.key for r in tables["category"]]).order_by("pk"),
        "usages": Usage.choices, "owner_kinds": OrganisationKind.choices,
        "definitions": definitions(), "version": dash.rates.DEFINITION_VERSION,
        "exports": EXPORTS, "overdue": total.statuses.get(lifecycle.OVERDUE, 0),
    })


def overdue_queryset(user, params):
    """The overdue instruments in the user's scope, longest overdue first; filters region, category, usage."""
    dash.root_of(user)
    qs = (InstrumentState.objects.restrict(user, VIEW).filter(status=Status.OVERDUE)
          .select_related("instrument", "owner", "category", "region"))
    region = params.get("region") or None
    if region:
        dash.check_region(user, region)
        from jiliang.core.regions import subtree_codes
        qs = qs.filter(region_id__in=subtree_codes(region))
    category = params.get("category") or None
    if category:
        if not str(category).isdigit():
            raise dash.BadParameter(f"category: {category!r} is not a category id")
        qs = qs.filter(category_id=int(category))
    usage = params.get("usage") or None
    if usage:
        if usage not in Usage.values:
            raise dash.BadParameter(f"usage: unknown usage {usage!r}")
        qs = qs.filter(usage=usage)
    return qs.order_by("next_due", "instrument_id")


def overdue_cells(s: InstrumentState, today) -> list:
    i = s.instrument
    return [str(s.region), s.owner.name, s.owner.contact_name, s.owner.contact_phone, str(s.category),
            i.serial_number, str(Usage(s.usage).label) if s.usage in Usage.values else s.usage, s.next_due,
            (today - s.next_due).days if s.next_due else None]


def overdue_headers() -> list[str]:
    return [_("region"), _("owner"), _("contact person"), _("contact phone"), _("category"), _("serial number"),
            _("usage"), _("was due"), _("days overdue")]


@login_required
def overdue_page(request):
    try:
        qs = overdue_queryset(request.user, request.GET)
    except dash.BadParameter as exc:
        return HttpResponseBadRequest(str(exc))
    today = timezone.localdate()
    if request.GET.get("export") == "xlsx":
        rows = (overdue_cells(s, today) for s in qs.iterator(chunk_size=2000))
        data = workbook_bytes(_("Overdue instruments"), overdue_headers(), rows,
                              about=[(_("export of"), _("Overdue instruments")),
                                     (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M"))])
        response = HttpResponse(data, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="overdue-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
        return response
    page = Paginator(qs, OVERDUE_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "supervision/overdue.html", {
        "page": page, "rows": [(s, overdue_cells(s, today)) for s in page], "headers": overdue_headers(),
        "query": query.urlencode(), "usages": Usage.choices,
        "categories": InstrumentCategory.objects.order_by("pk"), "params": request.GET,
    })


class SettingsForm(forms.ModelForm):
    key_usages = forms.MultipleChoiceField(label=gettext_lazy("key supervised usages"), required=False,
                                           choices=Usage.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = SupervisionSettings
        fields = ["lead_days", "laboratory_working_days", "on_site_working_days", "deadline_source",
                  "key_categories", "key_usages"]
        # the model's help texts quote "条例" in the English too; the form says it in the reader's language
        help_texts = {
            "laboratory_working_days": gettext_lazy("from receipt of the instrument to the result, e.g. 7 "
                                                    "(Zhejiang regulations, Art. 20)"),
            "on_site_working_days": gettext_lazy("from the application to the result, e.g. 10 "
                                                 "(Zhejiang regulations, Art. 20)"),
        }


def update_settings(user, form: SettingsForm) -> int:
    """Save the settings and refresh every instrument whose key flag or status may move (state.refresh in the
    same transaction, so the dashboard's counters never show a mix); returns how many were refreshed."""
    with transaction.atomic():
        current = SupervisionSettings.objects.select_for_update().get(pk=1)
        before = {"lead_days": current.lead_days, "key_usages": current.key_usages,
                  "key_categories": sorted(current.key_categories.values_list("pk", flat=True))}
        old_keys = state.KeySet(current)
        lead_changed = form.cleaned_data["lead_days"] != current.lead_days
        new_categories = {c.pk for c in form.cleaned_data["key_categories"]}
        new_usages = set(form.cleaned_data["key_usages"])
        ids = _affected_from(old_keys.categories, old_keys.usages, new_categories, new_usages, lead_changed)
        saved = form.save(commit=False)
        saved.updated_by = user
        saved.save()
        form.save_m2m()
        audit.record(saved, "update", actor=user, before=before,
                     after={"lead_days": saved.lead_days, "key_usages": saved.key_usages,
                            "key_categories": sorted(new_categories)})
        return state.refresh(ids)


def _affected_from(old_categories: set, old_usages: set, new_categories: set, new_usages: set,
                   lead_changed: bool) -> list[int]:
    new_usages = new_usages or set(state.MANDATORY_USAGES)
    qs = InstrumentState.objects.all()
    if lead_changed or old_categories != new_categories:
        return list(qs.values_list("instrument_id", flat=True))
    if old_usages == new_usages:
        return []
    return list(qs.filter(usage__in=old_usages ^ new_usages).values_list("instrument_id", flat=True))


@login_required
def settings_page(request):
    if not is_unrestricted(request.user):
        raise PermissionDenied
    current = SupervisionSettings.current()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        n = update_settings(request.user, form)
        messages.success(request, _("Settings saved; %(n)d instruments refreshed.") % {"n": n})
        return redirect(reverse("supervision-settings"))
    return render(request, "supervision/settings.html", {"form": form, "settings": current})
