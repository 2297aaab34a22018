"""Wire-canonical protobuf: deterministic encoding and a strict decoder (specs/codec.md §1-§3).

Seed 002 §5: "Wire-canonical: deterministic protobuf. Field ordering by tag number
ascending, no unknown fields, no default-value fields emitted, varints in shortest form."
Cosmos ADR-027 is the model. The protobuf runtime's parser is lenient (it accepts any
field order, unknown fields, non-minimal varints, repeated singular fields), so the
strictness is ours:

- `encode(msg)` emits the canonical bytes of a message.
- `decode(msg_type, data)` accepts exactly the canonical encodings of valid messages, so
  `encode(decode(data)) == data` for every accepted `data`.

The definition of "canonical" is the wire walker (`walk`, specs/codec.md §2): it reads the
bytes field by field and raises the error of the first rule they break. `decode` first
tries a fast path (the runtime parses, re-serializes, and the bytes must be identical, no
unknown field may have been kept, and the schema's size and enum rules must hold); only
when that fails does it run the walker, to name the rule. Both accept the same byte
strings (specs/codec.md §3; tests/codec/test_mutations.py).
"""

from __future__ import annotations

import keyword
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import NoReturn, TypeVar

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import DecodeError, Message
from google.protobuf.message_factory import GetMessageClass
from google.protobuf.unknown_fields import UnknownFieldSet

from dait_chain.codec.errors import (
    ErrDefaultValue,
    ErrFieldOutOfOrder,
    ErrFieldRepeated,
    ErrFixedSize,
    ErrInvalidUtf8,
    ErrInvalidWireType,
    ErrNonMinimalVarint,
    ErrNotCanonical,
    ErrNotPacked,
    ErrOneofConflict,
    ErrTooDeep,
    ErrTrailingBytes,
    ErrTruncated,
    ErrUnknownEnumValue,
    ErrUnknownField,
    ErrVarintOverflow,
    ErrWrongWireType,
)
from dait_chain.pb.dait.codec.v1 import options_pb2

M = TypeVar("M", bound=Message)

# upb's default recursion limit: at most 100 levels of sub-messages below the top-level
# message. The walker counts the same way (top level = depth 0) so both paths agree.
MAX_DEPTH = 100
MAX_FIELD_NUMBER = (1 << 29) - 1
UINT32_LIMIT = 1 << 32
UINT64_LIMIT = 1 << 64
INT32_NEG_FLOOR = UINT64_LIMIT - (1 << 31)  # smallest sign-extended negative int32 varint


class WireType(IntEnum):
    """Protobuf wire types (encoding guide, "Message Structure")."""

    VARINT = 0
    I64 = 1
    LEN = 2
    SGROUP = 3
    EGROUP = 4
    I32 = 5


_T = FieldDescriptor
_VARINT_TYPES = frozenset(
    {
        _T.TYPE_INT32,
        _T.TYPE_INT64,
        _T.TYPE_UINT32,
        _T.TYPE_UINT64,
        _T.TYPE_SINT32,
        _T.TYPE_SINT64,
        _T.TYPE_BOOL,
        _T.TYPE_ENUM,
    }
)
_I32_TYPES = frozenset({_T.TYPE_FIXED32, _T.TYPE_SFIXED32})
_I64_TYPES = frozenset({_T.TYPE_FIXED64, _T.TYPE_SFIXED64})
_LEN_TYPES = frozenset({_T.TYPE_STRING, _T.TYPE_BYTES, _T.TYPE_MESSAGE})
_FLOAT_TYPES = frozenset({_T.TYPE_FLOAT, _T.TYPE_DOUBLE})


# --- schema plans ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldPlan:
    """What the walker and the fast path need to know about one field."""

    number: int
    name: str
    type: int  # FieldDescriptor.TYPE_*
    wire_type: WireType  # of one element
    repeated: bool
    packed: bool
    explicit_presence: bool  # proto3 `optional`, oneof members, messages
    oneof: str | None
    fixed_size: int | None  # (dait.codec.v1.fixed_size) or (fixed_size_or_empty)
    empty_allowed: bool  # fixed_size_or_empty
    enum_values: frozenset[int] | None
    message: Descriptor | None


@dataclass(frozen=True, slots=True)
class MessagePlan:
    """A message type's field plans and its precomputed fast-path checks."""

    full_name: str
    fields: dict[int, FieldPlan]
    required: tuple[FieldPlan, ...]  # non-repeated fixed_size fields (absent = empty = wrong)
    fast_check: Callable[[Message, int], bool]  # (message, its depth)
    fast_check_source: str
    message_fields: tuple[FieldPlan, ...]
    # Levels of sub-messages the schema allows below this message; None when a message
    # type contains itself (directly or not), so that only the input bounds the depth.
    static_depth: int | None
    # fast_check at depth 0 (a top-level message), given also the message's serialization
    # (its leading fixed-size records are checked on those bytes). For a schema whose
    # static depth is within MAX_DEPTH it is generated without depth bookkeeping and
    # without visiting sub-messages whose schema has no fixed-size or enum field.
    top_check: Callable[[Message, bytes], bool]


