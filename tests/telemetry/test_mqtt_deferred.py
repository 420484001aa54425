"""Deferred rollups under a real broker: `jiliang ingest-mqtt` with ``JILIANG_TELEMETRY_ROLLUPS=deferred`` queues
the rollup increments with the readings and folds them while idle. Killed with SIGKILL mid-stream and
restarted, it stores every reading once and its rollups add up exactly to the readings sent.

Like test_mqtt_broker.py, this FAILS (does not skip) without Mosquitto on 127.0.0.1:1883.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from tests.telemetry.test_mqtt_broker import (  # noqa: F401  (mqtt_db, queue_broker: the fixtures)
    POINTS,
    Ingest,
    _messages,
    _publisher,
    _wait,
    mqtt_db,
    queue_broker,
)

pytestmark = pytest.mark.mqtt

SENT = 1200
STEPS = SENT // POINTS  # _messages: point k % POINTS, quarter hour k // POINTS, value 1000 + 2·step + point


class _Deferred:
    """The same database, with the consumer's rollups deferred."""

    def __init__(self, db):
        self.env = {**db.env, "JILIANG_TELEMETRY_ROLLUPS": "deferred"}


def test_deferred_rollups_survive_sigkill_and_add_up(mqtt_db, queue_broker):  # noqa: F811
    port = queue_broker
    prefix = f"jiliangtest{random.randint(0, 10**9)}"
    args = ("--url", f"mqtt://127.0.0.1:{port}", "--client-id", f"ingest-{prefix}", "--share", "", "--prefix",
            prefix, "--batch", "100", "--batch-ms", "50")
    base = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).replace(minute=0, second=0, microsecond=0)
    msgs = _messages(mqtt_db.usccs["a"], prefix, SENT, base)

    def count(sql):
        return mqtt_db.scalar(sql)

    ingest = Ingest(_Deferred(mqtt_db), *args)
    pub = _publisher(port)
    try:
        for topic, payload in msgs[:600]:
            pub.publish(topic, payload, qos=1)
        _wait(lambda: count("SELECT count(*) FROM telemetry_reading") >= 150, 60, "the first readings")
        ingest.kill()
        assert count("SELECT count(*) FROM telemetry_reading") < SENT
        for info in [pub.publish(topic, payload, qos=1) for topic, payload in msgs[600:]]:
            info.wait_for_publish(10)
        ingest = Ingest(_Deferred(mqtt_db), *args)
        _wait(lambda: count("SELECT count(*) FROM telemetry_reading") >= SENT, 90, "all readings")
        _wait(lambda: count("SELECT count(*) FROM telemetry_rollupincrement") == 0, 60, "the rollups to catch up")
    finally:
        pub.loop_stop()
        pub.disconnect()
        ingest.stop()
    assert count("SELECT count(*) FROM telemetry_reading") == SENT
    for period in ("hour", "day", "month"):
        readings = count(f"SELECT sum(readings) FROM telemetry_pointrollup WHERE period = '{period}'")  # noqa: S608
        consumption = count(f"SELECT sum(consumption) FROM telemetry_pointrollup WHERE period = '{period}'")  # noqa: S608
        assert readings == SENT, period
        # each point's register rose by 2 a quarter hour: (STEPS − 1) intervals × 2 kWh × POINTS points
        assert Decimal(str(consumption)) == Decimal(POINTS * (STEPS - 1) * 2), period
    enterprise = count("SELECT sum(consumption) FROM telemetry_enterpriserollup WHERE period = 'day'")
    assert Decimal(str(enterprise)) == Decimal((STEPS - 1) * 2)  # only P0 is 'enterprise, energy in'
