"""Pages of traceability under /traceability/."""

from django.urls import path  # noqa: F401

from .coverage_views import urlpatterns as coverage_urlpatterns

urlpatterns: list = []
urlpatterns += coverage_urlpatterns
