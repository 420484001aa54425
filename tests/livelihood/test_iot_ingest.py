"""Smart household meters through the telemetry ingest: the household point's rules, provisioning, real CJ/T 188 and
DL/T 645 frames over HTTP and over a real Mosquitto carrying the meters' events, JSON ``events``, and a frame of an
unregistered meter rejected with its position and reason while the rest of the batch is kept."""

from __future__ import annotations

import json
import socket
import time
import uuid

import paho.mqtt.client as mqtt
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from tests.conftest import _user, client_for
from tests.livelihood.iot_world import ADDRESS, build, counter_frame, day, energy_frame, water_frame

from jiliang.core.audit import audit_context
from jiliang.core.roles import Role
from jiliang.livelihood.iot_services import provision_household_points
from jiliang.telemetry.ingest import ingest
from jiliang.telemetry.models import Anomaly, AnomalyState, MeteringPoint, Reading
from jiliang.telemetry.parsing import parse_json_array
from jiliang.telemetry.protocols import dlt645
from jiliang.telemetry.topics import groups_from_messages

URL = "/api/telemetry/readings"
COVER, MAGNET = 0x03300D00, 0x03350000


def post(client, rows):
    return client.generic("POST", URL, json.dumps(rows), content_type="application/json")


def open_kinds(point) -> dict[str, int]:
    return dict(Anomaly.objects.filter(point=point, state=AnomalyState.OPEN).values_list("kind", "occurrences"))


# --- the household point --------------------------------------------------------------------------------------


def test_household_points_belong_to_utilities_and_read_daily(lworld):
    m = lworld.meter()
    base = {"code": "X", "name": "x", "energy_type": "water", "unit": "m³", "meter": m.instrument}
    MeteringPoint(enterprise=lworld.water_ks, role="household", interval_seconds=86400, **base).clean()
    with pytest.raises(ValidationError) as exc:  # a utility has no energy metering points of its own
        MeteringPoint(enterprise=lworld.water_ks, role="enterprise_in", interval_seconds=900, **base).clean()
    assert "enterprise" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # 86400 s is for household points only
        MeteringPoint(enterprise=lworld.world.ent_ks, role="enterprise_in", interval_seconds=86400, code="Y",
                      name="y", energy_type="water", unit="m³").clean()
    assert "interval_seconds" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:  # a household point is a utility's
        MeteringPoint(enterprise=lworld.world.ent_ks, role="household", interval_seconds=86400, code="Z",
                      name="z", energy_type="water", unit="m³").clean()
    assert exc.value.message_dict["enterprise"] == ["只有公用事业单位才有户用表计量点。"]
    with translation.override("en"):
        assert exc.value.message_dict["enterprise"] == ["Only a utility has points for household meters."]


def test_provisioning_skips_with_reasons_and_checks_scope(lworld):
    a, b, c, d = lworld.meter(), lworld.meter(), lworld.meter(), lworld.meter()
    e = lworld.meter(utility=lworld.power_ks, kind="electricity")
    admin = lworld.admin
    with audit_context(actor=admin, channel="command"), translation.override("en"):
        first = provision_household_points([a], actor=admin, addresses={a.instrument_id: "78330000000001"})
        assert [p.meter_address for p in first.created] == ["78330000000001"]
        p = first.created[0]
        assert (p.role, p.interval_seconds, p.protocol, p.enterprise_id, p.required_for_online) == (
            "household", 86400, "cjt188", lworld.water_ks.pk, False)
        again = provision_household_points(
            [a, b, c, d, e], actor=admin,
            addresses={b.instrument_id: "78330000000001", c.instrument_id: "1234", e.instrument_id: "000000000099"})
    skipped = {m.instrument_id: (f, reason) for m, f, reason in again.skipped}
    assert skipped[a.instrument_id] == ("meter", "The meter already has a household point.")
    assert skipped[b.instrument_id][0] == "meter_address"  # taken by a
    assert skipped[c.instrument_id][0] == "meter_address"  # not 14 digits
    assert {p.meter_id: (p.protocol, p.meter_address) for p in again.created} == {
        d.instrument_id: ("", ""), e.instrument_id: ("dlt645", "000000000099")}
    # a utility provisions its own meters only
    with audit_context(actor=lworld.users["water_ks"], channel="web"), pytest.raises(PermissionDenied):
        provision_household_points([lworld.meter(utility=lworld.power_ks, kind="electricity")],
                                   actor=lworld.users["water_ks"])


# --- HTTP ----------------------------------------------------------------------------------------------------


