"""Pages of livelihood metering under /livelihood/ (the public rotation lists are under /livelihood/public/)."""

from django.urls import path

from . import free_views, market_views, meter_views
from .area_ui import area_ui, estimate_ui
from .free_ui import fee_ui, free_ui, programme_ui
from .iot_views import urlpatterns as iot_urlpatterns

urlpatterns: list = [
    # Markets (market_views.py).
    path("markets/", market_views.market_list, name="markets-list"),
    path("markets/add/", market_views.market_add, name="markets-add"),
    path("markets/ranking/", market_views.ranking, name="markets-ranking"),
    path("markets/<int:pk>/", market_views.market_detail, name="markets-detail"),
    path("markets/<int:pk>/stalls/add/", market_views.stall_add, name="markets-stall-add"),
    path("markets/<int:pk>/scales/add/", market_views.scale_add, name="markets-scale-add"),
    path("markets/<int:pk>/import/", market_views.market_import, name="markets-import"),
    path("markets/<int:pk>/unifications/", market_views.unifications, name="markets-unifications"),
    path("market-scales/<int:pk>/move/", market_views.scale_move, name="market-scales-move"),
    path("market-scales/<int:pk>/remove/", market_views.scale_remove, name="market-scales-remove"),
    path("unifications/<int:pk>/confirm/", market_views.unification_confirm, name="unifications-confirm"),
    path("unifications/<int:pk>/document/", market_views.unification_document, name="unifications-document"),
    # Free verification (free_views.py, free_ui.py).
    path("free-verifications/mark/", free_views.mark, name="free-mark"),
    path("free-verifications/bulk/", free_views.bulk, name="free-bulk"),
    path("free-figures/", free_views.figures, name="free-figures"),
    path("free-figures/report/", free_views.report, name="free-report"),
    *programme_ui.urls(), *free_ui.urls(), *fee_ui.urls(),
    # Household meters, batches and rotation lists (meter_views.py).
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
    # IoT status (iot_views.py) and transformer areas (area_ui.py).
    *iot_urlpatterns,
    *area_ui.urls(),
    *estimate_ui.urls(),
]
