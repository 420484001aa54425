"""DL/T 645-2007 codec against the published vectors V1–V13 of shared/reference/protocols-energy-dcc.md §1.4,
constructed vectors (error replies, signed values), encoders and malformed input."""

from __future__ import annotations

import pickle
from decimal import Decimal

import pytest

from jiliang.telemetry.protocols import FrameError, Reading, dlt645

# (frame, address, control, DI, quantity, value, unit, preamble) — decoded values as the reference states them.
PUBLISHED = {
    "V1": ("68 25 04 03 02 01 00 68 11 04 33 33 34 33 E1 16",
           "000102030425", 0x11, 0x00010000, "forward_active_energy_total", None, "kWh", 0),
    "V2": ("68 25 04 03 02 01 00 68 91 08 33 33 34 33 75 39 45 33 8B 16",
           "000102030425", 0x91, 0x00010000, "forward_active_energy_total", "1206.42", "kWh", 0),
    "V3": ("68 61 01 00 00 00 00 68 11 04 33 33 34 33 14 16",
           "000000000161", 0x11, 0x00010000, "forward_active_energy_total", None, "kWh", 0),
    "V4": ("68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A 16",
           "000000000161", 0x91, 0x00010000, "forward_active_energy_total", "0.26", "kWh", 0),
    "V5": ("68 61 01 00 00 00 00 68 91 08 33 33 35 33 59 34 33 33 8C 16",
           "000000000161", 0x91, 0x00020000, "reverse_active_energy_total", "1.26", "kWh", 0),
    "V6": ("68 61 01 00 00 00 00 68 91 08 33 33 36 33 59 33 34 33 8D 16",
           "000000000161", 0x91, 0x00030000, "combined_reactive_1_energy_total", "100.26", "kvarh", 0),
    "V7": ("68 61 01 00 00 00 00 68 11 04 33 34 34 35 17 16",
           "000000000161", 0x11, 0x02010100, "voltage_a", None, "V", 0),
    "V8": ("68 61 01 00 00 00 00 68 91 06 33 34 34 35 34 43 10 16",
           "000000000161", 0x91, 0x02010100, "voltage_a", "100.1", "V", 0),
    "V9": ("68 01 00 00 00 00 00 68 91 06 33 34 34 35 CB 55 58 16",
           "000000000001", 0x91, 0x02010100, "voltage_a", "229.8", "V", 0),
    "V10": ("68 03 20 12 22 20 65 68 11 04 33 33 33 33 8D 16",
            "652022122003", 0x11, 0x00000000, "combined_active_energy_total", None, "kWh", 0),
    "V11": ("68 03 20 12 22 20 65 68 91 08 33 33 33 33 33 33 33 33 DD 16",
            "652022122003", 0x91, 0x00000000, "combined_active_energy_total", "0.00", "kWh", 0),
}
V12 = "FE FE FE FE 68 18 20 12 22 20 65 68 91 0A 33 32 34 35 33 33 33 33 C7 56 13 16"
V13 = "FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16"

# Constructed from the rules of §1.1–1.3 and cross-checked with PyPI dlt645 3.2.0's deserialize + bcd_to_float
# (run outside the project): (frame, DI, quantity, value, unit).
CONSTRUCTED = {
    "current_a_negative": ("68 25 04 03 02 01 00 68 91 07 33 34 35 35 67 45 B3 C7 16",
                           0x02020100, "current_a", "-1.234", "A"),
    "active_power_negative": ("68 25 04 03 02 01 00 68 91 07 33 33 36 35 89 67 C5 1D 16",
                              0x02030000, "active_power_total", "-12.3456", "kW"),
    "active_power_a_positive": ("68 25 04 03 02 01 00 68 91 07 33 34 36 35 33 83 33 52 16",
                                0x02030100, "active_power_a", "0.5000", "kW"),
    "reactive_power_negative": ("68 25 04 03 02 01 00 68 91 07 33 33 37 35 33 43 B3 92 16",
                                0x02040000, "reactive_power_total", "-0.1000", "kvar"),
    "power_factor_negative": ("68 25 04 03 02 01 00 68 91 06 33 33 39 35 A6 BB CB 16",
                              0x02060000, "power_factor_total", "-0.873", "1"),
    "frequency": ("68 25 04 03 02 01 00 68 91 06 35 33 B3 35 34 83 9D 16",
                  0x02800002, "grid_frequency", "50.01", "Hz"),
    "combined_active_negative": ("68 25 04 03 02 01 00 68 91 08 33 33 33 33 78 56 34 B3 19 16",
                                 0x00000000, "combined_active_energy_total", "-123.45", "kWh"),
}
D1 = "68 25 04 03 02 01 00 68 D1 01 35 06 16"  # error reply, ERR = 0x02 (no requested data)
D2 = "68 25 04 03 02 01 00 68 D2 01 37 09 16"  # error reply to read follow-up, ERR = 0x04 (unauthorized)
B1 = "68 25 04 03 02 01 00 68 B1 08 33 33 34 33 75 39 45 33 AB 16"  # V2 with D5 = more frames follow
ENERGY_BLOCK = ("68 25 04 03 02 01 00 68 91 18 33 32 34 33 75 39 45 33 33 33 34 33 33 33 35 33 33 33 36 33 "
                "75 39 39 33 1E 16")


