"""The one ingest pipeline of HTTP, MQTT and file readings: validate, deduplicate, store, roll up, flag.

Readings arrive as plain values (:class:`~jiliang.telemetry.parsing.RawReading`) grouped by the enterprise
that sent them (the token's organisation, or the USCC of the MQTT topic). :func:`ingest` then

1. resolves each point code, or a frame's meter address, within that enterprise only (:class:`PointDirectory`,
   for every channel; a code of another enterprise is an unknown point: the sender is not authorised for it),
   checks the time (not in the future beyond
   ``JILIANG_TELEMETRY_FUTURE_TOLERANCE_S``, not before 2000) and the value (below the register capacity);
2. makes sure the PostgreSQL month partitions exist (in their own short transaction);
3. in one transaction: locks the points' :class:`PointState` rows (ordered, so concurrent ingest processes
   serialise per point and never deadlock), tells new readings from duplicates and conflicts — a reading
   after the point's last time is new without a lookup; the others are looked up by (point, ts) per batch —
   stores the new ones in bulk (COPY on PostgreSQL), keeps conflicts for review, adds the consumption deltas
   to the hourly, daily and monthly rollups of the point and its enterprise (incremental upserts, out-of-order
   readings split the interval they fall in), raises anomalies, and writes one :class:`IngestBatch` and one
   audit entry per group.

Nothing here calls ``full_clean()``, ``save()`` per row or signals (STYLE.md practice 12, NetBox #19321).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from jiliang.core import audit
from jiliang.core.bulk import copy_rows, fewer_collections
from jiliang.core.values.chunks import chunks
from jiliang.core.values.decimals import decimal_text
from jiliang.telemetry.energy import CoefficientError, to_tce
from jiliang.telemetry.energy.coefficients import UNIT_FACTORS, equal_price_for_year

from . import partitions, rollups
from .consumption import LOCAL, Delta, Event, PointParams, delta, misaligned, relative_u, spike_limit
from .models import (
    Anomaly,
    AnomalyKind,
    AnomalyState,
    IngestBatch,
    MeteringPoint,
    PointRole,
    PointState,
    Reading,
    ReadingConflict,
)
from .parsing import RawReading, Rejection

OLDEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
MAX_REJECTIONS_KEPT = 1000
POINT_CACHE_TTL_S = 60.0

# GB/T 2589 energy and default variant per energy type of a point (telemetry/energy/data/gbt2589-2020.json).
GBT2589_ENERGY = {
    "electricity": ("electricity", None), "natural_gas": ("natural_gas", "gas_field"), "coal": ("raw_coal", None),
    "steam": ("steam", "low_pressure_legacy"), "heat": ("heat", None), "water": ("new_water", "annex_b_2008"),
    "diesel": ("diesel", None), "gasoline": ("gasoline", None),
}
# Units a point may use that the coefficient table names differently (1 m³ of water taken as 1 t).
UNIT_FOR_TCE = {("water", "m³"): "t", ("water", "m3"): "t"}


class Status:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class PointInfo:
    id: int
    code: str
    enterprise_id: int
    energy_type: str
    unit: str
    interval: int
    sign: int  # +1 enterprise in, -1 enterprise out, 0 not in the enterprise total
    params: PointParams
    tce_equivalent: Decimal | None  # tce per unit of consumption
    tce_equal_price: Decimal | None
    active: bool
    lapsed: str = ""  # why the meter's verification has lapsed (checks.lapsed_meters), "" if it has not
    kwh_per_unit: Decimal | None = None  # electricity points: kWh per unit, for the yearly equal-price value

    def equal_price_factor(self, at: dt.datetime) -> Decimal | None:
        """tce (equal-price value) per unit of consumption for a reading at ``at``: for electricity the
        coefficient of the reading's local year (:func:`yearly_equal_price`), otherwise the point's fixed one."""
        if self.kwh_per_unit is None:
            return self.tce_equal_price
        # the year of the interval that ends at ``at``, as the rollups file it (a reading at midnight on
        # 1 January closes the last interval of the old year)
        year = (at - dt.timedelta(microseconds=1)).astimezone(LOCAL).year
        applied = equal_price_for_year(yearly_equal_price(), year)
        if applied is None:
            return self.tce_equal_price
        return self.kwh_per_unit * applied[1] / 1000


_yearly: tuple[float, dict[int, Decimal]] | None = None
_yearly_lock = threading.Lock()


def yearly_equal_price() -> dict[int, Decimal]:
    """Year → equal-price coefficient of electricity (kgce/kWh) from :class:`EqualPriceElectricity`, read at
    most once per ``POINT_CACHE_TTL_S`` per process; :func:`forget_yearly_equal_price` clears it at once."""
    global _yearly
    entry = _yearly
    if entry is None or time.monotonic() - entry[0] > POINT_CACHE_TTL_S:
        from .models import EqualPriceElectricity

        with _yearly_lock:
            entry = _yearly = (time.monotonic(),
                               dict(EqualPriceElectricity.objects.values_list("year", "kgce_per_kwh")))
    return entry[1]


def forget_yearly_equal_price() -> None:
    global _yearly
    _yearly = None


@lru_cache(maxsize=256)
def tce_factors(energy_type: str, unit: str, variant: str) -> tuple[Decimal | None, Decimal | None]:
    """tce per unit of consumption of a point, (equivalent value, equal-price value), GB/T 2589."""
    mapping = GBT2589_ENERGY.get(energy_type)
    if not mapping:
        return None, None
    energy, variant = mapping[0], (variant or mapping[1])
    unit = UNIT_FOR_TCE.get((energy_type, unit), unit)
    try:
        eq = to_tce(1, unit, energy, variant=variant).tce
    except CoefficientError:
        try:
            eq = to_tce(1, unit, energy).tce
        except CoefficientError:
            eq = None
    try:
        ep = to_tce(1, unit, energy, basis="equal_price").tce
    except CoefficientError:
        ep = eq  # GB/T 2589: where no equal-price value is given (primary energy) it equals the equivalent
    return eq, ep


# The fields of a point that ingest needs, read as plain values (no model instances on the hot path).
POINT_FIELDS = ("id", "code", "enterprise_id", "energy_type", "unit", "interval_seconds", "role", "multiplier",
                "register_capacity", "rated_capacity", "accuracy_class", "meter__accuracy_class",
                "coefficient_variant", "active", "meter_id", "protocol", "meter_address")


def point_info(p: dict, lapsed: str = "") -> PointInfo:
    """What ingest needs of a point, from the values of ``POINT_FIELDS``."""
    accuracy = p["meter__accuracy_class"] or p["accuracy_class"]
    eq, ep = tce_factors(p["energy_type"], p["unit"], p["coefficient_variant"] or "")
    sign = {PointRole.ENTERPRISE_IN: 1, PointRole.ENTERPRISE_OUT: -1}.get(p["role"], 0)
    kwh = UNIT_FACTORS["kWh"].get(p["unit"]) if p["energy_type"] == "electricity" else None
    return PointInfo(
        id=p["id"], code=p["code"], enterprise_id=p["enterprise_id"], energy_type=p["energy_type"], unit=p["unit"],
        interval=p["interval_seconds"], sign=sign,
        params=_params(p["multiplier"], p["register_capacity"], p["rated_capacity"], accuracy or ""),
        tce_equivalent=eq, tce_equal_price=ep, active=p["active"], lapsed=lapsed, kwh_per_unit=kwh,
    )


@lru_cache(maxsize=4096)
def _params(multiplier, register_capacity, rated_capacity, accuracy: str) -> PointParams:
    return PointParams(multiplier=multiplier, register_capacity=register_capacity, rated_capacity=rated_capacity,
                       relative_u=relative_u(accuracy))


class PointDirectory:
    """Point codes and frame addresses of each enterprise, cached per process for ``POINT_CACHE_TTL_S``."""

    def __init__(self):
        self._by_enterprise: dict[int, tuple[float, dict[str, PointInfo], dict[tuple[str, str], PointInfo]]] = {}

    def clear(self) -> None:
        self._by_enterprise.clear()

    def _load(self, enterprise_id: int):
        from .checks import lapsed_meters

        by_code, by_address = {}, {}
        points = list(MeteringPoint.objects.filter(enterprise_id=enterprise_id).values(*POINT_FIELDS))
        # Household meters are verified once and rotated (livelihood): their service life is the livelihood
        # app's rotation list, not the key energy consumers' lapsed-verification anomaly.
        lapsed = lapsed_meters(p["meter_id"] for p in points if p["role"] != PointRole.HOUSEHOLD)
        for p in points:
            info = point_info(p, lapsed.get(p["meter_id"], ""))
            by_code[p["code"]] = info
            if p["meter_address"]:
                by_address[(p["protocol"], p["meter_address"])] = info
        entry = (time.monotonic(), by_code, by_address)
        self._by_enterprise[enterprise_id] = entry
        return entry

    def _entry(self, enterprise_id: int, fresh: bool = False):
        entry = self._by_enterprise.get(enterprise_id)
        if fresh or entry is None or time.monotonic() - entry[0] > POINT_CACHE_TTL_S:
            entry = self._load(enterprise_id)
        return entry

    def codes(self, enterprise_id: int) -> dict[str, PointInfo]:
        """The enterprise's points by code as cached now (look a missing code up with :meth:`by_code`)."""
        return self._entry(enterprise_id)[1]

    def by_code(self, enterprise_id: int, code: str) -> PointInfo | None:
        entry = self._entry(enterprise_id)
        info = entry[1].get(code)
        if info is None and time.monotonic() - entry[0] > 1.0:  # a point added since: look again, at most 1/s
            info = self._entry(enterprise_id, fresh=True)[1].get(code)
        return info

    def by_address(self, enterprise_id: int, protocol: str, address: str) -> PointInfo | None:
        entry = self._entry(enterprise_id)
        info = entry[2].get((protocol, address))
        if info is None and time.monotonic() - entry[0] > 1.0:
            info = self._entry(enterprise_id, fresh=True)[2].get((protocol, address))
        return info

    def resolve(self, enterprise_id: int, reading: RawReading) -> PointInfo | None:
        """The point a reading is for: by the frame's meter address, or by the point code."""
        if reading.protocol:
            return self.by_address(enterprise_id, reading.protocol, reading.point)
        return self.by_code(enterprise_id, reading.point)


