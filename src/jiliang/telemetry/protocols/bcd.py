"""Byte-level pieces shared by the frame codecs: hex input, packed BCD numbers, decoded readings.

Pure: no Django imports.

* Input: a frame arrives as bytes or as a hex string (as gateways log and forward it), with or without
  whitespace between bytes.
* Packed BCD, least-significant byte first, is how both DL/T 645-2007 (addresses and values,
  reference §1.1 and §1.3: "Values are packed BCD, least-significant byte first, with the decimal point
  implied by the format") and CJ/T 188-2004 (addresses, flows, real time; reference §2.1 and §2.4)
  carry numbers. A nibble above 9 is an error; the error names the byte that holds it.
* :class:`Reading` is one decoded quantity: name, exact :class:`~decimal.Decimal` value, unit.

"Reference" throughout the codecs is ``shared/reference/protocols-energy-dcc.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import FrameError

HEX_DIGITS = frozenset("0123456789abcdefABCDEF")

#: Value 0..99 of a packed-BCD byte, or -1 where a nibble is above 9.
BCD_VALUE: tuple[int, ...] = tuple(
    (b >> 4) * 10 + (b & 0x0F) if (b >> 4) <= 9 and (b & 0x0F) <= 9 else -1 for b in range(256)
)


@dataclass(frozen=True, slots=True)
class Reading:
    """One decoded quantity of a frame: a snake_case ``quantity`` name, its exact value and unit.

    ``di`` is the data identifier of this element where the protocol gives each element its own
    (DL/T 645 data blocks), else ``None``.
    """

    quantity: str
    value: Decimal
    unit: str
    di: int | None = None


def to_bytes(frame: bytes | bytearray | memoryview | str) -> bytes:
    """Return the frame as ``bytes``.

    A ``str`` is hex: two hex digits per byte, any whitespace between bytes ignored ("68 25 04 …",
    "682504…", one byte per line). Raises :class:`FrameError` with reason ``hex`` (offset = character
    index), ``type`` or ``empty``.
    """
    if type(frame) is bytes:
        raw = frame
    elif isinstance(frame, str):
        try:
            raw = bytes.fromhex(frame)
        except ValueError:
            raw = _hex_slow(frame)
    elif isinstance(frame, (bytes, bytearray, memoryview)):
        raw = bytes(frame)
    else:
        raise FrameError("type", 0, f"a frame is bytes or a hex string, not {type(frame).__name__}")
    if not raw:
        raise FrameError("empty", 0, "empty input: no frame bytes")
    return raw


def _hex_slow(text: str) -> bytes:
    """Parse hex that ``bytes.fromhex`` refused, or say at which character it is malformed."""
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] not in HEX_DIGITS:
                raise FrameError("hex", j, f"non-hex character {text[j]!r} at character {j} of the hex string")
            j += 1
        if (j - i) % 2:
            raise FrameError(
                "hex", j - 1,
                f"odd number of hex digits in {text[i:j]!r} (characters {i}–{j - 1}): each byte needs two digits",
            )
        tokens.append(text[i:j])
        i = j
    return bytes.fromhex("".join(tokens))


def digits_le(data: bytes, start: int, length: int, base: int, what: str, wire_delta: int = 0) -> str:
    """The decimal digits of ``length`` packed-BCD bytes at ``data[start:]``, least-significant byte first.

    Returns the digits most-significant first (``42 06 12 00`` → ``"00120642"``). ``base`` is the offset
    of ``data[0]`` in the input, used to report the failing byte; ``wire_delta`` is what was subtracted
    from the wire byte before (0x33 for DL/T 645 data), for the message only.
    """
    digits = data[start:start + length][::-1].hex()
    if digits.isdigit():
        return digits
    raise bcd_error(data, start, length, base, what, wire_delta)


def bcd_error(data: bytes, start: int, length: int, base: int, what: str, wire_delta: int = 0,
              sign_bit: bool = False) -> FrameError:
    """The :class:`FrameError` for the first (most significant) non-BCD byte of a field."""
    for k in range(start + length - 1, start - 1, -1):  # most significant byte first, as a person reads it
        b = data[k]
        hi = (b >> 4) & (0x7 if sign_bit and k == start + length - 1 else 0xF)
        bad = hi if hi > 9 else (b & 0x0F)
        if hi > 9 or (b & 0x0F) > 9:
            wire = f", wire byte 0x{(b + wire_delta) & 0xFF:02X} before −0x{wire_delta:02X}" if wire_delta else ""
            return FrameError(
                "bcd", base + k,
                f"BCD digit 0x{bad:X} > 9 at byte {base + k} (value byte 0x{b:02X}{wire}) in {what}",
            )
    raise AssertionError("bcd_error called on valid BCD")  # pragma: no cover


def int_to_bcd_le(value: int, length: int) -> bytes:
    """``value`` (0 ≤ value < 100**length) as ``length`` packed-BCD bytes, least-significant byte first."""
    return bytes.fromhex(f"{value:0{2 * length}d}")[::-1]


def decimal_from_digits(digits: str, decimals: int, negative: bool = False) -> Decimal:
    """Exact value of a digit string with ``decimals`` implied decimal places: ``"00120642", 2`` → 1206.42."""
    return Decimal(f"{'-' if negative else ''}{digits}E-{decimals}")


def scaled_int(value: Decimal | int | str, decimals: int, what: str, offset: int) -> int:
    """``value`` × 10**decimals as an exact ``int``, or :class:`FrameError` (reason ``value``).

    Floats are refused: a meter value is decimal, and a float would be silently rounded.
    """
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise FrameError("value", offset, f"{what}: pass a Decimal, int or str, not {type(value).__name__}")
    try:
        d = Decimal(value)
    except ArithmeticError:
        raise FrameError("value", offset, f"{what}: {value!r} is not a decimal number") from None
    if not d.is_finite():
        raise FrameError("value", offset, f"{what}: {value!r} is not a finite number")
    scaled = d.scaleb(decimals)
    if scaled != scaled.to_integral_value():
        raise FrameError("value", offset, f"{what}: {value} has more than {decimals} decimal places")
    return int(scaled)


def check_tail(raw: bytes, start: int, end: int) -> None:
    """End byte 0x16 and checksum, the same in DL/T 645-2007 and CJ/T 188-2004: the sum of every byte
    from the first 0x68 up to the byte before CS, modulo 256 (reference §1.1 and §2.1)."""
    if raw[end - 1] != 0x16:
        raise FrameError("end_byte", end - 1, f"end byte at byte {end - 1} is 0x{raw[end - 1]:02X}, expected 0x16")
    cs = sum(raw[start:end - 2]) & 0xFF
    if cs != raw[end - 2]:
        raise FrameError("checksum", end - 2, f"checksum mismatch at byte {end - 2}: "
                                              f"frame says 0x{raw[end - 2]:02X}, computed 0x{cs:02X}")


def meter_address(raw: bytes, at: int, width: int, what: str) -> str:
    """A BCD address of ``width`` bytes, low byte first, as the printed meter number; 0xAA is allowed
    as padding or wildcard in both protocols, any other non-BCD byte is an error naming it."""
    text = raw[at:at + width][::-1].hex()
    if text.isdigit():
        return text
    for k in range(at + width - 1, at - 1, -1):
        b = raw[k]
        if b != 0xAA and BCD_VALUE[b] < 0:
            raise bcd_error(raw, k, 1, 0, what)
    return text.upper()
