"""The plan's indicators: live page, indicators, drill-downs, entered values, targets, documents, scorecards and
evaluation reports."""

from django.urls import path  # noqa: F401  (the pages append their paths here)

app_name = "kpi"
urlpatterns: list = []

from . import views  # noqa: E402

urlpatterns += views.urlpatterns  # the pages (views.py)