_PLANS: dict[str, MessagePlan] = {}
_PLANS_BY_TYPE: dict[type[Message], MessagePlan] = {}


def plan_of(msg_type: type[Message]) -> MessagePlan:
    """The plan of a generated message class (cached by class: the hot path's lookup)."""
    plan = _PLANS_BY_TYPE.get(msg_type)
    if plan is None:
        plan = message_plan(descriptor_of(msg_type))
        _PLANS_BY_TYPE[msg_type] = plan
    return plan


def _wire_type_of(field: FieldDescriptor) -> WireType:
    if field.type in _VARINT_TYPES:
        return WireType.VARINT
    if field.type in _I32_TYPES:
        return WireType.I32
    if field.type in _I64_TYPES:
        return WireType.I64
    if field.type in _LEN_TYPES:
        return WireType.LEN
    raise TypeError(f"{field.full_name}: field type {field.type} has no canonical form here")


def _field_plan(field: FieldDescriptor) -> FieldPlan:
    """Build a field's plan, refusing schema features the canonical form excludes."""
    if field.type in _FLOAT_TYPES:
        raise TypeError(f"{field.full_name}: float/double fields are not allowed (no floats)")
    if field.type == _T.TYPE_GROUP:
        raise TypeError(f"{field.full_name}: groups are not allowed")
    msg_type = field.message_type
    if msg_type is not None and msg_type.GetOptions().map_entry:
        # Map order is the runtime's choice, not the schema's; DAIT schemas use repeated
        # messages sorted by key instead (specs/codec.md "Decisions").
        raise TypeError(f"{field.full_name}: map fields are not allowed")
    options = field.GetOptions()
    fixed_size: int | None = None
    empty_allowed = False
    if options.HasExtension(options_pb2.fixed_size):
        fixed_size = options.Extensions[options_pb2.fixed_size]
    if options.HasExtension(options_pb2.fixed_size_or_empty):
        if fixed_size is not None:
            raise TypeError(f"{field.full_name}: both fixed_size and fixed_size_or_empty")
        fixed_size = options.Extensions[options_pb2.fixed_size_or_empty]
        empty_allowed = True
    if fixed_size is not None:
        if field.type != _T.TYPE_BYTES:
            raise TypeError(f"{field.full_name}: fixed_size applies to bytes fields only")
        if field.containing_oneof is not None:
            raise TypeError(f"{field.full_name}: fixed_size is not allowed in a oneof")
        if fixed_size == 0:
            raise TypeError(f"{field.full_name}: fixed_size must be positive")
    enum_values = None
    if field.type == _T.TYPE_ENUM:
        enum_type = field.enum_type
        assert enum_type is not None  # an enum field always has its enum type
        enum_values = frozenset(v.number for v in enum_type.values)
    oneof = field.containing_oneof
    return FieldPlan(
        number=field.number,
        name=field.name,
        type=field.type,
        wire_type=_wire_type_of(field),
        repeated=field.is_repeated,
        packed=field.is_packed,
        explicit_presence=field.has_presence,
        oneof=oneof.name if oneof is not None else None,
        fixed_size=fixed_size,
        empty_allowed=empty_allowed,
        enum_values=enum_values,
        message=msg_type,
    )


def descriptor_of(message: Message | type[Message]) -> Descriptor:
    """The message type's descriptor (the stubs type it as a union of two runtimes)."""
    return typing.cast(Descriptor, message.DESCRIPTOR)


def message_plan(descriptor: Descriptor) -> MessagePlan:
    """The (cached) plan of a message type; raises TypeError for a non-canonical schema."""
    plan = _PLANS.get(descriptor.full_name)
    if plan is None:
        fields = {f.number: _field_plan(f) for f in descriptor.fields}
        ordered = tuple(fields[n] for n in sorted(fields))
        fast_check, source = _compile_fast_check(descriptor.full_name, ordered)
        static_depth = _static_depth(descriptor)
        if _depth_is_bounded(static_depth):
            # The sub-plans exist before this one: the schema below it is acyclic.
            top_check = _compile_top_check(descriptor, ordered)
        else:

            def top_check(msg: Message, data: bytes) -> bool:
                return fast_check(msg, 0)

        plan = MessagePlan(
            full_name=descriptor.full_name,
            fields=fields,
            required=tuple(
                f
                for f in ordered
                if f.fixed_size is not None and not f.empty_allowed and not f.repeated
            ),
            fast_check=fast_check,
            fast_check_source=source,
            message_fields=tuple(f for f in ordered if f.message is not None),
            static_depth=static_depth,
            top_check=top_check,
        )
        _PLANS[descriptor.full_name] = plan
    return plan


