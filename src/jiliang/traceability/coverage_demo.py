"""Traceability part of the demo province (after registry 10 and verification 20): the hierarchy NIM → provincial
institute → city institutes → county institutes → instruments for mass, pressure and electrical energy.

* External nodes: NIM, accepted as a root, and one CNAS-accredited calibration laboratory with its accreditation.
* Each city institute gets an electrical energy standard, calibrated by the provincial institute (the registry demo
  gives cities none).
* One county institute per city (Kunshan for Suzhou) with three social public standards (质量, 压力, 电能), each
  calibrated by its city institute (named as laboratories, resolved by graph.rebuild()).
* The county institutes' verifications of instruments in their county come as imported records (Link, source
  ``imported``: the county labs' own systems), which graph.rebuild() keeps.
* One broken link: a county pressure standard whose only calibration names a laboratory nobody registered.
* One lapsing standard: a county electrical energy standard whose assessment certificate ends within 60 days.
* The plan's 98 % target for the province (2020) if the migration's row is missing.

Everything is synthetic except the regions; the same seed builds the same hierarchy.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from jiliang.core import audit
from jiliang.core.models import Region, RegionLevel
from jiliang.registry import models as m
from jiliang.registry.demo import _address, _name, phone, uscc
from jiliang.verification.models import CalibrationSource, StandardCalibration

from . import coverage_rules as rules
from . import graph
from .coverage_targets import PLAN_SOURCE
from .models import CoverageTarget, ExternalKind, ExternalNode, Link, LinkSource, NodeKind

NIM = "中国计量科学研究院"
CNAS_LAB = "苏沪精密计量校准有限公司"
UNKNOWN_LAB = "沪东仪表校验站"  # calibrates one county standard and is in no registry: the broken link
LAPSING_IN_DAYS = 45
PER_STANDARD = 150  # instruments verified by each county standard, at most
CITY_ENERGY = ("交流电能表检定装置", "electromagnetism", "电能", ("0.01", "100", "A"), "0.03", "%", "2")
# (name, domain, parameter, range, U, unit of U, k): social public standards of a county institute
COUNTY_STANDARDS = [
    ("F2级砝码标准装置", "mechanics", "质量", ("0.000001", "50", "kg"), "0.0001", "g", "2"),
    ("精密压力表标准装置", "mechanics", "压力", ("0", "6", "MPa"), "0.1", "%", "2"),
    ("单相电能表检定装置", "electromagnetism", "电能", ("0.05", "100", "A"), "0.05", "%", "2"),
]


def _county_of(city: Region, counties: list[Region]) -> Region | None:
    if city.code == "320500":
        ks = [c for c in counties if c.code == "320583"]
        if ks:
            return ks[0]
    for level in (RegionLevel.COUNTY_LEVEL_CITY, RegionLevel.COUNTY, RegionLevel.DISTRICT):
        found = [c for c in counties if c.level == level]
        if found:
            return found[0]
    return None


def _external_nodes(today: dt.date) -> tuple[ExternalNode, ExternalNode]:
    nim, _created = ExternalNode.objects.get_or_create(name=NIM, defaults={
        "name_en": "National Institute of Metrology, China", "aliases": "NIM\n中国计量院",
        "kind": ExternalKind.NATIONAL_INSTITUTE, "accepted": True,
        "scope_text": "国家计量基准：质量、压力、流量、体积、电能、温度、长度、距离、声压级、浓度、力、速度"})
    lab = ExternalNode(name=CNAS_LAB, name_en="Su-Hu Precision Calibration Co., Ltd. (demo)",
                       kind=ExternalKind.CNAS_LAB, accepted=True, accreditation_body="CNAS",
                       accreditation_no="CNAS L99871", accreditation_valid_until=today + dt.timedelta(days=700),
                       scope_text="速度：雷达测速仪 20～250 km/h，U = 0.3 km/h (k=2)；力：0.1～100 kN，U = 0.05 % (k=2)")
    lab.full_clean()
    lab.save()
    return nim, lab


def _standard(inst, row, rng, today, prefix, n) -> m.MeasurementStandard:
    name, domain, param, (lo, hi, unit), u, u_unit, k = row
    return m.MeasurementStandard(
        institute=inst, name=name, domain=domain, parameter=param, range_min=Decimal(lo), range_max=Decimal(hi),
        range_unit=unit, uncertainty=Decimal(u), uncertainty_unit=u_unit, coverage_factor=Decimal(k),
        level=m.StandardLevel.SOCIAL_PUBLIC, certificate_no=f"[{today.year - 1}]{prefix}{n:03d}号",
        valid_from=today - dt.timedelta(days=rng.randint(300, 900)),
        valid_until=today + dt.timedelta(days=rng.randint(400, 1200)))


def _calibration(std, laboratory, rng, today, number) -> StandardCalibration:
    on = today - dt.timedelta(days=rng.randint(60, 300))
    return StandardCalibration(
        standard=std, certificate_no=number, laboratory=laboratory, calibrated_on=on,
        valid_until=on + dt.timedelta(days=365), source=CalibrationSource.MANUAL,
        results=[{"name": {"zh": std.parameter}, "value": str(std.range_max.normalize()), "unit": std.range_unit,
                  "U": str(std.uncertainty.normalize()), "k": str(std.coverage_factor.normalize())}])


def _verified_links(std, county: Region, rng, today) -> list[Link]:
    """The county institute's verifications with ``std``: instruments in the county whose category needs the
    standard's parameter and whose range it covers (coverage_rules), as imported records."""
    needs = rules.load_needs()
    codes = [code for code, ns in needs.items() if any(n.parameter == std.parameter for n in ns)]
    cap = rules.Capability(id=std.pk, parameter=std.parameter, domain=std.domain, range_min=std.range_min,
                           range_max=std.range_max, unit=std.range_unit)
    rows = []
    qs = (m.Instrument.objects.filter(region=county, status=m.InstrumentStatus.IN_SERVICE, category__code__in=codes)
          .values_list("pk", "range_min", "range_max", "range_unit", "owner_id", "category__code").order_by("pk"))
    for pk, lo, hi, unit, owner, code in qs:
        group = rules.Group(category=code, domain="", region=county.code, city=None, range_min=lo, range_max=hi,
                            unit=unit or "", accuracy_class="", count=1)
        if not rules.range_covers(cap, group)[0]:
            continue
        on = today - dt.timedelta(days=rng.randint(5, 330))
        rows.append(Link(child_kind=NodeKind.INSTRUMENT, child_id=pk, parent_kind=NodeKind.STANDARD, parent_id=std.pk,
                         on=on, valid_until=on + dt.timedelta(days=364), source=LinkSource.IMPORTED,
                         certificate_no=f"{county.code}-JD-{on:%Y}-{len(rows) + 1:05d}", parameter=std.parameter,
                         range_min=std.range_min, range_max=std.range_max, range_unit=std.range_unit,
                         uncertainty=std.uncertainty, uncertainty_unit=std.uncertainty_unit,
                         coverage_factor=std.coverage_factor, region_id=county.code, organisation_id=owner))
        if len(rows) >= PER_STANDARD:
            break
    return rows


