"""Benchmark: the chain check of every instrument of a province in batch (issue #16, figures: time per instrument,
growth from 100,000 to 1,000,000 instruments with 5,000 standards, aim: per-item time at 1 M within 1.3× of that at
100 k; and the ratio to a recursive CTE in PostgreSQL that finds the same roots).

The province is written with COPY into plain tables of a scratch PostgreSQL database (``jl_chains_bench``, dropped
and made again; nothing of Django's schema is needed): NIM (an accepted external node) calibrates 50 provincial
highest standards, each of them 9 city standards (450), each of those 10 county standards (4,500); every standard
is calibrated once a year (2022 to 2026, each valid 365 days) on a day of its own, with its assessment
certificate valid 2021–2029; 2 % of the county standards miss their 2025 calibration, so the chains through them
break on the days it would have covered. Each instrument was verified on one of the 365 days before the date of
use by a county standard and is valid for a year.

* **batch** (jiliang): read every link and standard in one query each, build :class:`traceability.chain.Graph`,
  and take :meth:`~traceability.chain.Graph.verdict` of every instrument on the date (each link checked: record
  valid and not void, parent known, standard existing and assessed, range, U against what it calibrated,
  accreditation, cycles; each standard's chain memoised per date).
* **CTE** (baseline): one ``WITH RECURSIVE`` query walking from every instrument's link valid on the date up
  through links valid on the day each parent was used, counting the instruments that reach an accepted root. It
  checks only the links' dates: less than the batch does. Both must count the same traceable instruments (the
  data hold no other fault), which the bench asserts.

    .venv/bin/python bench/traceability_chains.py --sizes 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from jiliang.traceability import chain  # noqa: E402 -- pure, no Django

DB = "jl_chains_bench"
DAY = dt.date(2026, 6, 1)
N_PROV, N_CITY_PER, N_COUNTY_PER = 50, 9, 10
SCHEMA = """
DROP TABLE IF EXISTS link, std, ext;
CREATE TABLE ext (id bigint PRIMARY KEY, name text, accepted boolean);
CREATE TABLE std (id bigint PRIMARY KEY, name text, level text, valid_from date, valid_until date,
                  range_min double precision, range_max double precision, range_unit text,
                  u double precision, u_unit text);
CREATE TABLE link (id bigint PRIMARY KEY, child_kind text, child_id bigint, parent_kind text, parent_id bigint,
                   on_date date, valid_until date, void boolean, certificate_no text, parameter text,
                   range_min double precision, range_max double precision, range_unit text,
                   u double precision, u_unit text, k double precision);
"""


def connect(dbname: str = "postgres"):
    return psycopg.connect(f"postgresql://root@127.0.0.1:5432/{dbname}", autocommit=True)


def build(n_instruments: int, seed: int = 16) -> dict:
    """Write the province; returns the counts."""
    rng = random.Random(seed)
    with connect() as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB}")
        c.execute(f"CREATE DATABASE {DB}")
    with connect(DB) as c:
        c.execute(SCHEMA)
        c.execute("INSERT INTO ext VALUES (1, '中国计量科学研究院', true)")
        stds, links = [], []
        next_link = [1]

        def add_std(sid, level, u):
            stds.append((sid, f"S{sid}", level, dt.date(2021, 1, 1), dt.date(2029, 12, 31), 0.0, 20.0, "kg", u, "mg"))

        def calibrations(sid, parent_kind, parent_id, u_parent, skip_2025=False):
            offset = rng.randrange(0, 365)
            for year in (2022, 2023, 2024, 2025, 2026):
                if skip_2025 and year == 2025:
                    continue
                on = dt.date(year, 1, 1) + dt.timedelta(days=offset)
                if on > DAY:
                    continue
                links.append((next_link[0], "standard", sid, parent_kind, parent_id, on, on + dt.timedelta(days=364),
                              False, f"C-{sid}-{year}", "质量", 0.0, 20.0, "kg", u_parent, "mg", 2.0))
                next_link[0] += 1

        sid = 0
        county = []
        for _p in range(N_PROV):
            sid += 1
            prov = sid
            add_std(prov, "provincial_highest", 0.05)
            calibrations(prov, "external", 1, 0.01)
            for _c in range(N_CITY_PER):
                sid += 1
                city = sid
                add_std(city, "social_public", 0.2)
                calibrations(city, "standard", prov, 0.05)
                for _k in range(N_COUNTY_PER):
                    sid += 1
                    add_std(sid, "social_public", 1.0)
                    calibrations(sid, "standard", city, 0.2, skip_2025=rng.random() < 0.02)
                    county.append(sid)
        for i in range(n_instruments):
            on = DAY - dt.timedelta(days=rng.randrange(0, 365))
            links.append((next_link[0], "instrument", 1_000_000 + i, "standard", rng.choice(county), on,
                          on + dt.timedelta(days=364), False, f"V-{i}", "质量", 0.0, 20.0, "kg", 1.0, "mg", 2.0))
            next_link[0] += 1
        with c.cursor() as cur:
            with cur.copy("COPY std FROM STDIN") as cp:
                for row in stds:
                    cp.write_row(row)
            with cur.copy("COPY link FROM STDIN") as cp:
                for row in links:
                    cp.write_row(row)
            cur.execute("CREATE INDEX link_child ON link (child_kind, child_id, on_date)")
            cur.execute("ANALYZE")
    return {"standards": len(stds), "links": len(links), "instruments": n_instruments}


def batch(n_instruments: int) -> tuple[int, float, float]:
    """jiliang's batch check; returns (traceable, seconds reading, seconds checking)."""
    with chain.gc_paused():
        return _batch(n_instruments)


