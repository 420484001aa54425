"""DL/T 645-2007 multi-function electricity meter frames (多功能电能表通信协议): decode and encode.

Pure: no Django imports. Facts below are from ``shared/reference/protocols-energy-dcc.md`` §1 (the
standard's text was not available; the reference cites forum and vendor copies and PyPI ``dlt645`` 3.2.0).

Frame (DL/T 645-2007 §4 frame format; reference §1.1)::

    [FE ×0–4]  68  A0 … A5  68  C  L  DATA(L)  CS  16

* ``FE`` preamble wakes the meter; not part of the frame, not in the checksum.
* A0…A5: 12 BCD digits, least-significant byte first; meter ``000102030425`` is sent
  ``25 04 03 02 01 00``. ``AA`` bytes pad short addresses or form the wildcard ``AAAAAAAAAAAA``;
  ``999999999999`` is broadcast.
* C: D7 direction (1 = slave reply), D6 abnormal reply, D5 more frames follow, D4…D0 function
  (reference §1.2). ``11`` read, ``91`` reply, ``B1`` reply with follow-up, ``D1`` error reply with one
  error byte, ``12`` read follow-up (reply ``92``/``B2``, error ``D2``), ``13``/``93`` read address.
* DATA: every byte is original + 0x33 on the wire. It starts with the 4-byte data identifier DI, DI0
  first (reference §1.3); values are packed BCD, least-significant byte first, decimal point implied by
  the format; signed quantities carry the sign in bit 7 of the most significant byte (1 = negative).
* CS: sum of the bytes from the first ``68`` to the last DATA byte, mod 256.

The 1997 edition (control codes ``01``/``81``, 2-byte DIs) has the same frame but is not decoded here:
its frames are rejected with reason ``control`` and a message saying so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from .bcd import Reading, bcd_error, check_tail, int_to_bcd_le, meter_address, scaled_int, to_bytes
from .errors import FrameError

__all__ = [
    "DATA_ITEMS", "ERROR_BITS", "EVENT_COUNTERS", "DataFormat", "DataItem", "Dlt645Frame", "Dlt645RawFrame",
    "decode", "encode_error_reply", "encode_frame", "encode_read_reply", "encode_read_request", "unpack",
]

START = 0x68
END = 0x16
PREAMBLE = 0xFE
SCRAMBLE = 0x33
BROADCAST = "999999999999"
WILDCARD = "AAAAAAAAAAAA"

# Function codes D4..D0 of the 2007 edition (reference §1.2; the CtrlCode enum of PyPI dlt645 3.2.0).
F_BROADCAST_TIME, F_READ, F_READ_NEXT, F_READ_ADDRESS = 0x08, 0x11, 0x12, 0x13
FUNCTIONS: Mapping[int, str] = MappingProxyType({
    0x08: "broadcast time sync", 0x11: "read data", 0x12: "read follow-up data", 0x13: "read address",
    0x14: "write data", 0x15: "write address", 0x16: "freeze", 0x17: "change baud rate",
    0x18: "change password", 0x19: "clear maximum demand", 0x1A: "clear meter", 0x1B: "clear events",
})
_FUNCTIONS_1997 = frozenset({0x01, 0x02, 0x03, 0x04, 0x0A, 0x0C, 0x0F, 0x10})

#: ERR byte of an abnormal reply, bit → name (reference §1.2, ErrorCode enum of dlt645 3.2.0).
ERROR_BITS: Mapping[int, str] = MappingProxyType({
    0: "other",                    # 其他错误
    1: "no_requested_data",        # 无请求数据
    2: "unauthorized",             # 密码错/未授权
    3: "baud_rate_unchangeable",   # 通信速率不能更改
    4: "year_zones_exceeded",      # 年时区数超
    5: "daily_periods_exceeded",   # 日时段数超
    6: "tariffs_exceeded",         # 费率数超
    7: "reserved_bit7",
})

_UNSCRAMBLE = bytes((b - SCRAMBLE) & 0xFF for b in range(256))
_SCRAMBLE = bytes((b + SCRAMBLE) & 0xFF for b in range(256))
# First hex digit of a signed value's most significant byte: sign bit 0x8 set → negative, digit = h − 8.
_SIGNED_HEAD = {c: ("-" if int(c, 16) >= 8 else "", str(int(c, 16) & 7) if int(c, 16) >= 8 else c)
                for c in "0123456789abcdef"}


@dataclass(frozen=True, slots=True)
class DataFormat:
    """A value format of DL/T 645-2007 Appendix A as the reference writes it, e.g. ``XXXXXX.XX``."""

    pattern: str
    nbytes: int
    decimals: int
    signed: bool = False

    @property
    def max_scaled(self) -> int:
        """Largest magnitude × 10**decimals the format carries (the sign takes bit 7 of the top byte)."""
        return (8 * 10 ** (2 * self.nbytes - 1) if self.signed else 10 ** (2 * self.nbytes)) - 1


@dataclass(frozen=True, slots=True)
class DataItem:
    """A data identifier (数据标识) the codec knows: quantity name, format, unit.

    A data block (DI with ``FF``) lists the DIs of its elements in order; ``variable`` blocks (energy
    total + tariffs) may carry any number ≥ 1 of them.
    """

    di: int
    quantity: str
    name_zh: str
    unit: str
    fmt: DataFormat
    elements: tuple[int, ...] = ()
    variable: bool = False

    @property
    def di_text(self) -> str:
        return f"{self.di:08X}"

    @property
    def is_block(self) -> bool:
        return bool(self.elements)


ENERGY = DataFormat("XXXXXX.XX", 4, 2)
ENERGY_SIGNED = DataFormat("XXXXXX.XX", 4, 2, signed=True)
VOLTAGE = DataFormat("XXX.X", 2, 1)
CURRENT = DataFormat("XXX.XXX", 3, 3, signed=True)
POWER = DataFormat("XX.XXXX", 3, 4, signed=True)
POWER_FACTOR = DataFormat("X.XXX", 2, 3, signed=True)
FREQUENCY = DataFormat("XX.XX", 2, 2)
COUNT = DataFormat("NNNNNN", 3, 0)


def _items() -> dict[int, DataItem]:
    """The DI table of reference §1.3 (DIs: H; formats and signs: M).

    Signed per reference §1.3 "Sign": current, power, power factor, and the combined (组合) energies,
    whose range in dlt645 3.2.0 is ±799999.99.
    """
    rows = [
        DataItem(0x00000000, "combined_active_energy_total", "组合有功总电能", "kWh", ENERGY_SIGNED),
        DataItem(0x00010000, "forward_active_energy_total", "正向有功总电能", "kWh", ENERGY),
        DataItem(0x00020000, "reverse_active_energy_total", "反向有功总电能", "kWh", ENERGY),
        DataItem(0x00030000, "combined_reactive_1_energy_total", "组合无功1总电能", "kvarh", ENERGY_SIGNED),
        DataItem(0x00040000, "combined_reactive_2_energy_total", "组合无功2总电能", "kvarh", ENERGY_SIGNED),
        *(DataItem(0x00010000 | t << 8, f"forward_active_energy_tariff_{t}", f"正向有功费率{t}电能", "kWh", ENERGY)
          for t in range(1, 5)),
        DataItem(0x0001FF00, "forward_active_energy_block", "正向有功电能数据块", "kWh", ENERGY,
                 elements=(0x00010000, 0x00010100, 0x00010200, 0x00010300, 0x00010400), variable=True),
        *(DataItem(0x02010000 | p << 8, f"voltage_{c}", f"{c.upper()}相电压", "V", VOLTAGE)
          for p, c in ((1, "a"), (2, "b"), (3, "c"))),
        DataItem(0x0201FF00, "voltage_block", "电压数据块", "V", VOLTAGE,
                 elements=(0x02010100, 0x02010200, 0x02010300)),
        *(DataItem(0x02020000 | p << 8, f"current_{c}", f"{c.upper()}相电流", "A", CURRENT)
          for p, c in ((1, "a"), (2, "b"), (3, "c"))),
        DataItem(0x02030000, "active_power_total", "瞬时总有功功率", "kW", POWER),
        *(DataItem(0x02030000 | p << 8, f"active_power_{c}", f"瞬时{c.upper()}相有功功率", "kW", POWER)
          for p, c in ((1, "a"), (2, "b"), (3, "c"))),
        DataItem(0x02040000, "reactive_power_total", "瞬时总无功功率", "kvar", POWER),
        DataItem(0x02050000, "apparent_power_total", "瞬时总视在功率", "kVA", POWER),
        DataItem(0x02060000, "power_factor_total", "总功率因数", "1", POWER_FACTOR),
        DataItem(0x02800002, "grid_frequency", "电网频率", "Hz", FREQUENCY),
        # Event counters (see EVENT_COUNTERS for their source).
        DataItem(0x03300D00, "cover_opened_count", "开表盖总次数", "times", COUNT),
        DataItem(0x03350000, "magnetic_interference_count", "恒定磁场干扰总次数", "times", COUNT),
    ]
    return {row.di: row for row in rows}


#: Known data identifiers, DI3..DI0 as an int (``0x00010000`` = forward active energy, total).
DATA_ITEMS: Mapping[int, DataItem] = MappingProxyType(_items())

#: Event counters a household electricity meter answers, DI → the event they count. Not in
#: ``shared/reference/protocols-energy-dcc.md``: DI ``03300D00`` 开表盖总次数 (meter cover opened, total count) and
#: ``03350000`` 恒定磁场干扰总次数 (constant magnetic field interference, total count), each 3 bytes NNNNNN, are
#: from public meter-firmware and concentrator source tables found by searching for the DIs (a firmware DI table
#: "开表盖记录 0x03300D00 … LONG3BYTE", a concentrator table "0x03350000 恒定磁场干扰次数 … len 3", a Java parser
#: mapping "03350001 上1次恒定磁场干扰记录"), not from the standard's text: confidence M (DI), L (format).
EVENT_COUNTERS: Mapping[int, str] = MappingProxyType({0x03300D00: "cover_opened", 0x03350000: "magnetic_tamper"})


def _element(block: DataItem, index: int) -> tuple[int, str]:
    """DI and quantity of element ``index`` of a block; energy tariffs beyond the table follow DI1 = tariff."""
    if index < len(block.elements):
        di = block.elements[index]
        return di, DATA_ITEMS[di].quantity
    di = (block.di & 0xFFFF00FF) | index << 8
    return di, f"forward_active_energy_tariff_{index}"


@dataclass(frozen=True, slots=True)
class Dlt645RawFrame:
    """A frame checked for start bytes, length, end byte and checksum, not yet interpreted.

    ``data`` is the data field with the 0x33 already subtracted.
    """

    address: str
    control: int
    data: bytes
    preamble: int


@dataclass(frozen=True)
class Dlt645Frame:
    """A decoded DL/T 645-2007 frame.

    ``address`` is the meter number as printed on the meter (``"000102030425"``; ``A`` for 0xAA padding).
    ``di`` is DI3..DI0 as an int; ``quantity``/``value``/``unit`` are set for a single-value read reply,
    ``values`` holds every value of a reply in order (one for a single item, n for a data block).
    ``error`` is the ERR byte of an abnormal reply. ``data`` is the data field after −0x33.
    ``seq`` is the frame sequence number of read-follow-up frames (function 12).
    """

    address: str
    control: int
    di: int | None
    quantity: str | None
    value: Decimal | None
    unit: str | None
    values: tuple[Decimal, ...]
    error: int | None
    data: bytes
    preamble: int
    seq: int | None = None

    @property
    def is_reply(self) -> bool:
        return bool(self.control & 0x80)

    @property
    def is_error(self) -> bool:
        return bool(self.control & 0x40)

    @property
    def more_follows(self) -> bool:
        return bool(self.control & 0x20)

    @property
    def function(self) -> int:
        return self.control & 0x1F

    @property
    def di_text(self) -> str | None:
        return None if self.di is None else f"{self.di:08X}"

    @property
    def item(self) -> DataItem | None:
        return None if self.di is None else DATA_ITEMS.get(self.di)

    @property
    def errors(self) -> tuple[str, ...]:
        """Names of the bits set in ``error`` (reference §1.2), low bit first."""
        if self.error is None:
            return ()
        return tuple(name for bit, name in ERROR_BITS.items() if self.error >> bit & 1)

    @property
    def readings(self) -> tuple[Reading, ...]:
        """Every value as a :class:`Reading`; block elements get their own DI and quantity name."""
        item = self.item
        if item is None or not self.values:
            return ()
        if not item.is_block:
            return (Reading(item.quantity, self.values[0], item.unit, item.di),)
        out = []
        for k, v in enumerate(self.values):
            di, quantity = _element(item, k)
            out.append(Reading(quantity, v, item.unit, di))
        return tuple(out)


_new = object.__new__
_setattr = object.__setattr__


def _frame(address: str, control: int, di: int | None, quantity: str | None, value: Decimal | None,
           unit: str | None, values: tuple[Decimal, ...], error: int | None, data: bytes, preamble: int,
           seq: int | None) -> Dlt645Frame:
    """Build a :class:`Dlt645Frame` without the frozen ``__init__``'s eleven ``object.__setattr__`` calls
    (the decoder's largest single cost); the instance is the same as one built by ``__init__``."""
    frame = _new(Dlt645Frame)
    _setattr(frame, "__dict__", {
        "address": address, "control": control, "di": di, "quantity": quantity, "value": value, "unit": unit,
        "values": values, "error": error, "data": data, "preamble": preamble, "seq": seq,
    })
    return frame


#: Fast-path table for single-value read replies, keyed by the unscrambled DI bytes (DI0 first):
#: (DI, quantity, unit, data length, signed, exponent suffix for Decimal).
_SINGLE: dict[bytes, tuple[int, str, str, int, bool, str]] = {
    di.to_bytes(4, "little"): (di, it.quantity, it.unit, 4 + it.fmt.nbytes, it.fmt.signed, f"E-{it.fmt.decimals}")
    for di, it in DATA_ITEMS.items() if not it.is_block
}


# --- control codes ----------------------------------------------------------------------------------

_REQ, _REPLY, _ERROR = 0, 1, 2


def _control_table() -> tuple[tuple[int, int] | None, ...]:
    """Per control byte: (kind, function) if valid in DL/T 645-2007, else None."""
    table: list[tuple[int, int] | None] = [None] * 256
    for f in FUNCTIONS:
        table[f] = (_REQ, f)
        if f != F_BROADCAST_TIME:  # meters do not reply to broadcast (reference §1.1, special addresses)
            table[0x80 | f] = (_REPLY, f)
            table[0xC0 | f] = (_ERROR, f)
    for f in (F_READ, F_READ_NEXT):  # D5 = more frames follow: only read replies (B1, B2)
        table[0xA0 | f] = (_REPLY, f)
    return tuple(table)


_CONTROL = _control_table()


def _control_error(control: int, offset: int) -> FrameError:
    function, direction = control & 0x1F, "slave reply" if control & 0x80 else "master request"
    if function in _FUNCTIONS_1997 and not control & 0x60:
        why = "a DL/T 645-1997 function code (01 read, 04 write, …); this codec reads the 2007 edition"
    elif function not in FUNCTIONS:
        why = f"function code 0x{function:02X} is not defined in DL/T 645-2007"
    elif not control & 0x80:
        why = "a master request may not set D6 (abnormal) or D5 (follow-up)"
    elif function == F_BROADCAST_TIME:
        why = "meters do not reply to broadcast time sync (08)"
    else:
        why = "D5 (more frames follow) is only valid on a normal read reply (B1, B2)"
    return FrameError("control", offset, f"control code 0x{control:02X} at byte {offset} ({direction}): {why}")


# --- framing ----------------------------------------------------------------------------------------


def _locate(raw: bytes) -> tuple[int, int]:
    """Check the envelope; return (offset of the first 68, offset just past the 16).

    Literals rather than the module constants: this runs once per frame (0xFE preamble, 0x68 start,
    0x16 end).
    """
    n = len(raw)
    i = 0
    if raw[0] == 0xFE:
        i = n - len(raw.lstrip(b"\xfe"))
        if i == n:
            raise FrameError("truncated", n, f"input ends at byte {n} inside the FE preamble: no start byte 0x68")
    if raw[i] != 0x68:
        raise FrameError("start_byte", i, f"no start byte at byte {i}: found 0x{raw[i]:02X}, expected 0x68")
    if n - i < 10:
        raise FrameError("truncated", n, f"truncated frame: input ends at byte {n}, a DL/T 645 header needs "
                                         f"10 bytes from the start byte at byte {i}")
    if raw[i + 7] != 0x68:
        raise FrameError("start_byte", i + 7, f"second start byte missing at byte {i + 7}: "
                                              f"found 0x{raw[i + 7]:02X}, expected 0x68")
    end = i + 12 + raw[i + 9]
    if n != end:
        if n < end:
            raise FrameError("truncated", n, f"truncated frame: length field L={raw[i + 9]} at byte {i + 9} "
                                             f"needs {end} bytes, input has {n}")
        raise FrameError("length", i + 9, f"length field L={raw[i + 9]} at byte {i + 9} puts the end byte at "
                                          f"byte {end - 1}, but the input has {n - end} more byte(s) after it")
    check_tail(raw, i, end)
    return i, end


def _address(raw: bytes, at: int) -> str:
    """A0..A5 at ``raw[at:]`` as the printed meter number; each byte BCD or 0xAA."""
    return meter_address(raw, at, 6, "the address field (A0..A5; only 0xAA padding may be non-BCD)")


def unpack(frame: bytes | bytearray | memoryview | str) -> Dlt645RawFrame:
    """Check a frame's envelope (start bytes, length, end byte, checksum, address) without interpreting
    the control code or data; for a meter simulator that must answer requests it cannot decode."""
    raw = to_bytes(frame)
    i, end = _locate(raw)
    return Dlt645RawFrame(_address(raw, i + 1), raw[i + 8], raw[i + 10:end - 2].translate(_UNSCRAMBLE), i)


def decode(frame: bytes | bytearray | memoryview | str) -> Dlt645Frame:
    """Decode one DL/T 645-2007 frame (bytes, or hex with or without spaces; leading ``FE`` allowed).

    Interprets read requests and replies (11, 91, B1, 12, 92, B2), abnormal replies (D1, D2, … with
    their ERR byte) and read-address frames (13, 93). Other 2007 functions (write, freeze, …) are
    checked and returned with ``data`` uninterpreted and ``di`` None. Trailing bytes after the end byte
    are an error (reason ``length``), not ignored. Raises :class:`FrameError` on any defect.
    """
    raw = frame if type(frame) is bytes and frame else to_bytes(frame)
    i, end = _locate(raw)
    control = raw[i + 8]
    address = raw[i + 6:i:-1].hex()  # A5..A0: the printed meter number
    if not address.isdigit():
        address = _address(raw, i + 1)
    data = raw[i + 10:end - 2].translate(_UNSCRAMBLE)
    if control == 0x91:  # fast path: the normal reply to a read of one value, the bulk of meter traffic
        spec = _SINGLE.get(data[:4])
        if spec is not None and len(data) == spec[3]:
            digits = data[:3:-1].hex()  # value bytes, most significant first
            sign = ""
            if spec[4]:
                sign, head = _SIGNED_HEAD[digits[0]]
                digits = head + digits[1:]
            if digits.isdigit():
                value = Decimal(sign + digits + spec[5])
                return _frame(address, control, spec[0], spec[1], value, spec[2], (value,), None, data, i, None)
    kind = _CONTROL[control]
    if kind is None:
        raise _control_error(control, i + 8)
    base = i + 10  # offset of data[0] in the input
    kind_, function = kind
    if kind_ == _ERROR:
        if len(data) != 1:
            raise FrameError("length", i + 9, f"abnormal reply 0x{control:02X} carries one error byte, "
                                              f"length field L={len(data)} at byte {i + 9}")
        return _frame(address, control, None, None, None, None, (), data[0], data, i, None)
    if function == F_READ or function == F_READ_NEXT:
        return _decode_read(raw, address, control, kind_ == _REPLY, function == F_READ_NEXT, data, base, i)
    if function == F_READ_ADDRESS:
        want = 6 if kind_ == _REPLY else 0
        if len(data) != want:
            raise FrameError("length", i + 9, f"read-address frame 0x{control:02X} carries {want} data bytes, "
                                              f"length field L={len(data)} at byte {i + 9}")
    return _frame(address, control, None, None, None, None, (), None, data, i, None)


def _decode_read(raw: bytes, address: str, control: int, reply: bool, follow_up: bool, data: bytes,
                 base: int, preamble: int) -> Dlt645Frame:
    n = len(data)
    seq = None
    if follow_up:  # read follow-up frames end with a 1-byte frame sequence number SEQ
        if n < 5:
            raise FrameError("length", base - 1, f"read follow-up frame 0x{control:02X} needs DI + SEQ, "
                                                 f"length field L={n} at byte {base - 1}")
        n -= 1
        seq = data[n]
    if n < 4:
        raise FrameError("length", base - 1, f"read frame 0x{control:02X} needs a 4-byte data identifier, "
                                             f"length field L={len(data)} at byte {base - 1}")
    di = int.from_bytes(data[:4], "little")
    item = DATA_ITEMS.get(di)
    if item is None:
        raise FrameError("unknown_di", base, f"unknown data identifier {di:08X} at bytes {base}–{base + 3} "
                                             f"(wire {raw[base:base + 4].hex(' ').upper()})")
    if not reply:
        if n != 4:
            raise FrameError("length", base - 1, f"read request for DI {di:08X} carries only the DI (4 bytes), "
                                                 f"length field L={len(data)} at byte {base - 1}")
        return _frame(address, control, di, item.quantity, None, item.unit, (), None, data, preamble, seq)
    fmt = item.fmt
    width = fmt.nbytes
    size = n - 4
    if item.is_block:
        count = size // width
        bad = size % width or count < 1 or (not item.variable and count != len(item.elements))
        if bad:
            expect = f"n × {width} bytes, n ≥ 1" if item.variable else f"{len(item.elements) * width} bytes"
            raise FrameError("length", base - 1, f"DI {di:08X} ({item.quantity}) expects {expect} after the DI, "
                                                 f"the data field has {size} (length field at byte {base - 1})")
        values = tuple(_value(data, 4 + k * width, fmt, base, item.quantity) for k in range(count))
        return _frame(address, control, di, item.quantity, None, item.unit, values, None, data, preamble, seq)
    if size != width:
        raise FrameError("length", base - 1, f"DI {di:08X} ({item.quantity}, {fmt.pattern}) expects {width} bytes "
                                             f"after the DI, the data field has {size} "
                                             f"(length field at byte {base - 1})")
    value = _value(data, 4, fmt, base, item.quantity)
    return _frame(address, control, di, item.quantity, value, item.unit, (value,), None, data, preamble, seq)


def _value(data: bytes, start: int, fmt: DataFormat, base: int, what: str) -> Decimal:
    """One BCD value of ``fmt`` at ``data[start:]`` (already −0x33)."""
    digits = data[start:start + fmt.nbytes][::-1].hex()
    sign = ""
    if fmt.signed:
        sign, head = _SIGNED_HEAD[digits[0]]
        digits = head + digits[1:]
    if not digits.isdigit():
        raise bcd_error(data, start, fmt.nbytes, base, what, SCRAMBLE, sign_bit=fmt.signed)
    return Decimal(f"{sign}{digits}E-{fmt.decimals}")


# --- encoders ---------------------------------------------------------------------------------------


def _address_bytes(address: str) -> bytes:
    if not isinstance(address, str) or len(address) != 12:
        raise FrameError("address", 1, f"a DL/T 645 address is 12 characters (BCD digits or AA pairs), got {address!r}")
    pairs = [address[k:k + 2] for k in range(0, 12, 2)]
    for k, p in enumerate(pairs):
        if not (p.isdigit() and p.isascii()) and p.upper() != "AA":
            raise FrameError("address", 1 + 5 - k, f"address {address!r}: {p!r} is neither two BCD digits nor AA")
    return bytes.fromhex(address)[::-1]


def encode_frame(address: str, control: int, data: bytes = b"", *, preamble: int = 0) -> bytes:
    """Build a frame from the printed ``address``, a control byte and the *unscrambled* data field
    (0x33 is added here); ``preamble`` ``FE`` bytes are prepended (0–4 in practice)."""
    if not isinstance(control, int) or not 0 <= control <= 0xFF:
        raise FrameError("control", 8, f"control code {control!r} is not a byte")
    if not isinstance(preamble, int) or preamble < 0:
        raise FrameError("value", 0, f"preamble is a count of FE bytes (0–4 in practice), got {preamble!r}")
    if len(data) > 0xFF:
        raise FrameError("length", 9, f"data field of {len(data)} bytes does not fit the 1-byte length field")
    body = b"\x68" + _address_bytes(address) + bytes((START, control, len(data))) + bytes(data).translate(_SCRAMBLE)
    return b"\xfe" * preamble + body + bytes((sum(body) & 0xFF, END))


def _item(di: int) -> DataItem:
    item = DATA_ITEMS.get(di)
    if item is None:
        raise FrameError("unknown_di", 10, f"unknown data identifier {di:08X}" if isinstance(di, int)
                         else f"a data identifier is an int such as 0x00010000, not {di!r}")
    return item


def encode_read_request(address: str, di: int, *, preamble: int = 0) -> bytes:
    """Master read request (control 11) for a known ``di`` (DI3..DI0 as an int)."""
    _item(di)
    return encode_frame(address, 0x11, di.to_bytes(4, "little"), preamble=preamble)


def _value_bytes(value: Decimal | int | str, fmt: DataFormat, what: str, offset: int) -> bytes:
    scaled = scaled_int(value, fmt.decimals, what, offset)
    magnitude = abs(scaled)
    if scaled < 0 and not fmt.signed:
        raise FrameError("value", offset, f"{what}: {value} is negative, but {fmt.pattern} here is unsigned")
    if magnitude > fmt.max_scaled:
        limit = Decimal(fmt.max_scaled).scaleb(-fmt.decimals)
        raise FrameError("value", offset, f"{what}: {value} is outside {fmt.pattern} (|value| ≤ {limit})")
    out = bytearray(int_to_bcd_le(magnitude, fmt.nbytes))
    if scaled < 0:
        out[-1] |= 0x80
    return bytes(out)


def encode_read_reply(address: str, di: int, value: Decimal | int | str | Sequence[Decimal | int | str], *,
                      more_follows: bool = False, preamble: int = 0) -> bytes:
    """Slave's normal read reply (91, or B1 with ``more_follows``) carrying ``value`` for ``di``.

    ``value`` is exact (Decimal, int or decimal string; floats are refused) and must fit the DI's format;
    for a data block pass a sequence (voltage block: A, B, C; energy block: total, tariff 1, …).
    """
    item = _item(di)
    if item.is_block:
        if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
            raise FrameError("value", 14, f"DI {di:08X} is a data block: pass a sequence of values")
        if not value or (not item.variable and len(value) != len(item.elements)):
            need = "at least 1" if item.variable else str(len(item.elements))
            raise FrameError("value", 14, f"DI {di:08X} ({item.quantity}) takes {need} values, got {len(value)}")
        payload = b"".join(
            _value_bytes(v, item.fmt, f"{item.quantity}[{k}]", 14 + k * item.fmt.nbytes) for k, v in enumerate(value)
        )
    else:
        payload = _value_bytes(value, item.fmt, item.quantity, 14)  # type: ignore[arg-type]
    control = 0xB1 if more_follows else 0x91
    return encode_frame(address, control, di.to_bytes(4, "little") + payload, preamble=preamble)


def encode_error_reply(address: str, error: int, *, function: int = F_READ, preamble: int = 0) -> bytes:
    """Slave's abnormal reply (D1 for a read, D2 for a read follow-up, …) with the ERR byte ``error``
    (bits as :data:`ERROR_BITS`, e.g. ``0x02`` = no requested data)."""
    if not isinstance(function, int) or not 0 <= function <= 0x1F or _CONTROL[0xC0 | function] is None:
        raise FrameError("control", 8, f"function code 0x{function:02X} has no abnormal reply in DL/T 645-2007")
    if not isinstance(error, int) or not 0 <= error <= 0xFF:
        raise FrameError("value", 10, f"the error word is one byte, got {error!r}")
    return encode_frame(address, 0xC0 | function, bytes((error,)), preamble=preamble)
