"""API token authentication against hashed keys, with expiry and scope (``Authorization: Token <key>``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from jiliang.core.models import ApiToken, TokenScope
from jiliang.core.tokens import hash_key

# last_used is written at most this often per token (a gateway posting every second would write every second).
LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def ingest_path() -> str:
    return reverse("api:telemetry-readings")


class HashedTokenAuthentication(TokenAuthentication):
    """Looks the key's SHA-256 up; refuses expired and revoked tokens and requests outside the scope."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, token = result
        if token.scope == TokenScope.INGEST and not (request.method == "POST" and request.path == ingest_path()):
            raise exceptions.PermissionDenied(_("This token may only send meter readings "
                                                "(POST /api/telemetry/readings)."))
        return user, token

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        now = timezone.now()
        if token is None or token.revoked is not None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.expires <= now:
            raise exceptions.AuthenticationFailed(_("The token expired on %(d)s.")
                                                  % {"d": timezone.localtime(token.expires).strftime("%Y-%m-%d")})
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.last_used is None or now - token.last_used > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token