_STATIC_DEPTHS: dict[str, int | None] = {}


def _static_depth(descriptor: Descriptor) -> int | None:
    """How many levels of sub-messages a `descriptor` message can hold below itself, or
    None when its schema reaches a message type that contains itself."""
    name = descriptor.full_name
    if name in _STATIC_DEPTHS:
        return _STATIC_DEPTHS[name]
    _STATIC_DEPTHS[name] = None  # met again while this walk is under way: a cycle
    depth: int | None = 0
    for field in descriptor.fields:
        sub = field.message_type
        if sub is None:
            continue
        below = _static_depth(sub)
        if below is None:
            depth = None
            break
        depth = max(depth, below + 1)  # type: ignore[type-var]  # depth is an int here
    _STATIC_DEPTHS[name] = depth
    return depth


def _depth_is_bounded(static_depth: int | None) -> bool:
    """Whether no message of this schema can break the depth limit (rule 2.16)."""
    return static_depth is not None and static_depth <= MAX_DEPTH


def _compile_top_check(
    descriptor: Descriptor, fields: tuple[FieldPlan, ...]
) -> Callable[[Message, bytes], bool]:
    """fast_check at depth 0 for a schema that cannot break the depth limit: the fixed
    size and enum tests of every level, inlined, and nothing for sub-messages whose schema
    has neither (most envelopes: Any, Coin, Fee). `data` is the message as upb serializes
    it: its known fields in order (any unknown ones after them), on which
    `_record_check_lines` checks the leading fixed-size records."""
    namespace: dict[str, object] = {}
    record_lines, rest = _record_check_lines(fields, namespace, "return False", descriptor)
    lines = ["def check(msg, data):", *record_lines]
    lines += _rule_lines(rest, namespace, "return False", "msg", "    ", 0, descriptor)
    lines.append("    return True")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<top_check {descriptor.full_name}>", "exec"), namespace)
    return typing.cast(Callable[[Message, bytes], bool], namespace["check"])


def _rule_lines(
    fields: tuple[FieldPlan, ...],
    namespace: dict[str, object],
    fail: str,
    msg: str,
    pad: str,
    level: int,
    owner: Descriptor,
) -> list[str]:
    """Source lines that run `fail` when a field of the message `msg` (a variable, of
    type `owner`) breaks its fixed size or enum rule, descending into sub-messages whose
    schema has such a field. For acyclic schemas only (no depth bookkeeping; sub-plans are
    built here)."""
    lines: list[str] = []
    for f in fields:
        get = f"getattr({msg}, {f.name!r})" if keyword.iskeyword(f.name) else f"{msg}.{f.name}"
        lines += _value_rule_lines(f, get, namespace, fail, pad)
        if f.message is None:
            continue
        sub = message_plan(f.message)
        var = f"m{level + 1}"
        sub_fields = tuple(sub.fields[n] for n in sorted(sub.fields))
        inner = _rule_lines(sub_fields, namespace, fail, var, pad + "    ", level + 1, f.message)
        if not inner:
            continue
        if f.repeated:
            lines += [f"{pad}for {var} in {get}:", *inner]
        else:
            has = _bind_has_field(namespace, owner)
            lines += [f"{pad}if {has}({msg}, {f.name!r}):", f"{pad}    {var} = {get}", *inner]
    return lines


def _bind_has_field(namespace: dict[str, object], owner: Descriptor) -> str:
    """The name under which `namespace` holds the `HasField` of `owner`'s class, unbound.

    `msg.HasField(name)` looks the method up through upb's attribute hook (a field-name
    lookup that misses, then the class's, then a bound method) on every call; the method
    taken once from the class and called with the message skips all of that."""
    name = "HAS_" + owner.full_name.replace(".", "_")
    namespace[name] = GetMessageClass(owner).HasField
    return name


def _value_rule_lines(
    f: FieldPlan, get: str, namespace: dict[str, object], fail: str, pad: str
) -> list[str]:
    """Source lines that run `fail` when the field read by `get` breaks its fixed size
    (rule 2.15) or holds an undefined enum number (rule 2.12)."""
    lines: list[str] = []
    size = f.fixed_size
    if size is not None and f.repeated:
        lines += [f"{pad}for v in {get}:", f"{pad}    if len(v) != {size}:", f"{pad}        {fail}"]
    elif size is not None and f.empty_allowed:
        lines += [f"{pad}v = {get}", f"{pad}if v and len(v) != {size}:", f"{pad}    {fail}"]
    elif size is not None:
        lines += [f"{pad}if len({get}) != {size}:", f"{pad}    {fail}"]
    if f.enum_values is not None:
        allowed = f"ENUM_{len(namespace)}"  # unique in this generated function
        namespace[allowed] = f.enum_values
        if f.repeated:
            lines += [f"{pad}if not {allowed}.issuperset({get}):", f"{pad}    {fail}"]
        else:
            lines += [f"{pad}if {get} not in {allowed}:", f"{pad}    {fail}"]
    return lines


