"""System checks on the site's configuration that Django's own checks do not cover."""

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error

PUBLIC_URL_HINT = ("Set JILIANG_PUBLIC_URL to the address the public reaches the site at, "
                   "e.g. https://jiliang.example.gov.cn")


def _loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check_public_url(app_configs=None, **kwargs) -> list:
    """In production mode ``JILIANG_PUBLIC_URL`` is a public http(s) address: certificates print a QR code
    pointing at ``<it>/verify/<number>``, and a loopback or missing address would point nowhere."""
    if not getattr(settings, "PRODUCTION", False):
        return []
    url = (getattr(settings, "JILIANG_PUBLIC_URL", "") or "").strip()
    parts = urlsplit(url)
    if not url:
        problem = "JILIANG_PUBLIC_URL is not set"
    elif parts.scheme not in ("http", "https") or not parts.hostname:
        problem = f"JILIANG_PUBLIC_URL is {url!r}, not an http(s) address"
    elif _loopback(parts.hostname):
        problem = f"JILIANG_PUBLIC_URL is {url!r}, a loopback address"
    else:
        return []
    return [Error(f"{problem}: the QR codes on certificates would point nowhere.", hint=PUBLIC_URL_HINT,
                  id="core.E001")]
