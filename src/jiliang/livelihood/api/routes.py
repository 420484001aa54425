"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []

from .iot import HouseholdIotViewSet  # noqa: E402

ROUTES.append(("iot-status", HouseholdIotViewSet, "livelihood-iot-status"))
