"""The traceability API under /api/traceability/: every viewset with its path (api_urls registers them)."""

from .chains import ChainViewSet

ROUTES: list[tuple[str, type, str | None]] = []
ROUTES.append(("chains", ChainViewSet, "traceability-chains"))
