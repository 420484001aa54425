"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []

from .meter_views import (  # noqa: E402
    HouseholdMeterViewSet,
    MeterBatchViewSet,
    OverdueRotationViewSet,
    RotationListViewSet,
)

ROUTES += [
    ("household-meters", HouseholdMeterViewSet, "householdmeter"),
    ("meter-batches", MeterBatchViewSet, "meterbatch"),
    ("rotation-lists", RotationListViewSet, "rotationlist"),
    ("rotation-overdue", OverdueRotationViewSet, "rotationoverdue"),
]
from .iot import HouseholdIotViewSet  # noqa: E402

ROUTES.append(("iot-status", HouseholdIotViewSet, "livelihood-iot-status"))
from .area_views import AreaEstimateViewSet, TransformerAreaViewSet

ROUTES: list[tuple[str, type, str | None]] = [
    ("transformer-areas", TransformerAreaViewSet, "transformer-area"),
    ("area-estimates", AreaEstimateViewSet, "area-estimate"),
# Markets (market_api.py).
from .market_api import MarketScaleViewSet, MarketViewSet, StallViewSet  # noqa: E402

ROUTES += [
    ("markets", MarketViewSet, "livelihood-markets"),
    ("stalls", StallViewSet, "livelihood-stalls"),
    ("market-scales", MarketScaleViewSet, "livelihood-market-scales"),
]
