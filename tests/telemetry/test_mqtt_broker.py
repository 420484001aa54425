"""Against a real Mosquitto: `jiliang ingest-mqtt` killed with SIGKILL mid-stream and restarted stores every
reading exactly once; a broker with per-client credentials and the ACL ``pattern write jiliang/%u/#`` keeps
an enterprise from publishing under another enterprise's USCC.

These tests FAIL (they do not skip) when the broker on 127.0.0.1:1883 is unreachable: `.ci/run` requires it.
The ingest process runs as a subprocess on a database of its own (a temporary SQLite file, or a temporary
PostgreSQL database when DATABASE_URL is set), set up through the services by `jiliang shell`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest

pytestmark = pytest.mark.mqtt

ROOT = Path(__file__).resolve().parents[2]
JILIANG = str(ROOT / ".venv" / "bin" / "jiliang")
POINTS = 20

SETUP = r"""
import json, random, sys
from decimal import Decimal
from django.contrib.auth import get_user_model
from jiliang.core import services
from jiliang.core.audit import audit_context
from jiliang.registry import models as rm
from jiliang.registry.identity import make_uscc
from jiliang.telemetry.services import create_point
rng = random.Random(int(sys.argv[-1]) if sys.argv[-1].isdigit() else 7)
admin = get_user_model().objects.create_superuser("admin", "a@example.cn", "pw")
key = rm.Designation.objects.get(code="key-energy-consumer")
out = {}
with audit_context(actor=admin, channel="command"):
    for tag, region in (("a", "320583"), ("b", "320102")):
        uscc = make_uscc("91" + region + "".join(rng.choice("0123456789") for _ in range(9)))
        org = services.create_record(rm.Organisation, {"name": f"测试企业{tag}", "uscc": uscc, "kind": "enterprise",
                                                       "region_id": region}, actor=admin, m2m={"designations": [key]})
        for i in range(%(points)d):
            create_point({"enterprise": org, "code": f"P{i}", "name": f"point {i}", "energy_type": "electricity",
                          "unit": "kWh", "role": "enterprise_in" if i == 0 else "secondary_unit",
                          "accuracy_class": "1", "protocol": "dlt645" if i < 5 else "",
                          "meter_address": f"{i + 1:012d}" if i < 5 else ""}, actor=admin)
        out[tag] = uscc
