"""The bureau's side of complaints from the public (supervision/complaints.py): the list (filter by status, county,
kind, undecided past the decide-by date; Excel export), the complaint's page and its actions (accept, reject with a
reason, close with a reply), each a small view calling one service. Reads start from ``restrict(user, VIEW)``: the
bureaus of the complaint's region and above see it, institutes and enterprises see none; only the county bureau
the complaint is addressed to acts (complaints.may_act)."""

from __future__ import annotations

import django_filters as df
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from jiliang.core.filters import RegionSubtreeFilter, SearchFilterSet
from jiliang.core.scoping import VIEW
from jiliang.core.services import validation_messages
from jiliang.core.tables import Column
from jiliang.core.ui import ModelUI, register

from . import complaints
from .models import Complaint, ComplaintKind, ComplaintStatus


class ComplaintFilterSet(SearchFilterSet):
    search_fields = ("number",)
    status = df.MultipleChoiceFilter(choices=ComplaintStatus.choices)
    kind = df.MultipleChoiceFilter(choices=ComplaintKind.choices)
    region = RegionSubtreeFilter(path="region")
    overdue = df.BooleanFilter(method="filter_overdue", label=gettext_lazy("undecided past the decide-by date"))
    received_after = df.DateFilter(field_name="created", lookup_expr="date__gte", label=gettext_lazy("received from"))
    received_before = df.DateFilter(field_name="created", lookup_expr="date__lte",
                                    label=gettext_lazy("received until"))

    class Meta:
        model = Complaint
        fields = ["number", "status", "kind", "region"]

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = Q(status=ComplaintStatus.RECEIVED, decide_by__lt=timezone.localdate())
        return qs.filter(late) if value else qs.exclude(late)

    @property
    def qs(self):
        return super().qs.select_related("region", "instrument__category", "instrument__owner")


COMPLAINT_COLUMNS = [
    Column("number", gettext_lazy("number"), order_by="number", link=True),
    Column("created", gettext_lazy("received"), order_by="created"),
    Column("region", gettext_lazy("county"), accessor="region.display_name", order_by="region_id"),
    Column("kind", gettext_lazy("about"), order_by="kind"),
    Column("instrument", gettext_lazy("instrument"), accessor="instrument"),
    Column("owner", gettext_lazy("owner"), accessor="instrument.owner.name"),
    Column("decide_by", gettext_lazy("decide by"), order_by="decide_by"),
    Column("status", gettext_lazy("status"), order_by="status"),
]


def _detail_context(request, complaint) -> dict:
    return {"can_act": complaints.may_act(request.user, complaint),
            "overdue": complaints.is_overdue(complaint),
            "public_url": complaint.instrument.public_url}


complaint_ui = register(ModelUI(
    model=Complaint, slug="complaints", columns=COMPLAINT_COLUMNS, filterset=ComplaintFilterSet, read_only=True,
    filter_fields=["q", "status", "kind", "region", "overdue", "received_after", "received_before"],
    detail_fields=["number", "region", "instrument", "kind", "text", "contact", "decide_by", "status", "reply",
                   "handled_by", "handled_at"],
    default_order="-pk", detail_template="supervision/complaint_detail.html", detail_context=_detail_context))


@login_required
@require_POST
def complaint_action(request, pk, action):
    """accept, reject (reason) or close (reply): the county bureau of the complaint's county only."""
    complaint = get_object_or_404(Complaint.objects.restrict(request.user, VIEW), pk=pk)
    act = complaints.ACTIONS.get(action)
    if act is None:
        raise PermissionDenied(_("Unknown action."))
    try:
        act(complaint, actor=request.user, reply=request.POST.get("reply", ""))
    except ValidationError as exc:
        for field, errs in validation_messages(exc).items():
            label = {"reply": _("reply"), "status": _("status")}.get(field, field)
            for e in errs:
                messages.error(request, f"{label}: {e}")
    else:
        messages.success(request, {"accept": _("Complaint %(n)s accepted."),
                                   "reject": _("Complaint %(n)s not accepted."),
                                   "close": _("Complaint %(n)s closed.")}[action] % {"n": complaint.number})
    return redirect("complaints-detail", pk=complaint.pk)


urlpatterns = [
    *complaint_ui.urls(),
    path("complaints/<int:pk>/<slug:action>/", complaint_action, name="complaints-action"),
]


def home_panel(request) -> dict | None:
    """The county bureau's home page: complaints awaiting its decision, and how many of those are past their
    decide-by date (a HomePanel, extensions.py)."""
    user = request.user
    if user.region_id is None:
        return None
    waiting = Complaint.objects.restrict(user, VIEW).filter(region_id=user.region_id,
                                                            status=ComplaintStatus.RECEIVED)
    list_url = complaint_ui.url("list")
    return {"waiting": waiting.count(),
            "late": waiting.filter(decide_by__lt=timezone.localdate()).count(),
            "waiting_url": f"{list_url}?status={ComplaintStatus.RECEIVED}&region={user.region_id}",
            "late_url": f"{list_url}?overdue=true&region={user.region_id}"}
