"""The demo's household meters (``jiliang demo``, step "livelihood-meters", order 60).

The registry demo makes three utilities per city (water, gas, power) and gives them some instruments of the
household categories; here those instruments get their profiles, and every utility registers more meters through
the meter file's path (meter_import.register_rows), scaled with ``--scale`` (about scale/100 meters per utility,
at least 20). Each utility verifies its meters in batches (one in three with a biased mean error), some batches
are old enough that their meters are past their service life, a few meters are rotated, Kunshan publishes the
current quarter's rotation list, and ``demo-water`` logs in for Suzhou's water utility.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from jiliang.core.audit import audit_context
from jiliang.core.demo import DEMO_PASSWORD
from jiliang.core.models import Region
from jiliang.core.roles import Role
from jiliang.registry.models import Instrument, Organisation

from . import meter_batches, meter_import, meter_rotation, service_life
from .models import HouseholdMeter

TODAY = dt.date(2026, 11, 29)  # the registry demo's day
KINDS = {"water": "water", "gas": "gas", "power": "electricity"}
MAKERS = {"water": [("宁波水表股份有限公司", "LXS-20E"), ("三川智慧科技股份有限公司", "LXSG-15"), ("苏州自来水表业", "LXS-40")],
          "gas": [("金卡智能集团股份有限公司", "G2.5"), ("浙江苍南仪表集团", "JGD-4")],
          "electricity": [("江苏林洋能源股份有限公司", "DDZY71"), ("威胜集团有限公司", "DDZY102")]}
FLOWS = meter_batches.DEFAULT_FLOWS


def _profiles_for_registry_instruments() -> int:
    """Profiles for the registry demo's household instruments owned by utilities."""
    rows = []
    sizes = {"water-meter-dn15-25": ("water", "DN20", "", ""), "water-meter-dn32-50": ("water", "DN40", "", ""),
             "gas-meter-natural": ("gas", "G2.5", "natural", ""), "gas-meter-manufactured": ("gas", "G4", "lpg", ""),
             "electricity-meter-household": ("electricity", "", "", "2"),
             "electricity-meter-household-precise": ("electricity", "", "", "0.5S")}
    from jiliang.supervision.models import VerificationEvent

    firsts = {}
    qs = Instrument.objects.filter(category__code__in=list(sizes), owner__kind="utility", household_meter__isnull=True)
    for inst_id, day in VerificationEvent.objects.filter(instrument__in=qs, result="pass").order_by(
            "verified_on").values_list("instrument_id", "verified_on"):
        firsts.setdefault(inst_id, day)
    for inst in qs.select_related("category"):
        kind, size, gas, cls = sizes[inst.category.code]
        rule = service_life.BY_CATEGORY[inst.category.code]
        first = firsts.get(inst.pk)
        rows.append(HouseholdMeter(instrument=inst, utility_id=inst.owner_id, region_id=inst.region_id, kind=kind,
                                   size=size, gas_kind=gas, accuracy_class=cls or inst.accuracy_class[:10],
                                   rule=rule.category, service_life_years=rule.years, installed_on=inst.installation_date,
                                   first_verified_on=first, first_result="pass" if first else "",
                                   rotation_due=rule.rotation_due(first) if first else None))
    HouseholdMeter.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def build(ctx: dict, rng, scale: int, progress) -> None:
    utilities = ctx.get("utilities") or {}
    if not utilities:
        return
    User = get_user_model()
    admin = User.objects.filter(username="demo-admin").first()
    if admin is None:
        return
    institutes = ctx.get("city_institutes") or {}
    counties_by_city: dict[str, list[str]] = {}
    for r in Region.objects.filter(is_current=True, level__in=meter_import.COUNTY_LEVELS).order_by("code"):
        counties_by_city.setdefault(r.parent_id, []).append(r.code)
    per_utility = max(20, scale // 100)
    total = per_utility * sum(len(u) for u in utilities.values())
    done = 0
    progress(0, total)
    with audit_context(actor=admin, channel="command"):
        _profiles_for_registry_instruments()
        serial = rng.randint(10_000_000, 20_000_000)
        for city, by_kind in sorted(utilities.items()):
            institute = institutes.get(city) or ctx.get("institute")
            counties = counties_by_city.get(city) or [city]
            for key, utility in sorted(by_kind.items()):
                kind = KINDS[key]
                # Batches: one old (past its service life for water), one recent; one in three biased.
                n_batches = 3
                sizes = [per_utility // n_batches] * n_batches
                sizes[-1] += per_utility - sum(sizes)
                for b, count in enumerate(sizes):
                    years_ago = (7, 3, 1)[b] if kind == "water" else (11, 5, 1)[b] if kind == "gas" else (9, 4, 1)[b]
                    verified_on = TODAY - dt.timedelta(days=365 * years_ago + rng.randint(0, 200))
                    maker, model = rng.choice(MAKERS[kind])
                    batch = meter_batches.register_batch(
                        utility=utility, number=f"{verified_on:%Y}-{key.upper()}-{b + 1:02d}", kind=kind,
                        manufacturer=maker, model=model, declared_count=count, institution=institute,
                        verified_on=verified_on, actor=admin, today=TODAY)
                    rows = []
                    for i in range(count):
                        serial += 1
                        values = {"kind": kind, "manufacturer": maker, "model": model, "serial_number": f"{serial}",
                                  "batch_number": batch.number, "region_code": rng.choice(counties),
                                  "account_area": f"{rng.choice('ABCDEFGH')}-{rng.randint(1, 60):02d}片区",
                                  "installed_on": verified_on + dt.timedelta(days=rng.randint(5, 60))}
                        if kind == "water":
                            values["size"] = rng.choice(["DN15", "DN20", "DN20", "DN25", "DN40"])
                        elif kind == "gas":
                            values.update(size=rng.choice(["G1.6", "G2.5", "G4"]),
                                          gas_kind=rng.choice(["natural", "natural", "natural", "lpg"]))
                        else:
                            values["accuracy_class"] = rng.choice(["2", "2", "1", "0.5S"])
                        if values["installed_on"] > TODAY:
                            values["installed_on"] = TODAY
                        rows.append((i + 1, values))
                    result = meter_import.register_rows(rows, utility=utility, actor=admin, today=TODAY,
                                                        message="demo household meters")
                    codes = list(Instrument.objects.filter(pk__in=result.instrument_ids)
                                 .values_list("instrument_code", flat=True))
                    bias = 0.4 if b == 1 and rng.random() < 0.5 else 0.0
                    results = []
                    for i, code in enumerate(codes, start=1):
                        errors = {f: round(rng.gauss(bias, 0.6), 3) for f in FLOWS[kind]}
                        ok = all(abs(e) <= 2.0 for e in errors.values())
                        results.append((i, {"instrument_code": code, "result": "pass" if ok else "fail",
                                            "errors": errors}))
                    batch.declared_count = len(results)
                    batch.save(update_fields=["declared_count"])
                    if results:
                        meter_batches.record_results(batch, results, actor=admin, today=TODAY)
                    done += count
                    progress(done, total)
                # A few rotations of meters past their service life.
                past = list(HouseholdMeter.objects.filter(utility=utility, retired_on__isnull=True,
                                                          rotation_due__lt=TODAY).order_by("pk")[:3])
                for old in past:
                    serial += 1
                    maker, model = rng.choice(MAKERS[kind])
                    rotated_on = TODAY - dt.timedelta(days=rng.randint(0, 40))
                    # the new meter was verified before it went in (首次强制检定 before installation)
                    meter_rotation.rotate_meter(old, rotated_on=rotated_on, serial_number=f"R{serial}",
                                                manufacturer=maker, model=model, actor=admin, today=TODAY,
                                                first_verified_on=rotated_on - dt.timedelta(days=rng.randint(3, 20)),
                                                first_result="pass", institution=institute)
        kunshan = Region.objects.filter(code="320583").first()
        if kunshan is not None:
            meter_rotation.publish(region=kunshan, quarter=meter_rotation.Quarter.of(TODAY), actor=admin)
    suzhou_water = (utilities.get("320500") or {}).get("water")
    if suzhou_water is not None and not User.objects.filter(username="demo-water").exists():
        u = User(username="demo-water", full_name=suzhou_water.name, role=Role.ENTERPRISE,
                 region_id=suzhou_water.region_id, organisation=Organisation.objects.get(pk=suzhou_water.pk))
        u.set_password(DEMO_PASSWORD)
        u.save()