directory = PointDirectory()


class EnterpriseDirectory:
    """Key energy-consuming enterprises (and utilities, for their household meters) by USCC, cached per process for ``POINT_CACHE_TTL_S``: with
    :class:`PointDirectory`, the one place where every channel (HTTP, MQTT, files) resolves what it sends to."""

    def __init__(self):
        self._cache: dict[str, tuple[float, object | None]] = {}

    def clear(self) -> None:
        self._cache.clear()

    def get(self, uscc: str):
        from jiliang.registry.models import Organisation

        from .models import KEY_ENERGY_DESIGNATION, UTILITY_KIND

        hit = self._cache.get(uscc)
        if hit and time.monotonic() - hit[0] < POINT_CACHE_TTL_S:
            return hit[1]
        org = (Organisation.objects.select_related("region").filter(uscc=uscc).filter(
               Q(designations__code=KEY_ENERGY_DESIGNATION) | Q(kind=UTILITY_KIND)).first())
        self._cache[uscc] = (time.monotonic(), org)
        return org


enterprises = EnterpriseDirectory()


@dataclass
class Group:
    """The readings of one sender (enterprise) in one HTTP body, MQTT flush group or file chunk."""

    enterprise: object  # registry.Organisation
    readings: list[RawReading]
    rejections: list[Rejection] = field(default_factory=list)
    reference: str = ""
    sender: object | None = None  # core.User


