"""Pages of traceability under /traceability/."""

from django.urls import path

from . import impact_views
from .coverage_views import urlpatterns as coverage_urlpatterns
from .pages import urlpatterns as page_urlpatterns

urlpatterns: list = [
    path("impact/", impact_views.case_list, name="traceability-impact-list"),
    path("impact/<int:pk>/", impact_views.case_detail, name="traceability-impact-detail"),
    path("impact/<int:pk>/decide/", impact_views.decide, name="traceability-impact-decide"),
    path("impact/<int:pk>/report/", impact_views.report, name="traceability-impact-report"),
    path("impact/open/<int:standard>/", impact_views.open_case, name="traceability-impact-open"),
    path("warnings/", impact_views.warning_list, name="traceability-warnings"),
    *page_urlpatterns,
    *coverage_urlpatterns,
]
