"""Benchmark: one quarter-hour burst of every metering point of the province through Mosquitto into two
`jiliang ingest-mqtt` processes, on PostgreSQL; and HTTP bulk ingest of the same kind of rows in the same run.

Set-up (not timed): ``--enterprises`` key energy-consuming enterprises with ``--points`` metering points in
all (created in bulk); then the quarter hour before the burst goes through the same consumers, so the timed
burst is a steady-state quarter hour (every reading closes an interval and updates the rollups; the
consumers know the points), not the first reading of a fresh point in a fresh process. Each enterprise's collector publishes its quarter hour as JSON arrays of
``--per-message`` readings on ``jiliang/<USCC>/readings`` with QoS 1 (Mosquitto's default queue of 1 000
messages per session bounds how many messages may wait; keep points / per-message well under that).

Timed: from the first publish until every reading of the burst is in ``telemetry_reading`` (polled every
100 ms), with both consumers already connected and subscribed to one shared subscription.

With ``--rollups deferred`` the consumers queue the rollup increments and fold them when idle
(``JILIANG_TELEMETRY_ROLLUPS``); the run then also reports when the rollups have caught up.

    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/jiliang_bench .venv/bin/python bench/telemetry_mqtt_burst.py \
        [--points 200000] [--enterprises 200] [--per-message 500] [--consumers 2] [--rollups inline|deferred]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, setup  # noqa: E402

setup()

import orjson  # noqa: E402
import paho.mqtt.client as mqtt  # noqa: E402
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
from jiliang.telemetry.models import MeteringPoint, Reading  # noqa: E402

BROKER = ("127.0.0.1", 1883)
REGIONS = ["320102", "320205", "320311", "320412", "320583", "320612", "320703", "320803", "320902", "321002",
           "321102", "321202", "321302"]


def make_enterprises(n_ent: int, n_points: int, tag: str, base_ts: dt.datetime):
    User = get_user_model()
    admin = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin", "", "x")
    key = rm.Designation.objects.get(code="key-energy-consumer")
    orgs = []
    with audit_context(actor=admin, channel="command"):
        for i in range(n_ent):
            region = REGIONS[i % len(REGIONS)]
            orgs.append(services.create_record(rm.Organisation, {
                "name": f"burst {tag} {i}", "uscc": make_uscc(f"91{region}{int(tag) % 10**5:05d}{i:04d}"),
                "kind": "enterprise", "region_id": region}, actor=admin, m2m={"designations": [key]}))
    per = n_points // n_ent
    for org in orgs:
        MeteringPoint.objects.bulk_create([MeteringPoint(
            enterprise=org, code=f"P{j}", name=f"point {j}", energy_type="electricity", unit="kWh",
            role="enterprise_in" if j % 50 == 0 else "secondary_unit", accuracy_class="1")
            for j in range(per)], batch_size=5000)
    ids = list(MeteringPoint.objects.filter(enterprise__in=orgs).values_list("enterprise_id", "code", "id"))
    user = User.objects.create_user(f"burst-{tag}", role="enterprise", organisation=orgs[0],
                                    region_id=orgs[0].region_id)
    return orgs, ids, create_api_token(actor=user, name="bench", scope="ingest")[1]


def stored(point_ids_min: int, point_ids_max: int, ts: dt.datetime) -> int:
    return Reading.objects.filter(point_id__gte=point_ids_min, point_id__lte=point_ids_max, ts=ts).count()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=200_000)
    ap.add_argument("--enterprises", type=int, default=200)
    ap.add_argument("--per-message", type=int, default=500)
    ap.add_argument("--consumers", type=int, default=2)
    ap.add_argument("--consumer-batch", type=int, default=20, help="messages per ingest transaction")
    ap.add_argument("--http-readings", type=int, default=10_000,
                    help="readings of the HTTP comparison: the first enterprise's points, quarter hour after quarter hour")
    ap.add_argument("--rollups", choices=["inline", "deferred"], default="inline")
    a = ap.parse_args()
    assert connection.vendor == "postgresql", "run on PostgreSQL (BENCH_DATABASE_URL=postgres://…)"
    tag = f"{int(time.time())}"
    ts = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    t = time.perf_counter()
    orgs, ids, token = make_enterprises(a.enterprises, a.points, tag, ts)
    n = len(ids)
    print(f"set-up: {n} points of {len(orgs)} enterprises in {time.perf_counter() - t:.1f} s")
    uscc = {o.pk: o.uscc for o in orgs}

    def quarter_hour(at: dt.datetime, value: float) -> list[tuple[str, bytes]]:
        by_org: dict[int, list] = {}
        for org_id, code, _pid in ids:
            by_org.setdefault(org_id, []).append({"point": code, "ts": at.isoformat(), "value": value})
        return [(f"jiliang/{uscc[org_id]}/readings", orjson.dumps(rows[i:i + a.per_message]))
                for org_id, rows in by_org.items() for i in range(0, len(rows), a.per_message)]

    warm_ts = ts - dt.timedelta(minutes=15)
    warm, messages = quarter_hour(warm_ts, 1000.0), quarter_hour(ts, 1012.5)
    lo, hi = min(p for *_, p in ids), max(p for *_, p in ids)

    env = {**os.environ, "PYTHONPATH": str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "JILIANG_TELEMETRY_ROLLUPS": a.rollups}
    share = f"bench{tag}"
    client_ids = [f"bench-{tag}-{k}" for k in range(a.consumers)]
    # Each consumer logs to a file of its own (a pipe nobody reads would block it once full).
    logs = [Path(tempfile.gettempdir()) / f"{cid}.log" for cid in client_ids]
    procs = [subprocess.Popen(
        [sys.executable, "-c", "from jiliang.cli import main; main()", "ingest-mqtt", "--client-id", cid,
         "--share", share, "--batch", str(a.consumer_batch), "--batch-ms", "50", "--exit-when-idle", "0"],
        env=env, stdout=log.open("w"), stderr=subprocess.STDOUT) for cid, log in zip(client_ids, logs)]
    print(f"consumer logs: {', '.join(map(str, logs))}")
    try:
        for p, log in zip(procs, logs):  # wait until each consumer is subscribed
            while "subscribed" not in log.read_text():
                assert p.poll() is None, f"ingest-mqtt exited with {p.returncode}:\n{log.read_text()}"
                time.sleep(0.1)
        time.sleep(0.5)
        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{tag}", protocol=mqtt.MQTTv311)
        pub.max_inflight_messages_set(1000)
        pub.max_queued_messages_set(0)
        pub.connect(*BROKER)
        pub.loop_start()
        t = time.perf_counter()
        for info in [pub.publish(topic, payload, qos=1) for topic, payload in warm]:
            info.wait_for_publish(timeout=120)
        while stored(lo, hi, warm_ts) < n or (a.rollups == "deferred" and rollups.pending()):
            assert time.perf_counter() - t < 600, "the warm-up quarter hour was not stored in 10 min"
            time.sleep(0.2)
        print(f"warm-up quarter hour stored in {time.perf_counter() - t:.1f} s (not timed)")
        t0 = time.perf_counter()
        infos = [pub.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=120)
        published = time.perf_counter() - t0
        count = 0
        deadline = t0 + 600
        while time.perf_counter() < deadline:
            count = stored(lo, hi, ts)
            if count >= n:
                break
            time.sleep(0.1)
        burst = time.perf_counter() - t0
        while rollups.pending() and time.perf_counter() < deadline:
            time.sleep(0.1)
        rolled_up = time.perf_counter() - t0
        pub.loop_stop()
        pub.disconnect()
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
        for cid in client_ids:  # drop the persistent sessions of this run
            c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=cid, protocol=mqtt.MQTTv311,
                            clean_session=True)
            c.connect(*BROKER)
            c.disconnect()

    # HTTP in the same run: steady-state rows (points with a last reading) in bodies of up to 10 000 rows.
    org0 = orgs[0]
    codes = [c for o, c, _ in ids if o == org0.pk]
    steps = max(1, a.http_readings // len(codes))
    rows = [{"point": c, "ts": (ts + k * dt.timedelta(minutes=15)).isoformat(), "value": 1012.5 + 12.5 * k}
            for k in range(1, steps + 1) for c in codes]
    settings.JILIANG_TELEMETRY_ROLLUPS = a.rollups  # the same pipeline as the consumers
    http = Client(HTTP_AUTHORIZATION=f"Token {token}")
    http.post("/api/telemetry/readings?rows=problems", b"[]", content_type="application/json")  # warm up
    t = time.perf_counter()
    for i in range(0, len(rows), 10_000):
        r = http.post("/api/telemetry/readings?rows=problems", orjson.dumps(rows[i:i + 10_000]),
                      content_type="application/json")
        assert r.status_code == 200, r.content[:300]
    http_s = time.perf_counter() - t
    http_rate = len(rows) / http_s
    while rollups.fold():  # deferred: leave nothing queued behind this run
        pass

    print(f"burst: {n} readings in {len(messages)} MQTT messages of ≤ {a.per_message}, {a.consumers} ingest-mqtt "
          f"processes")
    print(f"published in {published:.2f} s; all stored: {count == n} ({count}/{n})")
    print(f"MQTT burst: {burst:.2f} s until all stored (aim < 10 s), {n / burst:,.0f} readings/s; rollups "
          f"{a.rollups}" + (f", caught up after {rolled_up:.2f} s" if a.rollups == "deferred" else " (in the same transactions)"))
    print(f"HTTP (1 process, {len(rows)} readings in bodies of ≤ 10 000, rollups {a.rollups}, same run): "
          f"{http_rate:,.0f} readings/s")
    print(f"ratio MQTT ({a.consumers} processes) / HTTP (1 process): {(n / burst) / http_rate:.2f}")


if __name__ == "__main__":
    main()