def _compile_fast_check(
    full_name: str, fields: tuple[FieldPlan, ...]
) -> tuple[Callable[[Message, int], bool], str]:
    """The schema rules the runtime does not enforce, as one predicate on a parsed message:
    fixed sizes, defined enum values and the depth limit, recursively in sub-messages
    (unknown fields and byte-level canonicity are the caller's checks).

    The predicate is generated as straight-line Python source, one test per field, the way
    `dataclasses` generates `__init__`: a generic loop over field plans costs several
    times more per message. Returns (predicate, its source); the source is kept on the
    plan (`MessagePlan.fast_check_source`) so a reader can see exactly what runs.
    """
    namespace: dict[str, object] = {"message_plan": message_plan}
    lines = ["def check(msg, depth):", f"    if depth > {MAX_DEPTH}:", "        return False"]
    lines += _schema_check_lines(fields, namespace, "return False")
    lines.append("    return True")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<fast_check {full_name}>", "exec"), namespace)
    check = typing.cast(Callable[[Message, int], bool], namespace["check"])
    return check, source


def _schema_check_lines(
    fields: tuple[FieldPlan, ...], namespace: dict[str, object], fail: str
) -> list[str]:
    """Source lines (in a function with `msg` and `depth`) that run `fail` when a field
    breaks its fixed size or enum rule, or a sub-message its own fast_check."""
    lines: list[str] = []
    for f in fields:
        get = f"getattr(msg, {f.name!r})" if keyword.iskeyword(f.name) else f"msg.{f.name}"
        lines += _value_rule_lines(f, get, namespace, fail, "    ")
        if f.message is not None:
            sub = f"MSG_{f.number}"
            namespace[sub] = f.message
            if f.repeated:
                lines += [
                    f"    if {get}:",
                    f"        sub_check = message_plan({sub}).fast_check",
                    f"        for v in {get}:",
                    "            if not sub_check(v, depth + 1):",
                    f"                {fail}",
                ]
            else:
                lines += [
                    f"    if msg.HasField({f.name!r}):",
                    f"        if not message_plan({sub}).fast_check({get}, depth + 1):",
                    f"            {fail}",
                ]
    return lines


# --- encode ---------------------------------------------------------------------------------


def encode(msg: Message) -> bytes:
    """The wire-canonical encoding of `msg` (seed 002 §5; specs/codec.md §1).

    Fields in ascending tag order, implicit-presence fields at their default omitted,
    varints shortest, repeated scalars packed, present sub-messages emitted. Refuses (with
    the walker's error) a message that breaks a schema rule: a fixed-size field of the
    wrong length, an undefined enum value, or unknown fields kept from a lenient parse.
    """
    data = encode_built(msg)
    plan = _PLANS_BY_TYPE[type(msg)]  # filled by encode_built
    if UnknownFieldSet(msg) or (
        plan.message_fields and _sub_messages_have_unknown_fields(msg, plan)
    ):
        _refuse(msg, data, plan)
    return data


def encode_built(msg: Message) -> bytes:
    """`encode` for a message built from field values (`ProtoValue.to_proto`), never
    parsed: it holds no unknown field, so only the schema rules are checked."""
    msg_type = type(msg)
    try:
        plan = _PLANS_BY_TYPE[msg_type]
    except KeyError:
        plan = plan_of(msg_type)
    # With no map fields (refused in message_plan) upb's output is already deterministic:
    # fields in field-number order; deterministic=True only sorts map entries. The method
    # is taken from the class: the instance's attribute hook costs more (see _fast_decoder).
    data = msg_type.SerializePartialToString(msg)
    if not plan.top_check(msg, data):
        _refuse(msg, data, plan)
    return data


def _refuse(msg: Message, data: bytes, plan: MessagePlan) -> NoReturn:
    """Raise the walker's error for bytes the fast checks refused (the walker names the
    rule); ErrNotCanonical if the walker accepts them, which the property tests show
    never happens."""
    walk(descriptor_of(msg), data)
    raise ErrNotCanonical(f"{plan.full_name}: encode refused a message the walker accepts")


def _has_unknown_fields(msg: Message, plan: MessagePlan) -> bool:
    """Whether `msg` or any sub-message kept fields its schema does not define."""
    return len(UnknownFieldSet(msg)) != 0 or _sub_messages_have_unknown_fields(msg, plan)


