"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /public/, public_urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

from .iot_views import urlpatterns as iot_urlpatterns  # noqa: E402

urlpatterns += iot_urlpatterns
