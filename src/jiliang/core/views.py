"""Core pages: the home dashboard, the audit trail, the user's API tokens, sign-in and the 403/404 pages."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxValueValidator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_POST

from . import audit, auth, services
from .changes import describe, object_links, object_type_label
from .extending import HomePanel, contributed, shown_to
from .filters import AuditEntryFilterSet
from .models import ApiToken, AuditEntry, TokenScope
from .roles import BUREAU_ROLES
from .scoping import user_role
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
    """The home page: the panels the installed apps contribute (core/extending.py) that apply to the user's role."""
    user = request.user
    role = user_role(user)
    panels = []
    for panel in contributed(HomePanel):
        if not shown_to(panel.roles, user, role):
            continue
        context = panel.context(request)
        if context is None:
            continue
        panels.append({"key": panel.key, "width": panel.width,
                       "html": render_to_string(panel.template, context, request)})
    return render(request, "core/home.html", {"panels": panels})


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100,
                           help_text=_("What will use the token, e.g. the meter gateway of workshop 2."))
    scope = forms.ChoiceField(label=_("scope"), choices=TokenScope.choices, initial=TokenScope.FULL)
    days = forms.IntegerField(label=_("valid for (days)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].max_value = settings.JILIANG_API_TOKEN_MAX_DAYS
        self.fields["days"].validators.append(MaxValueValidator(settings.JILIANG_API_TOKEN_MAX_DAYS))
        self.fields["days"].initial = settings.JILIANG_API_TOKEN_DAYS


@login_required
@never_cache
@cache_control(no_store=True)
def api_token(request):
    """The user's API tokens: create one (its key is shown once, on this response only), see, revoke."""
    created_key = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, created_key = services.create_api_token(actor=request.user, name=form.cleaned_data["name"],
                                                            scope=form.cleaned_data["scope"],
                                                            days=form.cleaned_data["days"])
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-id")
    return render(request, "core/api_token.html", {"tokens": tokens, "form": form, "created_key": created_key,
                                                   "now": timezone.now()})


@login_required
@require_POST
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_api_token(token, actor=request.user)
    return redirect("api-token")


# -- sign-in, password, second factor -----------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "core/login.html"

    def get_form_class(self):
        return auth.sign_in_form()


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (old password, new one twice, the validators of docs/settings.md)."""

    template_name = "core/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            _audit_account(self.request.user, "password changed")
        messages.success(self.request, _("Your password was changed."))
        return response


def _audit_account(user, message: str) -> None:
    audit.record(user, "action", actor=user, message=message, region_code=user.region_id or "",
                 organisation_id=user.organisation_id)


def may_use_second_factor(user) -> bool:
    """Bureau administrators (every bureau account) and superusers may set up a TOTP second factor."""
    return user.is_superuser or user_role(user) in BUREAU_ROLES


@login_required
@never_cache
@cache_control(no_store=True)
def two_factor(request):
    """Set up, confirm or remove the TOTP second factor (RFC 6238, 30 s, 6 digits) of a bureau account."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not may_use_second_factor(request.user):
        raise PermissionDenied(_("The second factor is for bureau administrators."))
    devices = TOTPDevice.objects.filter(user=request.user)
    confirmed = devices.filter(confirmed=True).first()
    pending = devices.filter(confirmed=False).first()
    error = None
    if request.method == "POST":
        step = request.POST.get("step")
        code = (request.POST.get("code") or "").strip()
        if step == "start" and confirmed is None:
            devices.filter(confirmed=False).delete()
            pending = TOTPDevice.objects.create(user=request.user, name=_("authenticator app"), confirmed=False)
        elif step == "confirm" and pending is not None:
            if pending.verify_token(code):
                with transaction.atomic():
                    pending.confirmed = True
                    pending.save(update_fields=["confirmed"])
                    _audit_account(request.user, "TOTP second factor set up")
                messages.success(request, _("The second factor is set up: sign-in now asks for its code."))
                return redirect("two-factor")
            error = _("The code does not match. Check the time on your phone and enter the current code.")
        elif step == "remove" and confirmed is not None:
            if confirmed.verify_token(code):
                with transaction.atomic():
                    devices.delete()
                    _audit_account(request.user, "TOTP second factor removed")
                messages.success(request, _("The second factor is removed."))
                return redirect("two-factor")
            error = _("The code does not match. Check the time on your phone and enter the current code.")
    context = {"confirmed": confirmed, "pending": pending, "error": error}
    if pending is not None and confirmed is None:
        import base64

        import segno

        context["secret"] = base64.b32encode(pending.bin_key).decode("ascii")
        context["otpauth"] = pending.config_url
        context["qr_svg"] = segno.make(pending.config_url, error="m").svg_inline(scale=4)
    return render(request, "core/two_factor.html", context)
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
