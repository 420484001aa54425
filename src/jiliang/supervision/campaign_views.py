"""Pages of spot-check campaigns under /supervision/campaigns/: the list (core.ui, with filters and Excel), defining a
campaign, its page (scope, draw, the draw record, targets, results with a chart, reports), the re-draw check, the
population snapshot (CSV and raw bytes), closing, and an inspector's own targets. Every read goes through
campaign_scope; every change through campaigns.py."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiliang.core.roles import BUREAU_ROLES
from jiliang.core.scoping import user_role
from jiliang.core.services import validation_messages
from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, ObjectDetailView, detail_url, register

from . import campaign_report, campaign_scope, campaigns
from . import campaign_results as cr
from .campaign_forms import CampaignFilterSet, CampaignForm
from .models import Campaign, CampaignStatus, Finding

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

CAMPAIGN_COLUMNS = [
    Column("number", gettext_lazy("number"), order_by="number", link=True),
    Column("title", gettext_lazy("title"), order_by="title"),
    Column("bureau_region", gettext_lazy("organising bureau (region)"), accessor="bureau_region.display_name",
           order_by="bureau_region"),
    Column("target_kind", gettext_lazy("draw"), order_by="target_kind"),
    Column("sample_size", gettext_lazy("sample size"), order_by="sample_size"),
    Column("period_start", gettext_lazy("from"), order_by="period_start"),
    Column("period_end", gettext_lazy("to"), order_by="period_end"),
    Column("status", gettext_lazy("status"), order_by="status"),
]


def _visible(request, pk) -> Campaign:
    return get_object_or_404(campaign_scope.visible_campaigns(request.user).select_related("bureau_region"), pk=pk)


def _chart(rows: list[cr.Row]) -> list[dict]:
    out = []
    for r in rows:
        iv = r.interval
        out.append({"label": r.label, "n": r.checked, "k": r.nonconforming,
                    "rate": None if r.rate is None else round(r.rate * 100, 2),
                    "low": None if iv is None else round(iv[0] * 100, 2),
                    "high": None if iv is None else round(iv[1] * 100, 2)})
    return out


class CampaignDetailView(ObjectDetailView):
    """The campaign's page: what the user may see of it."""

    def get(self, request, pk):
        campaign = _visible(request, pk)
        targets = (campaign_scope.visible_targets(request.user, campaign)
                   .select_related("instrument", "instrument__category", "instrument__owner", "organisation",
                                   "county", "inspector").order_by("position"))
        findings = defaultdict(list)
        for f in Finding.objects.filter(target__in=targets).order_by("found_on", "pk"):
            findings[f.target_id].append(f)
        rows, by_county, by_inspector = [], defaultdict(int), defaultdict(int)
        for t in targets:
            subject = t.instrument or t.organisation
            rows.append({"t": t, "subject": subject, "url": detail_url(subject) if subject else None,
                         "owner": t.instrument.owner if t.instrument_id else t.organisation,
                         "findings": findings.get(t.pk, [])})
            by_county[t.county.display_name] += 1
            by_inspector[str(t.inspector) if t.inspector_id else "—"] += 1
        results = cr.results(campaign, targets) if campaign.status != CampaignStatus.DRAFT else None
        manage = campaigns.may_manage(request.user, campaign)
        return render(request, "supervision/campaigns/detail.html", self.base_context(
            object=campaign, campaign=campaign, rows=rows, by_county=sorted(by_county.items()),
            by_inspector=sorted(by_inspector.items()), results=results,
            chart=_chart(results.by_county) if results else [], manage=manage,
            whole=campaign_scope.sees_everything(request.user, campaign),
            inspectors=campaign.inspectors.select_related("user", "county").order_by("user_id"),
            regions=campaign.regions.order_by("code"), categories=campaign.categories.order_by("name"),
            fields=[]))


campaign_ui = register(ModelUI(
    model=Campaign, slug="campaigns", columns=CAMPAIGN_COLUMNS, filterset=CampaignFilterSet, read_only=True,
    filter_fields=["q", "status", "target_kind", "region", "starts_after", "ends_before"],
    detail_view=CampaignDetailView, default_order="-pk"))


