"""A small province for the coverage tests (imported by tests/traceability/test_coverage_*.py), on the shared world.

In use (mandatory, in service), counted by hand:

| region | instruments | parameter | served by |
|---|---|---|---|
| Kunshan (Suzhou) | 1 price scale 0–15 kg (world) | 质量 | the province's E2 weights (world.standard_p) |
| Xuanwu (Nanjing) | 1 price scale 0–15 kg (world) | 质量 | the province's, and Nanjing's own F1 weights (local) |
| Kunshan | 3 pressure gauges 0–1.6 MPa, class 1.6 | 压力 | the province's piston gauge 0–60 000 kPa (units by prefix) |
| Kunshan | 2 electricity meters 0–60 A, class 2 | 电能 | nobody: the province's energy standard's certificate lapsed; an enterprise's does not count |
| Kunshan | 1 large water meter 0–100 m³/h | 流量 | nobody: the province's water flow standard reaches 50 m³/h |

Not in use: a retired gauge, a gauge used for "other" (not mandatory). So 8 in use, 5 served (62.5 %); served in their
own city: 1 (the Xuanwu scale). An accepted external laboratory's scope names 电能: the meters' gap is "outside the
province"; the water meter's is "not at all".
"""

import datetime as dt
from decimal import Decimal

import pytest

from jiliang.core import services
from jiliang.registry import models as m
from jiliang.traceability.models import ExternalKind, ExternalNode


def _instrument(w, serial, category, lo, hi, unit, klass, usage="trade", status="in_service"):
    lapsed = {"status_reason": "损坏报废", "status_date": dt.date(2026, 1, 5)} if status == "retired" else {}
    return services.create_record(m.Instrument, {**lapsed,
        "owner": w.ent_ks, "category": m.InstrumentCategory.objects.get(code=category), "manufacturer": "某厂",
        "model": "X", "serial_number": serial, "accuracy_class": klass, "range_min": Decimal(lo),
        "range_max": Decimal(hi), "range_unit": unit, "usage": usage, "region_id": "320583", "status": status},
        actor=w.admin)


def _standard(w, inst, name, domain, param, lo, hi, unit, u, u_unit, level="social_public",
              valid_until=dt.date(2028, 1, 1)):
    return services.create_record(m.MeasurementStandard, {
        "institute": inst, "name": name, "domain": domain, "parameter": param, "range_min": Decimal(lo),
        "range_max": Decimal(hi), "range_unit": unit, "uncertainty": Decimal(u), "uncertainty_unit": u_unit,
        "coverage_factor": Decimal(2), "level": level, "certificate_no": f"[2024]{name}",
        "valid_from": dt.date(2024, 1, 1), "valid_until": valid_until}, actor=w.admin)


@pytest.fixture
def small_province(world):
    w = world
    gauges = [_instrument(w, f"G-{i}", "pressure-gauge-safety", "0", "1.6", "MPa", "1.6", usage="safety")
              for i in range(3)]
    _instrument(w, "G-retired", "pressure-gauge-safety", "0", "1.6", "MPa", "1.6", usage="safety", status="retired")
    _instrument(w, "G-other", "pressure-gauge-safety", "0", "1.6", "MPa", "1.6", usage="other")
    meters = [_instrument(w, f"E-{i}", "electricity-meter", "0", "60", "A", "2") for i in range(2)]
    water = _instrument(w, "W-1", "water-meter-large", "0", "100", "m³/h", "2")
    piston = _standard(w, w.inst_p, "活塞式压力计标准装置", "mechanics", "压力", "0", "60000", "kPa", "0.02", "%",
                       level="provincial_highest")
    energy = _standard(w, w.inst_p, "交流电能表检定装置", "electromagnetism", "电能", "0.01", "100", "A", "0.02", "%",
                       valid_until=dt.date(2025, 6, 30))
    _standard(w, w.ent_ks, "企业电能标准", "electromagnetism", "电能", "0.01", "100", "A", "0.02", "%",
              level="enterprise_highest")
    flow = _standard(w, w.inst_p, "水流量标准装置", "mechanics", "流量", "0.01", "50", "m³/h", "0.05", "%",
                     level="provincial_highest")
    lab = ExternalNode(name="某电能校准实验室", kind=ExternalKind.CNAS_LAB, accepted=True, accreditation_body="CNAS",
                       accreditation_no="CNAS L00001", accreditation_valid_until=dt.date(2030, 1, 1),
                       scope_text="电能：0.01～100 A")
    lab.full_clean()
    lab.save()
    w.gauges, w.meters, w.water, w.piston, w.energy, w.flow, w.lab = gauges, meters, water, piston, energy, flow, lab
    w.on = dt.date(2026, 6, 1)
    return w
