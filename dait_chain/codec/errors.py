"""Registered errors of the codec (codespace "codec"); specs/codec.md lists each rule.

Codes 2-19 are the strict decoder's rules (specs/codec.md §2), one per rule, in the order
the wire walker checks them. Codes 20-29 are JCS (§4), 30-39 the proto-bound values (§5).
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class CodecError(DaitError, codespace="codec"):
    """Family of every codec refusal."""


# --- strict protobuf (specs/codec.md §2) -------------------------------------------------


class ErrTruncated(CodecError, code=2, description="truncated input"):
    """A varint, a length-delimited payload or a fixed-width value runs past its buffer."""


class ErrTrailingBytes(CodecError, code=3, description="bytes that do not form a field"):
    """Bytes remain where a field must start but carry field number 0 (padding, junk)."""


class ErrInvalidWireType(CodecError, code=4, description="invalid wire type"):
    """Wire type 6 or 7, or a group (3, 4): no canonical proto3 encoding has them."""


class ErrUnknownField(CodecError, code=5, description="unknown field"):
    """A field number the schema does not define (seed 002 §5: no unknown fields)."""


class ErrWrongWireType(CodecError, code=6, description="wire type does not match the field"):
    """A known field carried with a wire type other than its type's."""


class ErrFieldOutOfOrder(CodecError, code=7, description="fields not in ascending tag order"):
    """A field number lower than the one before it (seed 002 §5: ordering by tag number)."""


class ErrFieldRepeated(CodecError, code=8, description="non-repeated field occurs twice"):
    """A singular field, or a packed repeated field, encoded more than once."""


class ErrNonMinimalVarint(CodecError, code=9, description="varint not in shortest form"):
    """A varint (value, tag or length) with redundant trailing zero groups (seed 002 §5)."""


class ErrVarintOverflow(CodecError, code=10, description="varint out of range for its type"):
    """Longer than 10 bytes, above 2^64-1, a tag above 2^32-1, or outside the field type."""


class ErrDefaultValue(CodecError, code=11, description="default value present"):
    """An implicit-presence field carrying its default (seed 002 §5: no default-value
    fields emitted); also an empty packed list."""


class ErrNotPacked(CodecError, code=12, description="repeated scalar not packed"):
    """A repeated numeric field encoded element by element instead of packed."""


class ErrInvalidUtf8(CodecError, code=13, description="string is not valid UTF-8"):
    """A string field whose bytes are not well-formed UTF-8."""


class ErrFixedSize(CodecError, code=14, description="fixed-size bytes field has wrong length"):
    """A bytes field marked (dait.codec.v1.fixed_size) or (fixed_size_or_empty) whose
    length differs from the schema's."""


class ErrUnknownEnumValue(CodecError, code=15, description="enum value not defined"):
    """An enum field holding a number its enum does not define."""


class ErrOneofConflict(CodecError, code=16, description="more than one member of a oneof"):
    """Two members of the same oneof present; the runtime would silently keep the last."""


class ErrTooDeep(CodecError, code=17, description="message nesting too deep"):
    """Sub-messages nested deeper than the recursion limit (100, upb's default)."""


class ErrNotCanonical(CodecError, code=18, description="not the canonical encoding"):
    """The fast path refused bytes the wire walker accepted. The two agree by design
    (tests prove it); this error exists so a disagreement can never pass silently."""


# --- JCS (specs/codec.md §4) --------------------------------------------------------------


class ErrJcsNonFinite(CodecError, code=20, description="JCS cannot carry NaN or infinity"):
    """RFC 8785 §3.2.2.3: NaN and the infinities have no JSON form."""


class ErrJcsLoneSurrogate(CodecError, code=21, description="JCS string has a lone surrogate"):
    """RFC 8785 §3.2.2.2 needs well-formed Unicode; a lone surrogate has no UTF-8 form."""


class ErrJcsKeyNotString(CodecError, code=22, description="JCS object key is not a string"):
    """RFC 8785 §3.2.3: object members are named by strings."""


class ErrJcsUnsupportedType(CodecError, code=23, description="type has no JSON form"):
    """Only None, bool, int, float, str, list, tuple and dict map to JSON."""


class ErrJcsIntegerRange(
    CodecError, code=24, description="integer beyond the IEEE-754 exact range"
):
    """RFC 8785 numbers are IEEE-754 doubles: |n| > 2^53 - 1 would lose digits."""


# --- proto-bound values (specs/codec.md §5) -----------------------------------------------


class ErrUnknownTypeUrl(CodecError, code=30, description="unknown Any type URL"):
    """An Any whose type URL no ProtoValue class is registered for."""


class ErrFieldValue(CodecError, code=31, description="value does not fit the proto field"):
    """A dataclass field value the proto field cannot hold (type or range)."""


class ErrJsonMapping(CodecError, code=32, description="invalid proto3 JSON"):
    """A JSON object that is not the proto3 JSON mapping of the message."""