@login_required
def campaign_create(request):
    bureau = campaigns.bureau_region_of(request.user)
    form = CampaignForm(request.POST or None, bureau_region=bureau)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaigns.create_campaign(actor=request.user, spec=form.spec())
        except ValidationError as exc:
            for name, errs in validation_messages(exc).items():
                form.add_error(name if name in form.fields else None, errs)
        else:
            messages.success(request, _("Campaign %(number)s was defined; draw its targets when ready.")
                             % {"number": campaign.number})
            return redirect("campaigns-detail", pk=campaign.pk)
    return render(request, "supervision/form.html", {
        "form": form, "title": _("Define a spot-check campaign"), "back": reverse("campaigns-list"),
        "back_label": _("spot-check campaigns"), "submit": _("Save"),
        "intro": _("The population is every instrument in service in the scope (or their owners); the draw takes "
                   "at least the minimum from each county, then the rest at random, and assigns the inspectors "
                   "at random. Anyone can draw again from the recorded seed and population.")})


@login_required
@require_POST
def campaign_draw(request, pk):
    campaign = _visible(request, pk)
    try:
        campaigns.draw(campaign, actor=request.user, seed=request.POST.get("seed", ""))
    except ValidationError as exc:
        for errs in validation_messages(exc).values():
            for e in errs:
                messages.error(request, e)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The targets were drawn and the inspectors assigned."))
    return redirect("campaigns-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_verify(request, pk):
    campaign = _visible(request, pk)
    check = campaigns.verify_draw(campaign)
    if check.ok:
        messages.success(request, _("Drawn again from the stored population (%(n)d, SHA-256 %(sha)s) and the seed: "
                                    "the same targets and inspectors.")
                         % {"n": check.population_size, "sha": check.population_sha256})
    else:
        messages.error(request, _("The draw does not match: %(problems)s")
                       % {"problems": "; ".join(check.problems[:5])})
    return redirect("campaigns-detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request, pk):
    campaign = _visible(request, pk)
    try:
        campaigns.close_campaign(campaign, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(e for errs in validation_messages(exc).values() for e in errs))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The campaign was closed."))
    return redirect("campaigns-detail", pk=campaign.pk)


def _drawn(request, pk) -> Campaign:
    campaign = _visible(request, pk)
    if campaign.status == CampaignStatus.DRAFT:
        raise PermissionDenied(_("The campaign has not been drawn."))
    return campaign


@login_required
def campaign_population(request, pk):
    """The stored population: CSV (id,county) or, with ``?format=bin``, the snapshot's bytes whose SHA-256 is the
    recorded population hash."""
    campaign = _drawn(request, pk)
    if request.GET.get("format") == "bin":
        packed, _members = campaigns.snapshot_members(campaign)
        response = HttpResponse(packed, content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="{campaign.number}-population.bin"'
        return response
    response = HttpResponse(campaigns.population_csv(campaign), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{campaign.number}-population.csv"'
    return response


@login_required
def campaign_report_pdf(request, pk):
    campaign = _drawn(request, pk)
    data = campaign_report.pdf(campaign, campaign_scope.visible_targets(request.user, campaign))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{campaign.number}.pdf"'
    return response


@login_required
def campaign_report_xlsx(request, pk):
    campaign = _drawn(request, pk)
    data = campaign_report.xlsx(campaign, campaign_scope.visible_targets(request.user, campaign))
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{campaign.number}.xlsx"'
    return response


@login_required
def my_targets(request):
    if user_role(request.user) not in BUREAU_ROLES and not request.user.is_superuser:
        raise PermissionDenied(_("Campaign targets are assigned to bureau inspectors."))
    rows = []
    for t in campaign_scope.my_targets(request.user):
        subject = t.instrument or t.organisation
        rows.append({"t": t, "subject": subject, "url": detail_url(subject) if subject else None,
                     "owner": t.instrument.owner if t.instrument_id else t.organisation})
    return render(request, "supervision/campaigns/my_targets.html", {"rows": rows})


urlpatterns = [
    path("campaigns/new/", campaign_create, name="campaigns-new"),
    path("campaigns/mine/", my_targets, name="campaigns-mine"),
    path("campaigns/<int:pk>/draw/", campaign_draw, name="campaigns-draw"),
    path("campaigns/<int:pk>/verify-draw/", campaign_verify, name="campaigns-verify"),
    path("campaigns/<int:pk>/close/", campaign_close, name="campaigns-close"),
    path("campaigns/<int:pk>/population/", campaign_population, name="campaigns-population"),
    path("campaigns/<int:pk>/report.pdf", campaign_report_pdf, name="campaigns-report-pdf"),
    path("campaigns/<int:pk>/report.xlsx", campaign_report_xlsx, name="campaigns-report-xlsx"),
    *campaign_ui.urls(),
]
