"""Benchmark: the bureau dashboard's province online rate (now and over 30 days) and the day's consumption by
city, over 30 days of daily rollups × N points, against the same aggregates in raw SQL on the same tables, same
run (PostgreSQL).

Set-up (not timed): ``--enterprises`` key energy-consuming enterprises across Jiangsu's 13 cities with
``--points`` metering points in all (bulk), a last reading for each point (a few stale, so about a fifth of
the enterprises are offline), 30 days of daily point rollups and enterprise rollups, and 30 days of online
snapshots every 15 minutes for every current county-level region (the table ``jiliang telemetry-snapshot``
fills), all written with COPY.

Timed (``--repeat`` runs each, p50), for a province-bureau user, each against one SQL statement on the same
tables:

* online rate now: the dashboard's ``quality.enterprise_statuses`` (one GROUP BY over the points and their
  states, then the enterprises) + ``online_rate`` + ``online_by_city``;
* online counts per region now: ``quality.online_counts_by_region`` (what ``record_online_snapshot`` stores);
* online rate over 30 days: ``quality.online_history`` (hourly, per city) on ``telemetry_onlinesnapshot``;
* the day's consumption by city: ``quality.consumption_by_city`` on ``telemetry_enterpriserollup``.

The online rate covers every key enterprise in the database (earlier bench runs included); the figures say
how many. Use a database of its own so that other benchmarks' data do not mix in.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench_dashboard \
        .venv/bin/python bench/telemetry_dashboard.py [--points 200000] [--enterprises 1000] [--repeat 5] [--reuse]
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

setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

from jiliang.core.roles import Role  # noqa: E402
from jiliang.registry import models as rm  # noqa: E402
from jiliang.registry.identity import make_uscc  # noqa: E402
from jiliang.telemetry import quality  # noqa: E402
from jiliang.telemetry.consumption import LOCAL  # noqa: E402
from jiliang.telemetry.models import MeteringPoint, OnlineSnapshot, PointRollup  # noqa: E402

CITIES = ["3201", "3202", "3203", "3204", "3205", "3206", "3207", "3208", "3209", "3210", "3211", "3212", "3213"]

ONLINE_SQL = """
WITH per AS (
  SELECT p.enterprise_id,
         bool_and(coalesce(s.last_ts >= %(now)s - make_interval(secs => p.interval_seconds + %(tol)s), false)) AS online
  FROM telemetry_meteringpoint p LEFT JOIN telemetry_pointstate s ON s.point_id = p.id
  WHERE p.active AND p.required_for_online GROUP BY p.enterprise_id)
SELECT substr(o.region_id, 1, 4) AS city, count(*) AS n, count(*) FILTER (WHERE per.online) AS online
FROM registry_organisation o
JOIN registry_organisation_designations od ON od.organisation_id = o.id AND od.designation_id = 'key-energy-consumer'
LEFT JOIN per ON per.enterprise_id = o.id
GROUP BY 1 ORDER BY 1"""

REGION_SQL = """
WITH per AS (
  SELECT p.enterprise_id,
         bool_and(coalesce(s.last_ts >= %(now)s - make_interval(secs => p.interval_seconds + %(tol)s), false)) AS online
  FROM telemetry_meteringpoint p LEFT JOIN telemetry_pointstate s ON s.point_id = p.id
  WHERE p.active AND p.required_for_online GROUP BY p.enterprise_id)
SELECT o.region_id, count(*) AS n, count(*) FILTER (WHERE per.online) AS online
FROM registry_organisation o
JOIN registry_organisation_designations od ON od.organisation_id = o.id AND od.designation_id = 'key-energy-consumer'
LEFT JOIN per ON per.enterprise_id = o.id
GROUP BY 1 ORDER BY 1"""

HISTORY_SQL = """
SELECT date_trunc('hour', taken_at) AS hour, substr(region_id, 1, 4) AS city, sum(enterprises), sum(online)
FROM telemetry_onlinesnapshot WHERE taken_at >= %(since)s GROUP BY 1, 2 ORDER BY 1, 2"""

CITY_SQL = """
SELECT substr(o.region_id, 1, 4) AS city, r.energy_type, r.unit, sum(r.consumption), sum(r.tce_equivalent)
FROM telemetry_enterpriserollup r JOIN registry_organisation o ON o.id = r.enterprise_id
WHERE r.period = 'day' AND r.start = %(day)s GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""


def county_regions() -> list[str]:
    from jiliang.core.models import Region

    return list(Region.objects.filter(is_current=True, level__in=["district", "county", "county-level-city"])
                .values_list("code", flat=True).order_by("code"))


