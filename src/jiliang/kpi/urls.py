"""The plan's indicators: live page, indicators, drill-downs, entered values, targets, documents, scorecards and
evaluation reports."""

from django.urls import path  # noqa: F401  (the pages append their paths here)

app_name = "kpi"
urlpatterns: list = []

from . import report_views  # noqa: E402

urlpatterns += [
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/download/<str:fmt>/", report_views.report_file, name="report-file"),
    path("reports/<int:pk>/publish/", report_views.report_publish, name="report-publish"),
    path("public/", report_views.public_list, name="public"),
    path("public/<int:pk>/download/<str:fmt>/", report_views.public_file, name="public-file"),
]
