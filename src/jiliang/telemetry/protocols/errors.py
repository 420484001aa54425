"""The one error type of the frame codecs. Pure: no Django imports.

Every failure to read or build a frame raises :class:`FrameError`, a :class:`ValueError`, with a short
machine-readable ``reason``, the byte ``offset`` in the input where the problem is, and a message that
says exactly what is wrong. This is the project rule that a bad frame is rejected with its position and
reason (ARCHITECTURE.md, Conventions: Errors).
"""

from __future__ import annotations

#: Reasons a frame can be rejected, with what ``offset`` points at.
REASONS: dict[str, str] = {
    "type": "the input is not bytes, bytearray, memoryview or str (offset 0)",
    "hex": "the hex string is malformed; for this reason only, offset counts characters of the string",
    "empty": "the input holds no bytes (offset 0)",
    "start_byte": "a 0x68 start byte is missing where the frame format puts one",
    "truncated": "the input ends before the frame does (offset = input length)",
    "length": "the length field L disagrees with the bytes present (offset of the L byte)",
    "end_byte": "the byte after the checksum is not 0x16",
    "checksum": "the checksum byte differs from the sum of the frame bytes mod 256",
    "control": "the control code is unknown, or not allowed in this direction",
    "unknown_di": "the data identifier is not in the codec's table",
    "bcd": "a BCD nibble is above 9 (offset of the byte holding it)",
    "address": "the address is malformed (encoders) or not BCD / 0xAA padding",
    "meter_type": "the CJ/T 188 meter type T is unknown, or has no payload layout for this DI",
    "unit": "the CJ/T 188 unit code is unknown",
    "datetime": "the meter's real-time clock field is not a valid date and time",
    "value": "an encoder was given a value its format cannot carry exactly",
}


class FrameError(ValueError):
    """A frame that cannot be decoded or built.

    ``reason`` is one of :data:`REASONS`; ``offset`` is the 0-based byte offset in the input (after hex
    decoding, counting any ``FE`` preamble) where the problem is. For ``reason == "hex"`` it is the
    character index in the hex string instead. Encoders report the offset the field would have in the
    frame being built.
    """

    __slots__ = ("reason", "offset")

    def __init__(self, reason: str, offset: int, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.offset = offset

    def __reduce__(self):  # keep reason and offset across pickling (task workers, multiprocessing)
        return (type(self), (self.reason, self.offset, str(self)))

    def __repr__(self) -> str:
        return f"FrameError(reason={self.reason!r}, offset={self.offset}, message={str(self)!r})"
