"""CJ/T 188-2004 codec against the published vectors W1–W5 and H1 of shared/reference/protocols-energy-dcc.md §2.5,
a constructed heat-meter reply, vendor profiles, encoders and malformed input."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from jiliang.telemetry.protocols import FrameError, Reading, cjt188

W1 = "FE FE FE FE 68 10 44 33 22 11 00 33 78 01 03 1F 90 00 80 16"
W2 = ("FE FE FE FE 68 10 44 33 22 11 00 33 78 81 16 1F 90 00 00 77 66 55 2C 00 77 66 55 2C "
      "31 01 22 11 05 15 20 21 84 13 16")  # CS corrected to 13 as the reference says
W2_AS_PUBLISHED = W2[:-5] + "08 16"       # the source prints CS 08: a bad-checksum vector
W3 = "68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16"
W4 = ("FE FE FE 68 10 12 00 00 00 00 00 00 81 16 90 1F 00 10 00 10 00 2C 10 00 10 00 2C "
      "00 00 00 00 00 00 00 00 FF 67 16")
W5 = "FE FE FE FE 68 AA AA AA AA AA AA AA AA 03 03 81 0A 00 49 16"
H1 = "FE FE FE FE 68 20 32 41 31 40 00 00 00 01 03 90 1F 01 20 16"
# Constructed heat-meter reply to H1's meter (payload layout of §2.4 / cj188.h HEAT_* offsets), CS computed
# independently: settlement heat 12345.67 kWh, current heat 12400.00 kWh, power 12.34 kW, flow 0.5678 m³/h,
# cumulative flow 345.67 m³, supply 65.43 °C, return 45.21 °C, 1234 h, 2024-01-15 08:30:00, ST 40 00.
HEAT_REPLY = ("68 20 32 41 31 40 00 00 00 81 2E 1F 90 01 67 45 23 01 05 00 00 24 01 05 34 12 00 00 17 "
              "78 56 00 00 35 67 45 03 00 2C 43 65 00 21 45 00 34 12 00 00 30 08 15 01 24 20 40 00 2B 16")
HI_FIRST = cjt188.Cjt188Profile(name="aixiwang", di_low_first=False)


def independent_checksum(frame_hex: str) -> int:
    raw = bytes.fromhex(frame_hex)
    start = raw.index(0x68)
    return sum(raw[start:-2]) % 256


@pytest.mark.parametrize("frame", [W1, W2, W3, W4, W5, H1, HEAT_REPLY])
def test_vector_checksums(frame):
    assert independent_checksum(frame) == bytes.fromhex(frame)[-2]


def test_w1_read_request_water_meter():
    f = cjt188.decode(W1)
    assert f.meter_type == 0x10 and f.medium == "water" and f.meter_type_info.name == "cold_water"
    assert f.address == "78330011223344" and f.meter_number == "0011223344" and f.maker_code == "7833"
    assert f.control == 0x01 and not f.is_reply and f.di == 0x901F and f.di_wire == "1F90" and f.ser == 0
    assert f.preamble == 4 and f.readings == () and f.value is None


def test_w2_reply_with_corrected_checksum():
    f = cjt188.decode(W2)
    assert f.control == 0x81 and f.is_reply and not f.is_error
    assert f.address == "78330011223344" and f.meter_number == "0011223344" and f.maker_code == "7833"
    assert f.cumulative_flow == Decimal("556677.00") and str(f.cumulative_flow) == "556677.00"
    assert f.cumulative_flow_unit == "m³"
    assert f.settlement_flow == Decimal("556677.00") and f.settlement_flow_unit == "m³"
    assert f.real_time == datetime(2015, 5, 11, 22, 1, 31) and f.real_time.tzinfo is None
    assert f.status.raw == bytes.fromhex("2184") and f.status.vendor == 0x84
    assert f.status.valve == "open" and f.status.battery_low is True  # 0x21: bits 7..6 = 00, bit 5 = 1
    assert (f.quantity, f.value, f.unit) == ("cumulative_flow", Decimal("556677.00"), "m³")
    assert f.readings == (Reading("cumulative_flow", Decimal("556677.00"), "m³"),
                          Reading("settlement_day_flow", Decimal("556677.00"), "m³"))


def test_w2_as_published_is_a_checksum_error():
    with pytest.raises(FrameError) as e:
        cjt188.decode(W2_AS_PUBLISHED)
    assert (e.value.reason, e.value.offset) == ("checksum", 37)
    assert str(e.value) == "checksum mismatch at byte 37: frame says 0x08, computed 0x13"


def test_w3_di_in_90_1f_order():
    f = cjt188.decode(W3)
    assert f.address == "00000000000012" and f.di == 0x901F and f.di_wire == "901F" and f.preamble == 0


def test_w4_reply_hi_first_di_and_zero_clock():
    f = cjt188.decode(W4)
    assert f.di == 0x901F and f.di_wire == "901F" and f.preamble == 3
    assert f.cumulative_flow == Decimal("1000.10") and f.settlement_flow == Decimal("1000.10")
    assert f.real_time is None  # the meter sends seven zero bytes: no clock
    assert f.status.raw == b"\x00\xff" and f.status.valve == "open" and not f.status.battery_low


def test_w5_read_address_broadcast():
    f = cjt188.decode(W5)
    assert f.meter_type == 0xAA and f.address == "AAAAAAAAAAAAAA" and f.medium is None
    assert f.control == 0x03 and f.di == 0x810A and f.di_wire == "810A" and f.ser == 0


def test_h1_read_heat_meter():
    f = cjt188.decode(H1)
    assert f.meter_type == 0x20 and f.medium == "heat"
    assert f.meter_number == "0040314132" and f.maker_code == "0000" and f.ser == 1 and f.di == 0x901F


def test_heat_reply():
    f = cjt188.decode(HEAT_REPLY)
    assert (f.quantity, f.value, f.unit) == ("current_heat", Decimal("12400.00"), "kWh")
    assert [(r.quantity, str(r.value), r.unit) for r in f.readings] == [
        ("settlement_day_heat", "12345.67", "kWh"), ("current_heat", "12400.00", "kWh"),
        ("heat_power", "12.34", "kW"), ("flow_rate", "0.5678", "m³/h"), ("cumulative_flow", "345.67", "m³"),
        ("supply_temperature", "65.43", "°C"), ("return_temperature", "45.21", "°C"), ("working_hours", "1234", "h")]
    assert f.cumulative_flow == Decimal("345.67") and f.settlement_flow is None
    assert f.real_time == datetime(2024, 1, 15, 8, 30, 0)
    assert f.status.valve == "closed" and not f.status.battery_low


def test_cooling_meter_names_its_energy():
    raw = bytearray.fromhex(HEAT_REPLY)
    raw[1] = 0x21
    raw[-2] = (raw[-2] + 1) % 256
    f = cjt188.decode(bytes(raw))
    assert f.quantity == "current_cooling" and f.readings[0].quantity == "settlement_day_cooling"


def test_hundredfold_unit_codes_are_multiplied_out():
    frame = cjt188.encode_frame(0x20, "00000040314132", 0x81, bytes.fromhex(HEAT_REPLY)[11:-2].replace(
        bytes.fromhex("67452301 05"), bytes.fromhex("67452301 0A")))
    assert cjt188.decode(frame).readings[0] == Reading("settlement_day_heat", Decimal("1234567.00"), "MWh")


# --- profiles and encoders ---------------------------------------------------------------------------


def test_encoders_reproduce_published_requests():
    assert cjt188.encode_request(0x10, "78330011223344", preamble=4) == bytes.fromhex(W1)
    assert cjt188.encode_request(0x10, "00000000000012", profile=HI_FIRST) == bytes.fromhex(W3)
    assert cjt188.encode_request(0x20, "00000040314132", ser=1, profile=cjt188.JY, preamble=4) == bytes.fromhex(H1)
    assert cjt188.encode_request(0xAA, "AAAAAAAAAAAAAA", control=0x03, di=0x810A, profile=HI_FIRST,
                                 preamble=4) == bytes.fromhex(W5)


def test_encode_flow_reply_reproduces_w2_and_w4():
    w2 = cjt188.encode_flow_reply(
        0x10, "78330011223344", cumulative_flow=Decimal("556677.00"), settlement_flow="556677",
        real_time=datetime(2015, 5, 11, 22, 1, 31), status=bytes.fromhex("2184"), preamble=4)
    assert w2 == bytes.fromhex(W2)
    w4 = cjt188.encode_flow_reply(0x10, "00000000000012", cumulative_flow="1000.10", settlement_flow="1000.1",
                                  status=b"\x00\xff", profile=HI_FIRST, preamble=3)
    assert w4 == bytes.fromhex(W4)


def test_status_bytes():
    assert cjt188.status_bytes() == b"\x00\x00"
    assert cjt188.status_bytes("closed", battery_low=True, vendor=0x84) == bytes.fromhex("6084")
    assert cjt188.status_bytes("abnormal") == b"\xc0\x00"
    for valve in ("open", "closed", "abnormal"):
        for low in (False, True):
            frame = cjt188.encode_flow_reply(0x30, "00000000000001", cumulative_flow=1, settlement_flow=0,
                                             status=cjt188.status_bytes(valve, low))
            st = cjt188.decode(frame).status
            assert (st.valve, st.battery_low) == (valve, low)


def test_undefined_valve_pattern_is_reported_not_coerced():
    frame = cjt188.encode_flow_reply(0x10, "00000000000001", cumulative_flow=1, settlement_flow=0,
                                     status=b"\x80\x00")
    assert cjt188.decode(frame).status.valve == "undefined"


def test_profile_status_masks():
    low_bits = cjt188.Cjt188Profile(name="low-bits", valve_mask=0x03, battery_mask=0x04)
    frame = cjt188.encode_flow_reply(0x10, "00000000000001", cumulative_flow=1, settlement_flow=0,
                                     status=cjt188.status_bytes("closed", True, profile=low_bits))
    assert frame[-4:-2] == b"\x05\x00"
    st = cjt188.decode(frame, low_bits).status
    assert (st.valve, st.battery_low) == ("closed", True)


def test_jy_profile_unit_before_value():
    frame = cjt188.encode_flow_reply(0x10, "00000000000012", cumulative_flow="12.34", settlement_flow="10",
                                     real_time=datetime(2024, 2, 29, 23, 59, 59), profile=cjt188.JY)
    assert frame[11:19] == bytes.fromhex("901F 00 2C 34120000")  # DI 90 1F, SER, unit, value
    f = cjt188.decode(frame, cjt188.JY)
    assert (f.cumulative_flow, f.settlement_flow) == (Decimal("12.34"), Decimal("10.00"))
    assert f.real_time == datetime(2024, 2, 29, 23, 59, 59)
    with pytest.raises(FrameError):  # read with the wrong profile: the unit byte is not BCD
        cjt188.decode(frame)


def test_profile_validation():
    with pytest.raises(ValueError):
        cjt188.Cjt188Profile(valve_mask=0)
    with pytest.raises(ValueError):
        cjt188.Cjt188Profile(heat_decimals=(2, 2))


def test_flow_reply_round_trip_with_units_and_gas():
    frame = cjt188.encode_flow_reply(0x30, "12345678901234", cumulative_flow="999999.99", settlement_flow="0.01",
                                     unit_code=0x29, settlement_unit_code=0x2C, ser=7)
    f = cjt188.decode(frame)
    assert f.medium == "gas" and f.ser == 7
    assert (f.cumulative_flow, f.cumulative_flow_unit) == (Decimal("999999.99"), "L")
    assert (f.settlement_flow, f.settlement_flow_unit) == (Decimal("0.01"), "m³")


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"cumulative_flow": "-1"}, "value"),
    ({"cumulative_flow": "1000000"}, "value"),
    ({"cumulative_flow": "0.001"}, "value"),
    ({"cumulative_flow": 0.5}, "value"),
    ({"unit_code": 0x99}, "unit"),
    ({"status": b"\x00"}, "value"),
    ({"ser": 256}, "value"),
    ({"real_time": "2015-05-11"}, "datetime"),
])
def test_flow_reply_refuses_bad_fields(kwargs, reason):
    args = {"cumulative_flow": "1", "settlement_flow": "1", **kwargs}
    with pytest.raises(FrameError) as e:
        cjt188.encode_flow_reply(0x10, "00000000000001", **args)
    assert e.value.reason == reason


def test_flow_reply_refuses_heat_meter_type_and_bad_address():
    with pytest.raises(FrameError) as e:
        cjt188.encode_flow_reply(0x20, "00000000000001", cumulative_flow=1, settlement_flow=1)
    assert e.value.reason == "meter_type"
    with pytest.raises(FrameError) as e:
        cjt188.encode_request(0x10, "0000000000001")
    assert e.value.reason == "address"
    with pytest.raises(FrameError) as e:
        cjt188.encode_request(0x10, "00000000000001", di=0x1234)
    assert e.value.reason == "unknown_di"


# --- malformed input --------------------------------------------------------------------------------


def mutate(frame_hex: str, offset: int, byte: int, fix: bool = True) -> bytes:
    raw = bytearray.fromhex(frame_hex)
    raw[offset] = byte
    if fix:
        start = raw.index(0x68)
        raw[-2] = sum(raw[start:-2]) % 256
    return bytes(raw)


@pytest.mark.parametrize("cut", [1, 4, 10, 14, 20, 38])
def test_truncated(cut):
    with pytest.raises(FrameError) as e:
        cjt188.decode(bytes.fromhex(W2)[:cut])
    assert (e.value.reason, e.value.offset) == ("truncated", cut)


def test_wrong_end_byte():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 38, 0x61, fix=False))
    assert (e.value.reason, e.value.offset) == ("end_byte", 38)


def test_trailing_bytes():
    with pytest.raises(FrameError) as e:
        cjt188.decode(W3 + " 00")
    assert (e.value.reason, e.value.offset) == ("length", 10)


def test_wrong_start_byte():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W3, 0, 0x86, fix=False))
    assert (e.value.reason, e.value.offset) == ("start_byte", 0)


def test_unknown_di():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W3, 11, 0x91))
    assert (e.value.reason, e.value.offset) == ("unknown_di", 11)
    assert "91 1F" in str(e.value)


def test_bcd_digit_above_nine_in_flow():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 20, 0x7A))  # cumulative flow byte 2: 77 → 7A
    assert (e.value.reason, e.value.offset) == ("bcd", 20)
    assert "0xA > 9 at byte 20" in str(e.value)


def test_bcd_in_address():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W1, 8, 0x2F))
    assert (e.value.reason, e.value.offset) == ("bcd", 8)


def test_unknown_unit_code():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 22, 0x2D))  # unit byte after the cumulative flow
    assert (e.value.reason, e.value.offset) == ("unit", 22)


def test_invalid_clock():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 32, 0x13))  # month 13; the clock field is bytes 28–34
    assert (e.value.reason, e.value.offset) == ("datetime", 28)
    assert "2015" not in str(e.value) and "31 01 22 11 13 15 20" in str(e.value)
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 30, 0x2A))  # hour 2A: not BCD
    assert (e.value.reason, e.value.offset) == ("bcd", 30)


def test_unknown_meter_type():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W3, 1, 0x50))
    assert (e.value.reason, e.value.offset) == ("meter_type", 1)


def test_electricity_meter_has_no_901f_layout():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W2, 5, 0x40))
    assert (e.value.reason, e.value.offset) == ("meter_type", 5)


def test_water_reply_with_wrong_length():
    frame = cjt188.encode_frame(0x10, "00000000000012", 0x81, bytes.fromhex(W4)[14:-3])
    with pytest.raises(FrameError) as e:
        cjt188.decode(frame)
    assert (e.value.reason, e.value.offset) == ("length", 10)


def test_unknown_control_code():
    with pytest.raises(FrameError) as e:
        cjt188.decode(mutate(W3, 9, 0x05))
    assert (e.value.reason, e.value.offset) == ("control", 9)


def test_abnormal_reply_and_other_functions_are_uninterpreted():
    f = cjt188.decode(cjt188.encode_frame(0x10, "00000000000012", 0xC1, bytes.fromhex("1F90 00 0100")))
    assert f.is_error and f.di is None and f.data == bytes.fromhex("1F90000100")
    f = cjt188.decode(cjt188.encode_frame(0x10, "00000000000012", 0x84, bytes.fromhex("A017 00")))
    assert f.function == 0x04 and f.di is None


@pytest.mark.parametrize(("text", "reason"), [("", "empty"), ("68 1", "hex"), ("68 xx", "hex"), ("FE FE", "truncated")])
def test_bad_input(text, reason):
    with pytest.raises(FrameError) as e:
        cjt188.decode(text)
    assert e.value.reason == reason
