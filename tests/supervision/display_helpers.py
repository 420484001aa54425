"""Helpers of the display tests: pages read as text, events recorded as an institution reports them."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.conf import settings
from django.test import Client

from jiliang.core import services as core_services
from jiliang.registry.models import Instrument, InstrumentCategory
from jiliang.supervision import state
from jiliang.supervision.models import VerificationEvent

_numbers = iter(range(1, 10**6))


def page(user, path, lang="zh-hans", status=200) -> str:
    client = Client()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response.content.decode()


def instrument_page(user, instrument, lang="zh-hans") -> str:
    return page(user, f"/registry/instruments/{instrument.pk}/", lang)


def block(html: str) -> str:
    match = re.search(r'<section[^>]*id="instrument-status".*?</section>', html, re.S)
    assert match, "no status block"
    return match.group(0)


def state_of(html: str) -> str:
    return re.search(r'id="instrument-status" data-state="([a-z_]+)"', html).group(1)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def reported(world, instrument, *, on: dt.date, result="pass", next_due: dt.date | None = None,
             institution=None) -> VerificationEvent:
    """A verification record reported by an institution that does not issue through jiliang."""
    event = VerificationEvent.objects.create(
        institution=institution or world.inst_nj, number=f"NJ-{next(_numbers):05d}", instrument=instrument,
        source="reported", kind="periodic", verified_on=on, result=result, next_due=next_due)
    state.refresh([instrument.pk])
    return event


def new_instrument(world, serial, *, category=None, usage="trade", owner=None, region="320583", **extra):
    return core_services.create_record(Instrument, {
        "owner": owner or world.ent_ks, "category": category or world.scale, "manufacturer": "凯丰衡器",
        "model": "ACS-15", "serial_number": serial, "accuracy_class": "III", "range_min": Decimal("0"),
        "range_max": Decimal("15"), "range_unit": "kg", "usage": usage, "region_id": region,
        "status": "in_service", **extra}, actor=world.admin)


def water_meter(world, serial):
    return new_instrument(world, serial, category=InstrumentCategory.objects.get(code="water-meter-dn15-25"))