def _sub_messages_have_unknown_fields(msg: Message, plan: MessagePlan) -> bool:
    """Whether a sub-message of `msg`, at any depth, kept fields its schema does not
    define (`msg`'s own unknown fields are not looked at)."""
    for field in plan.message_fields:
        sub_plan = message_plan(field.message)  # type: ignore[arg-type]
        if field.repeated:
            if any(_has_unknown_fields(m, sub_plan) for m in getattr(msg, field.name)):
                return True
        elif msg.HasField(field.name) and _has_unknown_fields(getattr(msg, field.name), sub_plan):
            return True
    return False


# --- decode ---------------------------------------------------------------------------------


def decode(msg_type: type[M], data: bytes) -> M:
    """Parse `data` as `msg_type`, accepting only its canonical encoding (specs/codec.md §2).

    Returns the message; raises the CodecError of the first rule the bytes break. For every
    accepted `data`, `encode(decode(msg_type, data)) == data`.
    """
    try:
        fast = _FAST_DECODERS[msg_type]
    except KeyError:
        fast = _fast_decoder(msg_type)
    msg = fast(data)
    if msg is not None:
        return msg  # type: ignore[return-value]  # fast decoders are keyed by their class
    walk(descriptor_of(msg_type), data)
    raise ErrNotCanonical(f"{msg_type.DESCRIPTOR.full_name}: fast path refused, walker accepts")


def decode_fast(msg_type: type[M], data: bytes) -> M | None:
    """The fast path alone (specs/codec.md §3): the message if `data` is canonical, else
    None. `decode` runs it first; tests compare it with the walker."""
    fast = _FAST_DECODERS.get(msg_type) or _fast_decoder(msg_type)
    return typing.cast(M | None, fast(data))


# Fast decoders by message class, built on first use. A plain dict (not a subclass with
# __missing__) so that the lookup in `decode` is the interpreter's specialised dict access.
_FAST_DECODERS: dict[type[Message], Callable[[bytes], Message | None]] = {}
_FAST_SOURCES: dict[type[Message], str] = {}


def _fast_decoder(msg_type: type[Message]) -> Callable[[bytes], Message | None]:
    """Build (and cache) the fast path for one message class (specs/codec.md §3).

    `data` is canonical iff the runtime parses it, keeps no unknown field, re-serializes it
    to the same bytes, and the schema's size/enum/depth rules hold. Generated as straight-
    line source (see `fast_path_source`) with the field checks inlined, because on this hot
    path each Python call and loop costs a measurable fraction of the parse itself.
    """
    plan = plan_of(msg_type)
    fields = tuple(plan.fields[n] for n in sorted(plan.fields))
    headers, headers_end = _leading_records(fields)
    # The runtime's methods are taken once from the class and called with the message:
    # `msg.SerializePartialToString()` would first go through upb's attribute hook (a
    # field-name lookup that misses, then the class's, then a bound method), which costs
    # about a sixth of a Receipt parse on every decode.
    namespace: dict[str, object] = {
        "message_plan": message_plan,
        "from_string": msg_type.FromString,
        "serialize": msg_type.SerializePartialToString,
        "discard_unknown": msg_type.DiscardUnknownFields,
        "DecodeError": DecodeError,
        "UnknownFieldSet": UnknownFieldSet,
    }
    owner = descriptor_of(msg_type)
    if headers and len(headers) == len(fields):
        lines = _all_fixed_lines(headers, headers_end)
    else:
        lines = _canonical_lines(plan)
        record_lines, rest = _record_check_lines(fields, namespace, "return None", owner)
        lines += record_lines
        if _depth_is_bounded(plan.static_depth):
            # upb refuses nothing for depth here and no message of this schema can be too
            # deep: only the fixed sizes and enums of the levels that have them are checked.
            lines += _rule_lines(rest, namespace, "return None", "msg", "    ", 0, owner)
        else:
            lines.append("    depth = 0")  # read by the sub-message checks below
            lines += _schema_check_lines(rest, namespace, "return None")
        lines.append("    return msg")
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<fast_decode {plan.full_name}>", "exec"), namespace)
    fast = typing.cast(Callable[[bytes], Message | None], namespace["fast"])
    _FAST_DECODERS[msg_type] = fast
    _FAST_SOURCES[msg_type] = source
    return fast


def _leading_records(fields: tuple[FieldPlan, ...]) -> tuple[list[tuple[int, bytes]], int]:
    """The fields (in number order) from the first one on that are present in every valid
    message at a size the schema fixes (`fixed_size`, not repeated): as (offset, header)
    pairs, where `header` is the record's tag and length varints and `offset` where the
    canonical encoding puts it, and the offset after the last of their records.

    In canonical bytes the records come in field-number order and every one of these
    fields is present, so the first sits at offset 0 and each of the others right after
    the previous one: their positions do not depend on the message's values."""
    return _fixed_run(fields, 0)


