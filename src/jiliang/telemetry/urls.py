from django.urls import path

from . import views
from .ui import anomaly_ui, batch_ui, conflict_ui, equal_price_ui, point_ui

urlpatterns = [
    path("", views.dashboard, name="energy-dashboard"),
    path("online-history/", views.online_history, name="energy-online-history"),
    path("quality/", views.data_quality, name="energy-quality"),
    path("coverage/", views.coverage, name="energy-coverage"),
    path("enterprises/<int:pk>/", views.enterprise_energy, name="energy-enterprise"),
    path("enterprises/<int:pk>/gb17167/", views.enterprise_gb17167, name="energy-enterprise-gb17167"),
    path("anomalies/<int:pk>/state/", views.anomaly_state, name="anomaly-state"),
    *point_ui.urls(),
    *equal_price_ui.urls(),
    *batch_ui.urls(),
    *anomaly_ui.urls(),
    *conflict_ui.urls(),
]