@dataclass
class RowResult:
    position: str
    point: str
    status: str
    reason: str = ""
    detail: str = ""

    def as_dict(self) -> dict:
        d = {"position": self.position, "point": self.point, "status": self.status}
        if self.reason:
            d["reason"], d["detail"] = self.reason, self.detail
        return d


@dataclass
class GroupResult:
    batch: IngestBatch
    rows: list[RowResult]

    @property
    def counts(self) -> dict:
        b = self.batch
        return {"accepted": b.accepted, "duplicate": b.duplicate, "conflict": b.conflict, "rejected": b.rejected}


@dataclass
class _Anomalies:
    items: dict[tuple[int, str], dict] = field(default_factory=dict)

    def add(self, info: PointInfo, kind: str, at: dt.datetime, evidence: dict) -> None:
        key = (info.id, kind)
        entry = self.items.get(key)
        if entry is None:
            self.items[key] = {"info": info, "first": at, "last": at, "count": 1, "first_evidence": evidence,
                               "last_evidence": evidence}
        else:
            entry["count"] += 1
            entry["first"], entry["last"] = min(entry["first"], at), max(entry["last"], at)
            entry["last_evidence"] = evidence


def ingest(groups: list[Group], *, channel: str, received_at: dt.datetime | None = None) -> list[GroupResult]:
    """Run the pipeline for every group in one transaction; returns per-group batches and row results."""
    with fewer_collections():
        return _ingest(groups, channel, received_at)


