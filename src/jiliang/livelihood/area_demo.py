"""Demo transformer areas (台区): household electricity meters with 90 days of daily readings, a few faulty.

For two power utilities of the demo (the Suzhou and Nanjing branches of State Grid Jiangsu, registry/demo.py),
two areas each, in Kunshan and in Xuanwu, with 30–60 class-2 household meters registered through
:func:`~jiliang.livelihood.services.register_household_meter`, their household metering points, an area meter,
and 90 days of midnight readings simulated by :mod:`~jiliang.livelihood.area_simulation` (balance noise 0.02 %,
proportional loss 3 %, fixed loss 1 %, 0.2 % of readings missing) sent through the telemetry ingest, with two
or three meters given errors of 7–12 % in three of the four areas. The estimate then runs for every area, so
the pages show the flags.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.core import audit
from jiliang.core import services as core
from jiliang.registry.models import Instrument, InstrumentCategory, InstrumentStatus, Organisation, Usage
from jiliang.telemetry import rollups
from jiliang.telemetry.consumption import LOCAL, local_day_start
from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.models import EnergyType, MeteringPoint, PointRole
from jiliang.telemetry.parsing import RawReading

from . import area_services, services
from .area_simulation import simulate_area
from .models import MeterKind, TransformerArea

DAYS = 90
CENT = Decimal("0.01")
# (utility city, county, area code, name, meters, faults {index: error %})
AREAS = [
    ("320500", "320583", "KS-0101", "昆山玉山镇朝阳新村1号台区", 48, {3: -12.0, 17: 9.0}),
    ("320500", "320583", "KS-0102", "昆山玉山镇朝阳新村2号台区", 36, {}),
    ("320100", "320102", "XW-0201", "玄武梅园新村3号台区", 56, {8: 8.0, 21: -10.0, 40: 7.5}),
    ("320100", "320102", "XW-0202", "玄武锁金村5号台区", 42, {11: 10.0, 30: -9.0}),
]


def household_point(utility: Organisation, instrument: Instrument, code: str, name: str) -> MeteringPoint:
    """A daily-read household (or area) metering point of ``utility`` for ``instrument`` (unsaved)."""
    return MeteringPoint(enterprise=utility, code=code, name=name, energy_type=EnergyType.ELECTRICITY, unit="kWh",
                         meter=instrument, role=PointRole.HOUSEHOLD, interval_seconds=86400,
                         accuracy_class=instrument.accuracy_class, required_for_online=False)


def area_meter(utility: Organisation, region_id: str, serial: str, *, actor) -> Instrument:
    """The area's own meter (台区总表), a class 0.5S meter of the utility."""
    return core.create_record(Instrument, {
        "owner": utility, "category": InstrumentCategory.objects.get(code="electricity-meter"),
        "manufacturer": "威胜集团", "model": "DTZ341", "serial_number": serial, "accuracy_class": "0.5S",
        "range_unit": "", "usage": Usage.TRADE, "region_id": region_id, "address": "台区配电室",
        "status": InstrumentStatus.IN_SERVICE, "description": "台区总表"}, actor=actor, message="area meter")


def readings_for(points: list[MeteringPoint], registers: np.ndarray, first_midnight: dt.datetime) -> list[RawReading]:
    """Midnight register readings (NaN: the reading never came) for the points, in order."""
    out = []
    for point, row in zip(points, registers):
        for d, value in enumerate(row):
            if np.isfinite(value):
                ts = first_midnight + dt.timedelta(days=d)
                out.append(RawReading(f"{point.code} {d}", point.code, ts, Decimal(repr(float(value))).quantize(CENT)))
    return out


def build(ctx, rng, scale, progress) -> None:
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        return
    utilities = {}
    for city in {a[0] for a in AREAS}:
        u = Organisation.objects.filter(kind="utility", region_id=city, name__startswith="国网").first()
        if u is not None:
            utilities[city] = u
    today = timezone.now().astimezone(LOCAL).date()
    first_midnight = local_day_start(today - dt.timedelta(days=DAYS))
    verified = today - dt.timedelta(days=800)
    areas = []
    progress(0, len(AREAS))
    for n, (city, county, code, name, count, faults) in enumerate(AREAS):
        utility = utilities.get(city)
        if utility is None:
            continue
        institute = Organisation.objects.filter(kind="institute", region_id=city).order_by("pk").first()
        meter = area_meter(utility, county, f"TQ{code}", actor=admin)
        area = TransformerArea.objects.create(utility=utility, code=code, name=name, region_id=county,
                                              area_meter=meter)
        audit.record(area, "create", actor=admin, after=audit.snapshot(area), message="transformer area")
        meters = [services.register_household_meter(
            utility=utility, kind=MeterKind.ELECTRICITY, manufacturer="威胜集团", model="DDZY102",
            serial_number=f"{code}-{i + 1:03d}", region=county, accuracy_class="2", area=area,
            account_area=f"{name} {i // 6 + 1}单元", installed_on=verified + dt.timedelta(days=30),
            first_verified_on=verified, first_result="pass", institution=institute, actor=admin, today=today)
            for i in range(count)]
        points = [household_point(utility, m.instrument, f"{code}-H{i + 1:03d}", f"{name} 户表 {i + 1}")
                  for i, m in enumerate(meters)]
        points.append(household_point(utility, meter, f"{code}-TQ", f"{name} 总表"))
        MeteringPoint.objects.bulk_create(points)
        sim = simulate_area(meters=count, days=DAYS, faults=faults, noise_pct=0.02, spread=0.5, missing=0.002,
                            seed=rng.randint(0, 10**6))
        registers = np.hstack([np.full((count + 1, 1), 1000.0), sim.registers(1000.0)])
        directory.clear()
        ingest([Group(utility, readings_for(points, registers, first_midnight), reference=f"demo area {code}")],
               channel="demo", received_at=timezone.now())
        areas.append(area)
        progress(n + 1, len(AREAS))
    while rollups.fold():
        pass
    if areas:
        ctx["transformer_areas"] = area_services.estimate_all(days=DAYS, today=today, areas=areas)
