"""IoT part of the demo province: a share of each utility's household meters become smart meters that report daily.

Runs after the household meters' demo (order 60), which registers the meters; without household meters it does
nothing. For each utility, :data:`SHARE` of its meters in service (at most :data:`PER_UTILITY` × scale, the meters
past their service life first, so that some of them are still reporting) get a household metering point
(iot_services.provision; electricity meters with a DL/T 645 address, water and gas meters with a CJ/T 188 one).
Each then reports a daily reading at 08:00 (00:00 UTC) for :data:`DAYS` days through the telemetry ingest (channel
``demo``; readings are few, a few thousand per utility, so no bulk path is needed), except:

* about :data:`SILENT` of them stopped reporting 3 to 20 days ago (silent);
* a few carry events on their last readings: valve closed and battery low (water and gas meters, as CJ/T 188 status
  bits do), magnetic tampering and cover opened (electricity meters, as DL/T 645 event counters do; on other meters
  when a utility has no electricity meter).

The shares and daily consumptions are the demo's own choices, not figures of any regulation.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from jiliang.telemetry.ingest import Group, directory, ingest
from jiliang.telemetry.parsing import RawReading

from .iot_services import PROTOCOL, provision
from .models import HouseholdMeter, MeterKind

SHARE = 0.4
PER_UTILITY = 60
DAYS = 60
SILENT = 0.1
PAST_LIFE = 3  # meters past their service life taken first among each utility's smart meters
DAILY = {MeterKind.WATER: (0.2, 0.6), MeterKind.GAS: (0.5, 1.5), MeterKind.ELECTRICITY: (4.0, 12.0)}
CENT = Decimal("0.01")


def address(meter: HouseholdMeter) -> str:
    """A made-up meter address of the right shape: 12 digits (DL/T 645) or maker 7833 + 10 digits (CJ/T 188)."""
    if PROTOCOL[meter.kind] == "dlt645":
        return f"{meter.instrument_id % 10**12:012d}"
    return f"7833{meter.instrument_id % 10**10:010d}"


def choose(meters: list[HouseholdMeter], today: dt.date, limit: int) -> list[HouseholdMeter]:
    past = [m for m in meters if m.rotation_due and m.rotation_due < today][:PAST_LIFE]
    rest = [m for m in meters if m not in past]
    n = max(0, min(limit, round(len(meters) * SHARE)) - len(past))
    return past + rest[:n]


def events_for(smart: list[HouseholdMeter], rng) -> dict[int, list[str]]:
    """instrument id → the events its last reading carries: two meters per event kind and utility where possible."""
    out: dict[int, list[str]] = defaultdict(list)
    flow = [m for m in smart if m.kind in (MeterKind.WATER, MeterKind.GAS)] or smart
    power = [m for m in smart if m.kind == MeterKind.ELECTRICITY] or smart
    for kinds, pool in ((("valve_closed", "battery_low"), flow), (("magnetic_tamper", "cover_opened"), power)):
        for kind in kinds:
            for m in rng.sample(pool, min(2, len(pool))):
                out[m.instrument_id].append(kind)
    return out


def build(ctx: dict, rng, scale: int, progress) -> None:
    by_utility: dict[int, list[HouseholdMeter]] = defaultdict(list)
    for m in (HouseholdMeter.objects.filter(retired_on__isnull=True, instrument__metering_points__isnull=True)
              .select_related("instrument").order_by("utility_id", "instrument_id")):
        by_utility[m.utility_id].append(m)
    if not by_utility:
        return
    now = timezone.now()
    today = timezone.localdate(now)
    end = now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=dt.UTC)  # 08:00 Beijing time, on the grid
    if end > now:
        end -= dt.timedelta(days=1)
    total, points, readings = len(by_utility), 0, 0
    progress(0, total)
    for k, (_utility, meters) in enumerate(sorted(by_utility.items())):
        smart = choose(meters, today, PER_UTILITY * max(1, scale))
        done = provision(smart, addresses={m.instrument_id: address(m) for m in smart})
        points += len(done.created)
        by_meter = {p.meter_id: p for p in done.created}
        smart = [m for m in smart if m.instrument_id in by_meter]
        if not smart:
            progress(k + 1, total)
            continue
        quiet = [m for m in smart if not (m.rotation_due and m.rotation_due < today)]  # past-life meters report
        silent = {m.instrument_id for m in rng.sample(quiet, min(len(quiet), max(1, round(len(smart) * SILENT))))}
        events = events_for([m for m in smart if m.instrument_id not in silent], rng)
        rows = []
        for m in smart:
            point = by_meter[m.instrument_id]
            low, high = DAILY[m.kind]
            value = Decimal(rng.randint(0, 2000))
            last = end - dt.timedelta(days=rng.randint(3, 20)) if m.instrument_id in silent else end
            for i in range(DAYS, -1, -1):
                t = end - dt.timedelta(days=i)
                if t > last:
                    break
                value = (value + Decimal(repr(rng.uniform(low, high)))).quantize(CENT)
                kinds = events[m.instrument_id] if t == last else ()
                rows.append(RawReading(f"{point.code} {i}", point.code, t, value,
                                       events=tuple((e, {"source": "demo"}) for e in kinds)))
        org = done.created[0].enterprise
        directory.clear()
        ingest([Group(org, rows, reference="demo household meters")], channel="demo", received_at=now)
        readings += len(rows)
        progress(k + 1, total)
    ctx["household_points"] = points
    ctx["household_readings"] = readings