def _ingest(groups: list[Group], channel: str, received_at: dt.datetime | None) -> list[GroupResult]:
    now = received_at or timezone.now()
    tolerance = dt.timedelta(seconds=settings.JILIANG_TELEMETRY_FUTURE_TOLERANCE_S)
    anomalies = _Anomalies()
    prepared = []
    months = set()
    for g in groups:
        rows: list[RowResult] = [RowResult(r.position, r.point, Status.REJECTED, r.reason, r.detail)
                                 for r in g.rejections]
        good: list[tuple[RawReading, PointInfo]] = []
        seen: dict[tuple[int, dt.datetime], Decimal] = {}
        codes = directory.codes(g.enterprise.pk)
        for r in g.readings:
            info = (None if r.protocol else codes.get(r.point)) or directory.resolve(g.enterprise.pk, r)
            if info is not None and r.protocol:  # from here on a frame's reading names its point, like the others
                r = RawReading(r.position, info.code, r.ts, r.value, events=r.events)
            reject = None
            if info is None or info.enterprise_id != g.enterprise.pk:
                reject = _unknown(g.enterprise, r)
            elif not info.active:
                reject = ("inactive_point", f"metering point {r.point!r} is not active")
            elif r.ts > now + tolerance:
                reject = ("future", f"ts {r.ts.isoformat()} is more than {tolerance.seconds} s after the time of "
                                    f"receipt {now.isoformat(timespec='seconds')}")
                anomalies.add(info, AnomalyKind.FUTURE, now, {"ts": r.ts.isoformat(), "received": now.isoformat()})
            elif r.ts < OLDEST:
                reject = ("too_old", f"ts {r.ts.isoformat()} is before 2000-01-01")
            elif r.value is None:  # events only (a DL/T 645 event counter): no reading to store
                for kind, evidence in r.events:
                    anomalies.add(info, kind, r.ts, {"ts": r.ts.isoformat(), **evidence})
                rows.append(RowResult(r.position, r.point, Status.ACCEPTED))
                continue
            elif info.params.register_capacity is not None and r.value >= info.params.register_capacity:
                reject = ("value_range", f"value {r.value} is not below the register capacity "
                                         f"{info.params.register_capacity}")
            if reject:
                rows.append(RowResult(r.position, r.point, Status.REJECTED, *reject))
                continue
            key = (info.id, r.ts)
            if key in seen:  # twice in one batch: the first one counts
                same = seen[key] == r.value
                rows.append(RowResult(r.position, r.point, Status.DUPLICATE if same else Status.REJECTED,
                                      "" if same else "conflict_in_batch",
                                      "" if same else f"the same batch gives {seen[key]} for this time"))
                continue
            seen[key] = r.value
            good.append((r, info))
            months.add(partitions.month_start(r.ts))
        prepared.append((g, rows, good))
    partitions.ensure_months(months)
    with transaction.atomic():
        results = _store(prepared, channel, now, anomalies)
    return results


def _unknown(enterprise, r: RawReading) -> tuple[str, str]:
    if r.protocol:
        return "unknown_meter", f"enterprise {enterprise.uscc} has no point with {r.protocol} meter {r.point}"
    return "unknown_point", f"enterprise {enterprise.uscc} has no metering point {r.point!r}"


