"""Benchmark: reported verification records through the API (NDJSON) against a raw COPY of the same rows, on
PostgreSQL, same run (issue #13, figures: "Verification-record ingest ... ratio to a raw COPY; aim ≥ 0.2").

End to end = one ``POST /api/supervision/verification-records/`` per batch (``application/x-ndjson``) through the
Django test client as the provincial bureau: parse, resolve institution and instrument, check dates against the
regulation's maximum period, look up (institution, number) for idempotence, insert the events, audit them and
refresh each touched instrument's state, due occurrences and counters (state.refresh, once per batch). The
baseline is ``COPY`` of the same (institution, number, instrument, kind, verified_on, result, next_due) rows into
a bare scratch table with the same unique key, committed.

    DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench .venv/bin/python bench/supervision_record_ingest.py \
        [--instruments 5000] [--per 2] [--batch 5000]
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
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from jiliang.core import services  # noqa: E402
from jiliang.core.audit import audit_context  # noqa: E402
from jiliang.registry import models as rm  # noqa: E402
from jiliang.registry.identity import make_uscc  # noqa: E402


def setup(n: int, tag: str):
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin", "", "x")
    with audit_context(actor=admin, channel="command"):
        owner = services.create_record(rm.Organisation, {
            "name": f"bench owner {tag}", "uscc": make_uscc("91320583" + f"{random.randint(0, 10**9):09d}"),
            "kind": "market", "region_id": "320583"}, actor=admin)
        institute = services.create_record(rm.Organisation, {
            "name": f"bench institute {tag}", "uscc": make_uscc("12320000" + f"{random.randint(0, 10**9):09d}"),
            "kind": "institute", "region_id": "320000"}, actor=admin)
    scale = rm.InstrumentCategory.objects.get(code="nawi-price-scale")
    rm.Instrument.objects.bulk_create([rm.Instrument(
        owner=owner, category=scale, manufacturer="bench", model=f"M-{tag}", serial_number=f"{tag}-{i}",
        usage="trade", region_id="320583", status="in_service", mandatory=True,
        installation_date=dt.date(2022, 1, 1)) for i in range(n)], batch_size=5000)
    ids = list(rm.Instrument.objects.filter(model=f"M-{tag}").values_list("pk", flat=True))
    province = User.objects.filter(username="bench-province").first() or User.objects.create_user(
        "bench-province", role="provincial_bureau", region_id="320000")
    return institute, ids, province


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--instruments", type=int, default=5000)
    ap.add_argument("--per", type=int, default=2, help="records per instrument (a year apart)")
    ap.add_argument("--batch", type=int, default=5000)
    a = ap.parse_args()
    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://…"
    call_command("migrate", verbosity=0)
    tag = f"{int(time.time())}"
    institute, ids, province = setup(a.instruments, tag)
    start = dt.date(2023, 3, 1)
    rows = []
    for k in range(a.per):
        for j, pk in enumerate(ids):
            on = start + dt.timedelta(days=365 * k + j % 200)
            rows.append({"institution_uscc": institute.uscc, "number": f"B{tag}-{k}-{pk}", "instrument": pk,
                         "kind": "periodic" if k else "first", "verified_on": on.isoformat(),
                         "result": "fail" if j % 50 == 7 else "pass",
                         "next_due": None if j % 50 == 7 else (on + dt.timedelta(days=360)).isoformat()})
    rows = [{k: v for k, v in r.items() if v is not None} for r in rows]
    bodies = [b"\n".join(orjson.dumps(r) for r in rows[i:i + a.batch]) for i in range(0, len(rows), a.batch)]
    client = Client()
    client.force_login(province)
    t = time.perf_counter()
    for body in bodies:
        r = client.post("/api/supervision/verification-records/", body, content_type="application/x-ndjson")
        assert r.status_code == 200, r.content[:300]
        assert r.json()["counts"]["error"] == 0, r.json()["results"][:3]
    e2e = time.perf_counter() - t
    # The same rows again: every one unchanged (idempotence by institution and number).
    t = time.perf_counter()
    for body in bodies:
        r = client.post("/api/supervision/verification-records/", body, content_type="application/x-ndjson")
        assert r.json()["counts"]["unchanged"] == body.count(b"\n") + 1
    again = time.perf_counter() - t
    copy_rows = [(institute.pk, x["number"], x["instrument"], x["kind"], x["verified_on"], x["result"],
                  x.get("next_due")) for x in rows]
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_event_raw")
        cur.execute("CREATE TABLE bench_event_raw (institution_id bigint, number varchar(100), instrument_id bigint,"
                    " kind varchar(20), verified_on date, result varchar(10), next_due date,"
                    " UNIQUE (institution_id, number))")
        t = time.perf_counter()
        with cur.cursor.copy("COPY bench_event_raw FROM STDIN") as copy:
            for row in copy_rows:
                copy.write_row(row)
        connection.commit() if not connection.get_autocommit() else None
        raw = time.perf_counter() - t
        cur.execute("DROP TABLE bench_event_raw")
    n = len(rows)
    print(f"records: {n} ({a.instruments} instruments × {a.per}) in {len(bodies)} NDJSON batches of {a.batch}")
    print(f"API end to end (events, audit, state refresh): {n / e2e:,.0f} records/s ({e2e:.2f} s)")
    print(f"the same again (all unchanged):               {n / again:,.0f} records/s ({again:.2f} s)")
    print(f"raw COPY into a scratch table:                 {n / raw:,.0f} records/s ({raw:.3f} s)")
    print(f"ratio end-to-end / COPY: {raw / e2e:.3f} (aim ≥ 0.2)")


if __name__ == "__main__":
    main()