def build_snapshots(today: dt.datetime, rng: random.Random) -> int:
    """30 days of snapshots every 15 minutes for every county-level region (not timed)."""
    counties = county_regions()
    start = today - dt.timedelta(days=30)
    OnlineSnapshot.objects.filter(taken_at__gte=start).delete()
    n = 0
    with connection.cursor() as cur:
        with cur.cursor.copy("COPY telemetry_onlinesnapshot (taken_at, region_id, enterprises, online, basis) "
                             "FROM STDIN") as copy:
            for k in range(30 * 96):
                t = start + k * dt.timedelta(minutes=15)
                for code in counties:
                    total = 10 + int(code[-2:]) % 40
                    copy.write_row((t, code, total, total - rng.randint(0, total // 5), "live"))
                    n += 1
        cur.execute("ANALYZE telemetry_onlinesnapshot")
    return n


def regions_by_city() -> dict[str, str]:
    from jiliang.core.models import Region

    out = {}
    for code in Region.objects.exclude(level__in=["province", "prefecture"]).values_list("code", flat=True).order_by("code"):
        out.setdefault(code[:4], code)
    return out


def build(n_ent: int, n_points: int, tag: str, today: dt.datetime, rng: random.Random):
    key = rm.Designation.objects.get(code="key-energy-consumer")
    counties = regions_by_city()
    orgs = rm.Organisation.objects.bulk_create([rm.Organisation(
        name=f"dash {tag} {i}", uscc=make_uscc(f"92{counties[CITIES[i % 13]]}{int(tag) % 10**5:05d}{i:04d}"),
        kind="enterprise", region_id=counties[CITIES[i % 13]]) for i in range(n_ent)], batch_size=2000)
    rm.Organisation.designations.through.objects.bulk_create(
        [rm.Organisation.designations.through(organisation_id=o.pk, designation_id=key.pk) for o in orgs])
    per = n_points // n_ent
    now = dt.datetime.now(dt.UTC)
    with connection.cursor() as cur:
        for chunk in range(0, n_ent, 100):
            MeteringPoint.objects.bulk_create([MeteringPoint(
                enterprise=o, code=f"P{j}", name=f"point {j}", energy_type="electricity" if j % 4 else "natural_gas",
                unit="kWh" if j % 4 else "m³", role="enterprise_in" if j < 4 else "secondary_unit",
                accuracy_class="1") for o in orgs[chunk:chunk + 100] for j in range(per)], batch_size=5000)
        points = list(MeteringPoint.objects.filter(enterprise__in=orgs).values_list("id", "enterprise_id"))
        with cur.cursor.copy("COPY telemetry_pointstate (point_id, last_ts, last_value, last_received, stuck_count) "
                             "FROM STDIN") as copy:
            for pid, _ in points:
                stale = rng.random() < 0.25 / max(per, 1)  # a few points stale: about a fifth offline
                last = now - dt.timedelta(hours=5 if stale else 0, minutes=rng.randint(0, 14))
                copy.write_row((pid, last, 1000, last, 0))
        days = [today - dt.timedelta(days=d) for d in range(30)]
        with cur.cursor.copy("COPY telemetry_pointrollup (point_id, period, start, consumption, u, tce_equivalent, "
                             "tce_equal_price, readings, misaligned) FROM STDIN") as copy:
            for pid, _ in points:
                for day in days:
                    c = rng.randint(100, 5000)
                    copy.write_row((pid, "day", day, c, c * 0.006, c * 0.0001229, c * 0.000305, 96, 0))
        with cur.cursor.copy("COPY telemetry_enterpriserollup (enterprise_id, energy_type, unit, period, start, "
                             "consumption, u_sq, tce_equivalent, tce_equal_price, u_tce_sq, readings) "
                             "FROM STDIN") as copy:
            for o in orgs:
                for day in days:
                    e, g = rng.randint(10**4, 10**6), rng.randint(10**3, 10**5)
                    copy.write_row((o.pk, "electricity", "kWh", "day", day, e, 1.0, e * 0.0001229, e * 0.000305,
                                    0.01, 96 * per))
                    copy.write_row((o.pk, "natural_gas", "m³", "day", day, g, 1.0, g * 0.0012143, g * 0.0012143,
                                    0.01, 96))
        cur.execute("ANALYZE telemetry_pointstate; ANALYZE telemetry_pointrollup; ANALYZE telemetry_enterpriserollup;"
                    " ANALYZE telemetry_meteringpoint; ANALYZE registry_organisation")
    return orgs, len(points)


def timed(fn, repeat: int) -> tuple[float, object]:
    out, times = None, []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return percentile(times, 50), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--enterprises", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--reuse", action="store_true", help="no set-up: measure the enterprises already stored")
    a = ap.parse_args()
    assert connection.vendor == "postgresql", "run on PostgreSQL (BENCH_DATABASE_URL=postgres://…)"
    rng = random.Random(5)
    tag = f"{int(time.time())}"
    today = dt.datetime.now(LOCAL).replace(hour=0, minute=0, second=0, microsecond=0)
    t = time.perf_counter()
    if not a.reuse:
        _, n = build(a.enterprises, a.points, tag, today, rng)
        snaps = build_snapshots(today, rng)
        print(f"set-up: {a.enterprises} enterprises, {n} points, {30 * n} daily point rollups, "
              f"{60 * a.enterprises} daily enterprise rollups, {snaps} online snapshots in "
              f"{time.perf_counter() - t:.1f} s")
    else:
        today = max(PointRollup.objects.filter(period="day").values_list("start", flat=True)).astimezone(LOCAL)
    User = get_user_model()
    user = User.objects.create_user(f"dash-{tag}", role=Role.PROVINCIAL_BUREAU, region_id="320000")
    total_points = MeteringPoint.objects.filter(active=True, required_for_online=True).count()
    day_rollups = PointRollup.objects.filter(period="day").count()
    total_ent = quality.key_enterprises(user).count()
    since = today - dt.timedelta(days=30)
    snapshots = OnlineSnapshot.objects.filter(taken_at__gte=since).count()
    print(f"province: {total_ent} key enterprises, {total_points} required points, {day_rollups} daily point "
          f"rollups, {snapshots} online snapshots of the last 30 days in the database")

    # One "now" for both sides, so that the dashboard's figures and the raw SQL's must agree exactly.
    now = dt.datetime.now(dt.UTC)
    tol = settings.JILIANG_TELEMETRY_ONLINE_TOLERANCE_S

    def dashboard_online():
        statuses = quality.enterprise_statuses(user, now)
        return quality.online_rate(statuses), quality.online_by_city(statuses)

    def raw_online():
        with connection.cursor() as cur:
            cur.execute(ONLINE_SQL, {"now": now, "tol": tol})
            rows = cur.fetchall()
        return sum(r[2] for r in rows) / sum(r[1] for r in rows), rows

    def raw_regions():
        with connection.cursor() as cur:
            cur.execute(REGION_SQL, {"now": now, "tol": tol})
            return cur.fetchall()

    def dashboard_history():
        return quality.online_history(user, since)

    def raw_history():
        with connection.cursor() as cur:
            cur.execute(HISTORY_SQL, {"since": since})
            return cur.fetchall()

    def dashboard_city():
        return quality.consumption_by_city(user, today)

    def raw_city():
        with connection.cursor() as cur:
            cur.execute(CITY_SQL, {"day": today})
            return cur.fetchall()

    p_dash, (rate, by_city) = timed(dashboard_online, a.repeat)
    p_raw, (raw_rate, raw_rows) = timed(raw_online, a.repeat)
    assert rate == raw_rate, (rate, raw_rate)
    assert [(c["code"][:4], c["enterprises"], c["online"]) for c in by_city] == [tuple(r) for r in raw_rows]
    r_dash, regions = timed(lambda: quality.online_counts_by_region(now), a.repeat)
    r_raw, raw_region_rows = timed(raw_regions, a.repeat)
    assert regions == [tuple(r) for r in raw_region_rows]
    h_dash, hist = timed(dashboard_history, a.repeat)
    h_raw, raw_hist = timed(raw_history, a.repeat)
    assert len(hist["times"]) == len({r[0] for r in raw_hist})
    assert sum(n for n, _k in hist["counts"]) == sum(r[2] for r in raw_hist)
    c_dash, cities = timed(dashboard_city, a.repeat)
    c_raw, raw_cities = timed(raw_city, a.repeat)
    assert abs(sum(c["tce"] for c in cities) - float(sum(r[4] for r in raw_cities))) < 1e-3 * max(1, len(cities))
    print(f"province online rate now {rate:.3f} ({len(by_city)} cities): dashboard p50 {p_dash * 1000:.0f} ms, "
          f"raw SQL p50 {p_raw * 1000:.0f} ms, ratio dashboard/raw {p_dash / p_raw:.2f}")
    print(f"online counts per region now ({len(regions)} regions, the snapshot's query): p50 {r_dash * 1000:.0f} ms,"
          f" raw SQL p50 {r_raw * 1000:.0f} ms, ratio {r_dash / r_raw:.2f}")
    print(f"online rate over 30 days ({len(hist['times'])} hours × {len(hist['cities'])} cities): dashboard p50 "
          f"{h_dash * 1000:.0f} ms, raw SQL p50 {h_raw * 1000:.0f} ms, ratio dashboard/raw {h_dash / h_raw:.2f}")
    print(f"day's consumption by city ({len(cities)} cities): dashboard p50 {c_dash * 1000:.1f} ms, raw SQL p50 "
          f"{c_raw * 1000:.1f} ms, ratio dashboard/raw {c_dash / c_raw:.2f}")


if __name__ == "__main__":
    main()
