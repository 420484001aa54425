"""Reading payloads as plain values: JSON array, NDJSON, CSV (gzip accepted), and MQTT frame payloads.

Pure: no Django imports. A reading is ``{"point": "<code>", "ts": "2026-11-29T08:15:00+08:00",
"value": 1234.56}`` (issue #5), optionally with ``"events": ["valve_closed", …]`` (one of :data:`EVENT_KINDS`;
a household meter's status, docs/livelihood-iot.md). Every row that cannot be read is returned as a :class:`Rejection` with its
position ("item 3", "line 7", "row 12", "byte 5") and a machine-readable reason plus a message, and the rest
of the body is still read (ARCHITECTURE.md, Conventions: Errors).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import orjson

# The events a reading may carry (telemetry.models.EVENT_KINDS; kept here too, this module imports no Django).
EVENT_KINDS = ("valve_closed", "battery_low", "magnetic_tamper", "cover_opened")
# numeric(20, 6): 14 integer digits.
MAX_VALUE = Decimal(10) ** 14
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class RawReading:
    """A reading read from a payload, before the checks that need the database (point, sender, dedupe).

    ``point`` is the metering point's code; in a reading decoded from a frame, whose ``protocol`` is set
    (``dlt645``, ``cjt188``), it is the meter address the frame carries. Ingest resolves both to the point.
    ``events`` are the meter's events reported with the reading (:data:`EVENT_KINDS`, with their evidence); a
    frame that carries only events (a DL/T 645 event counter) has ``value`` None and stores no reading.
    """

    position: str
    point: str
    ts: dt.datetime
    value: Decimal | None
    protocol: str = ""
    events: tuple[tuple[str, dict], ...] = ()


@dataclass(frozen=True, slots=True)
class Rejection:
    position: str
    reason: str
    detail: str
    point: str = ""

    def as_dict(self) -> dict:
        return {"position": self.position, "point": self.point, "reason": self.reason, "detail": self.detail}


class PayloadError(ValueError):
    """The body as a whole cannot be read (not gzip, not UTF-8, unknown format, too large)."""

    def __init__(self, reason: str, detail: str, status: int = 400):
        super().__init__(detail)
        self.reason, self.detail, self.status = reason, detail, status


def gunzip(body: bytes, limit: int) -> bytes:
    """Inflate a gzip body, every member of it, refusing to inflate past ``limit`` bytes in total.

    A gzip file may hold several members one after the other (``cat a.gz b.gz``, or a gateway that
    appends a member per batch); they are one body (RFC 1952, section 2.2), so all are inflated, not
    only the first. A gzip bomb is a 413, not an OOM; bytes after the last member that are not a
    member are an error, never silently dropped.
    """
    if not body.startswith(GZIP_MAGIC):
        return body
    out = bytearray()
    rest = body
    member = 0
    while rest:
        member += 1
        if not rest.startswith(GZIP_MAGIC):
            if not rest.strip(b"\0"):  # zero padding after the last member, as tape-era tools write
                break
            raise PayloadError("gzip", f"{len(rest)} bytes after gzip member {member - 1} are not a gzip member")
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(rest, limit + 1 - len(out))
        except zlib.error as exc:
            raise PayloadError("gzip", f"gzip member {member} is not valid gzip: {exc}") from exc
        if len(out) > limit or d.unconsumed_tail:
            raise PayloadError("too_large", f"the body inflates to more than {limit} bytes", status=413)
        if not d.eof:
            raise PayloadError("gzip", f"the gzip body is truncated (member {member} ends after {len(body)} bytes)")
        rest = d.unused_data
    return bytes(out)


def parse_ts(raw, position: str) -> dt.datetime | Rejection:
    if not isinstance(raw, str):
        return Rejection(position, "ts_type", f"ts must be an ISO 8601 string, got {type(raw).__name__}")
    try:
        ts = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return Rejection(position, "ts_format", f"ts {raw[:40]!r} is not an ISO 8601 date-time")
    if ts.tzinfo is None or ts.utcoffset() is None:
        return Rejection(position, "ts_timezone", f"ts {raw[:40]!r} has no UTC offset (write +08:00 or Z)")
    return ts


def parse_value(raw, position: str, from_text: bool = False) -> Decimal | Rejection:
    if isinstance(raw, bool) or raw is None:
        return Rejection(position, "value_type", f"value must be a number, got {'null' if raw is None else 'a boolean'}")
    if isinstance(raw, str) and not from_text:
        return Rejection(position, "value_type", f"value must be a number, got the string {raw[:40]!r}")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return Rejection(position, "value_range", f"value {raw} is not finite")
        value = Decimal(repr(raw))
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str):
        try:
            value = Decimal(raw.strip())
        except InvalidOperation:
            return Rejection(position, "value_type", f"value {raw[:40]!r} is not a number")
        if not value.is_finite():
            return Rejection(position, "value_range", f"value {raw[:40]!r} is not finite")
    else:
        return Rejection(position, "value_type", f"value must be a number, got {type(raw).__name__}")
    if value < 0:
        return Rejection(position, "value_range", f"value {value} is negative; registers count up from zero")
    if value >= MAX_VALUE:
        return Rejection(position, "value_range", f"value {value} has more than 14 integer digits")
    if value.as_tuple().exponent < -6 and value != value.quantize(Decimal("0.000001")):
        return Rejection(position, "value_range", f"value {value} has more than 6 decimal places")
    return value


def reading_from_object(obj, position: str, from_text: bool = False) -> RawReading | Rejection:
    if not isinstance(obj, dict):
        return Rejection(position, "not_object", f"expected an object with point, ts and value, got {_json_type(obj)}")
    if "frame" in obj:
        return frame_from_object(obj, position)
    point = obj.get("point")
    if not isinstance(point, str) or not point.strip():
        return Rejection(position, "point", "point must be the metering point code (a non-empty string)")
    point = point.strip()
    missing = [k for k in ("ts", "value") if k not in obj]
    if missing:
        return Rejection(position, "missing", f"missing {', '.join(missing)}", point)
    unknown = set(obj) - {"point", "ts", "value", "events"}
    if unknown:
        return Rejection(position, "unknown_field", f"unknown field(s) {', '.join(sorted(unknown))}", point)
    ts = parse_ts(obj["ts"], position)
    if isinstance(ts, Rejection):
        return Rejection(ts.position, ts.reason, ts.detail, point)
    value = parse_value(obj["value"], position, from_text)
    if isinstance(value, Rejection):
        return Rejection(value.position, value.reason, value.detail, point)
    events = obj.get("events")
    if events is None:
        return RawReading(position, point, ts, value)
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        return Rejection(position, "events", "events must be a list of event names", point)
    wrong = sorted(set(events) - set(EVENT_KINDS))
    if wrong:
        return Rejection(position, "events", f"unknown event(s) {', '.join(w[:40] for w in wrong)} "
                                             f"(known: {', '.join(EVENT_KINDS)})", point)
    return RawReading(position, point, ts, value, events=tuple((e, {"source": "json"}) for e in dict.fromkeys(events)))


def frame_from_object(obj: dict, position: str) -> RawReading | Rejection:
    """A meter frame in a JSON body: ``{"protocol": "cjt188", "ts": "...", "frame": "68 … 16"}`` (the frame as an
    MQTT ``frames/<protocol>`` message carries it; here ``ts`` is required). Decoded as the MQTT frames are
    (topics.frame_reading): the reading names the meter address, and ingest finds the sender's point for it."""
    from .topics import frame_reading

    unknown = set(obj) - {"protocol", "ts", "frame"}
    if unknown:
        return Rejection(position, "unknown_field", f"unknown field(s) {', '.join(sorted(unknown))} in a frame item")
    protocol = obj.get("protocol")
    if protocol not in ("dlt645", "cjt188"):
        return Rejection(position, "protocol", "a frame item names its protocol: dlt645 or cjt188")
    if "ts" not in obj or not isinstance(obj.get("frame"), str):
        return Rejection(position, "missing", "a frame item has ts and frame (hex)")
    ts = parse_ts(obj["ts"], position)
    if isinstance(ts, Rejection):
        return ts
    _kind, address, reading, rejection = frame_reading(protocol, orjson.dumps({"frame": obj["frame"]}), ts, position)
    if rejection is not None:
        return Rejection(rejection.position, rejection.reason, rejection.detail, address)
    return reading


