"""Energy pages: the bureau's dashboard (online rate by city, top consumers, open anomalies, offline list)
and an enterprise's energy page (consumption by day and month, by energy type, native units and tce)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jiliang.core.scoping import VIEW

from . import gb17167, quality, services
from .consumption import LOCAL
from .models import Anomaly, AnomalyState, EnergyType, EnterpriseRollup, MeteringPoint, PointRole


@login_required
def dashboard(request):
    user = request.user
    statuses = quality.enterprise_statuses(user)
    rate = quality.online_rate(statuses)
    by_city = quality.online_by_city(statuses)
    since = timezone.now().astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=30)
    top = list(EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start__gte=since)
               .values("enterprise_id", "enterprise__name").annotate(tce=Sum("tce_equivalent")).order_by("-tce")[:10])
    daily = list(EnterpriseRollup.objects.restrict(user, VIEW).filter(period="day", start__gte=since)
                 .values("start").annotate(tce=Sum("tce_equivalent")).order_by("start"))
    anomalies = Anomaly.objects.restrict(user, VIEW).filter(state=AnomalyState.OPEN)
    return render(request, "telemetry/dashboard.html", {
        "rate": rate, "statuses": statuses, "offline": [s for s in statuses if not s.online][:100],
        "online_count": sum(s.online for s in statuses), "by_city": by_city,
        "top": [{"id": t["enterprise_id"], "name": t["enterprise__name"], "tce": float(t["tce"])} for t in top],
        "daily": [{"day": d["start"].astimezone(LOCAL).strftime("%m-%d"), "tce": float(d["tce"])} for d in daily],
        "open_anomalies": anomalies.count(),
        "city_today": quality.consumption_by_city(user, since + dt.timedelta(days=30)),
        "anomalies_by_kind": list(anomalies.values("kind").annotate(n=Sum("occurrences")).order_by("-n")),
    })


@login_required
def enterprise_energy(request, pk):
    org = get_object_or_404(quality.key_enterprises(request.user), pk=pk)
    since = timezone.now().astimezone(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=30)
    rollups = EnterpriseRollup.objects.restrict(request.user, VIEW).filter(enterprise=org)
    daily = list(rollups.filter(period="day", start__gte=since).order_by("start")
                 .values("start", "energy_type", "unit", "consumption", "tce_equivalent"))
    monthly = list(rollups.filter(period="month").order_by("start")
                   .values("start", "energy_type", "unit", "consumption", "tce_equivalent", "tce_equal_price",
                           "u_tce_sq"))
    points = MeteringPoint.objects.restrict(request.user, VIEW).filter(enterprise=org).select_related("state", "meter")
    anomalies = Anomaly.objects.restrict(request.user, VIEW).filter(enterprise=org).exclude(
        state=AnomalyState.RESOLVED).select_related("point")[:50]
    status = next((s for s in quality.enterprise_statuses(request.user) if s.enterprise.pk == org.pk), None)

    def row(r):
        return {"day": r["start"].astimezone(LOCAL).strftime("%Y-%m-%d"), "type": r["energy_type"], "unit": r["unit"],
                "value": float(r["consumption"]), "tce": float(r["tce_equivalent"])}

    return render(request, "telemetry/enterprise.html", {
        "org": org, "daily": [row(r) for r in daily], "monthly": monthly, "points": points, "anomalies": anomalies,
        "status": status, "monthly_rows": [{**row(r), "U_tce": 2 * max(r["u_tce_sq"], 0) ** 0.5} for r in monthly],
    })


def gb17167_report(user, org, edition_name: str | None = None) -> gb17167.Report:
    """The GB 17167 check of an enterprise's points as ``user`` sees them."""
    path = getattr(settings, "JILIANG_GB17167_DATA", "") or None
    points = MeteringPoint.objects.restrict(user, VIEW).filter(enterprise=org).select_related("meter")
    facts = [gb17167.PointFacts(p.code, p.energy_type, p.role, p.effective_accuracy_class, p.active) for p in points]
    return gb17167.check(facts, data=gb17167.load(path), edition_name=edition_name)


@login_required
def enterprise_gb17167(request, pk):
    org = get_object_or_404(quality.key_enterprises(request.user), pk=pk)
    data = gb17167.load(getattr(settings, "JILIANG_GB17167_DATA", "") or None)
    names = [e["edition"] for e in gb17167.editions(data)]
    wanted = request.GET.get("edition")
    report = gb17167_report(request.user, org, wanted if wanted in names else None)
    labels = {gb17167.Gap.MISSING_IN: _("no enterprise energy-in point"),
              gb17167.Gap.MISSING_OUT: _("no enterprise energy-out point"),
              gb17167.Gap.ACCURACY: _("accuracy class worse than required"),
              gb17167.Gap.ACCURACY_UNKNOWN: _("accuracy class unknown")}
    energy = dict(EnergyType.choices)
    gaps = [{"kind": labels[g.kind], "energy": energy.get(g.energy_type, g.energy_type), "point": g.point,
             "required": g.required if g.kind.startswith("accuracy") else PointRole(g.required).label,
             "actual": g.actual, "rule": g.rule, "conf": g.conf, "source": g.source} for g in report.gaps]
    return render(request, "telemetry/gb17167.html", {
        "org": org, "report": report, "gaps": gaps, "editions": gb17167.editions(data),
        "checked": len(report.checked),
    })


@login_required
@require_POST
def anomaly_state(request, pk):
    anomaly = get_object_or_404(Anomaly.objects.restrict(request.user, VIEW), pk=pk)
    try:
        services.move_anomaly(anomaly, request.POST.get("state", ""), actor=request.user,
                              note=request.POST.get("note", ""))
        messages.success(request, _("The anomaly is now %(state)s.") % {"state": AnomalyState(request.POST["state"]).label})
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("anomalies-detail", pk=anomaly.pk)
