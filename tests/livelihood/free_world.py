"""The free-verification world on top of ``lworld``: a hospital in Kunshan (a county-level city) and one in Xuanwu (a
city district), instruments of the market, the hospitals and the Kunshan enterprise put in service on 2026-03-01,
their verifications reported by the provincial institute through supervision's records service, two programmes
(markets; rural clinics for sphygmomanometers) and a fee schedule row for price scales.

Hand count (year 2026), market programme: 3 market scales due 2026-03-01 (first verification); one verified on
2026-02-20 (on time, pass), one on 2026-04-01 (late, fail), one never: 受检率 1/3, and its events 1 pass 1 fail.
Rural clinic programme (sphygmomanometers only): the Kunshan sphygmomanometer, verified 2026-02-25 (on time,
pass): 受检率 1/1; the Xuanwu one (district) and the Kunshan thermometer are not covered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from tests.conftest import _org, _user

from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.livelihood import free_services
from jiliang.livelihood.models import FeeScheduleItem, MarketScale, ProgrammeKind
from jiliang.registry import models as m
from jiliang.supervision import records
from jiliang.supervision.models import VerificationEvent

INSTALLED = dt.date(2026, 3, 1)
YEAR = 2026


def _instrument(admin, owner, region, serial, category, usage):
    return services.create_record(m.Instrument, {
        "owner": owner, "category": category, "manufacturer": "鱼跃医疗", "model": "M1", "serial_number": serial,
        "accuracy_class": "III", "range_min": Decimal("0"), "range_max": Decimal("30"), "range_unit": "kg",
        "usage": usage, "region_id": region, "status": "in_service", "installation_date": INSTALLED}, actor=admin)


@pytest.fixture
def fworld(lworld):
    w = lworld
    world = w.world
    admin = w.admin
    cats = {c.code: c for c in m.InstrumentCategory.objects.filter(
        code__in=["nawi-price-scale", "sphygmomanometer", "clinical-thermometer-electronic"])}
    with audit_context(actor=admin, channel="command"):
        hosp_ks = _org(admin, "昆山市周市镇卫生院", "hospital", "320583", 31, "12")
        hosp_xw = _org(admin, "玄武区社区卫生服务中心", "hospital", "320102", 32, "12")
        scales = [_instrument(admin, w.operator_ks, "320583", f"MS-{i}", cats["nawi-price-scale"], "trade")
                  for i in range(3)]
        for s, stall in zip(scales[:2], w.stalls, strict=True):
            MarketScale.objects.create(instrument=s, market=w.market_ks, stall=stall, registered_on=INSTALLED)
        ent_scale = _instrument(admin, world.ent_ks, "320583", "ENT-1", cats["nawi-price-scale"], "trade")
        bp_ks = _instrument(admin, hosp_ks, "320583", "BP-KS", cats["sphygmomanometer"], "medical")
        bp_xw = _instrument(admin, hosp_xw, "320102", "BP-XW", cats["sphygmomanometer"], "medical")
        th_ks = _instrument(admin, hosp_ks, "320583", "TH-KS", cats["clinical-thermometer-electronic"], "medical")
        market = free_services.create_programme(
            {"code": "market", "name": "集贸市场计量器具免费检定", "name_en": "Free verification in markets",
             "kind": ProgrammeKind.MARKET, "starts_on": dt.date(2026, 1, 1)}, actor=admin)
        clinic = free_services.create_programme(
            {"code": "clinic", "name": "乡镇卫生院医疗计量器具免费检定", "name_en": "Free verification in rural clinics",
             "kind": ProgrammeKind.RURAL_CLINIC}, actor=admin, m2m={"categories": [cats["sphygmomanometer"]]})
        FeeScheduleItem.objects.create(category=cats["nawi-price-scale"], fee=Decimal("10.00"),
                                       basis="测试数据 (synthetic)")

    def report(number, instrument, day, result="pass", free=None, user="institute"):
        row = {"institution_uscc": world.inst_p.uscc, "number": number, "instrument": instrument.pk,
               "kind": "first", "verified_on": day.isoformat(), "result": result}
        if free is not None:
            row["free_of_charge"] = free
        with audit_context(actor=admin, channel="command"):
            [r] = records.report_records([row], actor=w.users[user])
        assert r.status == "created", r.as_dict()
        return VerificationEvent.objects.get(pk=r.event)

    events = SimpleNamespace(
        scale_ok=report("JD-1", scales[0], dt.date(2026, 2, 20)),
        scale_late=report("JD-2", scales[1], dt.date(2026, 4, 1), result="fail"),
        ent=report("JD-3", ent_scale, dt.date(2026, 2, 20)),
        bp_ks=report("JD-4", bp_ks, dt.date(2026, 2, 25)),
        bp_xw=report("JD-5", bp_xw, dt.date(2026, 2, 25)),
        th_ks=report("JD-6", th_ks, dt.date(2026, 2, 25)),
    )
    w.users["hospital_ks"] = _user("hospital_ks", Role.ENTERPRISE, "320583", hosp_ks)
    return SimpleNamespace(**vars(w), market=market, clinic=clinic, scales=scales, ent_scale=ent_scale, bp_ks=bp_ks,
                           bp_xw=bp_xw, th_ks=th_ks, hosp_ks=hosp_ks, hosp_xw=hosp_xw, events=events, report=report,
                           cats=cats)