def _json_type(obj) -> str:
    return {list: "an array", str: "a string", int: "a number", float: "a number", bool: "a boolean",
            type(None): "null"}.get(type(obj), type(obj).__name__)


def sniff(body: bytes, content_type: str = "") -> str:
    ct = content_type.split(";")[0].strip().lower()
    if ct in ("application/x-ndjson", "application/ndjson", "application/jsonl", "application/json-seq"):
        return "ndjson"
    if ct in ("text/csv", "application/csv"):
        return "csv"
    head = body.lstrip()[:1]
    if head == b"[":
        return "json"
    if head == b"{":
        return "ndjson"
    if ct == "application/json":
        return "json"
    return "csv"


def parse_body(body: bytes, content_type: str = "") -> tuple[list[RawReading], list[Rejection], int]:
    """Read a whole HTTP or file body; returns (readings, rejections, rows seen)."""
    fmt = sniff(body, content_type)
    if fmt == "json":
        return parse_json_array(body)
    if fmt == "ndjson":
        return parse_ndjson(body)
    return parse_csv(body)


def parse_json_array(body: bytes) -> tuple[list[RawReading], list[Rejection], int]:
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError("json", f"the body is not valid JSON: {exc}") from exc
    if isinstance(doc, dict):
        doc = [doc]
    if not isinstance(doc, list):
        raise PayloadError("json", f"expected a JSON array of readings, got {_json_type(doc)}")
    ok, bad = [], []
    for i, obj in enumerate(doc, start=1):
        r = reading_from_object(obj, f"item {i}")
        (bad if isinstance(r, Rejection) else ok).append(r)
    return ok, bad, len(doc)


