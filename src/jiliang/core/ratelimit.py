"""Fixed-window rate limits shared by every worker process (counts in the database, RateCounter).

Used by the public certificate check (a limit per client address) and the sign-in pages and token
endpoint (failures per account and per address; over the limit, sign-in is refused until the window ends).
Rates are written ``"<count>/<period>"`` with the period in seconds or with a unit: ``30/min``, ``5/15m``,
``100/h``, ``1000/d``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import time
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]*)\s*$")


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse_rate(text: str) -> Rate:
    m = _RATE.match(str(text).lower())
    if not m or (m.group(3) and m.group(3) not in _UNITS) or (not m.group(2) and not m.group(3)):
        raise ImproperlyConfigured(f"a rate is written like 30/min or 5/15m, not {text!r}")
    seconds = int(m.group(2) or 1) * _UNITS.get(m.group(3) or "s", 1)
    if int(m.group(1)) < 1 or seconds < 1:
        raise ImproperlyConfigured(f"a rate needs a count and a period of at least 1, not {text!r}")
    return Rate(int(m.group(1)), seconds)


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window ends


def _key(scope: str, ident: str) -> str:
    return f"{scope[:20]}:{hashlib.sha256(ident.encode()).hexdigest()[:40]}"


def _window(rate: Rate) -> tuple[int, int]:
    now = int(time.time())
    start = now - now % rate.seconds
    return start, start + rate.seconds - now


def peek(scope: str, ident: str, rate: Rate | str) -> Verdict:
    """The current count, without counting this request."""
    from .models import RateCounter

    rate = parse_rate(rate) if isinstance(rate, str) else rate
    start, left = _window(rate)
    count = (RateCounter.objects.filter(key=_key(scope, ident), window_start=start)
             .values_list("count", flat=True).first() or 0)
    return Verdict(count < rate.count, count, left)


def hit(scope: str, ident: str, rate: Rate | str) -> Verdict:
    """Count one request; allowed while the window's count (this one included) stays within the rate."""
    from .models import RateCounter

    rate = parse_rate(rate) if isinstance(rate, str) else rate
    start, left = _window(rate)
    key = _key(scope, ident)
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1):
            now = timezone.now()
            RateCounter.objects.filter(expires__lt=now).delete()
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window_start=start, count=1,
                                               expires=now + dt.timedelta(seconds=left))
            except IntegrityError:  # another process opened the window first
                RateCounter.objects.filter(key=key, window_start=start).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key, window_start=start).values_list("count", flat=True).first()
    return Verdict(count <= rate.count, count, left)


def reset(scope: str, ident: str) -> None:
    from .models import RateCounter

    RateCounter.objects.filter(key=_key(scope, ident)).delete()


def too_many_requests(request, verdict: Verdict):
    """429 with Retry-After: a page in the site's layout, or JSON for a JSON endpoint."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils.translation import gettext as _

    if request.path.endswith(".json") or request.path.startswith("/api/"):
        response = JsonResponse({"detail": _("Too many requests. Try again in %(s)d seconds.")
                                 % {"s": verdict.retry_after}}, status=429)
    else:
        response = render(request, "core/429.html", {"retry_after": verdict.retry_after}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def throttle(scope: str, setting: str):
    """Limit a view per client address to the rate in ``settings.<setting>`` (an empty rate: no limit)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            from django.conf import settings

            from .middleware import client_address

            rate = getattr(settings, setting, "")
            if rate:
                verdict = hit(scope, client_address(request) or "-", rate)
                if not verdict.allowed:
                    return too_many_requests(request, verdict)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
