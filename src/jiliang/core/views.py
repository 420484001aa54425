"""Core pages: the home dashboard, the audit trail, the user's API token."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from . import audit
from .filters import AuditEntryFilterSet
from .models import AuditEntry
from .scoping import VIEW
from .tables import Column
from .ui import ModelUI, ObjectDetailView, ObjectListView, register

AUDIT_COLUMNS = [
    Column("id", "#", order_by="id", link=True),
    Column("timestamp", _("time"), order_by="timestamp"),
    Column("actor_name", _("actor")),
    Column("channel", _("channel")),
    Column("remote_addr", _("address")),
    Column("action", _("action"), order_by="action"),
    Column("object_type", _("object type"), order_by="object_type"),
    Column("object_repr", _("object")),
    Column("message", _("message")),
]

audit_ui = register(ModelUI(model=AuditEntry, slug="audit", columns=AUDIT_COLUMNS, filterset=AuditEntryFilterSet,
                            default_order="-id",
                            detail_fields=["timestamp", "actor", "actor_name", "channel", "request_id",
                                           "remote_addr", "action", "object_type", "object_id", "object_repr",
                                           "region_code", "before", "after", "message", "prev_hash", "hash"]))
audit_list = ObjectListView.as_view(ui=audit_ui)
audit_detail = ObjectDetailView.as_view(ui=audit_ui)


@login_required
def home(request):
    from jiliang.registry import models as rm

    user = request.user
    instruments = rm.Instrument.objects.restrict(user, VIEW)
    by_status = dict(instruments.values_list("status").annotate(n=Count("id")).order_by())
    by_category = list(instruments.values("category__name").annotate(n=Count("id")).order_by("-n")[:10])
    counts = {
        "instruments": sum(by_status.values()),
        "mandatory": instruments.filter(mandatory=True).count(),
        "organisations": rm.Organisation.objects.restrict(user, VIEW).count(),
        "standards": rm.MeasurementStandard.objects.restrict(user, VIEW).count(),
        "reference_materials": rm.ReferenceMaterial.objects.restrict(user, VIEW).count(),
        "people": rm.Person.objects.restrict(user, VIEW).count(),
    }
    recent = AuditEntry.objects.restrict(user, VIEW).order_by("-id")[:10]
    return render(request, "core/home.html", {
        "counts": counts,
        "by_status": [(rm.InstrumentStatus(k).label, v) for k, v in by_status.items()],
        "by_category": by_category,
        "recent": recent,
    })


@login_required
def api_token(request):
    token = Token.objects.filter(user=request.user).first()
    return render(request, "core/api_token.html", {"token": token})


def record_token_grant(user, *, regenerated: bool) -> None:
    """A token is a grant of API rights: its creation and regeneration go into the audit chain (never the key)."""
    audit.record(user, "action", actor=user, object_type="authtoken.token", object_id=str(user.pk),
                 object_repr=f"API token of {user}"[:200], region_code=user.region_id or "",
                 organisation_id=user.organisation_id,
                 message="API token regenerated" if regenerated else "API token created")


@login_required
@require_POST
def api_token_regenerate(request):
    with transaction.atomic():
        existed = Token.objects.filter(user=request.user).delete()[0] > 0
        Token.objects.create(user=request.user)
        record_token_grant(request.user, regenerated=existed)
    return redirect("api-token")
