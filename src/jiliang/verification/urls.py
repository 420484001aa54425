from django.urls import path

from . import views
from .ui import calibration_ui, certificate_ui, notification_ui, work_order_ui

urlpatterns = [
    path("work-orders/request/", views.work_order_request, name="work-orders-request"),
    path("work-orders/queue/", views.work_queue, name="work-queue"),
    path("work-orders/instruments/", views.instrument_search, name="work-orders-instrument-search"),
    *work_order_ui.urls(),
    path("work-orders/<int:pk>/<slug:step>/", views.work_order_step, name="work-orders-step"),
    path("items/<int:pk>/results/", views.item_results, name="work-order-items-results"),
    *certificate_ui.urls(),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificates-pdf"),
    path("certificates/<int:pk>/dcc.xml", views.certificate_dcc, name="certificates-dcc"),
    path("certificates/<int:pk>/<slug:step>/", views.certificate_step, name="certificates-step"),
    path("keys/rotate/", views.rotate_key, name="signing-keys-rotate"),
    path("standard-calibrations/import-dcc/", views.import_dcc, name="standard-calibrations-import"),
    *calibration_ui.urls(),
    *notification_ui.urls(),
]

public_urlpatterns = [
    path("verify/", views.verify_start, name="verify-start"),
    path("verify/keys/", views.public_keys, name="verify-keys"),
    path("verify/keys/<str:key_id>.pem", views.public_key_pem, name="verify-key-pem"),
    path("verify/<str:number>.json", views.verify_json, name="verify-json"),
    path("verify/<str:number>", views.verify_page, name="verify"),
]