def _batch(n_instruments: int) -> tuple[int, float, float]:
    t0 = time.perf_counter()
    with connect(DB) as c, c.cursor() as cur:
        cur.execute("SELECT id, name, level, valid_from, valid_until, range_min, range_max, range_unit, u, u_unit "
                    "FROM std")
        nodes = [chain.Node("standard", r[0], r[1], r[2], r[3], r[4], r[3], r[5], r[6], r[7], (r[8], r[9]))
                 for r in cur]
        nodes.append(chain.Node("external", 1, "中国计量科学研究院", external_kind="national_institute",
                                accepted=True))
        cur.execute("SELECT id, child_kind, child_id, parent_kind, parent_id, on_date, valid_until, void, "
                    "certificate_no, parameter, range_min, range_max, range_unit, u, u_unit, k FROM link")
        Edge = chain.Edge
        edges = [Edge(r[0], (r[1], r[2]), (r[3], r[4]), r[5], r[6], r[7], "", r[8], r[9], r[10], r[11], r[12],
                      r[13], r[14], r[15]) for r in cur]
    graph = chain.Graph(nodes, edges)
    t1 = time.perf_counter()
    ok = 0
    verdict = graph.verdict
    for i in range(n_instruments):
        if verdict("instrument", 1_000_000 + i, DAY).traceable:
            ok += 1
    t2 = time.perf_counter()
    return ok, t1 - t0, t2 - t1


CTE = """
WITH RECURSIVE walk(inst, kind, id, used_on, depth) AS (
    SELECT l.child_id, l.parent_kind, l.parent_id, l.on_date, 1 FROM link l
     WHERE l.child_kind = 'instrument' AND l.on_date <= %(day)s AND l.valid_until >= %(day)s AND NOT l.void
  UNION ALL
    SELECT w.inst, l.parent_kind, l.parent_id, l.on_date, w.depth + 1
      FROM walk w JOIN link l ON l.child_kind = w.kind AND l.child_id = w.id
       AND l.on_date <= w.used_on AND l.valid_until >= w.used_on AND NOT l.void
     WHERE w.kind <> 'external' AND w.depth < 20
)
SELECT count(DISTINCT w.inst) FROM walk w JOIN ext e ON w.kind = 'external' AND w.id = e.id AND e.accepted
"""


def cte() -> tuple[int, float]:
    t0 = time.perf_counter()
    with connect(DB) as c, c.cursor() as cur:
        cur.execute(CTE, {"day": DAY})
        n = cur.fetchone()[0]
    return n, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    per_item = {}
    for n in args.sizes:
        t0 = time.perf_counter()
        counts = build(n)
        print(f"\n{n:,} instruments, {counts['standards']:,} standards, {counts['links']:,} links "
              f"(written with COPY in {time.perf_counter() - t0:.1f} s)")
        best_b = best_c = None
        for _ in range(args.runs):
            ok_b, read, check = batch(n)
            ok_c, t_cte = cte()
            assert ok_b == ok_c, f"batch finds {ok_b} traceable instruments, the CTE {ok_c}"
            best_b = min(best_b or (9e9, 0, 0), (read + check, read, check))
            best_c = min(best_c or 9e9, t_cte)
        total, read, check = best_b
        per_item[n] = total / n
        print(f"  traceable: {ok_b:,} of {n:,} ({ok_b / n:.1%}); the CTE finds the same {ok_c:,}")
        print(f"  batch (jiliang): {total:.2f} s = read {read:.2f} s + check {check:.2f} s; "
              f"{per_item[n] * 1e6:.2f} µs per instrument ({check / n * 1e6:.2f} µs checking)")
        print(f"  recursive CTE (PostgreSQL, dates only): {best_c:.2f} s; {best_c / n * 1e6:.2f} µs per instrument")
        print(f"  batch / CTE: {total / best_c:.2f}")
    if len(per_item) > 1:
        small, large = min(per_item), max(per_item)
        print(f"\nper-instrument time at {large:,} / at {small:,}: {per_item[large] / per_item[small]:.2f} "
              f"(aim ≤ 1.3)")


if __name__ == "__main__":
    main()
