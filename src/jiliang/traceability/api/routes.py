"""The traceability API under /api/traceability/: every viewset with its path (api_urls registers them)."""

from .coverage import CoverageViewSet, TreeViewSet

ROUTES: list[tuple[str, type, str | None]] = []
ROUTES += [("coverage", CoverageViewSet, "traceability-coverage"), ("tree", TreeViewSet, "traceability-tree")]
