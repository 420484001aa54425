"""Pages of traceability under /traceability/."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
