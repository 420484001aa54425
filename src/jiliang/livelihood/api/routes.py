"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

from .area_views import AreaEstimateViewSet, TransformerAreaViewSet
from .free import FreeProgrammeViewSet, FreeSummaryViewSet, FreeVerificationViewSet
from .iot import HouseholdIotViewSet
from .market_api import MarketScaleViewSet, MarketViewSet, StallViewSet
from .meter_views import HouseholdMeterViewSet, MeterBatchViewSet, OverdueRotationViewSet, RotationListViewSet

ROUTES: list[tuple[str, type, str | None]] = [
    # markets (market_api.py)
    ("markets", MarketViewSet, "livelihood-markets"),
    ("stalls", StallViewSet, "livelihood-stalls"),
    ("market-scales", MarketScaleViewSet, "livelihood-market-scales"),
    # free verification (free.py)
    ("free-programmes", FreeProgrammeViewSet, "free-programme"),
    ("free-verifications", FreeVerificationViewSet, "free-verification"),
    ("free-summary", FreeSummaryViewSet, "free-summary"),
    # household meters, batches, rotation lists (meter_views.py)
    ("household-meters", HouseholdMeterViewSet, "householdmeter"),
    ("meter-batches", MeterBatchViewSet, "meterbatch"),
    ("rotation-lists", RotationListViewSet, "rotationlist"),
    ("rotation-overdue", OverdueRotationViewSet, "rotationoverdue"),
    # IoT status (iot.py) and transformer areas (area_views.py)
    ("iot-status", HouseholdIotViewSet, "livelihood-iot-status"),
    ("transformer-areas", TransformerAreaViewSet, "transformer-area"),
    ("area-estimates", AreaEstimateViewSet, "area-estimate"),
]
