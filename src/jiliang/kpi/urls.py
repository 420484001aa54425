"""The plan's indicators: live page, indicators, drill-downs, entered values, targets, documents, scorecards (views.py)
and the evaluation reports with their public list (report_views.py)."""

from django.urls import path

from . import report_views, views

app_name = "kpi"
urlpatterns = [
    *views.urlpatterns,
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<int:pk>/", report_views.report_detail, name="report"),
    path("reports/<int:pk>/download/<str:fmt>/", report_views.report_file, name="report-file"),
    path("reports/<int:pk>/publish/", report_views.report_publish, name="report-publish"),
    path("public/", report_views.public_list, name="public"),
    path("public/<int:pk>/download/<str:fmt>/", report_views.public_file, name="public-file"),
]
