"""Settings of bench/public_page.py only: the project's, with the bench's URL map (which adds a minimal view) and
the public page's rate limits off (a load generator on one address would be refused after 60 requests)."""

from jiliang.settings import *  # noqa: F403

ROOT_URLCONF = "public_page_urls"
JILIANG_RATE_PUBLIC_PAGE = ""
JILIANG_RATE_PUBLIC_NOT_FOUND = ""
JILIANG_RATE_COMPLAINT = ""