def independent_checksum(frame_hex: str) -> int:
    """Sum from the first 68 to before CS, mod 256: written apart from the codec."""
    raw = bytes.fromhex(frame_hex)
    start = raw.index(0x68)
    return sum(raw[start:-2]) % 256


@pytest.mark.parametrize("name", [*PUBLISHED, "V12", "V13", *CONSTRUCTED, "D1", "D2", "B1", "ENERGY_BLOCK"])
def test_every_vector_has_a_correct_checksum(name):
    frame = {**{k: v[0] for k, v in PUBLISHED.items()}, **{k: v[0] for k, v in CONSTRUCTED.items()},
             "V12": V12, "V13": V13, "D1": D1, "D2": D2, "B1": B1, "ENERGY_BLOCK": ENERGY_BLOCK}[name]
    assert independent_checksum(frame) == bytes.fromhex(frame)[-2]


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_vectors(name):
    frame, address, control, di, quantity, value, unit, preamble = PUBLISHED[name]
    f = dlt645.decode(frame)
    assert (f.address, f.control, f.di, f.quantity, f.unit, f.preamble) == (address, control, di, quantity, unit,
                                                                           preamble)
    if value is None:
        assert not f.is_reply and f.value is None and f.values == () and f.readings == ()
    else:
        assert f.is_reply and not f.is_error and not f.more_follows
        assert f.value == Decimal(value) and str(f.value) == value  # exact, with the format's decimals
        assert f.values == (Decimal(value),)
        assert f.readings == (Reading(quantity, Decimal(value), unit, di),)


def test_v2_decodes_1206_42_kwh_with_di_text_and_item():
    f = dlt645.decode(PUBLISHED["V2"][0])
    assert f.di_text == "00010000"
    assert f.item.name_zh == "正向有功总电能" and f.item.fmt.pattern == "XXXXXX.XX"
    assert f.data == bytes.fromhex("0000010042061200")  # the reference: dlt645 deserialize gives this data


def test_v12_voltage_block_with_preamble():
    f = dlt645.decode(V12)
    assert f.preamble == 4 and f.address == "652022122018" and f.di == 0x0201FF00
    assert f.quantity == "voltage_block" and f.value is None and f.unit == "V"
    assert f.values == (Decimal("0.0"), Decimal("0.0"), Decimal("239.4"))
    assert [(r.quantity, r.value, r.di) for r in f.readings] == [
        ("voltage_a", Decimal("0.0"), 0x02010100), ("voltage_b", Decimal("0.0"), 0x02010200),
        ("voltage_c", Decimal("239.4"), 0x02010300)]


def test_v13_read_address_broadcast():
    f = dlt645.decode(V13)
    assert f.address == "AAAAAAAAAAAA" and f.control == 0x13 and f.preamble == 3
    assert f.di is None and f.data == b"" and f.function == 0x13


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_constructed_signed_vectors(name):
    frame, di, quantity, value, unit = CONSTRUCTED[name]
    f = dlt645.decode(frame)
    assert (f.di, f.quantity, f.unit) == (di, quantity, unit)
    assert f.value == Decimal(value) and str(f.value) == value


def test_error_reply_d1_decodes_error_word():
    f = dlt645.decode(D1)
    assert f.control == 0xD1 and f.is_reply and f.is_error and f.function == 0x11
    assert f.error == 0x02 and f.errors == ("no_requested_data",)
    assert f.di is None and f.value is None and f.readings == ()


