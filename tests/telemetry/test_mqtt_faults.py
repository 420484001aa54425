"""Faults under a running `jiliang ingest-mqtt`: the broker restarted mid-stream, and the database connection
dropped mid-stream. In each case every reading sent is stored exactly once (redeliveries count as duplicates).

The consumer runs as a subprocess on a database of its own, as in test_mqtt_broker.py (its SIGKILL test is the
third fault), against a Mosquitto of the test's own. These tests FAIL (they do not skip) when Mosquitto is
missing: `.ci/run` requires it.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from tests.telemetry.test_mqtt_broker import (  # noqa: F401  (mqtt_db, queue_broker: the fixtures)
    Ingest,
    _free_port,
    _messages,
    _port_open,
    _publisher,
    _wait,
    mqtt_db,
    queue_broker,
)

pytestmark = pytest.mark.mqtt

SENT = 1200
RETRY = "database error, retrying"  # what ingest-mqtt logs when it keeps a batch unacknowledged and retries


def _args(port: int, prefix: str) -> tuple[str, ...]:
    return ("--url", f"mqtt://127.0.0.1:{port}", "--client-id", f"ingest-{prefix}", "--share", "", "--prefix",
            prefix, "--batch", "100", "--batch-ms", "50")


def _counter(db):
    before = db.scalar("SELECT count(*) FROM telemetry_reading")
    return lambda: db.scalar("SELECT count(*) FROM telemetry_reading") - before


def _assert_batches(db, prefix: str) -> None:
    where = f"WHERE reference LIKE 'MQTT {prefix}/%'"  # prefix: letters and digits of our own
    assert db.scalar("SELECT coalesce(sum(accepted), 0) FROM telemetry_ingestbatch " + where) == SENT  # noqa: S608
    assert db.scalar("SELECT coalesce(sum(rejected), 0) FROM telemetry_ingestbatch " + where) == 0  # noqa: S608


def _wait_for(ingest: Ingest, predicate, timeout: float, what: str, stored=None) -> None:
    """``_wait``, telling on failure what was stored and what ingest-mqtt said."""
    try:
        _wait(predicate, timeout, what)
    except AssertionError as exc:
        count = f"{stored()} stored; " if stored else ""
        raise AssertionError(f"{exc}: {count}ingest said:\n" + "".join(ingest.lines)) from None


class Broker:
    """A Mosquitto of the test's own that keeps its state on disk (sessions, subscriptions, queued and in-flight
    messages), so it can be stopped and started again on the same port. SIGTERM makes it write the state."""

    def __init__(self, tmp_path: Path, port: int):
        self.port = port
        self.dir = tmp_path
        self.conf = tmp_path / "mosquitto.conf"
        self.conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\nmax_queued_messages 0\n"
                             f"persistence true\npersistence_location {tmp_path}/\nuser root\n")
        os.chmod(tmp_path, 0o755)  # noqa: S103 - mosquitto drops privileges and must still read its files
        os.chmod(self.conf, 0o644)
        self.log = tmp_path / "mosquitto.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(self.conf)], stdout=log,
                                         stderr=subprocess.STDOUT)
        _wait(lambda: _port_open(self.port) or self.proc.poll() is not None, 10, "mosquitto to listen")
        if self.proc.poll() is not None:
            raise AssertionError("mosquitto did not start:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(10)
        _wait(lambda: not _port_open(self.port), 10, "mosquitto to close its port")


@pytest.fixture
def restartable_broker(tmp_path):
    broker = Broker(tmp_path, _free_port())
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


def _tracked_publisher(port: int):
    """A QoS 1 publisher and the set of message ids the broker has acknowledged."""
    pub = _publisher(port)
    pub.reconnect_delay_set(min_delay=1, max_delay=2)
    acked: set[int] = set()
    pub.on_publish = lambda c, u, mid, rc, p: acked.add(mid)
    return pub, acked


def test_broker_restart_mid_stream_stores_every_reading_once(mqtt_db, restartable_broker):  # noqa: F811
    broker = restartable_broker
    prefix = f"jiliangtest{random.randint(0, 10**9)}"
    base = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    msgs = _messages(mqtt_db.usccs["a"], prefix, SENT, base)
    stored = _counter(mqtt_db)
    ingest = Ingest(mqtt_db, *_args(broker.port, prefix))
    pub, acked = _tracked_publisher(broker.port)
    try:
        mids = [pub.publish(topic, payload, qos=1).mid for topic, payload in msgs[:600]]
        _wait_for(ingest, lambda: stored() >= 150, 60, "the first readings", stored)
        broker.stop()  # mid-stream: readings committed, others queued or in flight in the broker and in ingest
        stored_at_stop = stored()
        assert stored_at_stop < SENT
        assert (broker.dir / "mosquitto.db").exists(), broker.log.read_text()  # written at SIGTERM
        # While the broker is down the publisher keeps these (paho resends them after it reconnects).
        mids += [pub.publish(topic, payload, qos=1).mid for topic, payload in msgs[600:900]]
        broker.start()
        mids += [pub.publish(topic, payload, qos=1).mid for topic, payload in msgs[900:]]
        _wait_for(ingest, lambda: sum(line.startswith("connected to") for line in ingest.lines) >= 2, 30,
                  "ingest-mqtt to reconnect")
        _wait_for(ingest, lambda: acked.issuperset(mids), 60, "the broker to acknowledge every reading", stored)
        _wait_for(ingest, lambda: stored() >= SENT, 90, f"all {SENT} readings ({stored_at_stop} at the stop)",
                  stored)
        time.sleep(1.0)  # anything redelivered late must still not add a row
        assert ingest.proc.poll() is None, "".join(ingest.lines)
    finally:
        pub.loop_stop()
        pub.disconnect()
        ingest.stop()
    assert stored() == SENT
    _assert_batches(mqtt_db, prefix)
    connects = [line for line in ingest.lines if line.startswith("connected to")]
    assert "session present: True" in connects[1], connects  # the session came back from the broker's disk


class Outage:
    """Take the database away from ingest-mqtt and give it back.

    PostgreSQL: terminate the consumer's backend, alternately while it is idle between batches (the next
    statement fails on the dead connection) and while it is inside its ingest transaction (held up by a table
    lock of the test's own, so the kill lands there every time); the connection must be opened again and the
    transaction's work redone. SQLite: hold the write lock from another connection for longer than the
    consumer's busy timeout, so its writes fail with "database is locked". The consumer runs with a 1 s busy
    timeout instead of the 30 s of settings.py (a settings module of the test's own) to keep this short.
    """

    def __init__(self, db, tmp_path: Path):
        self.db = db
        self.holder = None  # the connection holding a lock, while it does
        self.consumer_db = copy.copy(db)
        if not db.url:
            (tmp_path / "faults_settings.py").write_text(
                "from jiliang.settings import *  # noqa: F403\n"
                "DATABASES['default']['OPTIONS']['timeout'] = 1  # noqa: F405\n")
            self.consumer_db.env = {**db.env, "DJANGO_SETTINGS_MODULE": "faults_settings",
                                    "PYTHONPATH": os.pathsep.join(filter(None, [str(tmp_path),
                                                                                db.env.get("PYTHONPATH")]))}

    def begin(self, k: int) -> None:
        if not self.db.url:
            self.holder = sqlite3.connect(self.db.path, isolation_level=None, timeout=30)
            self.holder.execute("BEGIN EXCLUSIVE")
        elif k % 2:
            self._kill()
        else:
            import psycopg

            self.holder = psycopg.connect(self.db.env["DATABASE_URL"])  # a transaction, until end()
            self.holder.execute("LOCK TABLE telemetry_ingestbatch IN SHARE MODE")  # no inserts meanwhile

    def strike(self) -> None:
        """Once readings that need the database are on their way: the kill inside the transaction."""
        if self.db.url and self.holder is not None:
            _wait(lambda: self._consumer("count(*)", "AND wait_event_type = 'Lock'"), 30,
                  "ingest-mqtt to wait for the table lock inside its transaction")
            self._kill()

    def _consumer(self, what: str, where: str = ""):
        """``what`` over the consumer's backends: the clients of its database but this one and the holder."""
        holder = self.holder.info.backend_pid if self.holder is not None else 0
        return self.db.scalar(f"SELECT {what} FROM pg_stat_activity WHERE datname = current_database() "  # noqa: S608
                              f"AND pid NOT IN (pg_backend_pid(), {holder}) AND backend_type = 'client backend' "
                              f"{where}")

    def _kill(self) -> None:
        assert self._consumer("count(*) FILTER (WHERE pg_terminate_backend(pid))") == 1  # its one connection

    def end(self) -> None:
        if self.holder is not None:
            self.holder.rollback()
            self.holder.close()
            self.holder = None


def test_database_connection_drop_mid_stream_stores_every_reading_once(mqtt_db, queue_broker,  # noqa: F811
                                                                       tmp_path):
    port = queue_broker
    prefix = f"jiliangtest{random.randint(0, 10**9)}"
    base = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    msgs = _messages(mqtt_db.usccs["b"], prefix, SENT, base)
    chunks = [msgs[i:i + 300] for i in range(0, SENT, 300)]
    stored = _counter(mqtt_db)
    outage = Outage(mqtt_db, tmp_path)
    ingest = Ingest(outage.consumer_db, *_args(port, prefix))

    def retries():
        return sum(RETRY in line for line in ingest.lines)

    pub, acked = _tracked_publisher(port)
    mids = []
    try:
        mids += [pub.publish(topic, payload, qos=1).mid for topic, payload in chunks[0]]
        for k in range(1, len(chunks)):
            _wait_for(ingest, lambda: stored() >= 300 * (k - 1) + 150, 60,  # noqa: B023
                      f"the readings before outage {k}", stored)
            seen = retries()
            outage.begin(k)
            try:
                # Readings that need the database after it went away: ingest-mqtt fails, keeps them unacknowledged
                # and retries.
                mids += [pub.publish(topic, payload, qos=1).mid for topic, payload in chunks[k]]
                outage.strike()
                _wait_for(ingest, lambda: retries() > seen, 30, f"ingest-mqtt to log the retry of outage {k}",  # noqa: B023
                          stored)
            finally:
                outage.end()
        _wait_for(ingest, lambda: acked.issuperset(mids), 60, "the broker to acknowledge every reading", stored)
        _wait_for(ingest, lambda: stored() >= SENT, 90, f"all {SENT} readings", stored)
        time.sleep(1.0)  # anything redelivered late must still not add a row
        assert ingest.proc.poll() is None, "".join(ingest.lines)
    finally:
        outage.end()
        pub.loop_stop()
        pub.disconnect()
        ingest.stop()
    assert stored() == SENT
    _assert_batches(mqtt_db, prefix)
    assert retries() >= len(chunks) - 1, "".join(ingest.lines)  # each outage was met by a retry
    if not mqtt_db.url:
        assert all("database is locked" in line for line in ingest.lines if RETRY in line)
