"""The traceability API under /api/traceability/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []
