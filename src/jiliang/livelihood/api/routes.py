"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

from .area_views import AreaEstimateViewSet, TransformerAreaViewSet

ROUTES: list[tuple[str, type, str | None]] = [
    ("transformer-areas", TransformerAreaViewSet, "transformer-area"),
    ("area-estimates", AreaEstimateViewSet, "area-estimate"),
]