print("SETUP" + json.dumps(out))
""".replace("%(points)d", str(POINTS))


def _broker_reachable(port: int = 1883) -> None:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    except OSError as exc:
        pytest.fail(f"Mosquitto is not reachable on 127.0.0.1:{port} ({exc}); the MQTT tests need it")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Db:
    """A database of its own for the subprocesses, and a raw connection to count what they stored."""

    def __init__(self, tmp: Path):
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.url = os.environ.get("DATABASE_URL", "")
        if self.url:
            self.name = f"jiliang_mqtt_{os.getpid()}_{random.randint(0, 10**6)}"
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.env["DATABASE_URL"] = self.url.rsplit("/", 1)[0] + "/" + self.name
        else:
            self.path = tmp / "mqtt.sqlite3"
            self.env["JILIANG_SQLITE_PATH"] = str(self.path)
        self.env["PYTHONUNBUFFERED"] = "1"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
            conn.execute(sql)

    def run(self, *args, check=True, **kw):
        return subprocess.run([JILIANG, *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=check,
                              timeout=300, **kw)

    def scalar(self, sql: str):
        if self.url:
            import psycopg

            with psycopg.connect(self.env["DATABASE_URL"]) as conn:
                return conn.execute(sql).fetchone()[0]
        with sqlite3.connect(self.path, timeout=30) as conn:
            return conn.execute(sql).fetchone()[0]

    def drop(self) -> None:
        if self.url:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def mqtt_db(tmp_path_factory):
    db = Db(tmp_path_factory.mktemp("mqtt"))
    try:
        db.run("migrate", "-v0")
        out = db.run("shell", "-c", SETUP).stdout
        db.usccs = json.loads(out.split("SETUP", 1)[1])
        yield db
    finally:
        db.drop()


class Ingest:
    def __init__(self, db: Db, *args):
        self.proc = subprocess.Popen([JILIANG, "ingest-mqtt", *args], env=db.env, cwd=ROOT, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.connected = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        if not self.connected.wait(30):
            self.stop()
            raise AssertionError("ingest-mqtt did not connect:\n" + "".join(self.lines))

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("connected to"):
                self.connected.set()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _publisher(port=1883, username=None, password=None, protocol=mqtt.MQTTv311):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"pub-{random.randint(0, 10**9)}", protocol=protocol)
    if username:
        c.username_pw_set(username, password)
    c.connect("127.0.0.1", port)
    c.loop_start()
    return c


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _messages(uscc: str, prefix: str, n: int, base: dt.datetime):
    """n messages: mostly JSON readings, every 10th a DL/T 645 frame for a point with a meter address."""
    from jiliang.telemetry.protocols import dlt645

    out = []
    for k in range(n):
        point, step = k % POINTS, k // POINTS
        ts = base + dt.timedelta(minutes=15 * step)
        value = 1000 + step * 2 + point
        if point < 5 and k % 10 == 0:
            frame = dlt645.encode_read_reply(f"{point + 1:012d}", 0x00010000, f"{value}.00").hex(" ")
            out.append((f"{prefix}/{uscc}/frames/dlt645", json.dumps({"ts": ts.isoformat(), "frame": frame})))
        else:
            out.append((f"{prefix}/{uscc}/readings",
                        json.dumps({"point": f"P{point}", "ts": ts.isoformat(), "value": value})))
    return out


def test_broker_is_required():
    _broker_reachable(1883)


@pytest.fixture
def queue_broker(tmp_path):
    """A broker that queues every message of an offline persistent session.

    Mosquitto's default keeps at most 1,000 queued QoS 1 messages per client and drops the rest
    (docs/telemetry.md says to raise it in production); a slow test machine can exceed it while the
    ingester is down, which would measure the broker's limit instead of our acknowledgement logic.
    """
    _broker_reachable(1883)  # the site broker must be there too: CI fails rather than skips without it
    port = _free_port()
    with _private_broker(tmp_path, port, "allow_anonymous true\nmax_queued_messages 0\n"):
        yield port


def test_sigkill_mid_stream_then_restart_stores_every_reading_once(mqtt_db, queue_broker):
    port = queue_broker
    prefix = f"jiliangtest{random.randint(0, 10**9)}"
    client_id = f"ingest-{prefix}"
    args = ("--url", f"mqtt://127.0.0.1:{port}", "--client-id", client_id, "--share", "", "--prefix", prefix,
            "--batch", "100", "--batch-ms", "50")
    base = (dt.datetime.now(dt.UTC) - dt.timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    msgs = _messages(mqtt_db.usccs["a"], prefix, 1200, base)
    before = mqtt_db.scalar("SELECT count(*) FROM telemetry_reading")
    ingest = Ingest(mqtt_db, *args)
    pub = _publisher(port)
    try:
        for topic, payload in msgs[:600]:
            pub.publish(topic, payload, qos=1)
        _wait(lambda: mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before >= 150, 60,
              "the first readings")
        ingest.kill()  # mid-stream: some messages are committed, some received but not acknowledged
        stored_at_kill = mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before
        assert stored_at_kill < 1200
        infos = [pub.publish(topic, payload, qos=1) for topic, payload in msgs[600:]]  # queued by the broker
        for info in infos:
            info.wait_for_publish(10)
        ingest = Ingest(mqtt_db, *args)
        try:
            _wait(lambda: mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before >= 1200, 90,
                  "all 1200 readings")
        except AssertionError as exc:
            stored = mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before
            raise AssertionError(f"{exc}: {stored} "
                                 f"stored, {stored_at_kill} at the kill; ingest said:\n" + "".join(ingest.lines)) \
                from None
        time.sleep(1.0)  # anything redelivered late must still not add a row
    finally:
        pub.loop_stop()
        pub.disconnect()
        ingest.stop()
    assert mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before == 1200
    where = f"WHERE reference LIKE 'MQTT {prefix}/%'"  # prefix: letters and digits of our own
    accepted = mqtt_db.scalar("SELECT coalesce(sum(accepted), 0) FROM telemetry_ingestbatch " + where)  # noqa: S608
    assert accepted == 1200
    rejected = mqtt_db.scalar("SELECT coalesce(sum(rejected), 0) FROM telemetry_ingestbatch " + where)  # noqa: S608
    assert rejected == 0


ACL = """user {ingest}
topic read jiliang/#

