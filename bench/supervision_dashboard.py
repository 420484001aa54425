"""Benchmark: the supervision dashboard (supervision/dashboard.py, over the counters) at provincial scale, against
the same aggregates written by hand in SQL over the same tables, same run (PostgreSQL).

Set-up (not timed): ``--instruments`` N instruments (default 10,000,000) of N/100 owners spread over Jiangsu's
county-level regions, and 3 verification events each (30,000,000 at full scale), written with COPY; then their
InstrumentState, DueOccurrence and the counters (StatusCount, DueCount, EventCount) computed in SQL from them.

Simplifications of the generated data (the SQL follows lifecycle.py's rules for what it generates):

* every instrument is mandatory, in service, never suspended or retired, of a *periodic* category, put in service
  on its first verification's date (so its first occurrence is met on time); validity 364 days from each
  verification, within any regulation's maximum period, so no capping applies;
* the 2nd and 3rd verifications come 335-424 days after the previous one (some late), 3 % of them fail (a failed
  verification sets no due date); the last one may lie in the future of "today" for none: dates end before it;
* occurrences: the first (put in service), then one per passing verification due at its validity's end, met by
  the next verification (lifecycle.occurrences' rule, with LEAD over the instrument's events);
* status from the latest verification: failed, or valid / due soon (lead 30 days) / overdue by its validity;
* InstrumentState.event_counts is left empty (only state.refresh of these generated instruments would need it;
  the visibility test below uses a new instrument).

Timed (``--repeat``, p50), each against one hand-written SQL statement on the same tables:

* province dashboard: rates by city (``dashboard.by_child_region``), by category (``dashboard.by_dimension``),
  overdue count (``dashboard.overdue_count``);
* county drill-down (``by_child_region`` + ``total`` of one county) and the overdue list's first page
  (``views.overdue_queryset``: count + 50 rows, with owner contact);
* visibility: a new instrument and its verification committed through the real path (signals, state.refresh)
  and the province dashboard's figures read just after; the time from commit to the change being seen.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench_supervision \\
        .venv/bin/python bench/supervision_dashboard.py [--instruments 10000000] [--repeat 7] [--reuse]

Targets (issue #13): dashboard p50 ≤ 2 × hand SQL and < 1 s; county drill-down and overdue first page < 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import percentile, setup  # noqa: E402

setup("postgres://root@127.0.0.1:5432/jiliang_bench_supervision")

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from jiliang.core.roles import Role  # noqa: E402
from jiliang.registry import models as rm  # noqa: E402
from jiliang.supervision import dashboard as dash  # noqa: E402
from jiliang.supervision import dashboard_views as pages  # noqa: E402
from jiliang.supervision import rates, state  # noqa: E402
from jiliang.supervision.models import VerificationEvent  # noqa: E402

TODAY = dt.date(2026, 6, 15)
PERIOD = rates.Period.year(2025)
KINDS = ["enterprise", "market", "hospital", "fuel_station", "optician", "school", "other"]
USAGES = ["trade", "safety", "medical", "environment"]

STATE_SQL = """
INSERT INTO supervision_dueoccurrence (instrument_id, due, met_on, first)
SELECT e.instrument_id, e.verified_on, e.verified_on, true
FROM supervision_verificationevent e WHERE e.number LIKE '%%-0';
INSERT INTO supervision_dueoccurrence (instrument_id, due, met_on, first)
SELECT instrument_id, next_due, met_on, false FROM (
  SELECT instrument_id, next_due, result,
         lead(verified_on) OVER (PARTITION BY instrument_id ORDER BY verified_on, id) AS met_on
  FROM supervision_verificationevent) x
WHERE result = 'pass';
INSERT INTO supervision_instrumentstate (instrument_id, region_id, owner_id, category_id, usage, owner_kind,
    key_supervised, mode, base, status, status_on, next_due, filing_state, event_counts)
SELECT i.id, i.region_id, i.owner_id, i.category_id, i.usage, o.kind, true, 'periodic',
       CASE WHEN l.result = 'fail' THEN 'failed' ELSE 'valid' END,
       CASE WHEN l.result = 'fail' THEN 'failed'
            WHEN l.next_due < %(today)s THEN 'overdue'
            WHEN l.next_due <= %(today)s + 30 THEN 'due_soon' ELSE 'valid' END,
       %(today)s, l.next_due, 'unfiled', '{}'::jsonb