def test_http_frames_carry_the_status_bits_and_an_unregistered_meter_is_rejected(lworld):
    w = build(lworld)
    client = client_for(lworld.users["water_ks"])
    rows = [
        {"protocol": "cjt188", "ts": day(2).isoformat(), "frame": water_frame(ADDRESS["w1"], "10.50")},
        {"protocol": "cjt188", "ts": day(1).isoformat(),
         "frame": water_frame(ADDRESS["w1"], "10.90", valve="closed", battery_low=True)},
        {"protocol": "cjt188", "ts": day(1).isoformat(), "frame": water_frame("78339999999999", "1.00")},
        {"point": w.points["w2"].code, "ts": day(1).isoformat(), "value": 3.5},
    ]
    r = post(client, rows)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["counts"] == {"accepted": 3, "duplicate": 0, "conflict": 0, "rejected": 1}
    [bad] = [x for x in body["results"] if x["status"] == "rejected"]
    assert bad["position"] == "item 3" and bad["reason"] == "unknown_meter" and bad["point"] == "78339999999999"
    assert "has no point with cjt188 meter 78339999999999" in bad["detail"]
    assert Reading.objects.filter(point=w.points["w1"]).count() == 2
    assert Reading.objects.filter(point=w.points["w2"]).count() == 1
    assert open_kinds(w.points["w1"]) == {"valve_closed": 1, "battery_low": 1}
    a = Anomaly.objects.get(point=w.points["w1"], kind="valve_closed")
    assert a.enterprise_id == lworld.water_ks.pk and a.evidence["first"]["st"] == "60 00".replace(" ", "")
    # the same frame again: a duplicate, no new occurrence; a later closed-valve reading adds one to the open anomaly
    again = post(client, [rows[1], {"protocol": "cjt188", "ts": day(0).isoformat(),
                                    "frame": water_frame(ADDRESS["w1"], "11.20", valve="closed")}]).json()
    assert again["counts"]["duplicate"] == 1 and again["counts"]["accepted"] == 1
    assert open_kinds(w.points["w1"]) == {"valve_closed": 2, "battery_low": 1}


def test_http_dlt645_energy_and_event_counters(lworld):
    w = build(lworld)
    power = _user("power_ks", Role.ENTERPRISE, "320583", lworld.power_ks)
    client = client_for(power)
    rows = [
        {"protocol": "dlt645", "ts": day(1).isoformat(), "frame": energy_frame(ADDRESS["e1"], "120.50")},
        {"protocol": "dlt645", "ts": day(1).isoformat(), "frame": counter_frame(ADDRESS["e1"], COVER, 2)},
        {"protocol": "dlt645", "ts": day(1).isoformat(), "frame": counter_frame(ADDRESS["e2"], MAGNET, 1)},
        {"protocol": "dlt645", "ts": day(1).isoformat(), "frame": counter_frame(ADDRESS["e2"], COVER, 0)},
        {"protocol": "dlt645", "ts": day(1).isoformat(), "frame": energy_frame("000000009999", "1.00")},
        # a water meter's frame sent by the power utility: not its meter
        {"protocol": "cjt188", "ts": day(1).isoformat(), "frame": water_frame(ADDRESS["w1"], "1.00")},
    ]
    body = post(client, rows).json()
    assert body["counts"] == {"accepted": 4, "duplicate": 0, "conflict": 0, "rejected": 2}
    assert {x["position"]: x["reason"] for x in body["results"] if x["status"] == "rejected"} == {
        "item 5": "unknown_meter", "item 6": "unknown_meter"}
    assert list(Reading.objects.filter(point=w.points["e1"]).values_list("value", flat=True)) == [120.5]
    assert not Reading.objects.filter(point=w.points["e2"]).exists()  # counters are not register readings
    assert open_kinds(w.points["e1"]) == {"cover_opened": 1}
    assert open_kinds(w.points["e2"]) == {"magnetic_tamper": 1}  # a zero count raises nothing
    cover = Anomaly.objects.get(point=w.points["e1"], kind="cover_opened")
    assert cover.evidence["first"] == {"ts": day(1).isoformat(), "source": "dlt645", "di": "03300D00", "count": 2}


def test_the_event_counter_frames_decode():
    frame = dlt645.decode(counter_frame("000000000011", COVER, 12))
    assert (frame.di_text, frame.quantity, frame.value, frame.unit) == ("03300D00", "cover_opened_count", 12, "times")
    assert dlt645.EVENT_COUNTERS[frame.di] == "cover_opened"