def _fixed_run(fields: tuple[FieldPlan, ...], offset: int) -> tuple[list[tuple[int, bytes]], int]:
    """(offset, header) of each record of the leading run of `fields` that are fixed-size
    and always present, the first one at `offset`; and the offset after the run."""
    headers: list[tuple[int, bytes]] = []
    for f in fields:
        if f.fixed_size is None or f.empty_allowed or f.repeated:
            break
        header = _varint(f.number << 3 | WireType.LEN) + _varint(f.fixed_size)
        headers.append((offset, header))
        offset += len(header) + f.fixed_size
    return headers, offset


# A varint field between two runs of fixed-size fields (`_hop_lines`) is followed through
# the canonical bytes for records up to this many bytes (a tag byte and a varint of up to
# 3 bytes: values below 2^21, e.g. a Receipt's call_seq); longer ones take the reads.
MAX_HOP_VARINT = 3


def _hop(
    fields: tuple[FieldPlan, ...], offset: int
) -> tuple[FieldPlan, tuple[FieldPlan, ...]] | None:
    """The varint field `fields[0]` and the run of fixed-size fields right after it, if
    the varint field (one-byte tag, singular) is followed by such a run: then the run's
    records sit at `offset` when the varint field is absent, and one tag byte plus the
    varint's length further on when it is present."""
    if not fields or offset == 0:
        return None
    hop = fields[0]
    if hop.wire_type != WireType.VARINT or hop.repeated or hop.number >= 16:
        return None
    headers, _ = _fixed_run(fields[1:], 0)
    if not headers:
        return None
    return hop, fields[1 : 1 + len(headers)]


def _hop_lines(
    hop: FieldPlan,
    run: tuple[FieldPlan, ...],
    offset: int,
    namespace: dict[str, object],
    fail: str,
    owner: Descriptor,
) -> list[str]:
    """Lines (inside `_record_check_lines`'s `try`) that run `fail` unless the fields of
    `run` have their fixed sizes, tested on the canonical bytes for each place the varint
    field `hop` can put them: absent (the run starts at `offset`), or present with a 1 to
    MAX_HOP_VARINT byte varint, whose last byte is the first below 0x80. Constant offsets
    keep each test to one indexing; a longer varint falls back to reading the fields."""
    tag = hop.number << 3 | WireType.VARINT
    lines = [f"        if data[{offset}] != {tag}:"]
    lines.append(f"            if {_header_test(_fixed_run(run, offset)[0])}:")
    lines.append(f"                {fail}")
    for size in range(1, MAX_HOP_VARINT + 1):
        last = offset + size  # the varint's bytes are offset+1 .. offset+size
        lines.append(f"        elif data[{last}] < 128:")
        lines.append(f"            if {_header_test(_fixed_run(run, last + 1)[0])}:")
        lines.append(f"                {fail}")
    lines.append("        else:")
    lines += _rule_lines(run, namespace, fail, "msg", "            ", 0, owner)
    return lines


def _record_check_lines(
    fields: tuple[FieldPlan, ...], namespace: dict[str, object], fail: str, owner: Descriptor
) -> tuple[list[str], tuple[FieldPlan, ...]]:
    """Lines that run `fail` unless the leading fixed-size fields (`_leading_records`), and
    the run of them after a varint field (`_hop`), have their sizes, tested on `data`;
    and the fields whose rules are still to be checked on the message.

    `data` must be the canonical encoding of the message's known fields (any unknown ones
    after them): then these records are where the offsets say iff their fields have their
    sizes, and the header bytes prove the sizes without reading (and copying) the values.
    A `data` too short to hold them lacks a record every valid message has."""
    headers, end = _leading_records(fields)
    if not headers:
        return [], fields
    rest = fields[len(headers) :]
    lines = ["    try:", f"        if {_header_test(headers)}:", f"            {fail}"]
    hop = _hop(rest, end)
    if hop is not None:
        lines += _hop_lines(hop[0], hop[1], end, namespace, fail, owner)
        rest = (hop[0], *rest[1 + len(hop[1]) :])  # the varint field's own rules remain
    lines += ["    except IndexError:", f"        {fail}"]
    return lines, rest


def _varint(value: int) -> bytes:
    """The shortest varint of a non-negative integer (encoding guide, "Base 128 Varints")."""
    out = bytearray()
    while value > 0x7F:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _header_test(headers: list[tuple[int, bytes]]) -> str:
    """A condition true when a header byte of `headers` is not at its offset in `data`.
    Byte by byte: indexing a bytes object costs less than slicing and comparing."""
    return " or ".join(
        f"data[{offset + i}] != {byte}"
        for offset, header in headers
        for i, byte in enumerate(header)
    )


