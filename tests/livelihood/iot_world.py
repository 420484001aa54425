"""Smart household meters on top of ``lworld`` (tests/livelihood/conftest.py), with a hand count of their status.

``iot_world`` registers meters through the livelihood service, provisions their household points through
iot_services and sends their readings through the telemetry ingest (HTTP, MQTT or frames: the tests say which).
Times are relative to now: the status counts readings within ``JILIANG_LIVELIHOOD_IOT_SILENT_DAYS`` (2) of now.

Kunshan water (water_ks): w1 reporting, valve closed (CJ/T 188 frame); w2 silent (last reading 5 days ago); w3 a
point that never reported (silent); w4 past its service life, reporting, battery low (CJ/T 188 frame); w5 no point.
Kunshan power (power_ks): e1 reporting, cover opened (DL/T 645 event counter); e2 reporting, magnetic tampering
(JSON ``events``). Xuanwu water (water_xw): x1 reporting. Xuanwu gas (gas_xw): g1 without a point.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.utils import timezone

from jiliang.core.audit import audit_context
from jiliang.livelihood.iot_services import provision_household_points
from jiliang.telemetry.ingest import Group, directory, enterprises, ingest
from jiliang.telemetry.parsing import RawReading
from jiliang.telemetry.protocols import cjt188, dlt645

ADDRESS = {"w1": "78330000000001", "w2": "78330000000002", "w3": "78330000000003", "w4": "78330000000004",
           "e1": "000000000011", "e2": "000000000012", "x1": "78330000000021"}
# hand count: utility → (registered, with a point, reporting, silent, past life reporting, alarms)
EXPECTED = {
    "water_ks": (5, 4, 2, 2, 1, {"valve_closed": 1, "battery_low": 1, "magnetic_tamper": 0, "cover_opened": 0}),
    "power_ks": (2, 2, 2, 0, 0, {"valve_closed": 0, "battery_low": 0, "magnetic_tamper": 1, "cover_opened": 1}),
    "water_xw": (1, 1, 1, 0, 0, {"valve_closed": 0, "battery_low": 0, "magnetic_tamper": 0, "cover_opened": 0}),
    "gas_xw": (1, 0, 0, 0, 0, {"valve_closed": 0, "battery_low": 0, "magnetic_tamper": 0, "cover_opened": 0}),
}
# which utilities each role sees on the status page and API (written by hand)
SEES = {"province": {"water_ks", "power_ks", "water_xw", "gas_xw"}, "suzhou": {"water_ks", "power_ks"},
        "kunshan": {"water_ks", "power_ks"}, "xuanwu": {"water_xw", "gas_xw"}, "water_ks": {"water_ks"}}
REFUSED = {"institute", "enterprise", "market_ks"}


def day(n: int) -> dt.datetime:
    """00:00 UTC (08:00 in Beijing: on the daily grid) ``n`` days before today's."""
    now = timezone.now()
    return now.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=dt.UTC) - dt.timedelta(days=n)


def water_frame(address: str, value: str, *, valve: str = "open", battery_low: bool = False) -> str:
    return cjt188.encode_flow_reply(0x10, address, cumulative_flow=Decimal(value), settlement_flow=Decimal(value),
                                    status=cjt188.status_bytes(valve, battery_low)).hex(" ").upper()


def energy_frame(address: str, value: str) -> str:
    return dlt645.encode_read_reply(address, 0x00010000, Decimal(value)).hex(" ").upper()


def counter_frame(address: str, di: int, count: int) -> str:
    return dlt645.encode_read_reply(address, di, count).hex(" ").upper()


def build(lworld):
    admin = lworld.admin
    m = {f"w{i}": lworld.meter() for i in (1, 2, 3, 5)}
    # first verified in 2019: DN20 water, 6 years (JJG 162 row), rotate by the end of 2024, before the fixture's today
    m["w4"] = lworld.meter(first_verified_on=dt.date(2019, 1, 10), first_result="pass",
                           installed_on=dt.date(2019, 2, 1))
    m["e1"] = lworld.meter(utility=lworld.power_ks, kind="electricity")
    m["e2"] = lworld.meter(utility=lworld.power_ks, kind="electricity")
    m["x1"] = lworld.meter(utility=lworld.water_xw, region="320102")
    m["g1"] = lworld.meter(utility=lworld.gas_xw, kind="gas", region="320102")
    with audit_context(actor=admin, channel="command"):
        done = provision_household_points([m[k] for k in ("w1", "w2", "w3", "w4", "e1", "e2", "x1")], actor=admin,
                                          addresses={m[k].instrument_id: a for k, a in ADDRESS.items()})
    assert not done.skipped, done.skipped
    points = {k: next(p for p in done.created if p.meter_id == m[k].instrument_id) for k in ADDRESS}
    directory.clear()
    enterprises.clear()
    return SimpleNamespace(meters=m, points=points, lworld=lworld, admin=admin)


def report(w) -> None:
    """Readings of the hand count through ingest, as plain values (tests of the channels send their own)."""
    p = w.points
    groups = {
        w.lworld.water_ks.pk: (w.lworld.water_ks, [
            RawReading("1", p["w1"].code, day(2), Decimal("10.5")),
            RawReading("2", p["w1"].code, day(1), Decimal("10.9"), events=(("valve_closed", {"source": "test"}),)),
            RawReading("3", p["w2"].code, day(6), Decimal("3.1")), RawReading("4", p["w2"].code, day(5), Decimal("3.4")),
            RawReading("5", p["w4"].code, day(1), Decimal("77.0"), events=(("battery_low", {"source": "test"}),)),
        ]),
        w.lworld.power_ks.pk: (w.lworld.power_ks, [
            RawReading("1", p["e1"].code, day(1), Decimal("120.5"), events=(("cover_opened", {"source": "test"}),)),
            RawReading("2", p["e2"].code, day(0), Decimal("88.0"), events=(("magnetic_tamper", {"source": "test"}),)),
        ]),
        w.lworld.water_xw.pk: (w.lworld.water_xw, [RawReading("1", p["x1"].code, day(1), Decimal("5.0"))]),
    }
    with audit_context(actor=None, channel="command"):
        ingest([Group(org, rows, reference="test") for org, rows in groups.values()], channel="file")
