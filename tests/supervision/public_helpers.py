"""Instruments in every status of the public status page (/i/<code>), built through the registry's service and
verification events, as the status page's and the complaint tests need them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as m
from jiliang.supervision import lifecycle, state
from jiliang.supervision.models import VerificationEvent

OWNER_PHONE, OWNER_ADDRESS, OWNER_CONTACT = "0512-57771234", "昆山市前进西路88号", "王联系"
INSTRUMENT_ADDRESS = "昆山市人民路菜市场12号摊位"
ALL = (*lifecycle.STATUSES, "out_of_service")


def instrument(world, serial, *, category=None, usage="trade", region="320583", owner=None, **extra):
    with audit_context(actor=world.admin, channel="command"):
        return services.create_record(m.Instrument, {
            "owner": owner or world.ent_ks, "category": category or world.scale, "manufacturer": "凯丰衡器",
            "model": "ACS-15", "serial_number": serial, "accuracy_class": "III", "range_min": Decimal("0"),
            "range_max": Decimal("15"), "range_unit": "kg", "usage": usage, "region_id": region,
            "address": INSTRUMENT_ADDRESS, "status": "in_service", **extra}, actor=world.admin)


def event(world, inst, n, verified_on, result="pass", next_due=None, **extra):
    VerificationEvent.objects.create(institution=world.inst_p, number=f"PUB-{n}", instrument=inst,
                                     source="reported", kind="periodic", verified_on=verified_on, result=result,
                                     next_due=next_due, **extra)
    state.refresh([inst.pk])


def in_status(world, status: str, n: int = 0):
    """A Kunshan instrument whose public status today is ``status`` (a lifecycle status or out_of_service)."""
    today = timezone.localdate()
    serial = f"PUB-{status}-{n}"
    if status == lifecycle.NOT_COUNTED:
        inst = instrument(world, serial, usage="other")
        event(world, inst, serial, today - dt.timedelta(days=20), next_due=today + dt.timedelta(days=300))
        return inst
    if status == lifecycle.LIFE_ENDED:
        inst = instrument(world, serial, category=m.InstrumentCategory.objects.get(code="water-meter-dn15-25"))
        event(world, inst, serial, today - dt.timedelta(days=6 * 366), next_due=today - dt.timedelta(days=3))
        return inst
    if status == "out_of_service":
        inst = instrument(world, serial)
        event(world, inst, serial, today - dt.timedelta(days=20), next_due=today + dt.timedelta(days=300))
        with audit_context(actor=world.admin, channel="command"):
            services.update_record(inst, {"status": "retired", "status_reason": "损坏报废",
                                          "status_date": today - dt.timedelta(days=1)}, actor=world.admin)
        state.refresh([inst.pk])
        return inst
    inst = instrument(world, serial)
    dates = {lifecycle.VALID: (today - dt.timedelta(days=20), "pass", today + dt.timedelta(days=300)),
             lifecycle.DUE_SOON: (today - dt.timedelta(days=350), "pass", today + dt.timedelta(days=10)),
             lifecycle.OVERDUE: (today - dt.timedelta(days=400), "pass", today - dt.timedelta(days=5)),
             lifecycle.FAILED: (today - dt.timedelta(days=3), "fail", None)}
    if status in dates:
        on, result, due = dates[status]
        event(world, inst, serial, on, result, due)
    return inst


@pytest.fixture(autouse=True)
def fresh_cache():
    """The server keeps rendered status pages (JILIANG_PUBLIC_PAGE_CACHE_S): each test starts without them, since
    the same codes are issued again in every test's database."""
    cache.clear()
    yield
    cache.clear()
