"""The livelihood API under /api/livelihood/: every viewset with its path (api_urls registers them)."""

ROUTES: list[tuple[str, type, str | None]] = []

from .free import FreeProgrammeViewSet, FreeSummaryViewSet, FreeVerificationViewSet  # noqa: E402

ROUTES += [
    ("free-programmes", FreeProgrammeViewSet, "free-programme"),
    ("free-verifications", FreeVerificationViewSet, "free-verification"),
    ("free-summary", FreeSummaryViewSet, "free-summary"),
]
