"""URL map of bench/public_page.py only: the project's URLs plus ``/bench/minimal/``, a Django view that answers
"ok" through the same middleware, the baseline. Never part of the production URL map."""

from django.http import HttpResponse
from django.urls import path

from jiliang.urls import handler403, handler404  # noqa: F401  (the project's error pages)
from jiliang.urls import urlpatterns as site


def minimal(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal), *site]
