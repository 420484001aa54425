"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /public/, public_urls.py)."""

from django.urls import path  # noqa: F401

from .area_ui import area_ui, estimate_ui

urlpatterns: list = [
    *area_ui.urls(),
    *estimate_ui.urls(),
]
