"""Core pages: the home dashboard, the audit trail, the user's API token, and the 403/404 pages."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from .changes import describe, object_links, object_type_label
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
    Column("object_type", _("object type"), accessor=lambda e: object_type_label(e.object_type),
           order_by="object_type"),
    Column("object_repr", _("object")),
    Column("changes", _("changes"), accessor=lambda e: " · ".join(str(c) for c in describe([e])[e.pk][:4])),
]

def _audit_detail_context(request, entry):
    return {"changes": describe([entry])[entry.pk], "object_link": object_links([entry], request.user).get(entry.pk),
            "object_type_label": object_type_label(entry.object_type)}


audit_ui = register(ModelUI(model=AuditEntry, slug="audit", columns=AUDIT_COLUMNS, filterset=AuditEntryFilterSet,
                            default_order="-id", detail_template="core/auditentry_detail.html",
                            detail_context=_audit_detail_context,
                            detail_fields=["timestamp", "actor", "actor_name", "channel", "request_id",
                                           "remote_addr", "action", "object_id", "object_repr",
                                           "region_code", "message", "prev_hash", "hash"]))
audit_list = ObjectListView.as_view(ui=audit_ui)
audit_detail = ObjectDetailView.as_view(ui=audit_ui)


@login_required
def home(request):
    from jiliang.registry import models as rm

    user = request.user
    instruments = rm.Instrument.objects.restrict(user, VIEW)
    by_status = dict(instruments.values_list("status").annotate(n=Count("id")).order_by())
    english = (get_language() or "").startswith("en")
    by_category = [{"category__name": (r["category__name_en"] if english and r["category__name_en"] else r["category__name"]),
                    "n": r["n"]}
                   for r in instruments.values("category__name", "category__name_en").annotate(n=Count("id"))
                   .order_by("-n")[:10]]
    counts = {
        "instruments": sum(by_status.values()),
        "mandatory": instruments.filter(mandatory=True).count(),
        "organisations": rm.Organisation.objects.restrict(user, VIEW).count(),
        "standards": rm.MeasurementStandard.objects.restrict(user, VIEW).count(),
        "reference_materials": rm.ReferenceMaterial.objects.restrict(user, VIEW).count(),
        "people": rm.Person.objects.restrict(user, VIEW).count(),
    }
    recent = list(AuditEntry.objects.restrict(user, VIEW).order_by("-id")[:10])
    links, changes = object_links(recent, user), describe(recent)
    recent = [(e, links.get(e.pk), [str(c) for c in changes[e.pk]]) for e in recent]
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


@login_required
@require_POST
def api_token_regenerate(request):
    Token.objects.filter(user=request.user).delete()
    Token.objects.create(user=request.user)
    return redirect("api-token")


def _error_page(request, status: int, title, text, icon: str, tone: str, detail: str = ""):
    return render(request, "error_page.html", {
        "error_status": status, "error_title": title, "error_text": text, "error_icon": icon, "error_tone": tone,
        "error_detail": detail}, status=status)


def page_not_found(request, exception=None):
    """404 in the site's layout and the user's language; Django's own message (English) is not shown."""
    return _error_page(request, 404, _("Page not found"),
                       _("There is no page at this address, or the record it showed no longer exists."),
                       "bi-signpost-split", "secondary")


def permission_denied(request, exception=None):
    """403 in the site's layout; the reason given by the view (already in the user's language) is shown."""
    detail = str(exception) if exception is not None and str(exception) else ""
    return _error_page(request, 403, _("Access denied"),
                       _("Your role or region does not allow this page. Ask your administrator if you need it."),
                       "bi-shield-lock", "danger", detail)
