"""Benchmark: reverse traceability from a provincial standard with 200,000 instruments beneath it (issue #16, figures:
"under 5 s").

The graph is written once straight into the links' table: the provincial standard (calibrated by NIM 400 days
before the finding), 5 city standards it calibrated, 2 county standards under each city standard, and 200,000
instrument links (20,000 under each city standard, 10,000 under each county standard) dated inside the windows, owned
by 200 enterprises across Jiangsu's counties; plus 300,000 links of other standards and instruments that the walk must
not touch, and 2,000 links under the provincial standard dated before its last good calibration.

Timed, best of three each (the cases and their records are removed between runs, so each run starts alike):
* ``open_standard_case`` end to end (the window, the walk, 200,000 affected records written with COPY on PostgreSQL,
  the counts, the audit entry; notices off, timed apart): the figure;
* the walk alone (levels of links read into memory) and the recursive CTE that finds the same links (the baseline,
  measured in the same run); the ratio figure / CTE is printed.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jl_impact_bench .venv/bin/python bench/traceability_impact.py
    BENCH_DATABASE_URL=sqlite:////tmp/jl_impact_bench.sqlite3 .venv/bin/python bench/traceability_impact.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import setup  # noqa: E402

FOUND = dt.date(2026, 6, 1)
LAST_GOOD = FOUND - dt.timedelta(days=400)
CITY, COUNTY_PER_CITY = 5, 2
UNDER_CITY, UNDER_COUNTY = 20_000, 10_000
NOISE = 300_000
OWNERS = 200


def fresh_sqlite() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url[len("sqlite:///"):] + suffix).unlink(missing_ok=True)


def populate():
    import random

    from django.db import connection, transaction

    from jiliang.core.audit import audit_context
    from jiliang.core.bulk import copy_rows
    from jiliang.core.models import Region
    from jiliang.registry.models import MeasurementStandard, Organisation
    from jiliang.traceability.models import Link

    rng = random.Random(16)
    counties = list(Region.objects.filter(code__startswith="32", is_current=True,
                                          level__in=["district", "county", "county-level-city"])
                    .order_by("code").values_list("code", flat=True))
    with transaction.atomic(), audit_context(channel="command"):
        inst = Organisation.objects.create(name="bench 省计量院", uscc="12320000MB0BENCH0X", kind="institute",
                                           region_id="320000")
        owners = [Organisation.objects.create(name=f"bench owner {i}", uscc=f"91320000MA{i:06d}X0"[:18],
                                              kind="enterprise", region_id=counties[i % len(counties)])
                  for i in range(OWNERS)]
        root = MeasurementStandard.objects.create(
            institute=inst, name="bench E1级砝码标准装置", domain="mechanics", parameter="质量", level="provincial_highest",
            uncertainty=1, uncertainty_unit="mg", coverage_factor=2)
    fields = [f for f in Link._meta.concrete_fields if f.column != "id"]
    cols = [f.column for f in fields]
    rows: list[tuple] = []
    nid = [root.pk + 1_000_000]

    def link(child_kind, child_id, parent_id, on, region, org, no=""):
        values = {"child_kind": child_kind, "child_id": child_id, "parent_kind": "standard", "parent_id": parent_id,
                  "parent_name": "", "on": on, "valid_until": on + dt.timedelta(days=365), "source": "imported",
                  "source_id": None, "certificate_no": no, "parameter": "质量", "range_min": None, "range_max": None,
                  "range_unit": "", "uncertainty": None, "uncertainty_unit": "", "coverage_factor": None,
                  "void": False, "region_id": region, "organisation_id": org, "item_mpe": None, "item_mpe_unit": "",
                  "item_ratio": None, "item_ratio_source": ""}
        rows.append(tuple(values[f.attname] for f in fields))

    def day(lo, hi):
        return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))

    def new_id():
        nid[0] += 1
        return nid[0]

    link("standard", root.pk, None, LAST_GOOD, "320000", inst.pk, "NIM-BENCH")  # the last good calibration
    instruments = 0
    for c in range(CITY):
        city = new_id()
        city_on = day(LAST_GOOD, LAST_GOOD + dt.timedelta(days=60))
        link("standard", city, root.pk, city_on, "320000", inst.pk, f"CAL-C{c}")
        for k in range(UNDER_CITY):
            o = owners[rng.randrange(OWNERS)]
            link("instrument", new_id(), city, day(city_on, FOUND), o.region_id, o.pk, f"V-{c}-{k}")
            instruments += 1
        for j in range(COUNTY_PER_CITY):
            county = new_id()
            county_on = day(city_on, city_on + dt.timedelta(days=60))
            link("standard", county, city, county_on, "320000", inst.pk, f"CAL-C{c}-{j}")
            for k in range(UNDER_COUNTY):
                o = owners[rng.randrange(OWNERS)]
                link("instrument", new_id(), county, day(county_on, FOUND + dt.timedelta(days=200)), o.region_id,
                     o.pk, f"V-{c}-{j}-{k}")
                instruments += 1
    for k in range(2000):  # before the last good calibration: not reached
        o = owners[rng.randrange(OWNERS)]
        link("instrument", new_id(), root.pk, day(LAST_GOOD - dt.timedelta(days=400), LAST_GOOD
                                                   - dt.timedelta(days=1)), o.region_id, o.pk, f"OLD-{k}")
    others = [new_id() for _ in range(500)]
    for k in range(NOISE):
        o = owners[rng.randrange(OWNERS)]
        link("instrument", new_id(), rng.choice(others), day(LAST_GOOD, FOUND), o.region_id, o.pk, f"N-{k}")
    start = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                copy_rows(cursor, Link._meta.db_table, cols, rows)
                cursor.execute(f"ANALYZE {Link._meta.db_table}")
        else:
            Link.objects.bulk_create([Link(**dict(zip([f.attname for f in fields], r, strict=True))) for r in rows],
                                     batch_size=5000)
    print(f"graph: {len(rows):,} links ({instruments:,} instruments beneath the standard) written in "
          f"{time.perf_counter() - start:.1f} s")
    return root, instruments


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    fresh_sqlite()
    url = setup(default_db="postgres://root@127.0.0.1:5432/jl_impact_bench", fresh=True)
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from jiliang.core.audit import audit_context
    from jiliang.traceability import impact
    from jiliang.traceability.impact_notices import notify_case

    print(f"database: {connection.vendor} ({url.split('@')[-1]})")
    root, instruments = populate()
    actor = get_user_model().objects.create(username="bench-impact", is_superuser=True, is_staff=True)
    opened, walks, ctes, reached = [], [], [], None
    for _run in range(args.runs):
        t = time.perf_counter()
        w = impact.walk(root.pk, since=LAST_GOOD, until=FOUND)
        walks.append(time.perf_counter() - t)
        t = time.perf_counter()
        ids = impact.walk_cte(root.pk, since=LAST_GOOD, until=FOUND)
        ctes.append(time.perf_counter() - t)
        assert ids == set(w.reached), "the walk and the CTE disagree"
        t = time.perf_counter()
        with transaction.atomic(), audit_context(actor=actor, channel="command"):
            case = impact.open_standard_case(root, actor=actor, found_on=FOUND, reason="bench", notify=False)
        opened.append(time.perf_counter() - t)
        reached = (case.affected_instruments, case.affected_standards, case.affected.count())
        if _run < args.runs - 1:
            clear()  # every run opens its case on the same tables
    t = time.perf_counter()
    with transaction.atomic(), audit_context(actor=actor, channel="command"):
        told = notify_case(case)
    notify_s = time.perf_counter() - t
    assert reached[0] == instruments, reached
    best, walk_best, cte_best = min(opened), min(walks), min(ctes)
    print(f"reached: {reached[0]:,} instruments, {reached[1]} standards, {reached[2]:,} affected records")
    print(f"open_standard_case end to end (walk + records + counts + audit): best {best:.3f} s of {args.runs} "
          f"(all: {', '.join(f'{x:.3f}' for x in opened)}) {'under' if best < 5 else 'OVER'} the 5 s aim")
    print(f"  the walk alone (levels into memory): best {walk_best:.3f} s")
    print(f"  notices to {told} owners and institutes (apart): {notify_s:.3f} s")
    print(f"baseline, the recursive CTE finding the same links: best {cte_best:.3f} s")
    print(f"ratio case / CTE: {best / cte_best:.2f}; walk / CTE: {walk_best / cte_best:.2f}")
    clear()


def clear() -> None:
    """Remove the cases and their records (one statement for the records, then vacuum: later runs start clean)."""
    from django.db import connection

    from jiliang.traceability.models import AffectedRecord, ImpactCase

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(AffectedRecord._meta.db_table)}")  # noqa: S608
    ImpactCase.objects.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(AffectedRecord._meta.db_table)}")


if __name__ == "__main__":
    main()