def test_error_reply_d2_to_read_follow_up():
    f = dlt645.decode(D2)
    assert f.control == 0xD2 and f.error == 0x04 and f.errors == ("unauthorized",)


def test_error_word_with_several_bits():
    frame = dlt645.encode_error_reply("000102030425", 0x41)
    assert dlt645.decode(frame).errors == ("other", "tariffs_exceeded")


def test_b1_reply_more_frames_follow():
    f = dlt645.decode(B1)
    assert f.more_follows and f.value == Decimal("1206.42")


def test_energy_block_total_and_tariffs():
    f = dlt645.decode(ENERGY_BLOCK)
    assert f.values == tuple(Decimal(v) for v in ("1206.42", "100.00", "200.00", "300.00", "606.42"))
    assert [r.quantity for r in f.readings] == [
        "forward_active_energy_total", *(f"forward_active_energy_tariff_{t}" for t in range(1, 5))]
    assert [r.di for r in f.readings] == [0x00010000, 0x00010100, 0x00010200, 0x00010300, 0x00010400]


def test_read_follow_up_reply_carries_seq():
    frame = dlt645.encode_frame("000102030425", 0x92, bytes.fromhex("00000100 42061200 05"))
    f = dlt645.decode(frame)
    assert f.seq == 5 and f.value == Decimal("1206.42") and f.function == 0x12


def test_input_forms_are_equivalent():
    hexed = PUBLISHED["V2"][0]
    raw = bytes.fromhex(hexed)
    forms = [raw, bytearray(raw), memoryview(raw), hexed, hexed.replace(" ", ""), hexed.lower(),
             "\n".join(hexed.split()), "  " + hexed + "\n", hexed.replace(" ", "\u3000")]
    assert {dlt645.decode(f) for f in forms} == {dlt645.decode(raw)}


def test_unpack_checks_envelope_only():
    frame = "68 25 04 03 02 01 00 68 11 04 33 33 33 34 E1 16"  # DI 01000000: not in the table
    assert independent_checksum(frame) == 0xE1
    raw = dlt645.unpack(frame)
    assert raw.address == "000102030425" and raw.control == 0x11 and raw.data == bytes.fromhex("00000001")
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert e.value.reason == "unknown_di" and e.value.offset == 10


# --- encoders ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[5] is not None])
def test_encode_read_reply_reproduces_published_replies(name):
    frame, address, _control, di, _q, value, _u, _p = PUBLISHED[name]
    assert dlt645.encode_read_reply(address, di, Decimal(value)) == bytes.fromhex(frame)


@pytest.mark.parametrize("name", [n for n, v in PUBLISHED.items() if v[5] is None])
def test_encode_read_request_reproduces_published_requests(name):
    frame, address, _control, di, *_ = PUBLISHED[name]
    assert dlt645.encode_read_request(address, di) == bytes.fromhex(frame)


def test_encode_blocks_preamble_and_error_reply():
    assert dlt645.encode_read_reply("652022122018", 0x0201FF00, ["0", "0", "239.4"], preamble=4) == bytes.fromhex(V12)
    assert dlt645.encode_frame("AAAAAAAAAAAA", 0x13, preamble=3) == bytes.fromhex(V13)
    assert dlt645.encode_error_reply("000102030425", 0x02) == bytes.fromhex(D1)
    assert dlt645.encode_error_reply("000102030425", 0x04, function=0x12) == bytes.fromhex(D2)
    assert dlt645.encode_read_reply("000102030425", 0x00010000, "1206.42", more_follows=True) == bytes.fromhex(B1)
    block = ["1206.42", "100", "200", "300", "606.42"]
    assert dlt645.encode_read_reply("000102030425", 0x0001FF00, block) == bytes.fromhex(ENERGY_BLOCK)


@pytest.mark.parametrize("name", CONSTRUCTED)
def test_encode_signed_values(name):
    frame, di, _q, value, _u = CONSTRUCTED[name]
    assert dlt645.encode_read_reply("000102030425", di, value) == bytes.fromhex(frame)