pattern write jiliang/%u/#
"""


@pytest.fixture
def acl_broker(tmp_path, mqtt_db):
    port = _free_port()
    users = {mqtt_db.usccs["a"]: "pw-a", mqtt_db.usccs["b"]: "pw-b", "jiliang-ingest": "pw-ingest"}
    passwd = tmp_path / "passwd"
    for i, (user, pw) in enumerate(users.items()):
        subprocess.run(["mosquitto_passwd", "-b", *(["-c"] if i == 0 else []), str(passwd), user, pw], check=True,
                       capture_output=True)
    (tmp_path / "acl").write_text(ACL.format(ingest="jiliang-ingest"))
    with _private_broker(tmp_path, port, f"allow_anonymous false\npassword_file {passwd}\n"
                                         f"acl_file {tmp_path / 'acl'}\n", [passwd, tmp_path / "acl"]):
        yield port, users


@contextlib.contextmanager
def _private_broker(tmp_path, port: int, extra: str, files=()):
    """A Mosquitto of the test's own on ``port`` with ``extra`` configuration lines."""
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\n{extra}persistence false\nuser root\n")
    os.chmod(tmp_path, 0o755)  # noqa: S103 - mosquitto drops privileges and must still read its files
    for f in (*files, conf):
        os.chmod(f, 0o644)
    proc = subprocess.Popen(["/usr/sbin/mosquitto", "-c", str(conf)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        _wait(lambda: _port_open(port) or proc.poll() is not None, 10, "mosquitto to listen")
        if proc.poll() is not None:
            raise AssertionError("mosquitto did not start:\n" + proc.stdout.read())
        yield proc
    finally:
        proc.terminate()
        proc.wait(10)


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def test_enterprise_cannot_publish_under_another_uscc(mqtt_db, acl_broker):
    port, users = acl_broker
    a, b = mqtt_db.usccs["a"], mqtt_db.usccs["b"]
    # Without credentials the broker refuses the connection.
    anon = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="anon", protocol=mqtt.MQTTv5)
    refused = {}
    anon.on_connect = lambda c, u, f, rc, p: refused.setdefault("rc", rc)
    anon.connect("127.0.0.1", port)
    anon.loop_start()
    _wait(lambda: "rc" in refused, 10, "CONNACK")
    anon.loop_stop()
    assert refused["rc"].is_failure

    ingest = Ingest(mqtt_db, "--url", f"mqtt://jiliang-ingest:pw-ingest@127.0.0.1:{port}", "--client-id",
                    f"acl-{port}", "--share", "", "--batch-ms", "50")
    before = mqtt_db.scalar("SELECT count(*) FROM telemetry_reading")
    ts = (dt.datetime.now(dt.UTC) - dt.timedelta(days=40)).replace(second=0, microsecond=0)
    acks = {}
    pub_b = _publisher(port, b, users[b], protocol=mqtt.MQTTv5)
    pub_b.on_publish = lambda c, u, mid, rc, p: acks.__setitem__(mid, rc)
    try:
        # Enterprise B writes under A's USCC (a point code A has): the broker refuses it.
        forged = pub_b.publish(f"jiliang/{a}/readings", json.dumps({"point": "P1", "ts": ts.isoformat(), "value": 7}),
                               qos=1)
        forged.wait_for_publish(10)
        own = pub_b.publish(f"jiliang/{b}/readings", json.dumps({"point": "P1", "ts": ts.isoformat(), "value": 8}),
                            qos=1)
        own.wait_for_publish(10)
        _wait(lambda: mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before >= 1, 30, "B's own reading")
        time.sleep(1.0)
    finally:
        pub_b.loop_stop()
        pub_b.disconnect()
        ingest.stop()
    assert acks[forged.mid].is_failure  # MQTT 5 PUBACK: not authorised
    assert not acks[own.mid].is_failure
    rows = mqtt_db.scalar("SELECT count(*) FROM telemetry_reading") - before
    assert rows == 1
    stored_for = mqtt_db.scalar(
        "SELECT o.uscc FROM telemetry_reading r JOIN telemetry_meteringpoint p ON p.id = r.point_id "
        "JOIN registry_organisation o ON o.id = p.enterprise_id ORDER BY r.received_at DESC LIMIT 1")
    assert stored_for == b


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))

