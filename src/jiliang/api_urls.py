"""The REST API under /api/: one router for every app's viewsets, the token endpoint, schema and docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from jiliang.budgets.api import views as budgets
from jiliang.core.api import views as core_api
from jiliang.kpi.api.routes import ROUTES as KPI_ROUTES
from jiliang.livelihood.api.routes import ROUTES as LIVELIHOOD_ROUTES
from jiliang.registry.api import codes as registry_codes
from jiliang.registry.api import labels as registry_labels
from jiliang.registry.api import views as registry
from jiliang.supervision.api import campaigns as supervision_campaigns
from jiliang.supervision.api import complaints as supervision_complaints
from jiliang.supervision.api import dashboard as supervision_dashboard
from jiliang.supervision.api import filing as supervision_filing
from jiliang.supervision.api import findings as supervision_findings
from jiliang.supervision.api import notices as supervision_notices
from jiliang.supervision.api import records as supervision_records
from jiliang.supervision.api import scan as supervision_scan
from jiliang.supervision.api import views as supervision
from jiliang.telemetry.api import views as telemetry
from jiliang.traceability.api.routes import ROUTES as TRACEABILITY_ROUTES
from jiliang.verification.api import views as verification

router = DefaultRouter()
router.register("regions", registry.RegionViewSet)
router.register("designations", registry.DesignationViewSet)
router.register("organisations", registry.OrganisationViewSet)
router.register("people", registry.PersonViewSet)
router.register("instrument-categories", registry.InstrumentCategoryViewSet)
router.register("instruments", registry.InstrumentViewSet)
router.register("standards", registry.MeasurementStandardViewSet)
router.register("reference-materials", registry.ReferenceMaterialViewSet)
router.register("uncertainty/templates", budgets.BudgetTemplateViewSet)
router.register("uncertainty/budgets", budgets.SavedBudgetViewSet)
router.register("work-orders", verification.WorkOrderViewSet)
router.register("work-order-items", verification.WorkOrderItemViewSet)
router.register("certificates", verification.CertificateViewSet)
router.register("standard-calibrations", verification.StandardCalibrationViewSet)
router.register("notifications", verification.NotificationViewSet)
router.register("supervision/states", supervision.InstrumentStateViewSet)
router.register("supervision/filings", supervision_filing.FilingViewSet)
router.register("supervision/filing-entries", supervision_filing.FilingEntryViewSet)
router.register("supervision/designations", supervision_filing.DesignationViewSet)
router.register("supervision/verification-records", supervision_records.VerificationEventViewSet)
router.register("supervision/conflicts", supervision_records.RecordConflictViewSet)
router.register("supervision/notices", supervision_notices.NoticeViewSet)
router.register("supervision/findings", supervision_findings.FindingViewSet)
router.register("supervision/reminders", supervision_notices.ReminderViewSet)
router.register("supervision/complaints", supervision_complaints.ComplaintViewSet)
router.register("supervision/late-requests", supervision_notices.LateRequestViewSet, basename="late-request")
router.register("supervision/campaigns", supervision_campaigns.CampaignViewSet)
router.register("supervision/overdue", supervision_dashboard.OverdueViewSet, basename="supervision-overdue")
for prefix, viewset, basename in LIVELIHOOD_ROUTES:
    router.register(f"livelihood/{prefix}", viewset, basename=basename)
for prefix, viewset, basename in TRACEABILITY_ROUTES:
    router.register(f"traceability/{prefix}", viewset, basename=basename)
for prefix, viewset, basename in KPI_ROUTES:
    router.register(f"kpi/{prefix}", viewset, basename=basename)
router.register("telemetry/points", telemetry.MeteringPointViewSet)
router.register("telemetry/batches", telemetry.IngestBatchViewSet)
router.register("telemetry/anomalies", telemetry.AnomalyViewSet)
router.register("telemetry/conflicts", telemetry.ReadingConflictViewSet)
router.register("telemetry/stored-readings", telemetry.ReadingViewSet, basename="reading")
router.register("telemetry/point-rollups", telemetry.PointRollupViewSet, basename="pointrollup")
router.register("telemetry/enterprise-rollups", telemetry.EnterpriseRollupViewSet, basename="enterpriserollup")


app_name = "api"
urlpatterns = [
    path("auth/token/", core_api.TokenView.as_view(), name="token"),
    path("uncertainty/evaluate", budgets.EvaluateView.as_view(), name="uncertainty-evaluate"),
    path("uncertainty/export", budgets.ExportView.as_view(), name="uncertainty-export"),
    path("instrument-codes/<str:code>/", registry_codes.InstrumentCodeView.as_view(), name="instrument-code"),
    path("instrument-labels/", registry_labels.InstrumentLabelsView.as_view(), name="instrument-labels"),
    path("supervision/rates", supervision_dashboard.RatesView.as_view(), name="supervision-rates"),
    path("supervision/scan/<str:code>/", supervision_scan.ScanView.as_view(), name="supervision-scan-detail"),
    path("telemetry/readings", telemetry.ReadingIngestView.as_view(), name="telemetry-readings"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("", include(router.urls)),
]
docs_urlpatterns = [
    # The split view serves Swagger UI's start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
         name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api:schema", permission_classes=[AllowAny]),
         name="api-redoc"),
]