@pytest.mark.parametrize(("di", "value", "reason"), [
    (0x00010000, "-1.00", "value"),          # unsigned format
    (0x00010000, "1000000.00", "value"),     # 8 digits: max 999999.99
    (0x00000000, "800000.00", "value"),      # signed: max ±799999.99
    (0x00010000, "1.234", "value"),          # too many decimals
    (0x00010000, 1.5, "value"),              # floats refused
    (0x00010000, "abc", "value"),
    (0x00010000, "NaN", "value"),
    (0x12345678, "1", "unknown_di"),
    (0x0201FF00, "1", "value"),              # block needs a sequence
    (0x0201FF00, ["1", "2"], "value"),       # voltage block has 3 elements
])
def test_encoder_refuses_what_the_format_cannot_carry(di, value, reason):
    with pytest.raises(FrameError) as e:
        dlt645.encode_read_reply("000102030425", di, value)
    assert e.value.reason == reason


def test_encoder_limits_are_exact():
    top = dlt645.decode(dlt645.encode_read_reply("000102030425", 0x00000000, "-799999.99"))
    assert top.value == Decimal("-799999.99")
    assert dlt645.decode(dlt645.encode_read_reply("000102030425", 0x00010000, "999999.99")).value == Decimal("999999.99")


@pytest.mark.parametrize("address", ["00010203042", "0001020304250", "00010203042X", "AB0102030425", 123])
def test_encoder_refuses_bad_addresses(address):
    with pytest.raises(FrameError) as e:
        dlt645.encode_read_request(address, 0x00010000)
    assert e.value.reason == "address"


def test_encoder_accepts_aa_padding():
    f = dlt645.decode(dlt645.encode_read_request("AAAA00000161", 0x00010000))
    assert f.address == "AAAA00000161"


# --- malformed input --------------------------------------------------------------------------------

V2 = PUBLISHED["V2"][0]


def mutate(frame_hex: str, offset: int, byte: int) -> bytes:
    raw = bytearray.fromhex(frame_hex)
    raw[offset] = byte
    return bytes(raw)


def refix_checksum(raw: bytes) -> bytes:
    start = raw.index(0x68)
    return raw[:-2] + bytes((sum(raw[start:-2]) % 256, raw[-1]))


def test_wrong_checksum_message_names_byte_and_both_values():
    with pytest.raises(FrameError) as e:
        dlt645.decode(mutate(V2, 18, 0x8C))
    assert e.value.reason == "checksum" and e.value.offset == 18
    assert str(e.value) == "checksum mismatch at byte 18: frame says 0x8C, computed 0x8B"
    assert isinstance(e.value, ValueError)


def test_checksum_offset_counts_the_preamble():
    with pytest.raises(FrameError) as e:
        dlt645.decode(mutate(V12, 24, 0x14))
    assert e.value.reason == "checksum" and e.value.offset == 24


def test_data_corruption_is_a_checksum_error():
    with pytest.raises(FrameError) as e:
        dlt645.decode(mutate(V2, 14, 0x76))
    assert e.value.reason == "checksum"


@pytest.mark.parametrize("cut", [1, 5, 9, 10, 15, 19])
def test_truncated_frame(cut):
    with pytest.raises(FrameError) as e:
        dlt645.decode(bytes.fromhex(V2)[:cut])
    assert e.value.reason == "truncated" and e.value.offset == cut
    assert "truncated" in str(e.value)


def test_trailing_bytes_are_a_length_error():
    with pytest.raises(FrameError) as e:
        dlt645.decode(V2 + " 16")
    assert e.value.reason == "length" and e.value.offset == 9
    assert "1 more byte" in str(e.value)


def test_wrong_end_byte():
    with pytest.raises(FrameError) as e:
        dlt645.decode(mutate(V2, 19, 0x17))
    assert (e.value.reason, e.value.offset) == ("end_byte", 19)
    assert str(e.value) == "end byte at byte 19 is 0x17, expected 0x16"


@pytest.mark.parametrize(("offset", "byte"), [(0, 0x69), (7, 0x00)])
def test_missing_start_bytes(offset, byte):
    with pytest.raises(FrameError) as e:
        dlt645.decode(mutate(V2, offset, byte))
    assert (e.value.reason, e.value.offset) == ("start_byte", offset)


def test_only_preamble():
    with pytest.raises(FrameError) as e:
        dlt645.decode("FE FE FE FE")
    assert (e.value.reason, e.value.offset) == ("truncated", 4)


def test_unknown_di_names_its_bytes():
    frame = refix_checksum(mutate(V2, 12, 0x35))  # DI2 01 → 02: reverse active total, a known DI
    assert dlt645.decode(frame).di == 0x00020000
    frame = refix_checksum(mutate(V2, 13, 0x3F))  # DI3 00 → 0C: unknown
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("unknown_di", 10)
    assert "0C010000" in str(e.value)


