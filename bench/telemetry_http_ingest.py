"""Benchmark: HTTP bulk ingest end to end against a raw COPY of the same rows, on PostgreSQL, same run.

End to end = parse the JSON body, validate, deduplicate, store (COPY), update the hourly/daily/monthly point
and enterprise rollups, batch row and audit entry: one ``POST /api/telemetry/readings`` per batch through the
Django test client with the enterprise's token. The baseline is ``COPY`` of the same (point, ts, value) rows
into a bare table (a regular, WAL-logged table like the readings, not a temporary one) with the same
primary key and no other index or constraint, committed.

    DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench .venv/bin/python bench/telemetry_http_ingest.py \
        [--points 2000] [--steps 20] [--batch 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiliang.settings")

import django  # noqa: E402

django.setup()

import orjson  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from jiliang.core import services  # noqa: E402
from jiliang.core.audit import audit_context  # noqa: E402
from jiliang.core.services import create_api_token  # noqa: E402
from jiliang.registry import models as rm  # noqa: E402
from jiliang.registry.identity import make_uscc  # noqa: E402
from jiliang.telemetry import rollups  # noqa: E402
from jiliang.telemetry.models import MeteringPoint  # noqa: E402


def setup(points: int, tag: str):
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin", "", "x")
    key = rm.Designation.objects.get(code="key-energy-consumer")
    with audit_context(actor=admin, channel="command"):
        org = services.create_record(rm.Organisation, {
            "name": f"bench {tag}", "uscc": make_uscc("91320583" + f"{random.randint(0, 10**9):09d}"),
            "kind": "enterprise", "region_id": "320583"}, actor=admin, m2m={"designations": [key]})
    MeteringPoint.objects.bulk_create([MeteringPoint(
        enterprise=org, code=f"B{i}", name=f"bench {i}", energy_type="electricity", unit="kWh",
        role="enterprise_in" if i % 10 == 0 else "secondary_unit", accuracy_class="1") for i in range(points)])
    user = User.objects.create_user(f"bench-{tag}", role="enterprise", organisation=org, region_id="320583")
    return org, create_api_token(actor=user, name="bench", scope="ingest")[1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch", type=int, default=10000)
    a = ap.parse_args()
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    tag = f"{int(time.time())}"
    org, token = setup(a.points, tag)
    base = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=3)
    rows = [{"point": f"B{p}", "ts": (base + dt.timedelta(minutes=15 * s)).isoformat(), "value": 1000 + s * 1.25 + p}
            for s in range(a.steps) for p in range(a.points)]
    bodies = [orjson.dumps(rows[i:i + a.batch]) for i in range(0, len(rows), a.batch)]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    t = time.perf_counter()
    for body in bodies:
        r = client.post("/api/telemetry/readings?rows=problems", body, content_type="application/json")
        assert r.status_code == 200 and r.json()["counts"]["accepted"] == orjson.loads(body).__len__(), r.content[:300]
    e2e = time.perf_counter() - t
    # The same again, for the next quarter hours, with deferred rollups; then the fold, timed apart.
    later = [{**x, "ts": (dt.datetime.fromisoformat(x["ts"]) + dt.timedelta(minutes=15 * a.steps)).isoformat(),
              "value": x["value"] + a.steps * 1.25} for x in rows]
    settings.JILIANG_TELEMETRY_ROLLUPS = "deferred"
    t = time.perf_counter()
    for i in range(0, len(later), a.batch):
        r = client.post("/api/telemetry/readings?rows=problems", orjson.dumps(later[i:i + a.batch]),
                        content_type="application/json")
        assert r.status_code == 200, r.content[:300]
    deferred = time.perf_counter() - t
    t = time.perf_counter()
    while rollups.fold(50_000):
        pass
    fold = time.perf_counter() - t
    settings.JILIANG_TELEMETRY_ROLLUPS = "inline"
    ids = dict(MeteringPoint.objects.filter(enterprise=org).values_list("code", "id"))
    copy_rows = [(ids[x["point"]], x["ts"], x["value"]) for x in rows]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        cur.execute("CREATE TABLE bench_raw (point_id bigint, ts timestamptz, value numeric(20,6), "
                    "PRIMARY KEY (point_id, ts))")
        t = time.perf_counter()
        with cur.cursor.copy("COPY bench_raw (point_id, ts, value) FROM STDIN") as copy:
            for row in copy_rows:
                copy.write_row(row)
        raw = time.perf_counter() - t
        cur.execute("DROP TABLE bench_raw")
    n = len(rows)
    print(f"readings: {n} in {len(bodies)} HTTP batches of {a.batch}")
    print(f"HTTP end to end: {n / e2e:,.0f} readings/s ({e2e:.2f} s)")
    print(f"raw COPY:        {n / raw:,.0f} readings/s ({raw:.2f} s)")
    print(f"ratio end-to-end / COPY: {raw / e2e:.3f} (aim ≥ 0.5)")
    print(f"HTTP with deferred rollups: {n / deferred:,.0f} readings/s ({deferred:.2f} s), then the fold "
          f"{n / fold:,.0f} increments/s ({fold:.2f} s); ratio of the ingest alone / COPY: {raw / deferred:.3f}")


if __name__ == "__main__":
    main()
