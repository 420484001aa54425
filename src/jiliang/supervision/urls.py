"""Pages of supervision, mounted at /supervision/."""

from django.urls import path

from . import views
from .filing_views import urlpatterns as filing_urlpatterns
from .ui import conflict_ui, event_ui

urlpatterns = [
    *filing_urlpatterns,
    path("records/import/", views.import_records, name="records-import"),
    path("record-conflicts/<int:pk>/resolve/", views.resolve, name="record-conflict-resolve"),
    *event_ui.urls(),
    *conflict_ui.urls(),
]
