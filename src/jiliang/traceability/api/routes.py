"""The traceability API under /api/traceability/: every viewset with its path (api_urls registers them)."""

from .chains import ChainViewSet
from .impact import ImpactCaseViewSet, WarningViewSet

ROUTES: list[tuple[str, type, str | None]] = [
    ("impact", ImpactCaseViewSet, "traceability-impact"),
    ("warnings", WarningViewSet, "traceability-warnings"),
    ("chains", ChainViewSet, "traceability-chains"),
]
