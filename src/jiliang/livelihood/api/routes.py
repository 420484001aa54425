"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []

# Markets (market_api.py).
from .market_api import MarketScaleViewSet, MarketViewSet, StallViewSet  # noqa: E402

ROUTES += [
    ("markets", MarketViewSet, "livelihood-markets"),
    ("stalls", StallViewSet, "livelihood-stalls"),
    ("market-scales", MarketScaleViewSet, "livelihood-market-scales"),
]