def _store(prepared, channel: str, now: dt.datetime, anomalies: _Anomalies) -> list[GroupResult]:
    all_good = [(r, info) for _, _, good in prepared for r, info in good]
    point_ids = sorted({info.id for _, info in all_good})
    states = _lock_states(point_ids)
    # Which readings need a lookup: those not after the point's last stored time.
    lookup = [(info.id, r.ts) for r, info in all_good
              if states[info.id].last_ts is not None and r.ts <= states[info.id].last_ts]
    existing = _existing(lookup)
    results, new_by_point, conflicts_by_group = [], defaultdict(list), []
    batches = []
    for g, rows, good in prepared:
        new, conflicts = [], []
        for r, info in good:
            stored = existing.get((info.id, r.ts))
            if stored is None:
                new.append((r, info))
                rows.append(RowResult(r.position, r.point, Status.ACCEPTED))
                for kind, evidence in r.events:  # the meter's events (docs/livelihood-iot.md)
                    anomalies.add(info, kind, r.ts, {"ts": r.ts.isoformat(), **evidence})
                if info.lapsed:  # stored all the same: the data exist, the regulator must see where from
                    anomalies.add(info, AnomalyKind.VERIFICATION, r.ts, {"ts": r.ts.isoformat(),
                                                                         "reason": info.lapsed})
            elif stored == r.value:
                rows.append(RowResult(r.position, r.point, Status.DUPLICATE))
            else:
                conflicts.append((r, info, stored))
                rows.append(RowResult(r.position, r.point, Status.CONFLICT, "conflict",
                                      f"{stored} is stored for this time; {r.value} was kept for review"))
                anomalies.add(info, AnomalyKind.CONFLICT, now, {"ts": r.ts.isoformat(), "stored": _num(stored),
                                                                "received": _num(r.value)})
        counts = defaultdict(int)
        for row in rows:
            counts[row.status] += 1
        rejections = [{"position": x.position, "point": x.point, "reason": x.reason, "detail": x.detail}
                      for x in rows if x.status == Status.REJECTED]
        batch = IngestBatch(received_at=now, sender=g.sender if getattr(g.sender, "pk", None) else None,
                            enterprise=g.enterprise, channel=channel, reference=g.reference[:200],
                            accepted=counts[Status.ACCEPTED], duplicate=counts[Status.DUPLICATE],
                            rejected=counts[Status.REJECTED], conflict=counts[Status.CONFLICT],
                            rejections=rejections[:MAX_REJECTIONS_KEPT],
                            rejections_truncated=len(rejections) > MAX_REJECTIONS_KEPT)
        batches.append(batch)
        conflicts_by_group.append(conflicts)
        results.append(GroupResult(batch, rows))
        for r, info in new:
            new_by_point[info.id].append((r, info, batch))
    IngestBatch.objects.bulk_create(batches)
    # Conflicts, kept for review.
    ReadingConflict.objects.bulk_create([
        ReadingConflict(point_id=info.id, ts=r.ts, stored_value=stored, received_value=r.value, received_at=now,
                        source=channel, batch=batch)
        for batch, conflicts in zip(batches, conflicts_by_group) for r, info, stored in conflicts
    ])
    _roll_up(new_by_point, states, now, anomalies)  # reads the stored neighbours: before the insert
    _insert_readings([(info.id, r.ts, r.value, batch.pk) for pts in new_by_point.values()
                      for r, info, batch in pts], now, channel)
    _save_anomalies(anomalies)
    audit.record_many([{"obj": b, "action": "action",
                        "message": f"{b.get_channel_display()} ingest {b.reference}: {b.accepted} accepted, "
                                   f"{b.duplicate} duplicate, {b.conflict} conflict, {b.rejected} rejected"}
                       for b in batches])
    return results


@dataclass(slots=True)
class _State:
    """A point's :class:`PointState` row, locked for this transaction, as plain values."""

    point_id: int
    last_ts: dt.datetime | None
    last_value: Decimal | None
    last_received: dt.datetime | None
    stuck_count: int


STATE_COLUMNS = ("point_id", "last_ts", "last_value", "last_received", "stuck_count")
PG_LOCK_STATES = ["INSERT INTO telemetry_pointstate (point_id, stuck_count) SELECT unnest(%s::bigint[]), 0 "
                  "ON CONFLICT (point_id) DO NOTHING",
                  "SELECT point_id, last_ts, last_value, last_received, stuck_count FROM telemetry_pointstate "
                  "WHERE point_id = ANY(%s::bigint[]) ORDER BY point_id FOR UPDATE"]


def _lock_states(point_ids: list[int]) -> dict[int, _State]:
    """Create the missing state rows and lock all of them, in point order (no deadlock between processes)."""
    if not point_ids:
        return {}
    if connection.vendor == "postgresql":
        ids = _columns([(p,) for p in point_ids], 1)
        with connection.cursor() as cur:
            cur.execute(PG_LOCK_STATES[0], ids)
            cur.execute(PG_LOCK_STATES[1], ids)
            return {row[0]: _State(*row) for row in cur.fetchall()}
    states = {}
    for chunk in chunks(point_ids, 2000):
        PointState.objects.bulk_create([PointState(point_id=p) for p in chunk], ignore_conflicts=True)
        for row in PointState.objects.select_for_update().filter(point_id__in=chunk).order_by("point_id") \
                .values_list(*STATE_COLUMNS):
            states[row[0]] = _State(*row)
    return states