def _all_fixed_lines(headers: list[tuple[int, bytes]], end: int) -> list[str]:
    """The fast path of a message whose every field is a fixed-size bytes field (PubKey).

    Its only canonical encodings are its records, headers at the offsets `headers` gives,
    back to back and nothing else: tags and lengths are written shortest, the fields are
    in order, each present and not empty. Checking the length and the header bytes is
    exact; no unknown field fits, so neither the unknown-field check nor the
    re-serialization is needed, and the parse cannot fail (it is kept as a guard)."""
    return [
        "def fast(data):",
        f"    if len(data) != {end} or {_header_test(headers)}:",
        "        return None",
        "    try:",
        "        return from_string(data)",
        "    except DecodeError:",
        "        return None",
    ]


def _canonical_lines(plan: MessagePlan) -> list[str]:
    """The start of a fast path: parse, and prove `data` canonical and free of unknown
    fields."""
    lines = [
        "def fast(data):",
        "    try:",
        "        msg = from_string(data)",
        "    except DecodeError:",
        "        return None",
    ]
    # proto3 has no required fields, so the partial serializer (which skips that check)
    # gives the same bytes as SerializeToString, slightly faster. Unknown fields would be
    # re-emitted (at the end of their message), so they must be looked for separately.
    if plan.message_fields:
        # At every depth: drop them (one C call that recurses), and any that were there
        # make the bytes differ. The message is returned only when nothing was dropped,
        # so the caller never sees the mutation.
        lines += [
            "    discard_unknown(msg)",
            "    if serialize(msg) != data:",
            "        return None",
        ]
    else:
        # One level: looking at the (empty) unknown-field set costs less than dropping.
        lines += [
            "    if UnknownFieldSet(msg) or serialize(msg) != data:",
            "        return None",
        ]
    return lines


def fast_path_source(msg_type: type[Message]) -> str:
    """The generated source of `msg_type`'s fast path (for readers and the spec)."""
    if msg_type not in _FAST_SOURCES:
        _fast_decoder(msg_type)
    return _FAST_SOURCES[msg_type]


# --- the wire walker: the definition of canonical (specs/codec.md §2) ----------------------


def walk(descriptor: Descriptor, data: bytes) -> None:
    """Check that `data` is the canonical encoding of a `descriptor` message.

    Returns None if it is; otherwise raises the error of the first rule broken, reading
    the bytes front to back (specs/codec.md §2 lists the rules in this order).
    """
    _walk_message(message_plan(descriptor), data, 0, len(data), 0, descriptor.name)


def _read_varint(data: bytes, pos: int, end: int, what: str) -> tuple[int, int]:
    """Read one varint of at most 10 bytes; rule 2.4 (shortest form) and 2.5 (range)."""
    value = 0
    shift = 0
    start = pos
    while True:
        if pos >= end:
            raise ErrTruncated(f"{what}: varint at offset {start} runs past offset {end}")
        byte = data[pos]
        pos += 1
        if pos - start > 10:
            raise ErrVarintOverflow(f"{what}: varint at offset {start} is longer than 10 bytes")
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            break
    if byte == 0 and pos - start > 1:
        raise ErrNonMinimalVarint(f"{what}: varint at offset {start} has a trailing zero group")
    if value >= UINT64_LIMIT:
        raise ErrVarintOverflow(f"{what}: varint at offset {start} exceeds 2^64 - 1")
    return value, pos


def _check_varint_range(field: FieldPlan, value: int, where: str) -> None:
    """Rule 2.5: the varint must be one the field type's encoder can produce."""
    t = field.type
    if t == _T.TYPE_BOOL:
        ok = value <= 1
    elif t in (_T.TYPE_UINT32, _T.TYPE_SINT32):
        ok = value < UINT32_LIMIT
    elif t in (_T.TYPE_INT32, _T.TYPE_ENUM):
        # Negative int32s are sign-extended to 64 bits on the wire.
        ok = value < (1 << 31) or value >= INT32_NEG_FLOOR
    else:
        ok = True
    if not ok:
        raise ErrVarintOverflow(f"{where}: {value} is out of range for its type")
    if field.enum_values is not None:
        number = value - UINT64_LIMIT if value >= (1 << 63) else value
        if number not in field.enum_values:
            raise ErrUnknownEnumValue(f"{where}: {number} is not a defined enum value")


