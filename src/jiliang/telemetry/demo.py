"""Telemetry part of the demo province: metering points of the key energy-consuming enterprises and a week
of 15-minute readings with daily and weekly cycles, stored through the ingest pipeline, with a few planted
anomalies (a spike, a gap, a stuck register, a meter reset) and a few enterprises that went offline; the online
rate over the week is backfilled as hourly snapshots from the hourly rollups, plus one snapshot of now."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from jiliang.registry.models import Organisation

from . import rollups
from .ingest import Group, directory, ingest
from .models import KEY_ENERGY_DESIGNATION, MeteringPoint
from .parsing import RawReading
from .quality import backfill_online_snapshots, record_online_snapshot

MAX_ENTERPRISES = 24
DAYS = 7
STEP = dt.timedelta(minutes=15)
CENT = Decimal("0.01")

# (code, name, energy type, unit, role, multiplier, rated per hour, class, protocol)
POINTS = [
    ("E-IN", "10 kV 总进线", "electricity", "kWh", "enterprise_in", Decimal(200), Decimal(4000), "0.5S", "dlt645"),
    ("E-W1", "一车间", "electricity", "kWh", "secondary_unit", Decimal(40), Decimal(1500), "1", "dlt645"),
    ("E-W2", "二车间", "electricity", "kWh", "secondary_unit", Decimal(40), Decimal(1500), "1", "dlt645"),
    ("G-IN", "天然气总表", "natural_gas", "m³", "enterprise_in", Decimal(1), Decimal(400), "1.5", ""),
    ("W-IN", "自来水总表", "water", "m³", "enterprise_in", Decimal(1), Decimal(60), "2", "cjt188"),
]


def load(t: dt.datetime, base: float) -> float:
    local = t.astimezone(dt.timezone(dt.timedelta(hours=8)))
    h = local.hour + local.minute / 60
    shape = 0.3 + 0.6 * max(0.0, math.sin(math.pi * (h - 6) / 14)) if 6 <= h <= 20 else 0.3
    return base * shape * (0.55 if local.weekday() >= 5 else 1.0)


# The demo enterprise's meters (registry demo, STEEL_WORKS) behind its points, by the meter's description.
POINT_METERS = {"E-IN": "10 kV 总进线关口电能表", "E-W1": "车间分表", "E-W2": "车间分表",
                "G-IN": "天然气总表（涡轮流量计）", "W-IN": "自来水总表 DN100"}


def _meters_of(org_id) -> dict:
    """Point code → the demo enterprise's instrument that meters it (two workshop meters, one each)."""
    if org_id is None:
        return {}
    from jiliang.registry.models import Instrument

    free = {}
    for inst in Instrument.objects.filter(owner_id=org_id).order_by("pk"):
        free.setdefault(inst.description, []).append(inst)
    return {code: free[use].pop(0) for code, use in POINT_METERS.items() if free.get(use)}


OFFLINE = 3  # the last enterprises of the demo stopped reporting a day before it was built


def demo_enterprises(with_points: bool = False) -> tuple[int | None, list]:
    """The demo enterprise's id and the key energy consumers of the demo, the demo enterprise (a steel works)
    first so that its login shows its own energy data; the last :data:`OFFLINE` ones are offline."""
    demo_org = get_user_model().objects.filter(username="demo-enterprise").values_list("organisation_id",
                                                                                     flat=True).first()
    qs = Organisation.objects.filter(designations__code=KEY_ENERGY_DESIGNATION).order_by("id")
    if with_points:
        qs = qs.filter(pk__in=MeteringPoint.objects.values("enterprise_id"))
    return demo_org, sorted(qs, key=lambda o: o.pk != demo_org)[:MAX_ENTERPRISES]


def build(ctx, rng, scale, progress) -> None:
    demo_org, orgs = demo_enterprises()
    if not orgs:
        return
    meters = _meters_of(demo_org)
    points = []
    for n, org in enumerate(orgs):
        for code, name, energy, unit, role, mult, rated, klass, protocol in POINTS:
            meter = meters.get(code) if org.pk == demo_org else None
            address = ""
            if protocol == "dlt645":
                address = f"{32 * 10**10 + n * 10 + len(points) % 10:012d}"
            elif protocol == "cjt188":
                address = f"7833{n:010d}"
            points.append(MeteringPoint(
                enterprise=org, code=code, name=name, energy_type=energy, unit=unit, role=role, multiplier=mult,
                register_capacity=Decimal(1000000) if energy == "electricity" else None,
                rated_capacity=rated, accuracy_class=klass, protocol=protocol, meter_address=address,
                coefficient_variant="gas_field" if energy == "natural_gas" else "", meter=meter,
                required_for_online=role == "enterprise_in"))
    MeteringPoint.objects.bulk_create(points)
    parents = {(p.enterprise_id, p.code): p for p in points}
    for p in points:
        if p.role == "secondary_unit":
            p.parent = parents[(p.enterprise_id, "E-IN")]
    MeteringPoint.objects.bulk_update(points, ["parent"])
    directory.clear()

    now = timezone.now()
    end = now - dt.timedelta(seconds=now.timestamp() % STEP.total_seconds())
    start = end - dt.timedelta(days=DAYS)
    steps = int((end - start) / STEP)
    offline = {o.pk for o in orgs[-OFFLINE:]}  # these stopped reporting a day ago
    total = len(orgs)
    progress(0, total)
    for k, org in enumerate(orgs):
        readings = []
        for code, _name, _e, _u, _role, mult, rated, _klass, _p in POINTS:
            value = Decimal(rng.randint(10000, 400000))
            base = float(rated) * 0.25 / float(mult) * rng.uniform(0.5, 0.9)
            last = steps if org.pk not in offline else steps - 96
            for i in range(last + 1):
                t = start + i * STEP
                if k == 1 and code == "E-W1" and 300 <= i < 312:
                    continue  # a three-hour gap
                inc = Decimal(repr(round(load(t, base) * rng.uniform(0.9, 1.1), 2)))
                if k == 2 and code == "E-W2" and 400 <= i < 500:
                    inc = Decimal(0)  # stuck register
                if k == 3 and code == "E-IN" and i == 200:
                    inc = Decimal(rated / mult * 3)  # a spike beyond the rated capacity
                value = (value + inc).quantize(CENT)
                if k == 4 and code == "G-IN" and i == 350:
                    value = Decimal("1.20")  # the gas meter was reset
                readings.append(RawReading(f"{code} {i}", code, t, value))
        ingest([Group(org, readings, reference="demo week")], channel="demo", received_at=now)
        progress(k + 1, total)
    while rollups.fold():  # deferred rollups (JILIANG_TELEMETRY_ROLLUPS): the snapshots below read them
        pass
    ctx["telemetry_points"] = len(points)
    ctx["telemetry_snapshots"] = backfill_online_snapshots(start, now) + record_online_snapshot(now)
