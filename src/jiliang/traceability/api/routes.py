"""The traceability API under /api/traceability/: every viewset with its path (api_urls registers them)."""

from .chains import ChainViewSet
from .coverage import CoverageViewSet, TreeViewSet
from .impact import ImpactCaseViewSet, WarningViewSet

ROUTES: list[tuple[str, type, str | None]] = [
    ("chains", ChainViewSet, "traceability-chains"),
    ("impact", ImpactCaseViewSet, "traceability-impact"),
    ("warnings", WarningViewSet, "traceability-warnings"),
    ("coverage", CoverageViewSet, "traceability-coverage"),
    ("tree", TreeViewSet, "traceability-tree"),
]