def test_json_events_are_checked(lworld):
    w = build(lworld)
    code = w.points["w3"].code
    ok, bad, _ = parse_json_array(json.dumps([
        {"point": code, "ts": day(1).isoformat(), "value": 1, "events": ["battery_low", "battery_low"]},
        {"point": code, "ts": day(1).isoformat(), "value": 1, "events": ["door_open"]},
        {"point": code, "ts": day(1).isoformat(), "value": 1, "events": "battery_low"},
        {"protocol": "cjt188", "frame": water_frame(ADDRESS["w3"], "1.00")},
        {"protocol": "modbus", "ts": day(1).isoformat(), "frame": "68"},
    ]).encode())
    assert [r.events for r in ok] == [(("battery_low", {"source": "json"}),)]
    assert [(x.position, x.reason) for x in bad] == [("item 2", "events"), ("item 3", "events"),
                                                     ("item 4", "missing"), ("item 5", "protocol")]
    assert "door_open" in bad[0].detail


# --- MQTT, through a real broker -------------------------------------------------------------------------------


def _broker() -> None:
    try:
        with socket.create_connection(("127.0.0.1", 1883), timeout=2):
            pass
    except OSError as exc:
        pytest.fail(f"Mosquitto is not reachable on 127.0.0.1:1883 ({exc}); the MQTT tests need it")


@pytest.mark.mqtt
def test_mqtt_frames_and_readings_of_household_meters(lworld):
    """Published to Mosquitto on the topics of the utilities' USCCs, received by a subscriber as ``ingest-mqtt``
    subscribes, routed by topics.groups_from_messages and stored by ingest, as ``ingest-mqtt`` does per batch."""
    _broker()
    w = build(lworld)
    prefix = f"jltest{uuid.uuid4().hex[:8]}"
    water, power = lworld.water_ks.uscc, lworld.power_ks.uscc
    messages = [
        (f"{prefix}/{water}/frames/cjt188", json.dumps({"ts": day(1).isoformat(),
                                                        "frame": water_frame(ADDRESS["w4"], "77.00", battery_low=True)})),
        (f"{prefix}/{water}/frames/cjt188", water_frame("78339999999998", "5.00")),  # unregistered meter, bare hex
        (f"{prefix}/{power}/frames/dlt645", json.dumps({"ts": day(1).isoformat(),
                                                        "frame": counter_frame(ADDRESS["e1"], COVER, 1)})),
        (f"{prefix}/{power}/readings", json.dumps([{"point": w.points["e2"].code, "ts": day(0).isoformat(),
                                                    "value": 88.0, "events": ["magnetic_tamper"]}])),
        (f"{prefix}/{lworld.world.ent_ks.uscc}/readings", "[]"),  # not a key consumer nor a utility: unroutable
    ]
    received = []
    sub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-sub")
    sub.on_message = lambda c, u, msg: received.append((msg.mid, msg.topic, msg.payload))
    sub.connect("127.0.0.1", 1883)
    sub.loop_start()
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"{prefix}-pub")
    try:
        result, _mid = sub.subscribe([(t, 1) for t in (f"{prefix}/+/readings", f"{prefix}/+/frames/+")])
        assert result == mqtt.MQTT_ERR_SUCCESS
        time.sleep(0.5)  # SUBACK
        pub.connect("127.0.0.1", 1883)
        pub.loop_start()
        for topic, payload in messages:
            pub.publish(topic, payload, qos=1).wait_for_publish(5)
        deadline = time.monotonic() + 10
        while len(received) < len(messages) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        pub.loop_stop()
        pub.disconnect()
        sub.loop_stop()
        sub.disconnect()
    assert len(received) == len(messages)
    groups, unroutable = groups_from_messages(received, timezone.now(), prefix)
    assert [u[2] for u in unroutable] == ["unknown_enterprise"]
    with audit_context(actor=None, channel="mqtt"):
        results = ingest(groups, channel="mqtt")
    by_org = {r.batch.enterprise_id: r for r in results}
    water_rows = by_org[lworld.water_ks.pk].rows
    assert sorted(r.status for r in water_rows) == ["accepted", "rejected"]
    [bad] = [r for r in water_rows if r.status == "rejected"]
    assert bad.reason == "unknown_meter" and bad.position.startswith("message ") and bad.point == "78339999999998"
    assert by_org[lworld.power_ks.pk].batch.accepted == 2
    assert open_kinds(w.points["w4"]) == {"battery_low": 1}
    assert open_kinds(w.points["e1"]) == {"cover_opened": 1}
    assert open_kinds(w.points["e2"]) == {"magnetic_tamper": 1}
    assert Reading.objects.filter(point=w.points["w4"]).count() == 1