def build(ctx: dict, rng, scale: int, progress) -> None:
    local = random.Random(rng.random())
    today = timezone.localdate()
    inst_p = ctx["institute"]
    city_institutes: dict[str, m.Organisation] = ctx["city_institutes"]
    regions = {r.code: r for r in Region.objects.filter(is_current=True)}
    counties_by_city: dict[str, list[Region]] = {}
    for r in sorted(regions.values(), key=lambda r: r.code):
        if r.is_county_level:
            counties_by_city.setdefault(r.parent_id, []).append(r)
    progress(0, len(city_institutes))
    nim, lab = _external_nodes(today)
    CoverageTarget.objects.get_or_create(region_id="320000", year=2020,
                                         defaults={"target_percent": Decimal("98.00"), "source": PLAN_SOURCE})

    # Electrical energy standards of the city institutes, calibrated by the provincial institute.
    city_energy = [_standard(inst, CITY_ENERGY, local, today, f"苏{code[2:4]}量标证字", 90)
                   for code, inst in sorted(city_institutes.items())]
    m.MeasurementStandard.objects.bulk_create(city_energy)
    cals = [_calibration(s, inst_p.name, local, today, f"JSJL-{today.year}-E{i + 1:03d}")
            for i, s in enumerate(city_energy)]

    # County institutes with their standards, calibrated by their city institutes.
    taken = set(m.Organisation.objects.values_list("uscc", flat=True))
    county_institutes, county_standards = {}, []
    for code, city_inst in sorted(city_institutes.items()):
        county = _county_of(regions[code], counties_by_city.get(code, []))
        if county is None:
            continue
        code18 = uscc(local, "12", county.code)
        while code18 in taken:
            code18 = uscc(local, "12", county.code)
        taken.add(code18)
        place = f"{regions[code].name}{county.name}" if county.level == RegionLevel.DISTRICT else county.name
        inst = m.Organisation.objects.create(
            name=f"{place}计量检定测试所", uscc=code18, kind=m.OrganisationKind.INSTITUTE, region=county,
            address=_address(local, county), contact_name=_name(local), contact_phone=phone(local, county.code))
        county_institutes[county.code] = inst
        for i, row in enumerate(COUNTY_STANDARDS):
            county_standards.append((_standard(inst, row, local, today, f"{county.name[:2]}量标证字", i + 1),
                                     city_inst, county))
    lapsing_index = next(i for i, (s, _c, _r) in enumerate(county_standards) if s.parameter == "电能")
    county_standards[lapsing_index][0].valid_until = today + dt.timedelta(days=LAPSING_IN_DAYS)
    m.MeasurementStandard.objects.bulk_create([s for s, _c, _r in county_standards])
    broken = next(s for s, _c, _r in county_standards[3:] if s.parameter == "压力")
    for i, (std, city_inst, _county) in enumerate(county_standards):
        lab_name = UNKNOWN_LAB if std is broken else city_inst.name
        cals.append(_calibration(std, lab_name, local, today, f"CAL-{today.year}-{i + 1:04d}"))
    StandardCalibration.objects.bulk_create(cals)

    links = []
    for n, (std, _city_inst, county) in enumerate(county_standards):
        links.extend(_verified_links(std, county, local, today))
        progress(n + 1, len(county_standards))
    Link.objects.bulk_create(links, batch_size=5000)
    counts = graph.rebuild()
    ctx.update(external_nodes={"nim": nim, "cnas": lab}, county_institutes=county_institutes,
               lapsing_standard=county_standards[lapsing_index][0], broken_standard=broken)
    audit.record(None, "action", object_type="traceability.demo", object_id="hierarchy",
                 object_repr="demo traceability hierarchy",
                 message=f"{len(county_institutes)} county institutes, {len(county_standards)} county standards, "
                         f"{len(city_energy)} city energy standards, {len(links)} imported verifications; "
                         f"links rebuilt: {counts}")
