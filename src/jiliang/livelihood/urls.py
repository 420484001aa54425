"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /public/, public_urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []

from . import free_views  # noqa: E402
from .free_ui import fee_ui, free_ui, programme_ui  # noqa: E402

urlpatterns += [
    path("free-verifications/mark/", free_views.mark, name="free-mark"),
    path("free-verifications/bulk/", free_views.bulk, name="free-bulk"),
    path("free-figures/", free_views.figures, name="free-figures"),
    path("free-figures/report/", free_views.report, name="free-report"),
    *programme_ui.urls(), *free_ui.urls(), *fee_ui.urls(),
]
