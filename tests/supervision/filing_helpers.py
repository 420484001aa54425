"""A small filing world on top of tests/conftest.py's: a second Kunshan instrument, one outside mandatory
verification, one of the Xuanwu enterprise."""

from __future__ import annotations

from decimal import Decimal

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as m


def add_instrument(w, owner, region, serial, usage="trade", category=None):
    with audit_context(actor=w.admin, channel="command"):
        return services.create_record(m.Instrument, {
            "owner": owner, "category": category or w.scale, "manufacturer": "凯丰衡器", "model": "ACS-15",
            "serial_number": serial, "accuracy_class": "III", "range_min": Decimal("0"),
            "range_max": Decimal("15"), "range_unit": "kg", "usage": usage, "region_id": region,
            "status": "in_service"}, actor=w.admin)


def non_mandatory(w, serial="KS-NM-1"):
    inst = add_instrument(w, w.ent_ks, "320583", serial, usage="other")
    assert not inst.mandatory
    return inst
