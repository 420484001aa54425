"""Topic routing: MQTT messages into ingest groups (topics, JSON readings, raw DL/T 645 / CJ/T 188 frames).

Topics (issue #5): ``<prefix>/<USCC>/readings`` carries JSON readings (an object, an array or NDJSON);
``<prefix>/<USCC>/frames/dlt645`` and ``.../frames/cjt188`` carry one frame each, as
``{"ts": "...", "frame": "68 … 16"}`` or bare hex (then the time of receipt is the reading's time). The
prefix is ``jiliang``. A frame finds its metering point by the meter address registered on a point of the
topic's enterprise. The broker's ACL (docs/telemetry.md) makes sure that only the enterprise itself can
publish under its USCC; ingest in turn only resolves points of that enterprise.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from jiliang.telemetry.protocols import FrameError, cjt188, dlt645

from .parsing import PayloadError, RawReading, Rejection, parse_body, parse_frame_payload

DEFAULT_PREFIX = "jiliang"
ENERGY_UNITS = {"kWh"}


@dataclass(frozen=True, slots=True)
class Topic:
    uscc: str
    kind: str  # readings | dlt645 | cjt188


def parse_topic(topic: str, prefix: str = DEFAULT_PREFIX) -> Topic | None:
    parts = topic.split("/")
    if len(parts) == 3 and parts[0] == prefix and parts[2] == "readings":
        return Topic(parts[1], "readings")
    if len(parts) == 4 and parts[0] == prefix and parts[2] == "frames" and parts[3] in ("dlt645", "cjt188"):
        return Topic(parts[1], parts[3])
    return None


def subscriptions(prefix: str = DEFAULT_PREFIX, share: str | None = None) -> list[str]:
    topics = [f"{prefix}/+/readings", f"{prefix}/+/frames/+"]
    return [f"$share/{share}/{t}" for t in topics] if share else topics


def frame_reading(kind: str, payload: bytes, received: dt.datetime, position: str
                  ) -> tuple[str, str, RawReading | None, Rejection | None]:
    """Decode one frame message: (protocol, meter address, reading of that meter, rejection)."""
    fp = parse_frame_payload(payload)
    if isinstance(fp, Rejection):
        return kind, "", None, Rejection(position, fp.reason, fp.detail)
    ts = fp.ts or received
    try:
        if kind == "dlt645":
            f = dlt645.decode(fp.frame)
            if not f.is_reply or f.is_error:
                why = f"abnormal reply ({', '.join(f.errors) or 'no error bits'})" if f.is_error else "a request"
                return kind, f.address, None, Rejection(position, "not_a_reading",
                                                        f"meter {f.address}: the frame is {why}, not a reading")
            item = f.item
            event = dlt645.EVENT_COUNTERS.get(f.di)
            if event is not None and f.value is not None:
                # an event counter: no register reading, an event when the meter has counted any
                events = ((event, {"source": "dlt645", "di": f.di_text, "count": int(f.value)}),) if f.value else ()
                return kind, f.address, RawReading(position, f.address, ts, None, protocol=kind, events=events), None
            if item is None or item.is_block or item.unit not in ENERGY_UNITS or f.value is None:
                return kind, f.address, None, Rejection(
                    position, "not_a_register", f"meter {f.address}: DI {f.di_text} "
                    f"({item.quantity if item else '?'}) is not an energy register")
            return kind, f.address, RawReading(position, f.address, ts, f.value, protocol=kind), None
        f = cjt188.decode(fp.frame)
        if not f.is_reply or f.is_error or f.value is None:
            return kind, f.address, None, Rejection(position, "not_a_reading",
                                                    f"meter {f.address}: the frame carries no reading")
        return kind, f.address, RawReading(position, f.address, ts, f.value, protocol=kind,
                                           events=cjt188_events(f)), None
    except FrameError as exc:
        return kind, "", None, Rejection(f"{position} byte {exc.offset}", exc.reason, str(exc))


def cjt188_events(f: cjt188.Cjt188Frame) -> tuple[tuple[str, dict], ...]:
    """The events a CJ/T 188 reply's status ST carries: valve closed and battery low (reference §2.4, ST byte 1)."""
    if f.status is None:
        return ()
    evidence = {"source": "cjt188", "st": f.status.raw.hex().upper()}
    out = []
    if f.status.valve == "closed":
        out.append(("valve_closed", evidence))
    if f.status.battery_low:
        out.append(("battery_low", evidence))
    return tuple(out)


def groups_from_messages(messages, received: dt.datetime, prefix: str = DEFAULT_PREFIX):
    """Turn (mid, topic, payload) messages into ingest groups, one per enterprise (USCC).

    Returns (groups, unroutable): messages on topics that are not ours, or for an unknown USCC, are
    reported in ``unroutable`` with their reason (they are acknowledged and logged, not stored). Point codes
    and frames' meter addresses are resolved by ingest, as for every channel.
    """
    from .ingest import Group, enterprises

    by_uscc: dict[str, Group] = {}
    unroutable = []
    for mid, topic, payload in messages:
        t = parse_topic(topic, prefix)
        if t is None:
            unroutable.append((mid, topic, "topic", f"{topic!r} is not a jiliang telemetry topic"))
            continue
        org = enterprises.get(t.uscc)
        if org is None:
            unroutable.append((mid, topic, "unknown_enterprise",
                               f"{t.uscc} is not a registered key energy-consuming enterprise or utility"))
            continue
        g = by_uscc.get(t.uscc)
        if g is None:
            g = by_uscc[t.uscc] = Group(enterprise=org, readings=[], rejections=[],
                                        reference=f"MQTT {prefix}/{t.uscc}")
        position = f"message {mid}"
        if t.kind == "readings":
            try:
                readings, rejections, _ = parse_body(payload, "application/json")
            except PayloadError as exc:
                g.rejections.append(Rejection(position, exc.reason, exc.detail))
                continue
            g.readings.extend(dataclasses.replace(r, position=f"{position} {r.position}") for r in readings)
            g.rejections.extend(Rejection(f"{position} {x.position}", x.reason, x.detail, x.point) for x in rejections)
            continue
        _protocol, address, reading, rejection = frame_reading(t.kind, payload, received, position)
        if rejection is not None:
            g.rejections.append(Rejection(rejection.position, rejection.reason, rejection.detail, address))
            continue
        g.readings.append(reading)
    return list(by_uscc.values()), unroutable
