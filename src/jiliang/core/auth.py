"""Signing in: back-off per account and per address (login page, admin login, token endpoint), password
rules by role, the password-change page, and the optional TOTP second factor of bureau administrators.

Failed sign-ins are counted in fixed windows (core/ratelimit.py) from Django's ``user_login_failed`` signal,
which every ``authenticate()`` sends; :class:`LockoutBackend` (Django's ModelBackend behind the check) refuses
every further attempt for that account or from that address until the window ends, so the same rule holds
wherever a password is checked.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import ratelimit
from .middleware import client_address
from .roles import BUREAU_ROLES, Role

ACCOUNT, ADDRESS = "login-account", "login-address"


def _account(username) -> str:
    return str(username or "").strip().lower()


def _address(request) -> str:
    return (client_address(request) if request is not None else None) or "-"


def blocked(username, request) -> ratelimit.Verdict | None:
    """The verdict that refuses this sign-in, or None when it may go ahead."""
    checks = [(ACCOUNT, _account(username), settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT),
              (ADDRESS, _address(request), settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS)]
    for scope, ident, rate in checks:
        if rate and ident:
            verdict = ratelimit.peek(scope, ident, rate)
            if not verdict.allowed:
                return verdict
    return None


def blocked_message(verdict: ratelimit.Verdict) -> str:
    minutes = max(1, -(-verdict.retry_after // 60))
    return _("Too many failed sign-ins for this account or from this address. Try again in %(m)d minutes.") \
        % {"m": minutes}


class LockoutBackend(ModelBackend):
    """Django's ModelBackend that refuses while the account or the address is over its failure limit."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(self._username_field())
        if blocked(username, request) is not None:
            raise PermissionDenied("sign-in refused: too many failures")
        return super().authenticate(request, username=username, password=password, **kwargs)

    @staticmethod
    def _username_field() -> str:
        from django.contrib.auth import get_user_model

        return get_user_model().USERNAME_FIELD


@receiver(user_login_failed, dispatch_uid="jiliang-login-failed")
def _count_failure(sender, credentials, request=None, **kwargs):
    username = _account(credentials.get("username"))
    if settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT and username:
        ratelimit.hit(ACCOUNT, username, settings.JILIANG_LOGIN_FAILURES_PER_ACCOUNT)
    if settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS:
        ratelimit.hit(ADDRESS, _address(request), settings.JILIANG_LOGIN_FAILURES_PER_ADDRESS)


def succeeded(username) -> None:
    """A correct password clears the account's failures (not the address's)."""
    ratelimit.reset(ACCOUNT, _account(username))


@receiver(user_logged_in, dispatch_uid="jiliang-logged-in")
def _clear_failures(sender, request, user, **kwargs):
    succeeded(user.get_username())


# -- password rules ---------------------------------------------------------------------------------------


class StaffMinimumLengthValidator:
    """Bureau and institute staff (and administrators) need passwords of at least
    ``JILIANG_STAFF_PASSWORD_MIN_LENGTH`` characters (default 10); others Django's minimum."""

    STAFF_ROLES = frozenset({*BUREAU_ROLES, Role.INSTITUTE})

    @staticmethod
    def _applies(user) -> bool:
        return user is not None and (getattr(user, "role", None) in StaffMinimumLengthValidator.STAFF_ROLES
                                     or getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))

    def validate(self, password, user=None):
        length = settings.JILIANG_STAFF_PASSWORD_MIN_LENGTH
        if self._applies(user) and len(password) < length:
            raise ValidationError(
                ngettext("Bureau and institute staff need a password of at least %(n)d character.",
                         "Bureau and institute staff need a password of at least %(n)d characters.", length)
                % {"n": length}, code="password_too_short_for_staff", params={"n": length})

    def get_help_text(self):
        length = settings.JILIANG_STAFF_PASSWORD_MIN_LENGTH
        return ngettext("Bureau and institute staff: at least %(n)d character.",
                        "Bureau and institute staff: at least %(n)d characters.", length) % {"n": length}


# -- sign-in forms (login page and admin) -----------------------------------------------------------------


def check_second_factor(user, token, request):
    """The user's confirmed TOTP device that accepts ``token``; None when the user has none.

    Raises ValidationError (and counts a failed sign-in) when the user has a device and the code is wrong.
    """
    from django_otp import match_token, user_has_device

    if user is None or not user_has_device(user):
        return None
    device = match_token(user, (token or "").strip()) if token else None
    if device is None:
        user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
        raise ValidationError(_("Enter the current 6-digit code of your authenticator app."), code="otp")
    return device


class SignInMixin:
    """Refuse early while locked out (with a message that says so), then ask for the TOTP code of users
    who set up a second factor."""

    def add_otp_field(self):
        from django import forms

        self.fields["otp_token"] = forms.CharField(
            label=_("Authenticator code"), required=False, max_length=8,
            help_text=_("Only if you set up an authenticator app (second factor)."),
            widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))

    def clean(self):
        verdict = blocked(self.data.get("username"), self.request)
        if verdict is not None:
            raise ValidationError(blocked_message(verdict), code="locked_out")
        cleaned = super().clean()
        try:
            device = check_second_factor(self.get_user(), cleaned.get("otp_token"), self.request)
        except ValidationError:
            self.user_cache = None
            raise
        if device is not None and self.request is not None:
            self.request._jiliang_otp_device = device  # django_otp.login() once the session exists
        return cleaned


def _sign_in_form(base):
    class Form(SignInMixin, base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.add_otp_field()

    Form.__name__ = f"SignIn{base.__name__}"
    return Form


def sign_in_form():
    from django.contrib.auth.forms import AuthenticationForm

    return _sign_in_form(AuthenticationForm)


def admin_sign_in_form():
    from django.contrib.admin.forms import AdminAuthenticationForm

    return _sign_in_form(AdminAuthenticationForm)


@receiver(user_logged_in, dispatch_uid="jiliang-otp-verified")
def _persist_otp_device(sender, request, user, **kwargs):
    device = getattr(request, "_jiliang_otp_device", None) if request is not None else None
    if device is not None:
        from django_otp import login as otp_login

        otp_login(request, device)