FROM registry_instrument i JOIN registry_organisation o ON o.id = i.owner_id
JOIN LATERAL (SELECT result, next_due FROM supervision_verificationevent e WHERE e.instrument_id = i.id
              ORDER BY verified_on DESC, id DESC LIMIT 1) l ON true;
INSERT INTO supervision_statuscount (region_id, category_id, usage, owner_kind, key_supervised, status, n)
SELECT region_id, category_id, usage, owner_kind, key_supervised, status, count(*)
FROM supervision_instrumentstate GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO supervision_duecount (region_id, category_id, usage, owner_kind, key_supervised, due_month, met_month,
    on_time, n)
SELECT s.region_id, s.category_id, s.usage, s.owner_kind, s.key_supervised,
       extract(year FROM d.due)::int * 100 + extract(month FROM d.due)::int,
       coalesce(extract(year FROM d.met_on)::int * 100 + extract(month FROM d.met_on)::int, 0),
       coalesce(d.met_on <= d.due, false), count(*)
FROM supervision_dueoccurrence d JOIN supervision_instrumentstate s ON s.instrument_id = d.instrument_id
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8;
INSERT INTO supervision_eventcount (region_id, category_id, usage, owner_kind, key_supervised, month, result, n)
SELECT s.region_id, s.category_id, s.usage, s.owner_kind, s.key_supervised,
       extract(year FROM e.verified_on)::int * 100 + extract(month FROM e.verified_on)::int, e.result, count(*)
FROM supervision_verificationevent e JOIN supervision_instrumentstate s ON s.instrument_id = e.instrument_id
GROUP BY 1, 2, 3, 4, 5, 6, 7;
"""

# The hand-written aggregates: one statement each, over the same counter and state tables.
HAND = {
    "rates by city": """
SELECT r.city, sum(r.due), sum(r.on_time), sum(r.by_end), sum(r.passed), sum(r.concluded), sum(r.st) FROM (
  SELECT substr(region_id, 1, 4) AS city, n AS due, CASE WHEN on_time THEN n ELSE 0 END AS on_time,
         CASE WHEN met_month BETWEEN 1 AND %(last)s THEN n ELSE 0 END AS by_end, 0 AS passed, 0 AS concluded, 0 AS st
  FROM supervision_duecount WHERE due_month BETWEEN %(first)s AND %(last)s
  UNION ALL
  SELECT substr(region_id, 1, 4), 0, 0, 0, CASE WHEN result = 'pass' THEN n ELSE 0 END, n, 0
  FROM supervision_eventcount WHERE month BETWEEN %(first)s AND %(last)s AND result IN ('pass', 'fail')
  UNION ALL
  SELECT substr(region_id, 1, 4), 0, 0, 0, 0, 0, n FROM supervision_statuscount) r GROUP BY r.city""",
    "rates by category": """
SELECT r.category_id, sum(r.due), sum(r.on_time), sum(r.passed), sum(r.concluded), sum(r.st) FROM (
  SELECT category_id, n AS due, CASE WHEN on_time THEN n ELSE 0 END AS on_time, 0 AS passed, 0 AS concluded, 0 AS st
  FROM supervision_duecount WHERE due_month BETWEEN %(first)s AND %(last)s
  UNION ALL
  SELECT category_id, 0, 0, CASE WHEN result = 'pass' THEN n ELSE 0 END, n, 0
  FROM supervision_eventcount WHERE month BETWEEN %(first)s AND %(last)s AND result IN ('pass', 'fail')
  UNION ALL
  SELECT category_id, 0, 0, 0, 0, n FROM supervision_statuscount) r GROUP BY r.category_id""",
    "overdue count": "SELECT sum(n) FROM supervision_statuscount WHERE status = 'overdue'",
    "county drill-down": """
SELECT sum(r.due), sum(r.on_time), sum(r.passed), sum(r.concluded), sum(r.st) FROM (
  SELECT n AS due, CASE WHEN on_time THEN n ELSE 0 END AS on_time, 0 AS passed, 0 AS concluded, 0 AS st
  FROM supervision_duecount WHERE region_id = %(county)s AND due_month BETWEEN %(first)s AND %(last)s
  UNION ALL
  SELECT 0, 0, CASE WHEN result = 'pass' THEN n ELSE 0 END, n, 0 FROM supervision_eventcount
  WHERE region_id = %(county)s AND month BETWEEN %(first)s AND %(last)s AND result IN ('pass', 'fail')
  UNION ALL
  SELECT 0, 0, 0, 0, n FROM supervision_statuscount WHERE region_id = %(county)s) r""",
    "overdue first page": """
