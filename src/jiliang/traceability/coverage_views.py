"""Pages of the coverage of social public standards (plan indicator 2), the province view per parameter and the
coverage targets: /traceability/coverage/, /traceability/tree/, /traceability/targets/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core.export import write_sheets
from jiliang.core.models import Region
from jiliang.registry.models import InstrumentCategory, MeasurementDomain

from . import coverage as cov
from . import coverage_rules as rules
from . import tree as trees
from .coverage_targets import CoverageTargetForm, save_target
from .models import CoverageTarget

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reason_label(key: str) -> str:
    return {rules.NO_STANDARD: _("no social public standard of this parameter in the province"),
            rules.RANGE: _("no standard's range covers the instruments' range"),
            rules.UNITS: _("the units of the standards and the instruments cannot be compared"),
            rules.UNCERTAINTY: _("the standards' uncertainty exceeds a third of the instruments' MPE"),
            rules.NOT_MAPPED: _("the category's parameter is not in the data file")}.get(key, key)


def _pct(x: float | None) -> float | None:
    return None if x is None else round(100 * x, 2)


def _names(codes) -> dict[str, str]:
    return {r.code: r.display_name for r in Region.objects.filter(code__in=list(codes))}


def tables(c: cov.Coverage) -> dict:
    """The page's and the export's rows, labelled in the reader's language."""
    r = c.result
    domains = dict(MeasurementDomain.choices)
    regions = _names([*r.by_region, c.region, *{x for g in r.gaps for x in g.regions}])
    categories = {x.code: x.display_name for x in InstrumentCategory.objects.all()}

    def row(label, t: rules.Tally, key=""):
        return {"key": key or t.key, "label": label, "in_use": t.in_use, "served": t.served,
                "served_locally": t.served_locally, "rate": _pct(t.rate), "local_rate": _pct(t.local_rate)}

    return {
        "total": row(_("total"), r.total),
        "domains": [row(str(domains.get(k, k)), t, k) for k, t in sorted(r.by_domain.items())],
        "parameters": [row(k, t) for k, t in sorted(r.by_parameter.items(), key=lambda kv: (-kv[1].in_use, kv[0]))],
        "regions": [row(regions.get(k, k), t, k) for k, t in sorted(r.by_region.items())],
        "gaps": [{"parameter": g.parameter, "band": g.band, "reason": reason_label(g.reason), "reason_key": g.reason,
                  "instruments": g.instruments, "outside": g.outside, "nowhere": g.nowhere,
                  "laboratories": "、".join(g.laboratories),
                  "categories": "、".join(sorted(categories.get(x, x) for x in g.categories)),
                  "regions": "、".join(sorted(regions.get(x, x) for x in g.regions))} for g in r.gaps],
        "region_name": regions.get(c.region, c.region),
    }


def _headers() -> list[str]:
    return [_("instruments in use"), _("served in the province"), _("coverage (%)"), _("served in their city"),
            _("coverage in their city (%)")]


def _cells(x: dict) -> list:
    return [x["in_use"], x["served"], x["rate"], x["served_locally"], x["local_rate"]]


def export(c: cov.Coverage, t: dict) -> HttpResponse:
    """One workbook: by domain, by parameter, by region, the gaps, and the describing sheet."""
    import io

    gap_headers = [_("parameter"), _("range"), _("why not served"), _("instruments"),
                   _("to be verified outside the province"), _("not verifiable at all"), _("laboratories outside"),
                   _("categories"), _("regions")]
    sheets = [
        (_("By domain"), [_("measurement domain"), *_headers()],
         [[x["label"], *_cells(x)] for x in t["domains"]] + [[t["total"]["label"], *_cells(t["total"])]]),
        (_("By parameter"), [_("parameter"), *_headers()], [[x["label"], *_cells(x)] for x in t["parameters"]]),
        (_("By region"), [_("region"), *_headers()], [[x["label"], *_cells(x)] for x in t["regions"]]),
        (_("Gaps"), gap_headers, [[g["parameter"], g["band"], g["reason"], g["instruments"], g["outside"],
                                   g["nowhere"], g["laboratories"], g["categories"], g["regions"]] for g in t["gaps"]]),
    ]
    target = c.target
    about = [(_("export of"), _("Coverage of social public standards")), (_("region"), t["region_name"]),
             (_("date"), c.on.isoformat()), (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
             (_("definition version"), rules.DEFINITION_VERSION),
             (_("target (%)"), str(target.target_percent) if target else "—"),
             (_("target source"), target.source if target else "—")]
    buf = io.BytesIO()
    write_sheets(buf, sheets, about=about)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="coverage-{c.region}-{c.on:%Y%m%d}.xlsx"'
    return response


@login_required
def coverage_page(request):
    user = request.user
    try:
        region = cov.check_region(user, request.GET.get("region"))
        on = cov.parse_date(request.GET.get("date"), timezone.localdate())
    except cov.BadParameter as exc:
        return HttpResponseBadRequest(str(exc))
    c = cov.compute(region, on, user=user)
    t = tables(c)
    if request.GET.get("export") == "xlsx":
        return export(c, t)
    own = cov.root_of(user)
    choices = _names({own, cov.PROVINCE_CODE})
    query = request.GET.copy()
    query.pop("export", None)
    return render(request, "traceability/coverage.html", {
        **t, "c": c, "on": on, "region": region, "target": c.target, "meets": c.meets_target,
        "region_choices": sorted(choices.items()), "query": query.urlencode(), "version": rules.DEFINITION_VERSION,
        "unjudged": c.result.unjudged_uncertainty, "rule": cov.UNCERTAINTY_RULE, "hidden": c.rows_hidden,
        "chart": [{"label": x["label"], "rate": x["rate"], "in_use": x["in_use"]} for x in t["domains"]],
        "can_edit_targets": cov.may_edit_targets(user),
    })


@login_required
def tree_page(request):
    cov.root_of(request.user)
    choices = trees.parameters()
    parameter = request.GET.get("parameter") or ("质量" if "质量" in choices else (choices[0] if choices else ""))
    if parameter and parameter not in choices:
        return HttpResponseBadRequest(f"parameter: no standard has the parameter {parameter!r}")
    tree = trees.build(parameter, request.user, timezone.localdate()) if parameter else None
    return render(request, "traceability/tree.html", {"parameter": parameter, "choices": choices, "tree": tree})


@login_required
def targets_page(request):
    cov.root_of(request.user)
    rows = CoverageTarget.objects.select_related("region").order_by("region_id", "year")
    return render(request, "traceability/targets.html", {"rows": rows, "can_edit": cov.may_edit_targets(request.user)})


def _target_form(request, instance=None):
    if not cov.may_edit_targets(request.user):
        raise PermissionDenied
    form = CoverageTargetForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        save_target(form, actor=request.user)
        messages.success(request, _("Target saved."))
        return redirect(reverse("traceability-targets"))
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/form.html", {
        "form": form, "title": _("Edit the coverage target") if instance else _("Add a coverage target"),
        "back": reverse("traceability-targets"), "back_label": _("Coverage targets"), "submit": _("Save")},
        status=status)


@login_required
def target_add(request):
    return _target_form(request)


@login_required
def target_edit(request, pk: int):
    return _target_form(request, get_object_or_404(CoverageTarget, pk=pk))


urlpatterns = [
    path("coverage/", coverage_page, name="traceability-coverage"),
    path("tree/", tree_page, name="traceability-tree"),
    path("targets/", targets_page, name="traceability-targets"),
    path("targets/add/", target_add, name="traceability-target-add"),
    path("targets/<int:pk>/edit/", target_edit, name="traceability-target-edit"),
]
