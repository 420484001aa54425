"""Chinese first: the UI speaks Chinese unless the user chose English with the language switch.

Django's LocaleMiddleware would follow the browser's Accept-Language; a provincial system's default is
Chinese whatever the browser says, and the choice is remembered in the language cookie.
"""

from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


class ChineseFirstLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in SUPPORTED and request.path.startswith("/api/") and "HTTP_ACCEPT_LANGUAGE" in request.META:
            # Machines say what they want explicitly; honour it on the API.
            chosen = translation.get_language_from_request(request)
        if chosen not in SUPPORTED:
            chosen = settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        return response


def in_language(data: dict, key: str) -> str:
    """A bilingual data field: ``<key>_zh`` in Chinese when the data has it, else ``<key>`` (English)."""
    if (translation.get_language() or "").startswith("zh") and data.get(f"{key}_zh"):
        return data[f"{key}_zh"]
    return data.get(key, "")
