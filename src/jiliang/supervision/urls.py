"""Pages of supervision, mounted at /supervision/."""

from django.urls import path

from . import dashboard_views, notice_views, scan_views, views
from .campaign_views import urlpatterns as campaign_urlpatterns
from .complaint_ui import urlpatterns as complaint_urlpatterns
from .filing_views import urlpatterns as filing_urlpatterns
from .notice_ui import finding_ui, notice_ui, reminder_ui
from .ui import conflict_ui, event_ui

urlpatterns = [
    path("", dashboard_views.dashboard_page, name="supervision-dashboard"),
    path("overdue/", dashboard_views.overdue_page, name="supervision-overdue"),
    path("settings/", dashboard_views.settings_page, name="supervision-settings"),
    *filing_urlpatterns,
    path("records/import/", views.import_records, name="records-import"),
    path("record-conflicts/<int:pk>/resolve/", views.resolve, name="record-conflict-resolve"),
    *event_ui.urls(),
    *conflict_ui.urls(),
    path("notices/issue/", notice_views.notice_issue, name="notices-issue"),
    path("notices/<int:pk>/pdf/", notice_views.notice_pdf, name="notices-pdf"),
    *notice_ui.urls(),
    path("findings/record/", notice_views.finding_record, name="findings-record"),
    path("findings/<int:pk>/photo/", notice_views.finding_photo, name="findings-photo"),
    path("findings/<int:pk>/photos/<int:photo>/", notice_views.finding_photo, name="findings-photo-n"),
    *scan_views.urlpatterns,
    *finding_ui.urls(),
    *reminder_ui.urls(),
    path("late-requests/", notice_views.late_requests, name="late-requests"),
    *complaint_urlpatterns,
    *campaign_urlpatterns,
]
