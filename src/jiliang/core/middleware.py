"""Opens an audit context for each web or API request (actor, address, request id, channel), and refuses
public uploads larger than their limit before they are read."""

import uuid

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .audit import audit_context

# Room for the multipart envelope around the PDF (boundaries, headers, the CSRF token field).
MULTIPART_ENVELOPE_BYTES = 64 * 1024


class PublicUploadLimitMiddleware:
    """``POST /verify/<number>`` (anyone may post a PDF to compare) is refused with 413 when its declared
    length passes ``JILIANG_VERIFY_MAX_PDF_BYTES``: Django would otherwise parse the body, and spool the
    upload to disk, before the view could look at its size (the CSRF check reads the form first). Under
    WSGI the body is read only up to its declared length, so the length is what bounds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path.startswith("/verify/"):
            limit = settings.JILIANG_VERIFY_MAX_PDF_BYTES
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = limit + MULTIPART_ENVELOPE_BYTES + 1
            if length > limit + MULTIPART_ENVELOPE_BYTES:
                return HttpResponse(_("The file is too large: a certificate's PDF can be checked up to %(limit)d MB.")
                                    % {"limit": limit // (1024 * 1024)},
                                    status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def client_address(request) -> str | None:
    # Behind a reverse proxy the deployment sets JILIANG_TRUST_X_FORWARDED_FOR (docs/settings.md).
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
