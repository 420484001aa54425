"""`jiliang ingest-mqtt`: consume meter readings from an MQTT broker into the ingest pipeline.

QoS 1, a persistent session (MQTT 5 clean start off with a session expiry, so the broker keeps the
subscription and queues messages while this process is down) and manual acknowledgement: a message is
acknowledged only after the transaction holding its readings has committed. A crash therefore loses
nothing (unacknowledged messages are delivered again), and a redelivery duplicates nothing (the same
(point, ts, value) is counted as a duplicate). Messages are consumed in batches (Zulip's
LoopQueueProcessingWorker): up to ``--batch`` messages or ``--batch-ms`` milliseconds, one transaction.

With deferred rollups (``JILIANG_TELEMETRY_ROLLUPS = "deferred"``) the process folds queued rollup
increments whenever no message is waiting (``--no-fold`` leaves that to ``jiliang telemetry-rollups``).
SIGTERM while the database is away stops the process with the messages of the batch unacknowledged.

Several processes scale out with a shared subscription (``--share GROUP``, on by default): the broker
hands each message to one member of the group. Give each process its own ``--client-id``.
"""

from __future__ import annotations

import logging
import os
import queue
import signal
import socket
import time
from urllib.parse import urlparse

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone

from jiliang.core.audit import audit_context
from jiliang.core.bulk import fewer_collections
from jiliang.telemetry import rollups
from jiliang.telemetry.ingest import ingest
from jiliang.telemetry.models import Channel
from jiliang.telemetry.topics import DEFAULT_PREFIX, groups_from_messages, subscriptions

log = logging.getLogger("jiliang.telemetry.topics")
SESSION_EXPIRY_S = 7 * 24 * 3600
FOLD_BATCH = 50_000


