"""The livelihood world on top of the shared one: two water utilities and a power utility in Kunshan and Xuanwu, a
gas utility in Xuanwu, a market in Kunshan (its operator, two stalls), and users for each utility and the market
operator. ``lworld.meter(...)`` registers a household meter through the service."""

import datetime as dt
from types import SimpleNamespace

import pytest
from tests.conftest import _org, _user

from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.livelihood import services
from jiliang.livelihood.models import Market, Stall

TODAY = dt.date(2026, 6, 15)
ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "water_ks", "market_ks", "anonymous"]


@pytest.fixture
def lworld(world):
    admin = world.admin
    with audit_context(actor=admin, channel="command"):
        water_ks = _org(admin, "昆山自来水有限公司", "utility", "320583", 21)
        power_ks = _org(admin, "国网昆山供电公司", "utility", "320583", 22)
        water_xw = _org(admin, "南京水务集团有限公司", "utility", "320102", 23)
        gas_xw = _org(admin, "南京港华燃气有限公司", "utility", "320102", 24)
        operator_ks = _org(admin, "昆山城东农贸市场管理有限公司", "market", "320583", 25)
        market_ks = Market.objects.create(operator=operator_ks, name="城东农贸市场", region_id="320583",
                                          address="昆山市人民路1号")
        stalls = [Stall.objects.create(market=market_ks, number=f"A-{i:02d}", trader=f"摊主{i}") for i in (1, 2)]

    serials = iter(range(1, 10**6))

    def meter(utility=water_ks, kind="water", region="320583", **kw):
        values = {"size": "DN20"} if kind == "water" else {"gas_kind": "natural", "size": "G2.5"} if kind == "gas" \
            else {"accuracy_class": "2"}
        values.update(kw)
        with audit_context(actor=admin, channel="command"):
            return services.register_household_meter(
                utility=utility, kind=kind, manufacturer="宁波水表", model="LXS-20E",
                serial_number=f"HM{next(serials):08d}", region=region, actor=admin, today=TODAY, **values)

    w = SimpleNamespace(world=world, admin=admin, water_ks=water_ks, power_ks=power_ks, water_xw=water_xw,
                        gas_xw=gas_xw, operator_ks=operator_ks, market_ks=market_ks, stalls=stalls, meter=meter,
                        users=dict(world.users))
    w.users["water_ks"] = _user("water_ks", Role.ENTERPRISE, "320583", water_ks)
    w.users["market_ks"] = _user("market_ks", Role.ENTERPRISE, "320583", operator_ks)
    return w
