"""The kpi API under /api/kpi/: every viewset with its path (api_urls registers them)."""

from .views import IndicatorViewSet, ReportViewSet, SnapshotViewSet

ROUTES: list[tuple[str, type, str | None]] = []
ROUTES += [
    ("indicators", IndicatorViewSet, "kpi-indicators"),
    ("snapshots", SnapshotViewSet, "kpi-snapshots"),
    ("reports", ReportViewSet, "kpi-reports"),
]
