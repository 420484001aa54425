"""Opens an audit context for each web or API request (actor, address, request id, channel)."""

import uuid

from .audit import audit_context


def client_address(request) -> str | None:
    # Behind a reverse proxy the deployment sets JILIANG_TRUST_X_FORWARDED_FOR (docs/settings.md).
    from django.conf import settings

    if getattr(settings, "JILIANG_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "web"
        request.request_id = request.headers.get("X-Request-ID") or str(uuid.uuid4())
        # request.user is lazy; the context resolves it at record time through this proxy.
        with audit_context(actor=_LazyUser(request), channel=channel, remote_addr=client_address(request),
                           request_id=request.request_id[:36]):
            response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class _LazyUser:
    """Resolves to the request's user when the audit entry is written (DRF authenticates late)."""

    def __init__(self, request):
        self._request = request

    def resolve(self):
        user = getattr(self._request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.JILIANG_CSP`` as the Content-Security-Policy of every response that has none.

    The default allows scripts only from the site itself (the vendored libraries included): no inline
    script, no event-handler attribute, no eval. Django 5.2 has no CSP support of its own.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "JILIANG_CSP", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response
