"""Pages of the smart household meters' IoT status (iot_status.py): per utility, and each utility's meters by status.

Bureaus see the utilities of their region and below, a utility itself; other roles are refused (403). Both pages
export to Excel (``?export=xlsx``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiliang.core.export import workbook_bytes
from jiliang.core.roles import BUREAU_ROLES, Role
from jiliang.core.scoping import user_role
from jiliang.registry.models import OrganisationKind
from jiliang.telemetry.models import EVENT_KINDS, AnomalyKind

from . import iot_status

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
METERS_PAGE = 100


def may_see(user) -> bool:
    """Bureaus, and a utility's own staff."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user_role(user) in BUREAU_ROLES:
        return True
    org = getattr(user, "organisation", None)
    return user_role(user) == Role.ENTERPRISE and org is not None and org.kind == OrganisationKind.UTILITY


def check(user) -> None:
    if not may_see(user):
        raise PermissionDenied(_("The IoT status of household meters is for bureaus and utilities."))


def status_labels() -> dict[str, str]:
    return {"registered": _("registered"), "with_point": _("with a point"), "no_point": _("without a point"),
            "reporting": _("reporting"), "silent": _("silent"), "past_life": _("past service life, reporting"),
            "alarm": _("with an open alarm")}


def kind_labels() -> dict[str, str]:
    return {k: str(AnomalyKind(k).label) for k in EVENT_KINDS}


def headers() -> list[str]:
    s, k = status_labels(), kind_labels()
    return [_("utility"), _("unified social credit code"), _("region"), s["registered"], s["with_point"],
            s["reporting"], s["silent"], s["past_life"], *[k[x] for x in EVENT_KINDS]]


def cells(r: iot_status.UtilityIot) -> list:
    return [r.utility.name, r.utility.uscc, r.utility.region.display_name, r.registered, r.with_point, r.reporting,
            r.silent, r.past_life, *[r.alarms.get(k, 0) for k in EVENT_KINDS]]


def _xlsx(title: str, head, rows, name: str) -> HttpResponse:
    about = [(_("export of"), title), (_("exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
             (_("silent after (days)"), iot_status.silent_days())]
    response = HttpResponse(workbook_bytes(title, head, rows, about=about), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localtime():%Y%m%d-%H%M}.xlsx"'
    return response


@login_required
def status_page(request):
    check(request.user)
    rows = iot_status.utility_status(request.user)
    if request.GET.get("export") == "xlsx":
        return _xlsx(_("IoT status of household meters"), headers(), (cells(r) for r in rows), "household-iot")
    chart = {"utilities": [r.utility.name for r in rows], "reporting": [r.reporting for r in rows],
             "silent": [r.silent for r in rows], "no_point": [r.no_point for r in rows],
             "past_life": [r.past_life for r in rows],
             "alarms": [{"kind": k, "label": kind_labels()[k], "values": [r.alarms.get(k, 0) for r in rows]}
                        for k in EVENT_KINDS]}
    return render(request, "livelihood/iot/status.html", {
        "rows": rows, "totals": iot_status.totals(rows), "kinds": kind_labels(), "event_kinds": EVENT_KINDS,
        "labels": status_labels(), "silent_days": iot_status.silent_days(), "chart": chart})


def meter_headers() -> list[str]:
    return [_("instrument"), _("instrument code"), _("meter kind"), _("region"), _("metering point"),
            _("last reading"), _("rotate by")]


def meter_cells(m) -> list:
    return [m.instrument_id, m.instrument.instrument_code, m.get_kind_display(), m.region.display_name,
            m.point_id, m.last_ts, m.rotation_due]


@login_required
def meters_page(request, pk):
    check(request.user)
    utility = get_object_or_404(iot_status.utilities(request.user), pk=pk)
    status = request.GET.get("status") or "registered"
    kind = request.GET.get("kind") or ""
    if status not in iot_status.STATUSES or (kind and kind not in EVENT_KINDS):
        raise Http404(_("Unknown status or alarm kind."))
    qs = iot_status.meter_list(request.user, utility, status, kind=kind)
    label = status_labels()[status] + (f" · {kind_labels()[kind]}" if kind else "")
    if request.GET.get("export") == "xlsx":
        return _xlsx(f"{utility.name} · {label}", meter_headers(), (meter_cells(m) for m in qs.iterator(2000)),
                     "household-iot-meters")
    page = Paginator(qs, METERS_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "livelihood/iot/meters.html", {
        "utility": utility, "status": status, "kind": kind, "label": label, "page": page,
        "rows": [(m, meter_cells(m)) for m in page], "headers": meter_headers(), "query": query.urlencode(),
        "labels": status_labels(), "kinds": kind_labels(), "silent_days": iot_status.silent_days()})


def utility_panel(request) -> dict | None:
    """Home panel of a utility's staff: its smart meters reporting, silent, and its open alarms."""
    user = request.user
    org = getattr(user, "organisation", None)
    if user_role(user) != Role.ENTERPRISE or org is None or org.kind != OrganisationKind.UTILITY:
        return None
    [row] = iot_status.utility_status(user, utility=org) or [None]
    if row is None:
        return None
    return {"row": row, "alarms": sum(row.alarms.values()), "url": reverse("livelihood-iot")}


urlpatterns = [
    path("iot/", status_page, name="livelihood-iot"),
    path("iot/<int:pk>/meters/", meters_page, name="livelihood-iot-meters"),
]
