"""Hand-written protobuf wire primitives for the codec tests.

Independent of dait_chain.codec and of the protobuf runtime: the tests build expected bytes
and mutations with these, from the encoding guide's definitions (varint = 7 bits per
byte, least significant group first, high bit = more; tag = field_number << 3 | wire_type).
"""

from __future__ import annotations

from dataclasses import dataclass

VARINT, I64, LEN, I32 = 0, 1, 2, 5


def varint(value: int) -> bytes:
    """The shortest varint of an unsigned value < 2^64."""
    assert 0 <= value < 1 << 64
    out = bytearray()
    while value >= 0x80:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def padded_varint(value: int, extra: int) -> bytes:
    """The varint of `value` with `extra` redundant zero groups (non-minimal)."""
    body = bytearray(varint(value))
    body[-1] |= 0x80
    body += b"\x80" * (extra - 1) + b"\x00"
    return bytes(body)


def tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def f_varint(number: int, value: int) -> bytes:
    """A varint field; negative values are two's-complement 64-bit, as int32/int64 are."""
    return tag(number, VARINT) + varint(value % (1 << 64))


def f_len(number: int, payload: bytes) -> bytes:
    return tag(number, LEN) + varint(len(payload)) + payload


def f_i32(number: int, raw: bytes) -> bytes:
    assert len(raw) == 4
    return tag(number, I32) + raw


def f_i64(number: int, raw: bytes) -> bytes:
    assert len(raw) == 8
    return tag(number, I64) + raw


@dataclass(frozen=True)
class Record:
    """One field record of a message: its number, wire type, and the spans of its parts."""

    number: int
    wire_type: int
    raw: bytes  # the whole record: tag, (length,) value
    tag_len: int  # bytes of the tag varint
    head_len: int  # bytes of tag + length prefix (LEN) or tag only

    @property
    def payload(self) -> bytes:
        return self.raw[self.head_len :]


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def records(data: bytes) -> list[Record]:
    """Split a well-formed message into its top-level records (no validation)."""
    out: list[Record] = []
    pos = 0
    while pos < len(data):
        start = pos
        key, pos = _read_varint(data, pos)
        tag_len = pos - start
        number, wire_type = key >> 3, key & 7
        if wire_type == VARINT:
            _, pos = _read_varint(data, pos)
            head = tag_len
        elif wire_type == I64:
            head, pos = tag_len, pos + 8
        elif wire_type == I32:
            head, pos = tag_len, pos + 4
        elif wire_type == LEN:
            length, after = _read_varint(data, pos)
            head = after - start
            pos = after + length
        else:
            raise ValueError(f"wire type {wire_type}")
        out.append(Record(number, wire_type, data[start:pos], tag_len, head))
    assert pos == len(data)
    return out


def join(recs: list[Record]) -> bytes:
    return b"".join(r.raw for r in recs)
