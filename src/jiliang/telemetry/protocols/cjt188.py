"""CJ/T 188-2004 household meter frames (户用计量仪表数据传输技术条件): water, gas, heat. Decode and encode.

Pure: no Django imports. Facts are from ``shared/reference/protocols-energy-dcc.md`` §2 (the standard's
text was not available; the reference cites hftangyu.com/563.html, the JY heat-meter article on cnblogs,
``cj188.h`` of xijunzhou/sdqr_energy_node_class and aixiwang/python_cjt188). CJ/T 188-2004 is
superseded by CJ/T 188-2018, whose changes were not verified; field devices speak the 2004 frame.

Frame (CJ/T 188-2004 frame format; reference §2.1)::

    [FE ×0–4]  68  T  A0 … A6  C  L  DATA(L)  CS  16

* T meter type (§2.2): 10–13 water, 20/21 heat (heat/cooling), 30 gas, 40 electricity, AA wildcard.
* A0…A6: 14 BCD digits, low byte first; A0…A4 are the meter number, A5…A6 the maker code
  (``44 33 22 11 00 33 78`` = meter 0011223344, maker 7833). ``AA`` ×7 is broadcast.
* C (§2.3): 01/81 read data, 03/83 read address, 04/84 write, 09/89 key version, 15/95 write address,
  16/96 write sync data; D6 set = abnormal reply (C1 …).
* DATA: DI (2 bytes) + SER (1 byte) + payload, **not** scrambled. Captures show DI ``901F`` on the wire
  both as ``1F 90`` and ``90 1F``; both are accepted (§2.4).
* CS: sum from ``68`` to the last DATA byte, mod 256.

Read-data payload for DI 901F (§2.4): water/gas meters L = 0x16, heat meters L = 0x2E. Vendors differ
on whether a value's unit byte comes after it (standard) or before it (JY), and on the status bits:
that is a :class:`Cjt188Profile`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from .bcd import (
    BCD_VALUE,
    Reading,
    bcd_error,
    check_tail,
    decimal_from_digits,
    digits_le,
    int_to_bcd_le,
    meter_address,
    scaled_int,
    to_bytes,
)
from .errors import FrameError

__all__ = [
    "DI_READ_ADDRESS", "DI_READ_DATA", "JY", "METER_TYPES", "STANDARD", "UNITS", "Cjt188Frame", "Cjt188Profile",
    "MeterStatus", "MeterType", "decode", "encode_flow_reply", "encode_frame", "encode_request", "status_bytes",
]

START = 0x68
END = 0x16
PREAMBLE = 0xFE
WILDCARD_TYPE = 0xAA
DI_READ_DATA = 0x901F      # 当前计量数据 current metering data
DI_READ_ADDRESS = 0x810A   # 读地址 (W5: data 81 0A 00)
F_READ, F_READ_ADDRESS = 0x01, 0x03
FUNCTIONS: Mapping[int, str] = MappingProxyType({
    0x01: "read data", 0x03: "read address", 0x04: "write data", 0x09: "read key version",
    0x15: "write address", 0x16: "write synchronous data",
})
_DIS_BY_FUNCTION = {F_READ: frozenset({DI_READ_DATA}), F_READ_ADDRESS: frozenset({DI_READ_ADDRESS})}


@dataclass(frozen=True, slots=True)
class MeterType:
    """Meter type T (reference §2.2, from hftangyu.com/563.html; confidence M)."""

    code: int
    name: str
    name_zh: str
    medium: str  # water | heat | gas | electricity


METER_TYPES: Mapping[int, MeterType] = MappingProxyType({
    m.code: m for m in (
        MeterType(0x10, "cold_water", "冷水水表", "water"),
        MeterType(0x11, "domestic_hot_water", "生活热水水表", "water"),
        MeterType(0x12, "drinking_water", "直饮水水表", "water"),
        MeterType(0x13, "reclaimed_water", "中水水表", "water"),
        MeterType(0x20, "heat", "热量表(计热量)", "heat"),
        MeterType(0x21, "cooling", "热量表(计冷量)", "heat"),
        MeterType(0x30, "gas", "燃气表", "gas"),
        MeterType(0x40, "electricity", "电度表", "electricity"),
    )
})

#: Unit codes (reference §2.4, from public ``ParseUnitByValue`` code; hftangyu and JY agree on 2C, 35, 17,
#: 08, 05; confidence M) → (unit, multiplier). ``0A`` is MWh×100 and ``13`` GJ×100: decoded values are
#: multiplied out, so a reading is always in the plain unit.
UNITS: Mapping[int, tuple[str, int]] = MappingProxyType({
    0x01: ("J", 1), 0x02: ("Wh", 1), 0x05: ("kWh", 1), 0x08: ("MWh", 1), 0x0A: ("MWh", 100),
    0x0B: ("kJ", 1), 0x0E: ("MJ", 1), 0x11: ("GJ", 1), 0x13: ("GJ", 100),
    0x14: ("W", 1), 0x17: ("kW", 1), 0x1A: ("MW", 1),
    0x29: ("L", 1), 0x2C: ("m³", 1), 0x32: ("L/h", 1), 0x35: ("m³/h", 1),
})
_VALVE = {0: "open", 1: "closed", 2: "undefined", 3: "abnormal"}


@dataclass(frozen=True, slots=True)
class Cjt188Profile:
    """How one vendor's meters lay out what CJ/T 188 leaves open (reference §2.4: "CJ/T-188协议在厂家具体
    应用时,并不一致").

    * ``unit_before_value``: the unit byte precedes each 4-byte value (JY) instead of following it.
    * ``di_low_first``: encoders send DI0 first (``1F 90``, hftangyu and ``cj188.h``) or DI1 first
      (``90 1F``, JY, aixiwang). Decoders accept both orders whatever the profile says.
    * ``valve_mask`` / ``battery_mask``: the status bits in ST byte 1 (``cj188.h``: FAMEN_MASK 0xC0 with
      00 open, 01 closed, 11 abnormal; BATTERY_MASK 0x20 = low).
    * ``heat_decimals``: implied decimals of settlement-day heat, current heat, heat power, flow rate and
      cumulative flow of a heat meter. The reference gives these fields' sizes but **not** their formats;
      the default (2, 2, 2, 4, 2), i.e. XXXXXX.XX except flow rate XXXX.XXXX, is the commonly reproduced
      CJ/T 188-2004 layout, confidence L: check it against the vendor's sheet.
    """

    name: str = "standard"
    unit_before_value: bool = False
    di_low_first: bool = True
    valve_mask: int = 0xC0
    battery_mask: int = 0x20
    heat_decimals: tuple[int, int, int, int, int] = (2, 2, 2, 4, 2)

    def __post_init__(self) -> None:
        if not 0 < self.valve_mask <= 0xFF or not 0 < self.battery_mask <= 0xFF:
            raise ValueError("valve_mask and battery_mask are non-zero bit masks of one byte")
        if len(self.heat_decimals) != 5 or not all(0 <= d <= 8 for d in self.heat_decimals):
            raise ValueError("heat_decimals are five decimal-place counts, 0 to 8")


STANDARD = Cjt188Profile()
#: The JY heat meter of the cnblogs article: unit byte before the value, DI sent ``90 1F``.
JY = Cjt188Profile(name="jy", unit_before_value=True, di_low_first=False)


@dataclass(frozen=True, slots=True)
class MeterStatus:
    """Status ST (2 bytes). Byte 1 carries the valve and battery bits per the profile; byte 2 is
    vendor-defined and kept raw."""

    raw: bytes
    valve: str          # open | closed | abnormal | undefined (bit pattern 10, not defined)
    battery_low: bool

    @property
    def vendor(self) -> int:
        return self.raw[1]


@dataclass(frozen=True, slots=True)
class Cjt188Frame:
    """A decoded CJ/T 188-2004 frame.

    ``address`` is the 14-digit number A6…A0 as printed (``"78330011223344"``; ``A`` for 0xAA);
    ``maker_code`` and ``meter_number`` split it. ``di`` is normalised (``0x901F`` whichever byte order
    the meter used; ``di_wire`` keeps the wire bytes as hex). For a read-data reply ``quantity``/``value``/
    ``unit`` are the meter's main register (cumulative flow; current heat or cooling for heat meters) and
    ``readings`` lists every value. ``real_time`` is the meter's clock, naive, meter local time; ``None``
    when the meter sends all zeros. ``data`` is the raw data field.
    """

    meter_type: int
    address: str
    control: int
    di: int | None
    di_wire: str | None
    ser: int | None
    quantity: str | None
    value: Decimal | None
    unit: str | None
    readings: tuple[Reading, ...]
    cumulative_flow: Decimal | None
    cumulative_flow_unit: str | None
    settlement_flow: Decimal | None
    settlement_flow_unit: str | None
    real_time: datetime | None
    status: MeterStatus | None
    data: bytes
    preamble: int

    @property
    def maker_code(self) -> str:
        return self.address[:4]

    @property
    def meter_number(self) -> str:
        return self.address[4:]

    @property
    def meter_type_info(self) -> MeterType | None:
        return METER_TYPES.get(self.meter_type)

    @property
    def medium(self) -> str | None:
        info = METER_TYPES.get(self.meter_type)
        return info.medium if info else None

    @property
    def is_reply(self) -> bool:
        return bool(self.control & 0x80)

    @property
    def is_error(self) -> bool:
        return bool(self.control & 0x40)

    @property
    def function(self) -> int:
        return self.control & 0x3F


def _control_table() -> tuple[int | None, ...]:
    table: list[int | None] = [None] * 256
    for f in FUNCTIONS:
        table[f] = table[0x80 | f] = table[0xC0 | f] = f
    return tuple(table)


_CONTROL = _control_table()


# --- framing ----------------------------------------------------------------------------------------


def _locate(raw: bytes) -> tuple[int, int]:
    n = len(raw)
    i = 0
    if raw[0] == PREAMBLE:
        i = n - len(raw.lstrip(b"\xfe"))
        if i == n:
            raise FrameError("truncated", n, f"input ends at byte {n} inside the FE preamble: no start byte 0x68")
    if raw[i] != START:
        raise FrameError("start_byte", i, f"no start byte at byte {i}: found 0x{raw[i]:02X}, expected 0x68")
    if n - i < 11:
        raise FrameError("truncated", n, f"truncated frame: input ends at byte {n}, a CJ/T 188 header needs "
                                         f"11 bytes from the start byte at byte {i}")
    length = raw[i + 10]
    end = i + 13 + length
    if n < end:
        raise FrameError("truncated", n, f"truncated frame: length field L={length} at byte {i + 10} needs "
                                         f"{end} bytes, input has {n}")
    if n > end:
        raise FrameError("length", i + 10, f"length field L={length} at byte {i + 10} puts the end byte at byte "
                                           f"{end - 1}, but the input has {n - end} more byte(s) after it")
    check_tail(raw, i, end)
    return i, end


def _address(raw: bytes, at: int) -> str:
    return meter_address(raw, at, 7, "the address field (A0..A6; only 0xAA may be non-BCD)")


def _di(raw: bytes, at: int, function: int) -> tuple[int, str]:
    """DI at ``raw[at:at+2]`` in either byte order, checked against what ``function`` reads."""
    b0, b1 = raw[at], raw[at + 1]
    allowed = _DIS_BY_FUNCTION[function]
    for di in ((b1 << 8) | b0, (b0 << 8) | b1):
        if di in allowed:
            return di, f"{b0:02X}{b1:02X}"
    raise FrameError("unknown_di", at, f"unknown data identifier {b0:02X} {b1:02X} at bytes {at}–{at + 1} for "
                                       f"{FUNCTIONS[function]} (known: "
                                       f"{', '.join(f'{d:04X}' for d in sorted(allowed))}, either byte order)")


def decode(frame: bytes | bytearray | memoryview | str, profile: Cjt188Profile = STANDARD) -> Cjt188Frame:
    """Decode one CJ/T 188-2004 frame (bytes, or hex with or without spaces; leading ``FE`` allowed).

    Interprets read-data requests and replies (01/81, DI 901F) for water, gas and heat meters, and
    read-address frames (03/83, DI 810A). Abnormal replies and other functions are checked and returned
    with ``data`` uninterpreted and ``di`` None. Raises :class:`FrameError` on any defect.
    """
    raw = to_bytes(frame)
    i, end = _locate(raw)
    meter_type = raw[i + 1]
    if meter_type not in METER_TYPES and meter_type != WILDCARD_TYPE:
        raise FrameError("meter_type", i + 1, f"unknown meter type T=0x{meter_type:02X} at byte {i + 1} "
                                              f"(known: 10–13 water, 20/21 heat, 30 gas, 40 electricity, AA)")
    address = _address(raw, i + 2)
    control = raw[i + 9]
    function = _CONTROL[control]
    if function is None:
        raise FrameError("control", i + 9, f"unknown control code 0x{control:02X} at byte {i + 9} "
                                           f"(CJ/T 188-2004: 01 03 04 09 15 16, replies +0x80, abnormal +0xC0)")
    base = i + 11
    data = raw[base:end - 2]
    if function not in _DIS_BY_FUNCTION or control & 0x40:  # uninterpreted: other functions, abnormal replies
        return Cjt188Frame(meter_type, address, control, None, None, None, None, None, None, (), None, None, None,
                           None, None, None, data, i)
    if len(data) < 3:
        raise FrameError("length", i + 10, f"{FUNCTIONS[function]} frame needs DI + SER (3 bytes), "
                                           f"length field L={len(data)} at byte {i + 10}")
    di, di_wire = _di(raw, base, function)
    ser = data[2]
    reply = bool(control & 0x80)
    if not reply and len(data) != 3:
        raise FrameError("length", i + 10, f"{FUNCTIONS[function]} request carries DI + SER (3 bytes), "
                                           f"length field L={len(data)} at byte {i + 10}")
    if not reply or function == F_READ_ADDRESS:
        return Cjt188Frame(meter_type, address, control, di, di_wire, ser, None, None, None, (), None, None, None,
                           None, None, None, data, i)
    medium = METER_TYPES[meter_type].medium if meter_type in METER_TYPES else None
    if medium in ("water", "gas"):
        return _flow_reply(meter_type, address, control, di, di_wire, ser, data, base, i, profile)
    if medium == "heat":
        return _heat_reply(meter_type, address, control, di, di_wire, ser, data, base, i, profile)
    raise FrameError("meter_type", i + 1, f"meter type T=0x{meter_type:02X} at byte {i + 1} has no CJ/T 188 "
                                          f"read-data (901F) payload layout; electricity meters speak DL/T 645")


# --- payloads ---------------------------------------------------------------------------------------


def _expect_length(data: bytes, want: int, base: int, what: str) -> None:
    if len(data) != want:
        raise FrameError("length", base - 1, f"{what} read-data reply has L=0x{want:02X} ({want}) data bytes, "
                                             f"length field at byte {base - 1} says {len(data)}")


def _unit_value(data: bytes, at: int, base: int, decimals: int, what: str,
                profile: Cjt188Profile) -> tuple[Decimal, str]:
    """A 4-byte BCD value with its unit byte (after it, or before it per the profile)."""
    if profile.unit_before_value:
        unit_at, value_at = at, at + 1
    else:
        value_at, unit_at = at, at + 4
    code = data[unit_at]
    unit = UNITS.get(code)
    if unit is None:
        raise FrameError("unit", base + unit_at, f"unknown unit code 0x{code:02X} at byte {base + unit_at} "
                                                 f"for {what}")
    digits = digits_le(data, value_at, 4, base, what)
    value = decimal_from_digits(digits, decimals)
    symbol, multiplier = unit
    return (value * multiplier if multiplier != 1 else value), symbol


def _plain_value(data: bytes, at: int, nbytes: int, base: int, decimals: int, what: str) -> Decimal:
    return decimal_from_digits(digits_le(data, at, nbytes, base, what), decimals)


def _real_time(data: bytes, at: int, base: int) -> datetime | None:
    """ss mm hh DD MM YY(lo) YY(hi), BCD (reference §2.4: ``31 01 22 11 05 15 20`` = 2015-05-11 22:01:31)."""
    field = data[at:at + 7]
    if field == b"\x00" * 7:
        return None
    for k, b in enumerate(field):
        if BCD_VALUE[b] < 0:
            raise bcd_error(data, at + k, 1, base, "the real-time clock field")
    s, mi, h, d, mo, ylo, yhi = (BCD_VALUE[b] for b in field)
    try:
        return datetime(yhi * 100 + ylo, mo, d, h, mi, s)
    except ValueError as exc:
        raise FrameError("datetime", base + at, f"real-time clock at bytes {base + at}–{base + at + 6} "
                                                f"({field.hex(' ').upper()}) is not a valid date and time: "
                                                f"{exc}") from None


def _status(data: bytes, at: int, profile: Cjt188Profile) -> MeterStatus:
    st = data[at:at + 2]
    mask = profile.valve_mask
    shift = (mask & -mask).bit_length() - 1
    valve = (st[0] & mask) >> shift
    return MeterStatus(st, _VALVE.get(valve, "undefined"), bool(st[0] & profile.battery_mask))


def _flow_reply(meter_type: int, address: str, control: int, di: int, di_wire: str, ser: int,
                data: bytes, base: int, preamble: int, profile: Cjt188Profile) -> Cjt188Frame:
    """Water/gas 901F reply (reference §2.4, ``cj188.h`` offsets): DI SER | flow+unit | settlement
    flow+unit | real time (7) | ST (2)."""
    _expect_length(data, 0x16, base, "a water/gas meter's")
    flow, flow_unit = _unit_value(data, 3, base, 2, "the current cumulative flow", profile)
    settle, settle_unit = _unit_value(data, 8, base, 2, "the settlement-day cumulative flow", profile)
    real_time = _real_time(data, 13, base)
    readings = (Reading("cumulative_flow", flow, flow_unit), Reading("settlement_day_flow", settle, settle_unit))
    return Cjt188Frame(meter_type, address, control, di, di_wire, ser, "cumulative_flow", flow, flow_unit, readings,
                       flow, flow_unit, settle, settle_unit, real_time, _status(data, 20, profile), data, preamble)


def _heat_reply(meter_type: int, address: str, control: int, di: int, di_wire: str, ser: int,
                data: bytes, base: int, preamble: int, profile: Cjt188Profile) -> Cjt188Frame:
    """Heat/cooling 901F reply (reference §2.4, ``cj188.h`` HEAT_* offsets): settlement-day heat, current
    heat, heat power, flow rate, cumulative flow (4 + unit each), supply and return temperature
    (3, XXXX.XX °C), cumulative working hours (3, XXXXXX h), real time (7), ST (2)."""
    _expect_length(data, 0x2E, base, "a heat meter's")
    energy = "cooling" if meter_type == 0x21 else "heat"
    d = profile.heat_decimals
    names = (f"settlement_day_{energy}", f"current_{energy}", f"{energy}_power", "flow_rate", "cumulative_flow")
    readings: list[Reading] = []
    for k, name in enumerate(names):
        value, unit = _unit_value(data, 3 + 5 * k, base, d[k], name.replace("_", " "), profile)
        readings.append(Reading(name, value, unit))
    readings.append(Reading("supply_temperature", _plain_value(data, 28, 3, base, 2, "the supply temperature"), "°C"))
    readings.append(Reading("return_temperature", _plain_value(data, 31, 3, base, 2, "the return temperature"), "°C"))
    readings.append(Reading("working_hours", _plain_value(data, 34, 3, base, 0, "the working hours"), "h"))
    real_time = _real_time(data, 37, base)
    main, flow = readings[1], readings[4]
    return Cjt188Frame(meter_type, address, control, di, di_wire, ser, main.quantity, main.value, main.unit,
                       tuple(readings), flow.value, flow.unit, None, None, real_time, _status(data, 44, profile),
                       data, preamble)


# --- encoders ---------------------------------------------------------------------------------------


def _address_bytes(address: str) -> bytes:
    if not isinstance(address, str) or len(address) != 14:
        raise FrameError("address", 2, f"a CJ/T 188 address is 14 characters (BCD digits or AA pairs), "
                                       f"got {address!r}")
    for k in range(0, 14, 2):
        p = address[k:k + 2]
        if not (p.isdigit() and p.isascii()) and p.upper() != "AA":
            raise FrameError("address", 2 + 6 - k // 2, f"address {address!r}: {p!r} is neither two BCD digits nor AA")
    return bytes.fromhex(address)[::-1]


def encode_frame(meter_type: int, address: str, control: int, data: bytes = b"", *, preamble: int = 0) -> bytes:
    """Build a frame: ``preamble`` ``FE`` bytes, 68, T, the 14-digit printed ``address``, C, L, ``data``
    (sent as is: CJ/T 188 does not scramble), CS, 16."""
    for what, v, at in (("meter type", meter_type, 1), ("control code", control, 9)):
        if not isinstance(v, int) or not 0 <= v <= 0xFF:
            raise FrameError("meter_type" if at == 1 else "control", at, f"{what} {v!r} is not a byte")
    if not isinstance(preamble, int) or preamble < 0:
        raise FrameError("value", 0, f"preamble is a count of FE bytes (0–4 in practice), got {preamble!r}")
    if len(data) > 0xFF:
        raise FrameError("length", 10, f"data field of {len(data)} bytes does not fit the 1-byte length field")
    body = bytes((START, meter_type)) + _address_bytes(address) + bytes((control, len(data))) + bytes(data)
    return b"\xfe" * preamble + body + bytes((sum(body) & 0xFF, END))


def _di_bytes(di: int, profile: Cjt188Profile) -> bytes:
    return di.to_bytes(2, "little" if profile.di_low_first else "big")


def _ser(ser: int) -> int:
    if not isinstance(ser, int) or not 0 <= ser <= 0xFF:
        raise FrameError("value", 13, f"sequence number SER is one byte, got {ser!r}")
    return ser


def encode_request(meter_type: int, address: str, *, control: int = F_READ, di: int = DI_READ_DATA, ser: int = 0,
                   profile: Cjt188Profile = STANDARD, preamble: int = 0) -> bytes:
    """Master request carrying DI + SER: read data (01, DI 901F) or read address (03, DI 810A, usually to
    T = 0xAA and address ``AA``×7). The DI byte order follows ``profile.di_low_first``."""
    if control not in _DIS_BY_FUNCTION or di not in _DIS_BY_FUNCTION[control]:
        raise FrameError("unknown_di", 11, f"no request for control 0x{control:02X} with DI {di!r} "
                                           f"(known: 01 with 901F, 03 with 810A)")
    return encode_frame(meter_type, address, control, _di_bytes(di, profile) + bytes((_ser(ser),)),
                        preamble=preamble)


def status_bytes(valve: str = "open", battery_low: bool = False, vendor: int = 0,
                 profile: Cjt188Profile = STANDARD) -> bytes:
    """The two ST bytes for a valve state (open, closed, abnormal) and battery flag under ``profile``."""
    codes = {name: code for code, name in _VALVE.items() if name != "undefined"}
    if valve not in codes:
        raise FrameError("value", 33, f"valve state {valve!r} is not one of {', '.join(codes)}")
    if not isinstance(vendor, int) or not 0 <= vendor <= 0xFF:
        raise FrameError("value", 34, f"vendor status byte is one byte, got {vendor!r}")
    mask = profile.valve_mask
    shift = (mask & -mask).bit_length() - 1
    byte1 = ((codes[valve] << shift) & mask) | (profile.battery_mask if battery_low else 0)
    return bytes((byte1, vendor))


def _flow_field(value: Decimal | int | str, unit_code: int, what: str, offset: int,
                profile: Cjt188Profile) -> bytes:
    unit = UNITS.get(unit_code) if isinstance(unit_code, int) else None
    if unit is None:
        raise FrameError("unit", offset, f"unknown unit code {unit_code!r} for {what}")
    scaled = scaled_int(value, 2, what, offset)
    multiplier = unit[1]
    if scaled % multiplier:
        raise FrameError("value", offset, f"{what}: {value} is not a whole multiple of {multiplier} "
                                          f"{unit[0]} × 0.01, as unit code 0x{unit_code:02X} requires")
    scaled //= multiplier
    if not 0 <= scaled < 10 ** 8:
        raise FrameError("value", offset, f"{what}: {value} is outside XXXXXX.XX (0 to 999999.99 × {multiplier})")
    bcd = int_to_bcd_le(scaled, 4)
    code = bytes((unit_code,))
    return code + bcd if profile.unit_before_value else bcd + code


def encode_flow_reply(meter_type: int, address: str, *, cumulative_flow: Decimal | int | str,
                      settlement_flow: Decimal | int | str, unit_code: int = 0x2C,
                      settlement_unit_code: int | None = None, real_time: datetime | None = None,
                      status: bytes = b"\x00\x00", ser: int = 0, profile: Cjt188Profile = STANDARD,
                      preamble: int = 0) -> bytes:
    """Water/gas meter reply (81) to a 901F read: flows XXXXXX.XX with unit codes (default 0x2C = m³),
    the meter clock (``None`` sends seven zero bytes) and ST (see :func:`status_bytes`)."""
    if meter_type not in METER_TYPES or METER_TYPES[meter_type].medium not in ("water", "gas"):
        raise FrameError("meter_type", 1, f"meter type {meter_type!r} is not a water or gas meter (10–13, 30)")
    if not isinstance(status, (bytes, bytearray)) or len(status) != 2:
        raise FrameError("value", 33, f"status ST is 2 bytes, got {status!r}")
    if real_time is None:
        clock = b"\x00" * 7
    elif isinstance(real_time, datetime):
        t = real_time
        clock = b"".join(int_to_bcd_le(v, 1) for v in (t.second, t.minute, t.hour, t.day, t.month,
                                                          t.year % 100, t.year // 100))
    else:
        raise FrameError("datetime", 24, f"real_time is a datetime or None, not {type(real_time).__name__}")
    payload = (
        _di_bytes(DI_READ_DATA, profile) + bytes((_ser(ser),))
        + _flow_field(cumulative_flow, unit_code, "cumulative_flow", 14, profile)
        + _flow_field(settlement_flow, unit_code if settlement_unit_code is None else settlement_unit_code,
                      "settlement_flow", 19, profile)
        + clock + bytes(status)
    )
    return encode_frame(meter_type, address, 0x81, payload, preamble=preamble)
