"""Property tests of both codecs: nothing but FrameError ever escapes, valid frames round-trip, and any
single-byte change inside a frame is detected."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiliang.telemetry.protocols import FrameError, cjt188, dlt645

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decodes_or_frame_error(decode, frame, *args):
    """Call ``decode``; any exception other than FrameError fails the test."""
    try:
        return decode(frame, *args)
    except FrameError as exc:
        assert exc.reason and isinstance(exc.offset, int) and exc.offset >= 0 and str(exc)
        return None


def checksummed(body: bytes) -> bytes:
    return body + bytes((sum(body) % 256, 0x16))


# --- strategies -------------------------------------------------------------------------------------

bcd_pair = st.integers(0, 99).map(lambda v: f"{v:02d}")
address_645 = st.lists(st.one_of(bcd_pair, st.just("AA")), min_size=6, max_size=6).map("".join)
address_188 = st.lists(st.one_of(bcd_pair, st.just("AA")), min_size=7, max_size=7).map("".join)
preamble = st.integers(0, 4)


def value_for(fmt: dlt645.DataFormat) -> st.SearchStrategy[Decimal]:
    low = -fmt.max_scaled if fmt.signed else 0
    return st.integers(low, fmt.max_scaled).map(lambda v: Decimal(v).scaleb(-fmt.decimals))


@st.composite
def dlt645_reply(draw):
    di = draw(st.sampled_from(sorted(dlt645.DATA_ITEMS)))
    item = dlt645.DATA_ITEMS[di]
    if item.is_block:
        size = st.integers(1, 12) if item.variable else st.just(len(item.elements))
        value = draw(size.flatmap(lambda n: st.lists(value_for(item.fmt), min_size=n, max_size=n)))
    else:
        value = draw(value_for(item.fmt))
    return draw(address_645), di, value, draw(st.booleans()), draw(preamble)


@st.composite
def dlt645_frame(draw):
    address, di, value, more, pre = draw(dlt645_reply())
    kind = draw(st.sampled_from(["reply", "request", "error"]))
    if kind == "reply":
        return dlt645.encode_read_reply(address, di, value, more_follows=more, preamble=pre)
    if kind == "request":
        return dlt645.encode_read_request(address, di, preamble=pre)
    return dlt645.encode_error_reply(address, draw(st.integers(0, 255)), preamble=pre)


clock = st.one_of(st.none(), st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda t: t.replace(microsecond=0)))
flow = st.integers(0, 99_999_999).map(lambda v: Decimal(v).scaleb(-2))
profiles = st.sampled_from([cjt188.STANDARD, cjt188.JY])


@st.composite
def cjt188_reply(draw):
    return dict(
        meter_type=draw(st.sampled_from([0x10, 0x11, 0x12, 0x13, 0x30])), address=draw(address_188),
        cumulative_flow=draw(flow), settlement_flow=draw(flow),
        unit_code=draw(st.sampled_from([0x29, 0x2C])), real_time=draw(clock),
        status=draw(st.binary(min_size=2, max_size=2)), ser=draw(st.integers(0, 255)),
        profile=draw(profiles), preamble=draw(preamble),
    )


@st.composite
def cjt188_frame(draw):
    """(frame, the profile it was built with)."""
    if draw(st.booleans()):
        reply = draw(cjt188_reply())
        return cjt188.encode_flow_reply(**reply), reply["profile"]
    profile = draw(profiles)
    return cjt188.encode_request(draw(st.sampled_from(sorted(cjt188.METER_TYPES))), draw(address_188),
                                 ser=draw(st.integers(0, 255)), profile=profile, preamble=draw(preamble)), profile


@st.composite
def mutated(draw, frames):
    raw = bytearray(draw(frames))
    op = draw(st.sampled_from(["substitute", "delete", "insert", "truncate", "append", "swap"]))
    k = draw(st.integers(0, len(raw) - 1))
    if op == "substitute":
        raw[k] = draw(st.integers(0, 255))
    elif op == "delete":
        del raw[k]
    elif op == "insert":
        raw.insert(k, draw(st.integers(0, 255)))
    elif op == "truncate":
        del raw[k:]
    elif op == "append":
        raw += draw(st.binary(min_size=1, max_size=4))
    else:
        j = draw(st.integers(0, len(raw) - 1))
        raw[k], raw[j] = raw[j], raw[k]
    return bytes(raw)


@st.composite
def plausible_645(draw):
    """Well-framed, correctly checksummed, but random address, control and data: reaches the deep decoders."""
    address = draw(st.binary(min_size=6, max_size=6))
    control = draw(st.one_of(st.sampled_from([0x11, 0x91, 0xB1, 0xD1, 0x12, 0x92, 0xB2, 0x13, 0x93]),
                             st.integers(0, 255)))
    data = draw(st.one_of(st.binary(max_size=40), st.builds(
        lambda di, rest: di.to_bytes(4, "little") + rest, st.sampled_from(sorted(dlt645.DATA_ITEMS)),
        st.binary(max_size=24))))
    data = bytes((b + 0x33) % 256 for b in data)
    return b"\xfe" * draw(preamble) + checksummed(b"\x68" + address + bytes((0x68, control, len(data))) + data)


@st.composite
def plausible_188(draw):
    meter_type = draw(st.one_of(st.sampled_from([0x10, 0x20, 0x21, 0x30, 0x40, 0xAA]), st.integers(0, 255)))
    address = draw(st.binary(min_size=7, max_size=7))
    control = draw(st.one_of(st.sampled_from([0x01, 0x81, 0xC1, 0x03, 0x83, 0x04]), st.integers(0, 255)))
    di = draw(st.sampled_from([b"\x1f\x90", b"\x90\x1f", b"\x81\x0a", b"\x0a\x81"]))
    rest = draw(st.one_of(st.binary(max_size=50), st.binary(min_size=20, max_size=20),  # water/gas, heat sizes
                          st.binary(min_size=44, max_size=44)))
    data = di + rest if draw(st.booleans()) else draw(st.binary(max_size=50))
    return b"\xfe" * draw(preamble) + checksummed(bytes((0x68, meter_type)) + address + bytes((control, len(data)))
                                                  + data)


# --- properties -------------------------------------------------------------------------------------


@FUZZ
@given(st.binary(max_size=80))
def test_random_bytes_raise_only_frame_error(raw):
    decodes_or_frame_error(dlt645.decode, raw)
    decodes_or_frame_error(cjt188.decode, raw)
    decodes_or_frame_error(cjt188.decode, raw, cjt188.JY)


@FUZZ
@given(st.text(max_size=80))
def test_random_text_raises_only_frame_error(text):
    decodes_or_frame_error(dlt645.decode, text)
    decodes_or_frame_error(cjt188.decode, text)


@FUZZ
@given(plausible_645())
def test_plausible_645_frames_raise_only_frame_error(raw):
    decodes_or_frame_error(dlt645.decode, raw)


@FUZZ
@given(plausible_188(), profiles)
def test_plausible_188_frames_raise_only_frame_error(raw, profile):
    decodes_or_frame_error(cjt188.decode, raw, profile)


@FUZZ
@given(mutated(dlt645_frame()))
def test_mutated_645_frames_raise_only_frame_error(raw):
    decodes_or_frame_error(dlt645.decode, raw)


@FUZZ
@given(mutated(cjt188_frame().map(lambda fp: fp[0])), profiles)
def test_mutated_188_frames_raise_only_frame_error(raw, profile):
    decodes_or_frame_error(cjt188.decode, raw, profile)


@FUZZ
@given(dlt645_frame(), st.data())
def test_any_byte_change_inside_a_645_frame_is_detected(frame, data):
    start = frame.index(0x68)
    k = data.draw(st.integers(start, len(frame) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != frame[k]))
    try:
        dlt645.decode(frame[:k] + bytes((new,)) + frame[k + 1:])
    except FrameError:
        return
    raise AssertionError("a changed byte was not detected")


@FUZZ
@given(cjt188_frame(), st.data())
def test_any_byte_change_inside_a_188_frame_is_detected(frame_profile, data):
    frame, profile = frame_profile
    start = frame.index(0x68)
    k = data.draw(st.integers(start, len(frame) - 1))
    new = data.draw(st.integers(0, 255).filter(lambda b: b != frame[k]))
    try:
        cjt188.decode(frame[:k] + bytes((new,)) + frame[k + 1:], profile)
    except FrameError:
        return
    raise AssertionError("a changed byte was not detected")


@FUZZ
@given(dlt645_reply())
def test_645_reply_round_trip(reply):
    address, di, value, more, pre = reply
    frame = dlt645.encode_read_reply(address, di, value, more_follows=more, preamble=pre)
    f = dlt645.decode(frame)
    assert (f.address, f.di, f.more_follows, f.preamble) == (address, di, more, pre)
    values = tuple(value) if isinstance(value, list) else (value,)
    assert f.values == values
    assert all(v.as_tuple().exponent == -dlt645.DATA_ITEMS[di].fmt.decimals for v in f.values)
    again = dlt645.encode_read_reply(f.address, f.di, list(f.values) if f.value is None else f.value,
                                     more_follows=f.more_follows, preamble=f.preamble)
    assert again == frame


@FUZZ
@given(dlt645_reply(), st.data())
def test_645_hex_forms_decode_alike(reply, data):
    address, di, value, more, pre = reply
    frame = dlt645.encode_read_reply(address, di, value, more_follows=more, preamble=pre)
    seps = data.draw(st.lists(st.sampled_from(["", " ", "  ", "\n", "\t"]), min_size=len(frame), max_size=len(frame)))
    case = data.draw(st.sampled_from("xX"))
    text = "".join(f"{sep}{b:02{case}}" for sep, b in zip(seps, frame))
    assert dlt645.decode(text) == dlt645.decode(frame)


@FUZZ
@given(cjt188_frame())
def test_valid_188_frames_decode_with_their_profile(frame_profile):
    frame, profile = frame_profile
    assert cjt188.decode(frame, profile).di == cjt188.DI_READ_DATA


@FUZZ
@given(dlt645_frame())
def test_valid_645_frames_decode(frame):
    assert dlt645.decode(frame).address


@FUZZ
@given(cjt188_reply())
def test_188_reply_round_trip(reply):
    frame = cjt188.encode_flow_reply(**reply)
    f = cjt188.decode(frame, reply["profile"])
    unit = cjt188.UNITS[reply["unit_code"]][0]
    assert (f.meter_type, f.address, f.ser, f.preamble) == (reply["meter_type"], reply["address"], reply["ser"],
                                                            reply["preamble"])
    assert (f.cumulative_flow, f.cumulative_flow_unit) == (reply["cumulative_flow"], unit)
    assert (f.settlement_flow, f.settlement_flow_unit) == (reply["settlement_flow"], unit)
    assert f.real_time == reply["real_time"] and f.status.raw == reply["status"]
    again = cjt188.encode_flow_reply(
        f.meter_type, f.address, cumulative_flow=f.cumulative_flow, settlement_flow=f.settlement_flow,
        unit_code=reply["unit_code"], real_time=f.real_time, status=f.status.raw, ser=f.ser,
        profile=reply["profile"], preamble=f.preamble)
    assert again == frame