def parse_ndjson(body: bytes) -> tuple[list[RawReading], list[Rejection], int]:
    ok, bad, seen = [], [], 0
    for n, line in enumerate(body.split(b"\n"), start=1):
        if not line.strip():
            continue
        seen += 1
        position = f"line {n}"
        try:
            obj = orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            bad.append(Rejection(position, "json", f"not valid JSON: {exc}"))
            continue
        r = reading_from_object(obj, position)
        (bad if isinstance(r, Rejection) else ok).append(r)
    return ok, bad, seen


def parse_csv(body: bytes) -> tuple[list[RawReading], list[Rejection], int]:
    """CSV with a header naming ``point``, ``ts`` and ``value`` (any order, other columns refused)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise PayloadError("encoding", f"the CSV body is not UTF-8 (undecodable byte at position {exc.start})") from exc
    return parse_csv_lines(io.StringIO(text))


def parse_csv_lines(stream, first_row: int = 1, header: list[str] | None = None
                    ) -> tuple[list[RawReading], list[Rejection], int]:
    reader = csv.reader(stream)
    if header is None:
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise PayloadError("csv", "the CSV body is empty: the first row must be the header point,ts,value") from None
        first_row += 1
    check_csv_header(header)
    idx = {name: header.index(name) for name in ("point", "ts", "value")}
    ok, bad, seen = [], [], 0
    for n, row in enumerate(reader, start=first_row):
        if not any(c.strip() for c in row):
            continue
        seen += 1
        position = f"row {n}"
        if len(row) != len(header):
            bad.append(Rejection(position, "csv", f"{len(row)} fields, the header has {len(header)}"))
            continue
        r = reading_from_object({k: row[i] for k, i in idx.items()}, position, from_text=True)
        (bad if isinstance(r, Rejection) else ok).append(r)
    return ok, bad, seen


def check_csv_header(header: list[str]) -> None:
    if sorted(header) != ["point", "ts", "value"]:
        raise PayloadError("csv", f"the CSV header must name point, ts and value; got {','.join(header)[:200]!r}")


@dataclass(frozen=True, slots=True)
class FramePayload:
    """An MQTT frame message: the frame's hex and the reading time (None: use the time of receipt)."""

    frame: str
    ts: dt.datetime | None


def parse_frame_payload(payload: bytes) -> FramePayload | Rejection:
    """``{"ts": "...", "frame": "68 ... 16"}`` or the bare hex of one frame (issue #5)."""
    text = payload.strip()
    if text.startswith(b"{"):
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            return Rejection("message", "json", f"not valid JSON: {exc}")
        if not isinstance(obj, dict) or not isinstance(obj.get("frame"), str):
            return Rejection("message", "not_object", 'expected {"ts": "...", "frame": "68 … 16"}')
        ts = None
        if obj.get("ts") is not None:
            ts = parse_ts(obj["ts"], "message")
            if isinstance(ts, Rejection):
                return ts
        return FramePayload(obj["frame"], ts)
    try:
        return FramePayload(text.decode("ascii"), None)
    except UnicodeDecodeError:
        return Rejection("message", "hex", "a bare frame is hex text (ASCII)")


def is_gzip(body: bytes) -> bool:
    return body.startswith(GZIP_MAGIC)


__all__ = ["FramePayload", "PayloadError", "RawReading", "Rejection", "gunzip", "parse_body", "parse_csv",
           "parse_csv_lines", "parse_frame_payload", "parse_json_array", "parse_ndjson", "parse_ts", "parse_value",
           "reading_from_object", "sniff"]
