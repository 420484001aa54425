from django.urls import path

from . import views
from .ui import finding_ui, notice_ui, reminder_ui

urlpatterns = [
    path("notices/issue/", views.notice_issue, name="notices-issue"),
    path("notices/<int:pk>/pdf/", views.notice_pdf, name="notices-pdf"),
    *notice_ui.urls(),
    path("findings/record/", views.finding_record, name="findings-record"),
    path("findings/<int:pk>/photo/", views.finding_photo, name="findings-photo"),
    *finding_ui.urls(),
    *reminder_ui.urls(),
    path("late-requests/", views.late_requests, name="late-requests"),
]