class Command(BaseCommand):
    help = "Consume readings and meter frames from MQTT (QoS 1, persistent session, ack after commit)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=None, help="broker, mqtt://user:password@host:port "
                                                        "(default JILIANG_MQTT_URL)")
        parser.add_argument("--client-id", default=None, help="stable id of this consumer's session "
                                                              "(default jiliang-ingest-<host>)")
        parser.add_argument("--share", default="jiliang-ingest", help="shared-subscription group ('' = none)")
        parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="topic prefix (default jiliang)")
        parser.add_argument("--batch", type=int, default=2000, help="messages per transaction (default 2000)")
        parser.add_argument("--batch-ms", type=int, default=200, help="wait at most this long to fill a batch")
        parser.add_argument("--receive-maximum", type=int, default=5000,
                            help="unacknowledged messages the broker may send ahead (MQTT 5)")
        parser.add_argument("--protocol", choices=["5", "3.1.1"], default="3.1.1",
                            help="MQTT version (default 3.1.1: clean session off)")
        parser.add_argument("--no-fold", dest="fold", action="store_false",
                            help="with deferred rollups, leave folding to `jiliang telemetry-rollups`")
        parser.add_argument("--exit-when-idle", type=float, default=0,
                            help="stop after this many idle seconds (tests, benchmarks)")

    def handle(self, *args, url, client_id, share, prefix, batch, batch_ms, receive_maximum, exit_when_idle,
               protocol, fold, **options):
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        parsed = urlparse(url or settings.JILIANG_MQTT_URL)
        if parsed.scheme not in ("mqtt", "tcp"):
            raise CommandError(f"unsupported broker URL {url!r}: use mqtt://host:port")
        client_id = client_id or f"jiliang-ingest-{socket.gethostname()}"
        inbox: queue.Queue = queue.Queue()
        stop = {"flag": False}

        v5 = protocol == "5"
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                             protocol=mqtt.MQTTv5 if v5 else mqtt.MQTTv311, clean_session=None if v5 else False)
        client.manual_ack_set(True)
        if parsed.username:
            client.username_pw_set(parsed.username, parsed.password)
        topics = subscriptions(prefix, share or None)
        state: dict = {}

        def on_connect(c, userdata, flags, reason_code, properties):
            if reason_code.is_failure:
                log.error("broker refused the connection: %s", reason_code)
                return
            state["session_present"] = flags.session_present
            c.subscribe([(t, 1) for t in topics])

        def on_subscribe(c, userdata, mid, reason_codes, properties):
            # Ready only once the broker has acknowledged the subscriptions: a reading published before
            # SUBACK could otherwise reach a broker that does not yet route it to this session.
            if any(rc.is_failure for rc in reason_codes):
                log.error("broker refused a subscription: %s", reason_codes)
                return
            self.stdout.write(f"connected to {parsed.hostname}:{parsed.port or 1883} as {client_id}, "
                              f"session present: {state.get('session_present')}; subscribed {', '.join(topics)}")
            self.stdout.flush()

        def on_message(c, userdata, msg):
            inbox.put((msg.mid, msg.topic, msg.payload, msg.qos))

        client.on_connect = on_connect
        client.on_subscribe = on_subscribe
        client.on_message = on_message
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = max(1, min(receive_maximum, 65535))
        try:
            if v5:
                client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883, keepalive=30, clean_start=False,
                               properties=props)
            else:
                client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883, keepalive=30)
        except OSError as exc:
            raise CommandError(f"cannot reach the MQTT broker at {parsed.hostname}:{parsed.port or 1883}: {exc}") \
                from exc
        client.loop_start()

        def _stop(*_):
            stop["flag"] = True

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
        idle_since = time.monotonic()
        total = 0
        self.stop = stop
        try:
            while not stop["flag"]:
                messages = _drain(inbox, batch, batch_ms / 1000)
                if not messages:
                    if fold and rollups.deferred() and self._fold():
                        idle_since = time.monotonic()
                    elif exit_when_idle and time.monotonic() - idle_since > exit_when_idle:
                        break
                    continue
                idle_since = time.monotonic()
                if not self._process(client, messages, prefix):
                    break  # stopped while the database was away: the messages stay unacknowledged
                total += len(messages)
        finally:
            client.loop_stop()
            client.disconnect()
        self.stdout.write(f"stopped after {total} messages")

    def _fold(self) -> int:
        """Deferred rollups: fold a batch of queued increments while no message waits."""
        try:
            close_old_connections()
            return rollups.fold(FOLD_BATCH)
        except OperationalError as exc:
            log.error("database error while folding rollups: %s", exc)
            connection.close()
            return 0

    def _process(self, client, messages, prefix) -> bool:
        received = timezone.now()
        while not self.stop["flag"]:
            try:
                close_old_connections()
                with fewer_collections():
                    groups, unroutable = groups_from_messages([(m[0], m[1], m[2]) for m in messages], received,
                                                              prefix)
                    with audit_context(channel="mqtt", actor=None,
                                       request_id=f"mqtt-{os.getpid()}-{messages[0][0]}"):
                        if groups:
                            ingest(groups, channel=Channel.MQTT, received_at=received)
                break
            except OperationalError as exc:  # the database went away: keep the messages unacked and retry
                log.error("database error, retrying in 2 s: %s", exc)
                connection.close()
                time.sleep(2)
        else:
            return False
        for mid, topic, reason, detail in unroutable:
            log.warning("message %s on %s not stored: %s: %s", mid, topic, reason, detail)
        # Only now, after the commit: acknowledge.
        for mid, _topic, _payload, qos in messages:
            if qos:
                client.ack(mid, qos)
        return True


def _drain(inbox: queue.Queue, limit: int, wait_s: float) -> list:
    try:
        first = inbox.get(timeout=max(wait_s, 0.05))
    except queue.Empty:
        return []
    out = [first]
    deadline = time.monotonic() + wait_s
    while len(out) < limit:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            out.append(inbox.get(timeout=remaining))
        except queue.Empty:
            break
    return out
