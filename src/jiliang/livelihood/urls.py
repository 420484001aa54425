"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /livelihood/public/)."""

from django.urls import path

from . import meter_views

urlpatterns: list = []

# Household meters, batches and rotation lists (meter_views.py).
urlpatterns += [
    path("household-meters/import/", meter_views.meter_import_page, name="household-meter-import"),
    path("household-meters/template.xlsx", meter_views.meter_template, name="household-meter-template"),
    path("household-meters/<int:pk>/rotate/", meter_views.rotate, name="household-meter-rotate"),
    *meter_views.meter_ui.urls(),
    path("meter-batches/add/", meter_views.batch_add, name="meter-batch-add"),
    path("meter-batches/<int:pk>/results/", meter_views.batch_results, name="meter-batch-results"),
    *meter_views.batch_ui.urls(),
    path("rotation/", meter_views.rotation_list, name="rotation-list"),
    path("rotation/publish/", meter_views.rotation_publish, name="rotation-publish"),
    path("rotation/overdue/", meter_views.rotation_overdue, name="rotation-overdue"),
    path("public/rotation/<str:county>/", meter_views.public_rotation, name="public-rotation"),
    path("public/rotation/<str:county>/<int:year>/<int:quarter>/", meter_views.public_rotation,
         name="public-rotation-quarter"),
]
from .iot_views import urlpatterns as iot_urlpatterns  # noqa: E402

urlpatterns += iot_urlpatterns
from .area_ui import area_ui, estimate_ui

urlpatterns: list = [
    *area_ui.urls(),
    *estimate_ui.urls(),
# Markets (market_views.py).
from .market_views import (  # noqa: E402
    market_add,
    market_detail,
    market_import,
    market_list,
    ranking,
    scale_add,
    scale_move,
    scale_remove,
    stall_add,
    unification_confirm,
    unification_document,
    unifications,
)

urlpatterns += [
    path("markets/", market_list, name="markets-list"),
    path("markets/add/", market_add, name="markets-add"),
    path("markets/ranking/", ranking, name="markets-ranking"),
    path("markets/<int:pk>/", market_detail, name="markets-detail"),
    path("markets/<int:pk>/stalls/add/", stall_add, name="markets-stall-add"),
    path("markets/<int:pk>/scales/add/", scale_add, name="markets-scale-add"),
    path("markets/<int:pk>/import/", market_import, name="markets-import"),
    path("markets/<int:pk>/unifications/", unifications, name="markets-unifications"),
    path("market-scales/<int:pk>/move/", scale_move, name="market-scales-move"),
    path("market-scales/<int:pk>/remove/", scale_remove, name="market-scales-remove"),
    path("unifications/<int:pk>/confirm/", unification_confirm, name="unifications-confirm"),
    path("unifications/<int:pk>/document/", unification_document, name="unifications-document"),
]
