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


ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "enterprise_xw", "anonymous"]


def with_other_enterprise(w):
    """The Xuanwu enterprise's user joins the world's users (the 'other enterprise' of the matrix)."""
    from tests.conftest import _user

    w.users["enterprise_xw"] = _user("enterprise_xw", "enterprise", "320102", w.ent_xw)
    return w


def filed_world(w):
    """A pending filing in Kunshan and an accepted one in Xuanwu, with an owner-wide designation there."""
    from jiliang.supervision import filing

    with_other_enterprise(w)
    w.filing_ks = filing.file_instruments(w.ent_ks, [w.instrument_ks], w.users["enterprise"]).filings[0]
    w.filing_xw = filing.file_instruments(w.ent_xw, [w.instrument_xw], w.users["enterprise_xw"]).filings[0]
    filing.decide(w.filing_xw.entries.all(), w.users["xuanwu"], filing.ACCEPT, institution=w.inst_nj)
    w.designation_xw = filing.designate(w.ent_xw, w.inst_nj, w.users["xuanwu"])
    w.entry_ks = w.filing_ks.entries.get()
    w.entry_xw = w.filing_xw.entries.get()
    return w
