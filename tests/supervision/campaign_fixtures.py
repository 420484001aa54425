"""A small province for campaign tests: price scales in Kunshan (320583), Changshu (320581), Taicang (320585) and
Xuanwu (320102), one owner per county, a Changshu county inspector next to the world's users, and helpers to define
and draw a campaign through the services."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone
from tests.conftest import _org, _user

from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.registry.models import Instrument
from jiliang.supervision import campaigns
from jiliang.supervision.models import Finding

COUNTS = {"320583": 12, "320581": 10, "320585": 8, "320102": 6}


def make_instruments(world, counts=COUNTS):
    owners = {"320583": world.ent_ks, "320102": world.ent_xw}
    made = {}
    with audit_context(actor=world.admin, channel="command"):
        for n, county in enumerate(counts, start=20):
            if county not in owners:
                owners[county] = _org(world.admin, f"测试商户{county}", "market", county, n)
        for county, k in counts.items():
            for i in range(k):
                inst = Instrument(owner=owners[county], category=world.scale, manufacturer="凯丰衡器", model="ACS-15",
                                  serial_number=f"C{county}-{i:03d}", accuracy_class="III", range_min=Decimal(0),
                                  range_max=Decimal(15), range_unit="kg", usage="trade", region_id=county,
                                  status="in_service")
                inst.prepare_for_save()
                inst.save()
                made.setdefault(county, []).append(inst)
    return owners, made


@pytest.fixture
def cworld(world):
    owners, made = make_instruments(world)
    world.owners, world.made = owners, made
    world.users["changshu"] = world.changshu = _user("changshu", Role.COUNTY_BUREAU, "320581")
    world.ks, world.xw = world.users["kunshan"], world.users["xuanwu"]
    return world


def spec(**kw):
    today = timezone.localdate()
    base = {"title": "苏州抽查", "period_start": today - dt.timedelta(days=5), "period_end": today + dt.timedelta(days=30),
            "sample_size": 12, "min_per_county": 2, "regions": ["320500"]}
    base.update(kw)
    return campaigns.CampaignSpec(**base)


def provincial_campaign(w, seed="fixed-seed", draw=True, **kw):
    kw.setdefault("inspectors", [(w.ks.pk, None), (w.changshu.pk, None)])
    c = campaigns.create_campaign(actor=w.users["province"], spec=spec(**kw))
    if draw:
        c = campaigns.draw(c, actor=w.users["province"], seed=seed)
    return c


def finding(target, kind, day=None):
    return Finding.objects.create(instrument=target.instrument, found_on=day or timezone.localdate(),
                                  inspector_id=target.inspector_id, kind=kind, campaign=target.campaign,
                                  target=target)


def ns(**kw):
    return SimpleNamespace(**kw)