def test_bcd_digit_above_nine_names_the_byte():
    frame = refix_checksum(mutate(V2, 16, 0x45 + 0x0A))  # value byte 12 → 1C after −0x33
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("bcd", 16)
    assert "0xC > 9 at byte 16" in str(e.value) and "wire byte 0x4F" in str(e.value)


def test_bcd_high_nibble_of_unsigned_msb():
    assert dlt645.decode(refix_checksum(mutate(V2, 17, 0x33 + 0x80))).value == Decimal("801206.42")  # 0x80 is BCD
    frame = refix_checksum(mutate(V2, 17, 0x33 + 0xA0))  # high nibble A of an unsigned quantity
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("bcd", 17)


def test_bcd_in_signed_value_below_sign_bit():
    frame = refix_checksum(mutate(CONSTRUCTED["current_a_negative"][0], 16, (0x8A + 0x33) & 0xFF))
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("bcd", 16)


def test_bcd_in_address():
    frame = refix_checksum(mutate(V2, 3, 0x0B))
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("bcd", 3)


def test_value_length_mismatch():
    frame = dlt645.encode_frame("000102030425", 0x91, bytes.fromhex("00000100 420612"))
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("length", 9)
    assert "expects 4 bytes" in str(e.value)


@pytest.mark.parametrize(("control", "text"), [
    (0x01, "1997"), (0x81, "1997"), (0x05, "not defined"), (0x51, "may not set"), (0x88, "broadcast"),
    (0xB3, "only valid on a normal read reply"),
])
def test_bad_control_codes(control, text):
    frame = dlt645.encode_frame("000102030425", control, bytes.fromhex("00000100"))
    with pytest.raises(FrameError) as e:
        dlt645.decode(frame)
    assert (e.value.reason, e.value.offset) == ("control", 8)
    assert text in str(e.value)


def test_error_reply_needs_one_byte():
    with pytest.raises(FrameError) as e:
        dlt645.decode(dlt645.encode_frame("000102030425", 0xD1, b"\x01\x02"))
    assert e.value.reason == "length"


def test_read_request_with_extra_bytes():
    with pytest.raises(FrameError) as e:
        dlt645.decode(dlt645.encode_frame("000102030425", 0x11, bytes.fromhex("0000010001")))
    assert e.value.reason == "length"


def test_other_functions_pass_through_uninterpreted():
    f = dlt645.decode(dlt645.encode_frame("999999999999", 0x08, bytes.fromhex("000000010125")))
    assert f.function == 0x08 and f.di is None and f.data == bytes.fromhex("000000010125")


@pytest.mark.parametrize(("text", "offset"), [("68 2", 3), ("682", 2), ("68 25 0", 6)])
def test_odd_length_hex(text, offset):
    with pytest.raises(FrameError) as e:
        dlt645.decode(text)
    assert (e.value.reason, e.value.offset) == ("hex", offset)
    assert "odd number of hex digits" in str(e.value)


@pytest.mark.parametrize(("text", "offset"), [("68 2G", 4), ("0x68", 1), ("68,25", 2), ("６８", 0)])
def test_non_hex_characters(text, offset):
    with pytest.raises(FrameError) as e:
        dlt645.decode(text)
    assert (e.value.reason, e.value.offset) == ("hex", offset)
    assert f"at character {offset}" in str(e.value)


@pytest.mark.parametrize("empty", [b"", "", "   \n", bytearray()])
def test_empty_input(empty):
    with pytest.raises(FrameError) as e:
        dlt645.decode(empty)
    assert (e.value.reason, e.value.offset) == ("empty", 0)


@pytest.mark.parametrize("wrong", [None, 42, ["68"], 1.5])
def test_wrong_input_type(wrong):
    with pytest.raises(FrameError) as e:
        dlt645.decode(wrong)
    assert e.value.reason == "type"


def test_frame_error_pickles_with_reason_and_offset():
    err = FrameError("checksum", 18, "checksum mismatch at byte 18: frame says 0x08, computed 0x13")
    back = pickle.loads(pickle.dumps(err))  # noqa: S301 - our own bytes, round-tripped
    assert (back.reason, back.offset, str(back)) == (err.reason, err.offset, str(err))
    assert "reason='checksum'" in repr(err)