SELECT (SELECT count(*) FROM supervision_instrumentstate WHERE status = 'overdue' AND region_id = %(county)s),
       s.instrument_id, s.next_due, o.name, o.contact_name, o.contact_phone, i.serial_number
FROM supervision_instrumentstate s JOIN registry_organisation o ON o.id = s.owner_id
JOIN registry_instrument i ON i.id = s.instrument_id
WHERE s.status = 'overdue' AND s.region_id = %(county)s ORDER BY s.next_due, s.instrument_id LIMIT 50""",
}


def counties() -> list[str]:
    from jiliang.core.models import Region

    return list(Region.objects.filter(level__in=("district", "county-level-city", "county"), is_current=True)
                .values_list("code", flat=True))


def generate(n: int, rng: random.Random) -> None:
    regions = counties()
    categories = list(rm.InstrumentCategory.objects.filter(verification_mode="periodic").values_list("pk", flat=True))
    institute = rm.Organisation.objects.create(name="基准检定机构", uscc="12320000BENCHINST0", kind="institute",
                                               region_id="320000")
    owners = max(1, n // 100)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM registry_organisation")
        base_org = cur.fetchone()[0] + 1
        cur.execute("SELECT coalesce(max(id), 0) FROM registry_instrument")
        base_inst = cur.fetchone()[0] + 1
        owner_region = [rng.choice(regions) for _ in range(owners)]
        with cur.cursor.copy("COPY registry_organisation (id, created, last_updated, description, comments, name, uscc,"
                             " kind, address, contact_name, contact_phone, contact_email, mms_status, "
                             "mms_certificate, region_id, deregistration_reason) FROM STDIN") as copy:
            for k in range(owners):
                copy.write_row((base_org + k, "2024-01-01", "2024-01-01", "", "", f"使用单位{k}", f"B{k:017d}",
                                KINDS[k % len(KINDS)], "", f"联系人{k}", f"1380000{k % 10000:04d}", "", "",
                                "", owner_region[k], ""))
        starts = []
        with cur.cursor.copy("COPY registry_instrument (id, created, last_updated, description, comments, "
                             "manufacturer, model, serial_number, pattern_approval_no, accuracy_class, range_unit, "
                             "usage, address, status, status_reason, mandatory, region_id, category_id, owner_id, "
                             "installation_date) FROM STDIN") as copy:
            for k in range(n):
                owner = rng.randrange(owners)
                start = dt.date(2022, 1, 1) + dt.timedelta(days=rng.randrange(730))
                starts.append(start)
                copy.write_row((base_inst + k, "2024-01-01", "2024-01-01", "", "", "M", "P", f"S{k}", "", "", "",
                                USAGES[k % 4], "", "in_service", "", True, owner_region[owner],
                                categories[k % len(categories)], base_org + owner, start))
        print(f"  {owners:,} owners, {n:,} instruments: {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        with cur.cursor.copy("COPY supervision_verificationevent (created, last_updated, number, source, kind, "
                             "verified_on, result, next_due, free_of_charge, void, void_reason, received, "
                             "institution_id, instrument_id) FROM STDIN") as copy:
            for k, start in enumerate(starts):
                on = start
                for j in range(3):
                    ok = j == 0 or rng.random() >= 0.03
                    copy.write_row(("2024-01-01", "2024-01-01", f"{k}-{j}", "reported",
                                    "first" if j == 0 else "periodic", on, "pass" if ok else "fail",
                                    on + dt.timedelta(days=364) if ok else None, False, False, "", "{}",
                                    institute.pk, base_inst + k))
                    on = on + dt.timedelta(days=335 + rng.randrange(90))
        print(f"  {3 * n:,} events: {time.perf_counter() - t0:.1f} s", flush=True)
        t0 = time.perf_counter()
        for table in ("registry_organisation", "registry_instrument"):  # ids were given: move the sequences on
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")  # noqa: S608
        cur.execute("ANALYZE supervision_verificationevent; ANALYZE registry_instrument; ANALYZE registry_organisation")
        cur.execute(STATE_SQL, {"today": TODAY})
        cur.execute("ANALYZE supervision_instrumentstate; ANALYZE supervision_dueoccurrence; "
                    "ANALYZE supervision_statuscount; ANALYZE supervision_duecount; ANALYZE supervision_eventcount")
        print(f"  states, occurrences and counters in SQL: {time.perf_counter() - t0:.1f} s", flush=True)


def timed(fn, repeat: int) -> float:
    fn()  # warm
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t0))
    return percentile(out, 50)


def hand(name: str, params: dict):
    def run():
        with connection.cursor() as cur:
            cur.execute(HAND[name], params)
            return cur.fetchall()
    return run


def visibility(province_user, county: str) -> float:
    """Milliseconds from the commit of a new instrument and its verification to the province's figures showing it."""
    f = dash.parse_filters(province_user, {"period": "2026"}, TODAY)
    before = dash.total(f).passed.denominator
    owner = rm.Organisation.objects.filter(kind="enterprise").first()
    institute = rm.Organisation.objects.get(uscc="12320000BENCHINST0")
    category = rm.InstrumentCategory.objects.filter(verification_mode="periodic").first()
    with transaction.atomic():
        inst = rm.Instrument.objects.create(owner=owner, category=category, manufacturer="M", model="P",
                                            serial_number=f"V{time.time_ns()}", usage="trade", region_id=county,
                                            status="in_service", mandatory=True, installation_date=TODAY)
        VerificationEvent.objects.create(institution=institute, number=f"V{time.time_ns()}", instrument=inst,
                                         source="reported", kind="first", verified_on=dt.date(2026, 3, 1),
                                         result="pass", next_due=dt.date(2027, 2, 28))
        state.refresh([inst.pk], TODAY)
    committed = time.perf_counter()
    while dash.total(f).passed.denominator != before + 1:
        if time.perf_counter() - committed > 5:
            raise SystemExit("the new record was not counted within 5 s")
    return 1000 * (time.perf_counter() - committed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--instruments", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if not args.reuse:
        print(f"generating {args.instruments:,} instruments …", flush=True)
        generate(args.instruments, rng)
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM supervision_instrumentstate")
        n_states = cur.fetchone()[0]
        cur.execute("SELECT region_id FROM supervision_instrumentstate WHERE status = 'overdue' "
                    "GROUP BY region_id ORDER BY count(*) DESC LIMIT 1")
        county = cur.fetchone()[0]
    User = get_user_model()
    province, _ = User.objects.get_or_create(username="bench-province",
                                             defaults={"role": Role.PROVINCIAL_BUREAU, "region_id": "320000"})
    county_user, _ = User.objects.get_or_create(username=f"bench-{county}",
                                                defaults={"role": Role.COUNTY_BUREAU, "region_id": county})
    fp = dash.parse_filters(province, {"period": "2025"}, TODAY)
    fc = dash.parse_filters(county_user, {"period": "2025"}, TODAY)
    params = {"first": PERIOD.first_month, "last": PERIOD.last_month, "county": county}

    def overdue_page():
        qs = pages.overdue_queryset(county_user, {})
        return qs.count(), list(qs[:50])

    cases = [
        ("rates by city", lambda: dash.by_child_region(fp), 1000),
        ("rates by category", lambda: dash.by_dimension(fp, "category"), 1000),
        ("overdue count", lambda: dash.overdue_count(fp), 1000),
        ("county drill-down", lambda: (dash.by_child_region(fc), dash.total(fc)), 200),
        ("overdue first page", overdue_page, 200),
    ]
    print(f"\n{n_states:,} instrument states; county {county}; period {dash.period_label(PERIOD)}; "
          f"p50 of {args.repeat}")
    print(f"{'query':<22}{'dashboard ms':>14}{'hand SQL ms':>13}{'ratio':>8}  target")
    for name, fn, limit in cases:
        ours, base = timed(fn, args.repeat), timed(hand(name, params), args.repeat)
        ok = ours < limit and (limit < 1000 or ours <= 2 * base)
        print(f"{name:<22}{ours:>14.1f}{base:>13.1f}{ours / base:>8.2f}  "
              f"{'≤ 2× and ' if limit == 1000 else ''}< {limit} ms: {'met' if ok else 'MISSED'}")
    ms = visibility(province, county)
    print(f"new record visible in the province dashboard {ms:.1f} ms after commit (target < 1000 ms): "
          f"{'met' if ms < 1000 else 'MISSED'}")


if __name__ == "__main__":
    main()
