"""Telemetry fixtures: the shared ``world`` plus key energy-consuming enterprises with metering points.

``energy.e_in_ks`` is the Kunshan enterprise's incoming electricity point (DL/T 645 meter 000102030425,
class 0.5S, multiplier 100, register capacity 1 000 000, rated 5 000 kW); ``energy.w_in_ks`` its water point
(CJ/T 188 meter 78330011223344); ``energy.e_sub_ks`` a secondary unit below the incoming point; Xuanwu's
enterprise has a point with the same code ``E-IN`` (codes are unique per enterprise only).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from tests.conftest import _user

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.registry import models as rm
from jiliang.telemetry import partitions
from jiliang.telemetry import services as ts
from jiliang.telemetry.ingest import directory, forget_yearly_equal_price

T0 = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday, local midnight


@pytest.fixture(autouse=True)
def _fresh_caches():
    directory.clear()
    partitions.forget()
    forget_yearly_equal_price()
    yield
    directory.clear()
    forget_yearly_equal_price()


def _meter(admin, owner, region, serial, accuracy="0.5S", category="electricity-meter"):
    return services.create_record(rm.Instrument, {
        "owner": owner, "category": rm.InstrumentCategory.objects.get(code=category), "manufacturer": "江苏林洋",
        "model": "DTZY71", "serial_number": serial, "accuracy_class": accuracy, "usage": "trade",
        "region_id": region, "status": "in_service"}, actor=admin)


@pytest.fixture
def energy(world):
    admin = world.admin
    key = rm.Designation.objects.get(code="key-energy-consumer")
    with audit_context(actor=admin, channel="command"):
        for org in (world.ent_ks, world.ent_xw):
            services.update_record(org, {}, actor=admin, m2m={"designations": [key]})
        meter_ks = _meter(admin, world.ent_ks, "320583", "EM-KS-1")
        water_ks = _meter(admin, world.ent_ks, "320583", "WM-KS-1", accuracy="2", category="water-meter-large")
        e_in_ks = ts.create_point({
            "enterprise": world.ent_ks, "code": "E-IN", "name": "总进线", "energy_type": "electricity", "unit": "kWh",
            "meter": meter_ks, "multiplier": Decimal(100), "register_capacity": Decimal(1000000), "role": "enterprise_in",
            "protocol": "dlt645", "meter_address": "000102030425", "rated_capacity": Decimal(5000)}, actor=admin)
        e_sub_ks = ts.create_point({
            "enterprise": world.ent_ks, "code": "E-SUB1", "name": "一车间", "energy_type": "electricity", "unit": "kWh",
            "multiplier": Decimal(1), "role": "secondary_unit", "parent": e_in_ks, "accuracy_class": "1",
            "required_for_online": False}, actor=admin)
        w_in_ks = ts.create_point({
            "enterprise": world.ent_ks, "code": "W-IN", "name": "自来水总表", "energy_type": "water", "unit": "m³",
            "meter": water_ks, "role": "enterprise_in", "protocol": "cjt188", "meter_address": "78330011223344"},
            actor=admin)
        e_in_xw = ts.create_point({
            "enterprise": world.ent_xw, "code": "E-IN", "name": "总进线", "energy_type": "electricity", "unit": "kWh",
            "role": "enterprise_in", "accuracy_class": "1"}, actor=admin)
    ent_xw_user = _user("enterprise-xw", Role.ENTERPRISE, "320102", world.ent_xw)
    return SimpleNamespace(e_in_ks=e_in_ks, e_sub_ks=e_sub_ks, w_in_ks=w_in_ks, e_in_xw=e_in_xw, meter_ks=meter_ks,
                           user_ks=world.users["enterprise"], user_xw=ent_xw_user, world=world)