def _walk_message(
    plan: MessagePlan, data: bytes, pos: int, end: int, depth: int, path: str
) -> None:
    if depth > MAX_DEPTH:
        raise ErrTooDeep(f"{path}: nesting depth {depth} exceeds {MAX_DEPTH}")
    last_number = 0
    oneofs_seen: dict[str, int] = {}
    seen: set[int] = set()
    index = 0  # element index within a repeated field, for error paths
    while pos < end:
        tag, pos = _read_varint(data, pos, end, f"{path}: tag")
        if tag >= UINT32_LIMIT:
            raise ErrVarintOverflow(f"{path}: tag {tag} exceeds 2^32 - 1")
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise ErrTrailingBytes(f"{path}: field number 0 at offset {pos - 1}")
        if wire not in (WireType.VARINT, WireType.I64, WireType.LEN, WireType.I32):
            raise ErrInvalidWireType(f"{path}: wire type {wire} for field {number}")
        field = plan.fields.get(number)
        if field is None:
            raise ErrUnknownField(f"{path}: field {number} is not in {plan.full_name}")
        where = f"{path}.{field.name}"
        if number < last_number:
            raise ErrFieldOutOfOrder(f"{where}: field {number} after field {last_number}")
        if number == last_number:
            if not field.repeated or field.packed:
                raise ErrFieldRepeated(f"{where}: field {number} occurs again")
            index += 1
        else:
            index = 0
        if field.repeated and not field.packed:
            where = f"{where}[{index}]"
        if field.packed:
            if wire == field.wire_type:
                raise ErrNotPacked(f"{where}: repeated scalar encoded unpacked")
            if wire != WireType.LEN:
                raise ErrWrongWireType(f"{where}: wire type {wire}, want {WireType.LEN}")
        elif wire != field.wire_type:
            raise ErrWrongWireType(f"{where}: wire type {wire}, want {field.wire_type}")
        if field.oneof is not None:
            other = oneofs_seen.get(field.oneof)
            if other is not None and other != number:
                raise ErrOneofConflict(f"{where}: oneof {field.oneof} already has field {other}")
            oneofs_seen[field.oneof] = number
        pos = _walk_value(field, data, pos, end, wire, depth, where)
        seen.add(number)
        last_number = number
    for field in plan.required:
        if field.number not in seen:
            raise ErrFixedSize(f"{path}.{field.name}: absent (0 bytes), want {field.fixed_size}")


def _walk_value(
    field: FieldPlan, data: bytes, pos: int, end: int, wire: int, depth: int, where: str
) -> int:
    """Check one field value starting at `pos`; return the offset after it."""
    implicit = not field.repeated and not field.explicit_presence
    if wire == WireType.VARINT:
        value, pos = _read_varint(data, pos, end, where)
        _check_varint_range(field, value, where)
        if implicit and value == 0:
            raise ErrDefaultValue(f"{where}: zero varint present")
        return pos
    if wire in (WireType.I32, WireType.I64):
        width = 4 if wire == WireType.I32 else 8
        if pos + width > end:
            raise ErrTruncated(f"{where}: {width}-byte value runs past offset {end}")
        if implicit and not any(data[pos : pos + width]):
            raise ErrDefaultValue(f"{where}: zero fixed-width value present")
        return pos + width
    length, pos = _read_varint(data, pos, end, f"{where}: length")
    stop = pos + length
    if stop > end:
        raise ErrTruncated(f"{where}: {length}-byte payload runs past offset {end}")
    if field.packed:
        _walk_packed(field, data, pos, stop, where)
    elif field.type == _T.TYPE_MESSAGE:
        sub_plan = message_plan(field.message)  # type: ignore[arg-type]
        _walk_message(sub_plan, data, pos, stop, depth + 1, where)
    else:
        if implicit and length == 0:
            raise ErrDefaultValue(
                f"{where}: empty {'string' if field.type == _T.TYPE_STRING else 'bytes'} present"
            )
        if field.type == _T.TYPE_STRING:
            try:
                data[pos:stop].decode("utf-8", errors="strict")
            except UnicodeDecodeError as exc:
                raise ErrInvalidUtf8(f"{where}: {exc.reason} at byte {exc.start}") from None
        elif (
            field.fixed_size is not None
            and length != field.fixed_size
            and not (field.empty_allowed and length == 0)
        ):
            raise ErrFixedSize(f"{where}: {length} bytes, want {field.fixed_size}")
    return stop


def _walk_packed(field: FieldPlan, data: bytes, pos: int, end: int, where: str) -> None:
    """A packed payload: non-empty (an empty list is the default), whole elements only."""
    if pos == end:
        raise ErrDefaultValue(f"{where}: empty packed list present")
    if field.wire_type == WireType.VARINT:
        index = 0
        while pos < end:
            value, pos = _read_varint(data, pos, end, f"{where}[{index}]")
            _check_varint_range(field, value, f"{where}[{index}]")
            index += 1
        return
    width = 4 if field.wire_type == WireType.I32 else 8
    if (end - pos) % width:
        raise ErrTruncated(
            f"{where}: packed payload of {end - pos} bytes is not whole {width}-byte values"
        )
