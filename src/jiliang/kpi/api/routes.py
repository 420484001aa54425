"""The kpi API under /api/kpi/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []
