"""Benchmark: the plan's live values (kpi/values.live over values.plan_regions: the province and its 13 cities) on
the supervision benchmark data, against the same values computed with hand-written SQL on the same tables, same run
(PostgreSQL).

Set-up (not timed): bench/supervision_dashboard.py's generator (``--instruments`` N instruments of N/100 owners, 3
verification events each, their states and the supervision counters), traceability's coverage counters
(coverage_counts.recount), the supervision counters vacuumed (as autovacuum does after a bulk load: the rates read
them by index-only scans), then what the registry and documents indicators count: every 40th owner certified for
its measurement management system, every 97th holding one of the plan's designations, ``N/500`` social public and
provincial highest standards of institutes in the cities and the province (rated and first assessed at random
dates), and 400 issued documents of every kind.

Timed (``--repeat``, p50):

* **compared**: the 19 indicators computed from supervision's counters (7, S14, C10.1, C10.2), the registry
  (3.1, 4.1, 4.2, 5.1-5.5, 6, 8.2, C6.3) and kpi's documents (1.1-1.4), 19 × 14 values through values.live,
  against 8 hand-written statements grouped by city with ROLLUP (the province row); the values are checked equal;
* **all**: every indicator of the plan (26 × 14 values; with traceability's coverage, telemetry's key-energy
  coverage and the entered ones), the live page's work.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jl_kpireport_bench \\
        .venv/bin/python bench/kpi_live.py [--instruments 1000000] [--repeat 5] [--reuse]

Targets (issue #17): all indicators, province and 13 cities, < 1 s; ratio to hand SQL ≤ 2.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("BENCH_DATABASE_URL", "postgres://root@127.0.0.1:5432/jl_kpireport_bench")
from _setup import setup  # noqa: E402

setup()

import supervision_dashboard as sd  # noqa: E402
from django.db import connection  # noqa: E402

from jiliang.core.models import Region  # noqa: E402
from jiliang.kpi import values  # noqa: E402
from jiliang.kpi.models import DocumentKind, Plan, PlanDocument  # noqa: E402
from jiliang.registry import models as rm  # noqa: E402
from jiliang.supervision.indicators import period_of  # noqa: E402
from jiliang.traceability import coverage_counts  # noqa: E402

TODAY = sd.TODAY
COMPARED = ["1.1", "1.2", "1.3", "1.4", "3.1", "4.1", "4.2", "5.1", "5.2", "5.3", "5.4", "5.5", "6", "7", "8.2",
            "C6.3", "S14", "C10.1", "C10.2"]
CITY = "substr({col}, 1, 4)"  # a prefecture-level city's code prefix (GB/T 2260)


def column_defaults() -> None:
    """The generator of supervision_dashboard.py writes with COPY the columns it knows; columns added since (with a
    model default) get that default in the database, so its COPY stays valid (bench database only)."""
    import json

    from django.apps import apps

    tables = ("registry_instrument", "registry_organisation", "supervision_verificationevent",
              "supervision_instrumentstate", "supervision_dueoccurrence", "supervision_statuscount",
              "supervision_duecount", "supervision_eventcount")
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if model._meta.db_table not in tables:
                continue
            for f in model._meta.concrete_fields:
                if f.null or f.primary_key or not f.has_default():
                    continue
                v = f.get_default()
                literal = (f"'{json.dumps(v)}'::jsonb" if isinstance(v, (dict, list))
                           else editor.quote_value(f.get_db_prep_save(v, connection)))
                editor.execute(f'ALTER TABLE "{model._meta.db_table}" ALTER COLUMN "{f.column}" SET DEFAULT {literal}')
        # the instrument code is unique: a numbered one of its own
        editor.execute("CREATE SEQUENCE IF NOT EXISTS bench_instrument_code")
        editor.execute("ALTER TABLE registry_instrument ALTER COLUMN instrument_code "
                       "SET DEFAULT 'BENCH' || nextval('bench_instrument_code')")


def seed_registry(n: int, rng: random.Random) -> None:
    """Designations, MMS status, standards and documents for the registry and documents indicators."""
    t0 = time.perf_counter()
    designations = list(rm.Designation.objects.filter(code__in=[
        "national-industrial-test-centre", "national-type-evaluation-lab", "provincial-metrology-centre",
        "public-service-platform", "international-mutual-recognition", "brand-laboratory"]).values_list("pk", flat=True))
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_organisation SET mms_status = 'certified' WHERE id % 40 = 0 AND kind <> 'bureau'")
        cur.execute("SELECT id FROM registry_organisation WHERE id % 97 = 0")
        ids = [r[0] for r in cur.fetchall()]
        rm.Organisation.designations.through.objects.bulk_create(
            [rm.Organisation.designations.through(organisation_id=i, designation_id=designations[i % len(designations)])
             for i in ids], ignore_conflicts=True)
    cities = list(Region.objects.filter(level__in=["prefecture", "province"], is_current=True)
                  .values_list("code", flat=True))
    counties = list(Region.objects.filter(level__in=["district", "county", "county-level-city"], is_current=True)
                    .values_list("code", flat=True))
    institutes = [rm.Organisation(name=f"计量所{code}-{k}", uscc=f"12BENCH{code}{k:05d}"[:18].ljust(18, "0"),
                                  kind="institute", region_id=code)
                  for k, code in enumerate(cities + counties[:40])]
    institutes = rm.Organisation.objects.bulk_create(institutes)
    levels = ["social_public", "provincial_highest", "enterprise_highest"]
    ratings = ["", "domestic_advanced", "international_advanced"]
    standards = []
    for k in range(max(200, n // 500)):
        inst = institutes[k % len(institutes)]
        level = levels[k % 3] if inst.region_id == "320000" else "social_public"
        assessed = dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(4800))
        standards.append(rm.MeasurementStandard(
            institute=inst, name=f"标准装置{k}", domain="mechanics", parameter="质量", uncertainty=Decimal("0.5"),
            uncertainty_unit="mg", coverage_factor=Decimal(2), level=level, rating=ratings[k % 3],
            certificate_no=f"[{k}]B", valid_from=assessed, valid_until=dt.date(2030, 1, 1),
            first_assessed_on=assessed if k % 11 else None, status="in_use"))
    rm.MeasurementStandard.objects.bulk_create(standards, batch_size=5000)
    kinds = DocumentKind.values
    PlanDocument.objects.bulk_create([PlanDocument(
        number=f"BENCH-{k}", title=f"文件{k}", kind=kinds[k % len(kinds)], issuer="江苏省",
        issued_on=dt.date(2013, 6, 1) + dt.timedelta(days=rng.randrange(4500)),
        region_id=rng.choice(cities + counties)) for k in range(400)])
    with connection.cursor() as cur:
        cur.execute("ANALYZE registry_organisation; ANALYZE registry_measurementstandard; ANALYZE kpi_plandocument; "
                    "ANALYZE registry_organisation_designations")
    print(f"  registry and documents: {len(standards):,} standards, {len(ids):,} designated, "
          f"{time.perf_counter() - t0:.1f} s", flush=True)


def hand_sql(plan: Plan, day: dt.date) -> dict[tuple[str, str], float | None]:
    """The compared values with one hand-written statement per source, grouped by city with ROLLUP."""
    period = period_of(day)
    since = plan.starts_on
    p = {"first": period.first_month, "last": period.last_month, "since": since, "day": day}
    out: dict[tuple[str, str], float | None] = {}

    def run(sql, params, handle):
        with connection.cursor() as cur:
            cur.execute(sql, params)
            for row in cur.fetchall():
                if row[0] == "3200":
                    continue  # records of the province itself count in the province's total only
                handle("320000" if row[0] is None else row[0] + "00", *row[1:])

    def rate(code):
        def handle(region, num, den):
            out[(code, region)] = None if not den else round(100 * float(num) / float(den), 6)
        return handle

    city = CITY.format(col="region_id")
    due = (f"SELECT {city}, sum(CASE WHEN on_time THEN n ELSE 0 END), sum(n) FROM supervision_duecount "  # noqa: S608
           f"WHERE due_month BETWEEN %(first)s AND %(last)s AND {{where}} GROUP BY ROLLUP (1)")
    run(due.format(where="key_supervised"), p, rate("7"))
    run(due.format(where="usage = 'environment'"), p, rate("S14"))
    run(due.format(where="owner_kind IN ('market', 'hospital')"), p, rate("C10.1"))
    run(f"SELECT {city}, sum(CASE WHEN result = 'pass' THEN n ELSE 0 END), sum(n) FROM supervision_eventcount "  # noqa: S608
        "WHERE month BETWEEN %(first)s AND %(last)s AND result IN ('pass', 'fail') "
        "AND owner_kind IN ('market', 'hospital') GROUP BY ROLLUP (1)", p, rate("C10.2"))

    def count(code):
        def handle(region, n):
            out[(code, region)] = float(n)
        return handle

    ocity = CITY.format(col="o.region_id")
    # indicator 3.1 and C6.3: social public standards first assessed in the period, by the institute's level
    run(f"SELECT {ocity}, CASE WHEN r.level = 'province' THEN '3.1' ELSE 'C6.3' END, count(*) "  # noqa: S608
        "FROM registry_measurementstandard s "
        "JOIN registry_organisation o ON o.id = s.institute_id JOIN core_region r ON r.code = o.region_id "
        "WHERE s.level IN ('provincial_highest', 'social_public') AND s.first_assessed_on BETWEEN %(since)s AND "
        "%(day)s AND r.level IN ('province', 'district', 'county', 'county-level-city') "
        "GROUP BY GROUPING SETS ((1, 2), (2))", p,
        lambda region, code, n: out.__setitem__((code, region), float(n)))
    # indicators 4.1 and 4.2: provincial highest standards in use rated domestic (or international) advanced
    run(f"SELECT {ocity}, count(*) FILTER (WHERE s.rating IN ('domestic_advanced', 'international_advanced')), "  # noqa: S608
        "count(*) FILTER (WHERE s.rating = 'international_advanced'), count(*) FROM registry_measurementstandard s "
        "JOIN registry_organisation o ON o.id = s.institute_id "
        "WHERE s.level = 'provincial_highest' AND s.status = 'in_use' GROUP BY ROLLUP (1)", p,
        lambda region, dom, intl, n: out.update({("4.1", region): round(100 * dom / n, 6) if n else None,
                                                 ("4.2", region): round(100 * intl / n, 6) if n else None}))
    # indicators 5.x and 6: holders of a designation; 8.2: measurement management systems
    codes = {d: c for c, d in [("5.1", "national-industrial-test-centre"), ("5.2", "national-type-evaluation-lab"),
                               ("5.3", "provincial-metrology-centre"), ("5.4", "public-service-platform"),
                               ("5.5", "international-mutual-recognition"), ("6", "brand-laboratory")]}
    run(f"SELECT {ocity}, od.designation_id, count(*) FROM registry_organisation o "  # noqa: S608
        "JOIN registry_organisation_designations od ON od.organisation_id = o.id "
        "WHERE (o.deregistered_on IS NULL OR o.deregistered_on > %(day)s) AND od.designation_id = ANY(%(codes)s) "
        "GROUP BY ROLLUP (1), od.designation_id", p | {"codes": list(codes)},
        lambda region, code, n: out.__setitem__((codes[code], region), float(n)))
    run(f"SELECT {ocity}, count(*) FROM registry_organisation o WHERE o.mms_status IN ('established', 'certified') "  # noqa: S608
        "AND o.kind <> 'bureau' AND (o.deregistered_on IS NULL OR o.deregistered_on > %(day)s) GROUP BY ROLLUP (1)",
        p, count("8.2"))
    kinds = {"regulation": "1.1", "measures": "1.2", "normative": "1.3", "technical_spec": "1.4"}
    run(f"SELECT {CITY.format(col='region_id')}, kind, count(*) FROM kpi_plandocument "  # noqa: S608
        "WHERE issued_on BETWEEN %(since)s AND %(day)s GROUP BY ROLLUP (1), kind", p,
        lambda region, kind, n: out.__setitem__((kinds[kind], region), float(n)))
    return out


def ours(indicators, regions, day):
    return values.live(indicators, regions, day)


def timed(fn, repeat: int) -> tuple[float, object]:
    """p50 milliseconds (supervision_dashboard.timed) and the result of one more call."""
    return sd.timed(fn, repeat), fn()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instruments", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if not args.reuse:
        print(f"generating {args.instruments:,} instruments …", flush=True)
        column_defaults()
        sd.generate(args.instruments, rng)
        t0 = time.perf_counter()
        found = coverage_counts.recount()  # the COPY-generated instruments sent no signal
        print(f"  coverage counters: {len(coverage_counts.stored_counts()):,} rows, rebuilt: {found.fixed}, "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        with connection.cursor() as cur:  # what autovacuum does after a bulk load (the visibility map: the rates'
            cur.execute("VACUUM ANALYZE supervision_duecount")  # index-only scans)
            cur.execute("VACUUM ANALYZE supervision_eventcount")
    if not PlanDocument.objects.filter(number="BENCH-0").exists():
        seed_registry(args.instruments, rng)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM registry_instrument")
        n_instruments = cur.fetchone()[0]
        cur.execute("SELECT count(*) FROM supervision_duecount")
        n_due = cur.fetchone()[0]
    plan = Plan.objects.get(code="jiangsu-2014-2020")
    regions = values.plan_regions(plan)
    everything = list(plan.indicators.select_related("plan"))
    compared = [i for i in everything if i.code in COMPARED]
    assert len(compared) == len(COMPARED) and len(regions) == 14

    ours_ms, readings = timed(lambda: ours(compared, regions, TODAY), args.repeat)
    hand_ms, hand = timed(lambda: hand_sql(plan, TODAY), args.repeat)
    wrong = []
    for i in compared:
        for r in regions:
            mine = readings[(i.code, r)].value
            mine = None if mine is None else round(float(mine), 6)
            theirs = hand.get((i.code, r), None if i.is_share else 0.0)
            if (mine is None) != (theirs is None) or (mine is not None and abs(mine - theirs) > 1e-4):
                wrong.append((i.code, r, mine, theirs))
    all_ms, all_readings = timed(lambda: ours(everything, regions, TODAY), args.repeat)
    failed = [k for k, r in all_readings.items() if r.state == "failed"]
    print(f"\n{n_instruments:,} instruments ({n_due:,} due-count rows); {len(regions)} regions; as of {TODAY}; "
          f"p50 of {args.repeat}")
    print(f"compared: {len(compared)} indicators × {len(regions)} regions = {len(compared) * len(regions)} values")
    print(f"  values.live {ours_ms:.1f} ms, hand SQL {hand_ms:.1f} ms, ratio {ours_ms / hand_ms:.2f} "
          f"(aim ≤ 2: {'met' if ours_ms <= 2 * hand_ms else 'MISSED'}); values equal: "
          f"{'yes' if not wrong else f'NO, {len(wrong)} differ, e.g. {wrong[:3]}'}")
    print(f"all: {len(everything)} indicators × {len(regions)} regions = {len(all_readings)} values in {all_ms:.1f} ms "
          f"(aim < 1000 ms: {'met' if all_ms < 1000 else 'MISSED'}); failed: {len(failed)}")


if __name__ == "__main__":
    main()
