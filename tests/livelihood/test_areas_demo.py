"""The demo step of transformer areas (area_demo.build, order 64): areas of the State Grid branches with their
meters, points, 90 days of readings through ingest and the estimates, with the injected faulty meters flagged."""

import random

import pytest

from jiliang.core.audit import audit_context
from jiliang.core.extending import DemoStep, contributed
from jiliang.livelihood import area_demo
from jiliang.livelihood.models import AreaEstimate, HouseholdMeter, TransformerArea
from jiliang.telemetry.models import MeteringPoint, PointRole

pytestmark = pytest.mark.django_db


def test_demo_step_registered():
    step = next(s for s in contributed(DemoStep) if s.name == "livelihood-areas")
    assert step.order == 64 and step.run is area_demo.build


def test_demo_areas_flag_their_faulty_meters(world, monkeypatch):
    from tests.conftest import _org

    with audit_context(actor=world.admin, channel="command"):
        _org(world.admin, "国网江苏省电力有限公司苏州供电分公司", "utility", "320500", 31)
    monkeypatch.setattr(area_demo, "AREAS", [area_demo.AREAS[0], ("320100", "320102", "XW-X", "玄武测试台区", 20, {})])
    ctx = {}
    with audit_context(actor=None, channel="command"):
        area_demo.build(ctx, random.Random(2014), 3000, lambda *a: None)
    area = TransformerArea.objects.get()  # no Nanjing branch in this world: its area is skipped
    assert area.utility.name.startswith("国网") and area.region_id == "320583"
    assert HouseholdMeter.objects.filter(area=area, accuracy_class="2").count() == 48
    assert MeteringPoint.objects.filter(enterprise=area.utility, role=PointRole.HOUSEHOLD).count() == 49
    estimate = AreaEstimate.objects.get(area=area)
    assert estimate.days >= 80
    flagged = {r["serial"] for r in estimate.results if r["decision"] == "exceeds"}
    assert flagged == {"KS-0101-004", "KS-0101-018"}
    assert ctx["transformer_areas"]["flagged meters"] == 2
