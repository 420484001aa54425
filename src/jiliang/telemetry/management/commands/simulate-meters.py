"""`jiliang simulate-meters --points N --interval S`: publish live meter data so the dashboard moves.

Takes N active metering points from the database and, every S seconds, publishes one reading per point:
points with a DL/T 645 meter address as a raw read-reply frame built with the codec's encoder
(``{"ts": ..., "frame": "68 … 16"}`` on ``jiliang/<USCC>/frames/dlt645``), the others as JSON readings on
``jiliang/<USCC>/readings``. Registers advance with a daily load cycle from the point's last stored value.
``--rounds 1 --burst`` publishes a single quarter-hour of every point as fast as possible (benchmarks).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal
from urllib.parse import urlparse

import orjson
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from jiliang.telemetry.models import MeteringPoint, PointState
from jiliang.telemetry.protocols import dlt645
from jiliang.telemetry.simulation import advance
from jiliang.telemetry.topics import DEFAULT_PREFIX


class Command(BaseCommand):
    help = "Publish simulated readings and DL/T 645 frames for N metering points every S seconds."

    def add_arguments(self, parser):
        parser.add_argument("--points", type=int, default=100)
        parser.add_argument("--interval", type=float, default=900, help="seconds between rounds (default 900)")
        parser.add_argument("--rounds", type=int, default=0, help="stop after this many rounds (0 = forever)")
        parser.add_argument("--url", default=None, help="broker (default JILIANG_MQTT_URL)")
        parser.add_argument("--prefix", default=DEFAULT_PREFIX)
        parser.add_argument("--burst", action="store_true", help="do not sleep between rounds")
        parser.add_argument("--json-only", action="store_true", help="publish JSON readings only, no frames")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, points, interval, rounds, url, prefix, burst, json_only, seed, **options):
        import paho.mqtt.client as mqtt

        rng = random.Random(seed)
        parsed = urlparse(url or settings.JILIANG_MQTT_URL)
        pts = list(MeteringPoint.objects.filter(active=True).select_related("enterprise")
                   .order_by("id")[:points])
        if not pts:
            raise CommandError("no active metering points: run `jiliang demo` first")
        states = {s.point_id: s for s in PointState.objects.filter(point__in=pts)}
        values = {p.pk: (states[p.pk].last_value if p.pk in states and states[p.pk].last_value is not None
                         else Decimal(rng.randint(1000, 90000))) for p in pts}
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"jiliang-sim-{rng.randint(0, 10**9)}",
                             protocol=mqtt.MQTTv311)
        if parsed.username:
            client.username_pw_set(parsed.username, parsed.password)
        try:
            client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
        except OSError as exc:
            raise CommandError(f"cannot reach the MQTT broker: {exc}") from exc
        client.loop_start()
        step = dt.timedelta(seconds=interval)
        now = dt.datetime.now(dt.UTC)
        ts = now - dt.timedelta(seconds=now.timestamp() % max(interval, 1))
        n = 0
        try:
            while rounds == 0 or n < rounds:
                infos = []
                for p in pts:
                    value = values[p.pk] = advance(p, values[p.pk], interval, ts, rng)
                    uscc = p.enterprise.uscc
                    if p.protocol == "dlt645" and p.meter_address and not json_only and value < Decimal(1000000):
                        frame = dlt645.encode_read_reply(p.meter_address, 0x00010000, value).hex(" ").upper()
                        topic = f"{prefix}/{uscc}/frames/dlt645"
                        payload = orjson.dumps({"ts": ts.isoformat(), "frame": frame})
                    else:
                        topic = f"{prefix}/{uscc}/readings"
                        payload = orjson.dumps({"point": p.code, "ts": ts.isoformat(), "value": float(value)})
                    infos.append(client.publish(topic, payload, qos=1))
                for info in infos:
                    info.wait_for_publish(timeout=60)
                n += 1
                self.stdout.write(f"round {n}: {len(pts)} readings for {ts.isoformat()}")
                ts += step
                if not burst and (rounds == 0 or n < rounds):
                    time.sleep(interval)
        finally:
            client.loop_stop()
            client.disconnect()
