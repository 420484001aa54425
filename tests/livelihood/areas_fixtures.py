"""Transformer areas on top of ``lworld``: the Kunshan power utility's area with 24 class-2 meters (two of them
faulty: −12 % and +9 %) and 60 days of midnight readings through the telemetry ingest; its estimate run; and a
user of the power utility. Import the fixtures into a test module with ``from .areas_fixtures import *``."""

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest
from tests.conftest import _user

from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.livelihood import area_services
from jiliang.livelihood.area_demo import area_meter, household_point, readings_for
from jiliang.livelihood.area_simulation import simulate_area
from jiliang.livelihood.models import TransformerArea
from jiliang.telemetry import rollups
from jiliang.telemetry.consumption import local_day_start
from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.models import MeteringPoint

TODAY = dt.date(2026, 6, 15)
DAYS = 60
METERS = 24
FAULTS = {2: -12.0, 9: 9.0}
ROLES = ["province", "suzhou", "kunshan", "xuanwu", "institute", "enterprise", "water_ks", "market_ks", "power_ks",
         "anonymous"]
SEES = {"province", "suzhou", "kunshan", "power_ks"}


def build_area(lw, *, code="KS-T1", meters=METERS, days=DAYS, faults=None, seed=7, missing=0.0, with_points=True):
    faults = FAULTS if faults is None else faults
    with audit_context(actor=lw.admin, channel="command"):
        meter = area_meter(lw.power_ks, "320583", f"TQ{code}", actor=lw.admin)
        area = TransformerArea.objects.create(utility=lw.power_ks, code=code, name=f"昆山{code}台区",
                                              region_id="320583", area_meter=meter)
        hms = [lw.meter(utility=lw.power_ks, kind="electricity", area=area) for _ in range(meters)]
    points = [household_point(lw.power_ks, m.instrument, f"{code}-H{i:03d}", f"户表 {i}") for i, m in enumerate(hms)]
    if not with_points:
        points = points[:-1]
    points.append(household_point(lw.power_ks, meter, f"{code}-TQ", "总表"))
    MeteringPoint.objects.bulk_create(points)
    sim = simulate_area(meters=meters, days=days, faults=faults, noise_pct=0.02, spread=0.5, missing=missing,
                        seed=seed)
    registers = np.hstack([np.full((meters + 1, 1), 1000.0), sim.registers(1000.0)])
    if not with_points:
        registers = np.delete(registers, meters - 1, axis=0)
    first_midnight = local_day_start(TODAY - dt.timedelta(days=days))
    directory.clear()
    with audit_context(actor=lw.admin, channel="command"):
        ingest([Group(lw.power_ks, readings_for(points, registers, first_midnight), reference="test area")],
               channel="demo", received_at=local_day_start(TODAY))
    while rollups.fold():
        pass
    return SimpleNamespace(area=area, meters=hms, sim=sim, points=points)


@pytest.fixture
def aworld(lworld):
    lworld.users["power_ks"] = _user("power_ks", Role.ENTERPRISE, "320583", lworld.power_ks)
    built = build_area(lworld)
    first, last = area_services.window(DAYS, TODAY)
    with audit_context(actor=lworld.admin, channel="command"):
        estimate = area_services.estimate_area(built.area, first_day=first, last_day=last)
    lworld.area, lworld.area_meters, lworld.sim, lworld.estimate = built.area, built.meters, built.sim, estimate
    return lworld