def _existing(keys: list[tuple[int, dt.datetime]]) -> dict[tuple[int, dt.datetime], Decimal]:
    found = {}
    for chunk in chunks(sorted(set(keys)), 500):
        for point_id, ts, value in Reading.objects.filter(pk__in=chunk).values_list("point_id", "ts", "value"):
            found[(point_id, ts)] = value
    return found


def _insert_readings(rows: list[tuple[int, dt.datetime, Decimal, int]], now: dt.datetime, channel: str) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql" and len(rows) >= 50:
        with connection.cursor() as cur:
            # psycopg 3 COPY: the fastest way into PostgreSQL; duplicates were excluded under the row locks.
            copy_rows(cur, "telemetry_reading", ("point_id", "ts", "value", "received_at", "source", "batch_id"),
                      ((point_id, ts, value, now, channel, batch_id) for point_id, ts, value, batch_id in rows))
        return
    Reading.objects.bulk_create([Reading(point_id=p, ts=ts, value=v, received_at=now, source=channel, batch_id=b)
                                 for p, ts, v, b in rows], batch_size=2000)


def _neighbours(point_id: int, lo: dt.datetime, hi: dt.datetime) -> list[tuple[dt.datetime, Decimal]]:
    """Stored readings of a point from the last one before ``lo`` to the first one after ``hi``."""
    qs = Reading.objects.filter(point_id=point_id)
    inside = list(qs.filter(ts__gte=lo, ts__lte=hi).order_by("ts").values_list("ts", "value"))
    before = qs.filter(ts__lt=lo).order_by("-ts").values_list("ts", "value")[:1]
    after = qs.filter(ts__gt=hi).order_by("ts").values_list("ts", "value")[:1]
    return [*before, *inside, *after]


def _deltas(info: PointInfo, seq: list[tuple[dt.datetime, Decimal]]) -> list[Delta]:
    return [delta(info.params, t0, r0, t1, r1) for (t0, r0), (t1, r1) in zip(seq, seq[1:])]


def _roll_up(new_by_point, states: dict[int, _State], now: dt.datetime, anomalies: _Anomalies) -> None:
    inc = rollups.Increments()
    align_tolerance = settings.JILIANG_TELEMETRY_ALIGNMENT_TOLERANCE_S
    stuck_limit = getattr(settings, "JILIANG_TELEMETRY_STUCK_READINGS", 96)
    changed_states = []
    for point_id, items in new_by_point.items():
        info = items[0][1]
        state = states[point_id]
        new = sorted((r.ts, r.value) for r, _, _ in items)
        if state.last_ts is None:
            old_seq: list = []
            merged = new
        elif new[0][0] > state.last_ts:
            old_seq = [(state.last_ts, state.last_value)]
            merged = old_seq + new
        else:  # some readings fall before the last one: recompute only the intervals they split
            hi = min(max(t for t, _ in new), state.last_ts)
            old_seq = _neighbours(point_id, new[0][0], hi)
            merged = sorted(old_seq + new)
        old_deltas = _deltas(info, old_seq)
        new_deltas = _deltas(info, merged)
        old_keys = {(d.start, d.end) for d in old_deltas}
        for sign, ds in ((-1, old_deltas), (1, new_deltas)):
            for d in ds:
                inc.delta(info, d, sign)
        # Readings count toward completeness (and alignment) in the period they end.
        for ts, _ in new:
            inc.reading(info, ts, misaligned(ts, info.interval, align_tolerance))
        for d in new_deltas:
            if (d.start, d.end) in old_keys:
                continue
            _check(info, d, anomalies, now)
        # State: last reading and the stuck-register counter (consecutive unchanged values).
        last_ts, last_value = merged[-1]
        if state.last_ts is None or last_ts > state.last_ts:
            stuck = state.stuck_count
            prev_value = state.last_value
            for ts, value in (new if state.last_ts is None or new[0][0] > state.last_ts else new[-1:]):
                stuck = stuck + 1 if prev_value is not None and value == prev_value else 0
                prev_value = value
                if stuck == stuck_limit:
                    anomalies.add(info, AnomalyKind.STUCK, ts, {"value": _num(value), "readings": stuck,
                                                                "until": ts.isoformat()})
            state.last_ts, state.last_value, state.stuck_count = last_ts, last_value, stuck
        state.last_received = now
        changed_states.append(state)
    # The rows exist (created in _lock_states): an upsert writes them in one statement per chunk, where
    # bulk_update's CASE WHEN per row costs seconds for thousands of points.
    if connection.vendor == "postgresql" and changed_states:
        with connection.cursor() as cur:
            cur.execute(PG_STATE_SQL, _columns([(s.point_id, s.last_ts, s.last_value, s.last_received, s.stuck_count)
                                                for s in changed_states], 5))
    else:
        PointState.objects.bulk_create([PointState(**{c: getattr(s, c) for c in STATE_COLUMNS}) for s in changed_states],
                                       update_conflicts=True, unique_fields=["point"],
                                       update_fields=["last_ts", "last_value", "last_received", "stuck_count"],
                                       batch_size=2000)
    rollups.write(inc)


