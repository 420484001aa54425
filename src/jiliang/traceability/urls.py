"""Pages of traceability under /traceability/."""

from django.urls import path  # noqa: F401

from .pages import urlpatterns as page_urlpatterns

urlpatterns: list = []
urlpatterns += page_urlpatterns