EVENT_ANOMALY = {Event.REVERSE: AnomalyKind.REVERSE_FLOW, Event.RESET: AnomalyKind.METER_RESET,
                 Event.ROLLOVER: AnomalyKind.ROLLOVER}


def _check(info: PointInfo, d: Delta, anomalies: _Anomalies, now: dt.datetime) -> None:
    def evidence() -> dict:
        return {"from": d.start.isoformat(), "to": d.end.isoformat(), "register_delta": _num(d.register_delta),
                "consumption": _num(d.consumption)}

    if d.event:
        anomalies.add(info, EVENT_ANOMALY[d.event], d.end, evidence())
    limit = spike_limit(info.params, d)
    if limit is not None and d.consumption > limit:
        anomalies.add(info, AnomalyKind.SPIKE, d.end, {**evidence(), "limit": _num(limit)})
    span = (d.end - d.start).total_seconds()
    if span > 2 * info.interval:
        anomalies.add(info, AnomalyKind.GAP, d.end, {"from": d.start.isoformat(), "to": d.end.isoformat(),
                                                     "missing": int(span // info.interval) - 1})


PG_STATE_SQL = """UPDATE telemetry_pointstate AS s SET last_ts = v.last_ts, last_value = v.last_value,
    last_received = v.last_received, stuck_count = v.stuck_count
    FROM unnest(%s::bigint[], %s::timestamptz[], %s::numeric[], %s::timestamptz[], %s::integer[])
    AS v(point_id, last_ts, last_value, last_received, stuck_count) WHERE s.point_id = v.point_id"""

def _columns(rows: list[tuple], n: int) -> list[str]:
    """One PostgreSQL array literal per column: sent as text and parsed by the server, which is several times
    faster than adapting every element of a list parameter in Python."""
    if not rows:
        return ["{}"] * n
    return ["{" + ",".join(_pg_elem(v) for v in col) + "}" for col in zip(*rows)]


def _pg_elem(v) -> str:
    if v is None:
        return "NULL"
    if isinstance(v, dt.datetime):
        return '"' + v.isoformat() + '"'
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(v)


def _save_anomalies(anomalies: _Anomalies) -> None:
    if not anomalies.items:
        return
    point_ids = sorted({p for p, _ in anomalies.items})
    current = {}
    for a in Anomaly.objects.filter(point_id__in=point_ids, state__in=[AnomalyState.OPEN, AnomalyState.ACKNOWLEDGED]):
        current.setdefault((a.point_id, a.kind), a)
    create, update = [], []
    for (point_id, kind), e in sorted(anomalies.items.items()):
        a = current.get((point_id, kind))
        if a is None:
            create.append(Anomaly(point_id=point_id, enterprise_id=e["info"].enterprise_id, kind=kind,
                                  first_seen=e["first"], last_seen=e["last"], occurrences=e["count"],
                                  evidence={"first": e["first_evidence"], "last": e["last_evidence"]}))
        else:
            a.occurrences += e["count"]
            a.last_seen = max(a.last_seen, e["last"])
            a.evidence = {**(a.evidence or {}), "last": e["last_evidence"]}
            update.append(a)
    Anomaly.objects.bulk_create(create)
    Anomaly.objects.bulk_update(update, ["occurrences", "last_seen", "evidence"])


_num = decimal_text



