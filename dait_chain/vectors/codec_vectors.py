"""codec vectors: canonical encodings, strict-decoder refusals, JSON mapping, JCS.

specs/vectors.md "codec". Handlers:

- `codec/canonical`: one case per proto message type (every `dait.*` message, nested ones
  included) with a value that sets every field (`full`) and, where it differs, the
  smallest valid value (`minimal`): `input.json` {type, value (proto3 JSON), required}
  -> `encoded.hex`, the canonical bytes. Both directions hold: encode(value) = bytes and
  decode(bytes) = value.
- `codec/strict_decode`: byte strings, each breaking one rule of specs/codec.md §2 (or a
  binding rule of §5), and a few canonical controls: `input.json` {type, bytes, required}
  -> `result.json` {"error": ...} or {"value": ...}.
- `codec/json`: proto3 JSON inputs -> {"encoded": hex} or the refusal (§5.3).
- `codec/jcs`: JSON texts -> their RFC 8785 form, or the refusal (§4).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import typing
from collections.abc import Iterator, Mapping
from dataclasses import fields as dc_fields
from functools import cache
from typing import Any

from google.protobuf import any_pb2, descriptor_pool, json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from dait_chain.codec import strict
from dait_chain.codec.errors import CodecError, ErrJsonMapping
from dait_chain.codec.jcs import canonicalize
from dait_chain.codec.value import _REGISTRY, ProtoValue
from dait_chain.crypto.address import encode_address
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import import_all_modules
from dait_chain.pb.dait.codec.v1 import options_pb2
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import (
    JsonObject,
    error_result,
    field,
    hex_bytes,
    json_bytes,
    need,
    parse_hex,
    read_object,
)

SPEC = "specs/codec.md"
_T = FieldDescriptor


# ---- the schema set ------------------------------------------------------------------------


@cache
def message_names() -> tuple[str, ...]:
    """Every message type of the `dait.*` schemas (nested types included), sorted."""
    import dait_chain.pb

    import_all_modules()  # registers every ProtoValue binding
    names: list[str] = []

    def walk(desc: Descriptor) -> None:
        names.append(desc.full_name)
        for nested in desc.nested_types:
            walk(nested)

    for info in pkgutil.walk_packages(dait_chain.pb.__path__, prefix="dait_chain.pb."):
        if info.name.endswith("_pb2"):
            module = importlib.import_module(info.name)
            for desc in module.DESCRIPTOR.message_types_by_name.values():
                walk(desc)
    return tuple(sorted(names))


def message_class(full_name: str) -> type[Message]:
    """The generated class of a message type; ErrVectorFile for an unknown name."""
    message_names()
    try:
        desc = descriptor_pool.Default().FindMessageTypeByName(full_name)
    except KeyError:
        raise ErrVectorFile(f"type {full_name!r}: no such message") from None
    if not full_name.startswith("dait."):
        raise ErrVectorFile(f"type {full_name!r}: not a dait schema")
    return message_factory.GetMessageClass(desc)


def bound_class(full_name: str) -> type[ProtoValue] | None:
    """The ProtoValue class bound to a type, if any (specs/codec.md §5.4)."""
    message_names()
    return _REGISTRY.get("/" + full_name)


def required_fields(full_name: str) -> list[str]:
    """Message fields the binding requires present (annotated `X`, not `X | None`)."""
    cls = bound_class(full_name)
    if cls is None:
        return []
    hints = typing.get_type_hints(cls)
    out = []
    for f in dc_fields(typing.cast(Any, cls)):
        hint = hints[f.name]
        if isinstance(hint, type) and issubclass(hint, ProtoValue):
            out.append(f.name)
    return sorted(out)


def to_json(msg: Message) -> JsonObject:
    """The proto3 JSON mapping with proto field names (ProtoValue.to_json's form)."""
    out = json_format.MessageToDict(msg, preserving_proto_field_name=True)
    return typing.cast(JsonObject, _plain(out))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def decode_value(full_name: str, data: bytes) -> JsonObject:
    """Strictly decode data as full_name, through its ProtoValue binding when it has one
    (so the binding's rules apply: required sub-messages, Any type URLs)."""
    cls = bound_class(full_name)
    if cls is not None:
        return cls.decode(data).to_json()
    return to_json(strict.decode(message_class(full_name), data))


def encode_json(full_name: str, obj: JsonObject) -> bytes:
    """The canonical bytes of a proto3 JSON value (ProtoValue.from_json's rules)."""
    cls = bound_class(full_name)
    if cls is not None:
        return cls.from_json(obj).encode()
    msg = message_class(full_name)()
    try:
        json_format.ParseDict(obj, msg, ignore_unknown_fields=False)
    except (json_format.ParseError, TypeError, ValueError) as exc:
        raise ErrJsonMapping(f"{full_name}: {exc}") from None
    return strict.encode(msg)


# ---- representative values ---------------------------------------------------------------

_ADDRESS_NAME = re.compile(
    r"(^|_)(addr|address|signer|host|user|owner|authority|provider|tenant|validator|"
    r"delegator|auditor|operator|challenger|closer|responder|recipient|reporter|from|to|"
    r"sender|payer|granter|creator)(_address|_addr)?$"
)


def _fixed_size(field_desc: FieldDescriptor) -> tuple[int, bool] | None:
    opts = field_desc.GetOptions()
    if opts.HasExtension(options_pb2.fixed_size):
        return opts.Extensions[options_pb2.fixed_size], False
    if opts.HasExtension(options_pb2.fixed_size_or_empty):
        return opts.Extensions[options_pb2.fixed_size_or_empty], True
    return None


def sample_address(tag: str) -> str:
    """A valid dait1 address derived from a tag (deterministic)."""
    return encode_address(sha256(b"dait-vectors/address/" + tag.encode())[:20])


def sample_pubkey(tag: str) -> bytes:
    """A valid compressed secp256k1 public key derived from a tag."""
    return pubkey_from_privkey(privkey_from_seed(b"dait-vectors/key/" + tag.encode()))


def _scalar(f: FieldDescriptor, salt: int) -> object:
    n = f.number + salt
    t = f.type
    if t in (_T.TYPE_INT32, _T.TYPE_SINT32, _T.TYPE_SFIXED32):
        return -(1000 + n)
    if t in (_T.TYPE_INT64, _T.TYPE_SINT64, _T.TYPE_SFIXED64):
        return -((1 << 40) + n)
    if t in (_T.TYPE_UINT32, _T.TYPE_FIXED32):
        return (1 << 31) + n
    if t in (_T.TYPE_UINT64, _T.TYPE_FIXED64):
        return (1 << 63) + n
    if t == _T.TYPE_BOOL:
        return True
    if t == _T.TYPE_ENUM:
        assert f.enum_type is not None  # an enum field has its enum type
        return f.enum_type.values[-1].number
    if t == _T.TYPE_STRING:
        if _ADDRESS_NAME.search(f.name):
            return sample_address(f"{f.full_name}/{salt}")
        return f"{f.name}-{n}"
    if t == _T.TYPE_BYTES:
        size = _fixed_size(f)
        length = size[0] if size is not None else 5
        return bytes((i * 7 + n) & 0xFF for i in range(length))
    raise TypeError(f"{f.full_name}: no sample for type {t}")


def _set_value(msg: Message, f: FieldDescriptor, depth: int, salt: int) -> None:
    if f.type == _T.TYPE_MESSAGE:
        assert f.message_type is not None  # a message field has its message type
        if f.message_type.full_name == any_pb2.Any.DESCRIPTOR.full_name:
            from dait_chain.codec.tx import PubKey

            any_msg = any_pb2.Any(
                type_url=PubKey.type_url(), value=PubKey(sample_pubkey(f.full_name)).encode()
            )
            target = getattr(msg, f.name).add() if _is_repeated(f) else getattr(msg, f.name)
            target.CopyFrom(any_msg)
            return
        sub = getattr(msg, f.name).add() if _is_repeated(f) else getattr(msg, f.name)
        if depth < 3 and f.message_type.full_name != msg.DESCRIPTOR.full_name:
            fill_full(sub, depth + 1, salt)
        else:
            fill_minimal(sub)
            if not _is_repeated(f):
                getattr(msg, f.name).SetInParent()
        return
    value = _scalar(f, salt)
    if _is_repeated(f):
        getattr(msg, f.name).append(value)
    else:
        setattr(msg, f.name, value)


def _fields_of(msg: Message) -> list[FieldDescriptor]:
    """The message's field descriptors (the stubs type them as a union of two runtimes)."""
    return list(typing.cast(Descriptor, msg.DESCRIPTOR).fields)


def _is_repeated(f: FieldDescriptor) -> bool:
    return bool(f.is_repeated)


def fill_full(msg: Message, depth: int = 0, salt: int = 0) -> Message:
    """Set every field of msg (one member per oneof, two elements per repeated field)."""
    seen_oneofs: set[str] = set()
    for f in sorted(_fields_of(msg), key=lambda f: f.number):
        oneof = f.containing_oneof
        synthetic = oneof is not None and oneof.name == "_" + f.name and len(oneof.fields) == 1
        if oneof is not None and not synthetic:
            if oneof.name in seen_oneofs:
                continue
            seen_oneofs.add(oneof.name)
        count = 2 if _is_repeated(f) else 1
        for i in range(count):
            _set_value(msg, f, depth, salt + i)
    return msg


def fill_minimal(msg: Message) -> Message:
    """Set only what a valid value must carry: the fixed-size bytes fields and the
    sub-messages its binding requires, recursively."""
    for name in required_fields(msg.DESCRIPTOR.full_name):
        sub = getattr(msg, name)
        fill_minimal(sub)
        sub.SetInParent()
    for f in _fields_of(msg):
        size = _fixed_size(f)
        if f.type == _T.TYPE_BYTES and size is not None and not size[1]:
            payload = bytes((i * 3 + f.number) & 0xFF for i in range(size[0]))
            if _is_repeated(f):
                getattr(msg, f.name).append(payload)
            else:
                setattr(msg, f.name, payload)
    return msg


def snake(name: str) -> str:
    """CamelCase message names as snake_case path components."""
    parts = [re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", p).lower() for p in name.split(".")]
    return ".".join(parts)


# ---- codec/canonical ----------------------------------------------------------------------


def _type_input(obj: JsonObject, what: str) -> str:
    name: str = field(obj, "type", str, what)
    message_class(name)
    return name


def run_canonical(inputs: Mapping[str, bytes]) -> Outcome:
    """encode(value) -> encoded.hex; also requires decode(encoded) == value."""
    obj = read_object(inputs, "input.json")
    name = _type_input(obj, "input.json")
    value = field(obj, "value", dict, "input.json")
    data = encode_json(name, value)
    if decode_value(name, data) != value:
        raise ErrVectorFile("input.json: value is not in the canonical proto3 JSON form")
    return Outcome({"encoded.hex": hex_bytes(data)})


def _canonical_input(full_name: str, msg: Message) -> bytes:
    data = strict.encode(msg)
    return json_bytes(
        {
            "type": full_name,
            "value": decode_value(full_name, data),
            "required": required_fields(full_name),
        }
    )


def generate_canonical() -> Iterator[CaseSpec]:
    """One full and (if different) one minimal value of every message type."""
    for full_name in message_names():
        cls = message_class(full_name)
        package = cls.DESCRIPTOR.file.package
        short = full_name[len(package) + 1 :]  # nested types keep their parent: Outer.Inner
        full = fill_full(cls())
        yield CaseSpec(
            suite=package,
            name=f"{snake(short)}.full",
            description=f"{full_name} with every field set (one oneof member, two list items)",
            rule="Wire-canonical: deterministic protobuf. Field ordering by tag number "
            "ascending, no unknown fields, no default-value fields emitted, varints in "
            "shortest form. (seed 002 §5)",
            source=f"{SPEC} §1, §5.3",
            inputs={"input.json": _canonical_input(full_name, full)},
        )
        minimal = fill_minimal(cls())
        if strict.encode(minimal) != strict.encode(full):
            yield CaseSpec(
                suite=package,
                name=f"{snake(short)}.minimal",
                description=f"{full_name} with only the fields a valid value must carry",
                rule="A field with implicit presence is omitted when it holds its default; "
                "a bytes field marked fixed_size = N holds exactly N bytes.",
                source=f"{SPEC} §1 rule 1.3, §2 rule 2.15",
                inputs={"input.json": _canonical_input(full_name, minimal)},
            )


# ---- wire bytes by hand (the protobuf encoding guide) -------------------------------------

VARINT, I64, LEN, I32 = 0, 1, 2, 5


def varint(n: int) -> bytes:
    """Shortest base-128 varint of a non-negative int."""
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def tag(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def f_varint(number: int, value: int) -> bytes:
    return tag(number, VARINT) + varint(value)


def f_len(number: int, payload: bytes) -> bytes:
    return tag(number, LEN) + varint(len(payload)) + payload


ALL = "dait.codec.v1.TestAllTypes"
NESTED = "dait.codec.v1.TestNested"
RECEIPT = "dait.state_channel.v1.Receipt"
KEY = f_len(28, b"\xab\xcd")  # TestAllTypes.key is fixed_size 2, so every value carries it


def _receipt_bytes() -> bytes:
    return (
        f_len(1, bytes(range(32)))
        + f_varint(2, 7)
        + f_len(3, b"\x11" * 32)
        + f_len(4, b"\x22" * 32)
        + f_len(5, b"\x33" * 32)
        + f_varint(6, 1000)
        + f_varint(7, 2000)
        + f_varint(8, 150_000)
        + f_len(9, b"quote")
        + f_len(10, b"\x02" + b"\x44" * 32)
        + f_varint(11, 1_700_000_000_000)
        + f_len(12, b"\x55" * 64)
    )


def _nested(depth: int) -> bytes:
    """A TestNested whose `child` chain is depth messages deep below the top level."""
    data = b""
    for _ in range(depth):
        data = f_len(2, data)
    return data


# (suite, case, type, bytes, what the bytes do, rule sentence, spec section)
_DecodeCase = tuple[str, str, str, bytes, str, str, str]


def _decode_cases() -> list[_DecodeCase]:
    rule = {
        "2.1": "A varint, a length-delimited payload or a fixed-width value ends inside the "
        "buffer; a packed fixed-width payload holds whole values.",
        "2.2": "A tag never has field number 0 (the shape of padding or junk after a message).",
        "2.3": "Wire types are 0, 1, 2 or 5.",
        "2.4": "The field number is defined by the schema (seed 002 §5: no unknown fields).",
        "2.5": "Field numbers ascend (seed 002 §5: field ordering by tag number ascending).",
        "2.6": "A singular or packed field appears once.",
        "2.7": "A repeated numeric field is packed.",
        "2.8": "The wire type is the field type's.",
        "2.9": "At most one member of a oneof is present.",
        "2.10": "Varints have no trailing zero group (seed 002 §5: varints in shortest form).",
        "2.11": "Varints are at most 10 bytes and below 2^64; bool is 0 or 1; 32-bit types "
        "in range.",
        "2.12": "An enum field holds a number its enum defines.",
        "2.13": "An implicit-presence field does not hold its default; a packed list is not "
        "empty (seed 002 §5: no default-value fields emitted).",
        "2.14": "A string is well-formed UTF-8.",
        "2.15": "A bytes field marked fixed_size = N holds exactly N bytes, also when absent.",
        "2.16": "Sub-messages nest at most 100 levels below the top-level message.",
        "ok": "decode accepts exactly the canonical encodings: encode(decode(data)) == data.",
        "5.1": "A ProtoValue field annotated X (not X | None) requires the sub-message.",
        "5.4": "unpack_any resolves an Any by its registered type URL.",
    }
    receipt = _receipt_bytes()
    c: list[tuple[str, str, str, bytes, str, str]] = [
        ("truncated", "varint_cut", ALL, f_varint(4, 300)[:-1], "u64's varint ends early", "2.1"),
        (
            "truncated",
            "payload_past_end",
            ALL,
            tag(12, LEN) + varint(5) + b"ab",
            "text says 5 bytes, has 2",
            "2.1",
        ),
        (
            "truncated",
            "fixed32_cut",
            ALL,
            tag(7, I32) + b"\x01\x02",
            "f32 holds 2 of 4 bytes",
            "2.1",
        ),
        (
            "truncated",
            "packed_fixed32_partial",
            ALL,
            f_len(18, b"\x01\x02\x03") + KEY,
            "packed_f32 payload is 3 bytes",
            "2.1",
        ),
        ("truncated", "tag_cut", ALL, b"\xe2", "a two-byte tag cut after one byte", "2.1"),
        (
            "truncated",
            "receipt_cut",
            RECEIPT,
            receipt[:-1],
            "a SPUR-IC Receipt missing its last byte",
            "2.1",
        ),
        (
            "trailing_bytes",
            "zero_after_message",
            ALL,
            KEY + b"\x00",
            "a 0x00 after the last field",
            "2.2",
        ),
        (
            "trailing_bytes",
            "receipt_zero_padding",
            RECEIPT,
            receipt + b"\x00\x00",
            "a Receipt padded with zeros",
            "2.2",
        ),
        (
            "invalid_wire_type",
            "group_start",
            ALL,
            tag(1, 3) + KEY,
            "field 1 with wire type 3",
            "2.3",
        ),
        (
            "invalid_wire_type",
            "wire_type_6",
            ALL,
            tag(1, 6) + KEY,
            "field 1 with wire type 6",
            "2.3",
        ),
        (
            "invalid_wire_type",
            "wire_type_7",
            ALL,
            tag(1, 7) + KEY,
            "field 1 with wire type 7",
            "2.3",
        ),
        (
            "unknown_field",
            "field_29",
            ALL,
            KEY + f_varint(29, 1),
            "field 29 is not in the schema",
            "2.4",
        ),
        (
            "unknown_field",
            "field_1024_noncritical",
            ALL,
            KEY + f_varint(1024, 1),
            "Cosmos's non-critical range is refused too",
            "2.4",
        ),
        (
            "unknown_field",
            "receipt_field_13",
            RECEIPT,
            receipt + f_varint(13, 1),
            "a Receipt with a 13th field",
            "2.4",
        ),
        (
            "field_out_of_order",
            "i64_before_i32",
            ALL,
            f_varint(2, 1) + f_varint(1, 1) + KEY,
            "field 2 then field 1",
            "2.5",
        ),
        (
            "field_out_of_order",
            "unpacked_list_split",
            ALL,
            f_len(21, b"a") + f_varint(24, 1) + f_len(21, b"b") + KEY,
            "texts, maybe, texts again",
            "2.5",
        ),
        (
            "field_repeated",
            "singular_twice",
            ALL,
            f_varint(1, 1) + f_varint(1, 2) + KEY,
            "i32 twice",
            "2.6",
        ),
        (
            "field_repeated",
            "packed_twice",
            ALL,
            f_len(16, b"\x01") + f_len(16, b"\x02") + KEY,
            "packed_u64 in two records",
            "2.6",
        ),
        (
            "not_packed",
            "repeated_uint64_unpacked",
            ALL,
            f_varint(16, 5) + KEY,
            "packed_u64 element as a varint record",
            "2.7",
        ),
        (
            "wrong_wire_type",
            "string_as_varint",
            ALL,
            f_varint(12, 1) + KEY,
            "text with wire type 0",
            "2.8",
        ),
        (
            "wrong_wire_type",
            "uint64_as_len",
            ALL,
            f_len(4, b"\x01") + KEY,
            "u64 with wire type 2",
            "2.8",
        ),
        (
            "wrong_wire_type",
            "fixed32_as_varint",
            ALL,
            f_varint(7, 1) + KEY,
            "f32 with wire type 0",
            "2.8",
        ),
        (
            "oneof_conflict",
            "two_members",
            ALL,
            f_varint(25, 1) + f_len(26, b"a") + KEY,
            "choice_num and choice_text",
            "2.9",
        ),
        (
            "non_minimal_varint",
            "value_long_form",
            ALL,
            tag(1, VARINT) + b"\x81\x00" + KEY,
            "1 written as 81 00",
            "2.10",
        ),
        (
            "non_minimal_varint",
            "tag_long_form",
            ALL,
            b"\x88\x00\x01" + KEY,
            "tag of field 1 written as 88 00",
            "2.10",
        ),
        (
            "non_minimal_varint",
            "length_long_form",
            ALL,
            tag(12, LEN) + b"\x81\x00a" + KEY,
            "text length 1 written as 81 00",
            "2.10",
        ),
        (
            "varint_overflow",
            "eleven_bytes",
            ALL,
            tag(4, VARINT) + b"\xff" * 10 + b"\x01" + KEY,
            "an 11-byte varint",
            "2.11",
        ),
        (
            "varint_overflow",
            "above_2_64",
            ALL,
            tag(4, VARINT) + b"\xff" * 9 + b"\x02" + KEY,
            "a 10-byte varint >= 2^64",
            "2.11",
        ),
        ("varint_overflow", "bool_two", ALL, f_varint(11, 2) + KEY, "flag = 2", "2.11"),
        ("varint_overflow", "uint32_2_32", ALL, f_varint(3, 1 << 32) + KEY, "u32 = 2^32", "2.11"),
        (
            "varint_overflow",
            "int32_not_sign_extended",
            ALL,
            f_varint(1, 1 << 31) + KEY,
            "i32 = 2^31, not a sign-extended int32",
            "2.11",
        ),
        (
            "unknown_enum_value",
            "color_7",
            ALL,
            f_varint(14, 7) + KEY,
            "color = 7 (undefined)",
            "2.12",
        ),
        ("default_value", "int32_zero", ALL, f_varint(1, 0) + KEY, "i32 = 0 written", "2.13"),
        ("default_value", "empty_string", ALL, f_len(12, b"") + KEY, 'text = "" written', "2.13"),
        (
            "default_value",
            "empty_packed_list",
            ALL,
            f_len(16, b"") + KEY,
            "packed_u64 with no element",
            "2.13",
        ),
        (
            "invalid_utf8",
            "overlong_nul",
            ALL,
            f_len(12, b"\xc0\x80") + KEY,
            "text holds C0 80",
            "2.14",
        ),
        (
            "invalid_utf8",
            "surrogate",
            ALL,
            f_len(12, b"\xed\xa0\x80") + KEY,
            "text holds an encoded surrogate",
            "2.14",
        ),
        ("fixed_size", "absent", ALL, b"", "key (fixed_size 2) absent", "2.15"),
        ("fixed_size", "too_long", ALL, f_len(28, b"abc"), "key of 3 bytes", "2.15"),
        (
            "fixed_size",
            "list_element",
            ALL,
            f_len(22, b"abc") + KEY,
            "a digests element of 3 bytes",
            "2.15",
        ),
        (
            "fixed_size",
            "receipt_short_channel_id",
            RECEIPT,
            f_len(1, bytes(31)) + receipt[34:],
            "a Receipt channel_id of 31 bytes",
            "2.15",
        ),
        ("too_deep", "nested_101", NESTED, _nested(101), "child nested 101 levels deep", "2.16"),
        (
            "canonical",
            "nested_100",
            NESTED,
            _nested(100),
            "child nested 100 levels deep (the limit)",
            "ok",
        ),
        ("canonical", "only_key", ALL, KEY, "the smallest valid TestAllTypes", "ok"),
        ("canonical", "empty_nested", NESTED, b"", "empty input is the all-default message", "ok"),
        (
            "canonical",
            "present_empty_submessage",
            ALL,
            f_len(15, b"") + KEY,
            "nested present and empty (distinct from absent)",
            "ok",
        ),
        (
            "canonical",
            "negative_enum_10_bytes",
            ALL,
            f_varint(14, (1 << 64) - 1) + KEY,
            "color = -1 sign-extended to 10 bytes",
            "ok",
        ),
        (
            "canonical",
            "receipt",
            RECEIPT,
            receipt,
            "a SPUR-IC Receipt written field by field",
            "ok",
        ),
        (
            "binding",
            "required_submessage_absent",
            "dait.pouw.v1.MsgUpdateParams",
            f_len(1, sample_address("gov").encode()),
            "MsgUpdateParams without params",
            "5.1",
        ),
        (
            "binding",
            "unknown_type_url",
            "dait.tx.v1.TxBody",
            f_len(1, f_len(1, b"/dait.nope.v1.MsgNope")),
            "a TxBody message Any with an unregistered URL",
            "5.4",
        ),
    ]
    return [(s, n, t, d, what, rule[r], r) for s, n, t, d, what, r in c]


def _section(rule_id: str) -> str:
    if rule_id == "ok":
        return f"{SPEC} §2, §3"
    if rule_id.startswith("5."):
        return f"{SPEC} §{rule_id}"
    return f"{SPEC} §2 rule {rule_id}"


def generate_strict_decode() -> Iterator[CaseSpec]:
    """One case per strict-decoder rule (more where a rule has several shapes)."""
    for suite, name, type_name, data, what, rule, rule_id in _decode_cases():
        yield CaseSpec(
            suite=suite,
            name=name,
            description=f"{type_name}: {what}",
            rule=rule,
            source=_section(rule_id),
            inputs={
                "input.json": json_bytes(
                    {"type": type_name, "bytes": data.hex(), "required": required_fields(type_name)}
                )
            },
        )


def run_strict_decode(inputs: Mapping[str, bytes]) -> Outcome:
    """decode(type, bytes) -> {"value": proto3 JSON} or {"error": ...}."""
    obj = read_object(inputs, "input.json")
    name = _type_input(obj, "input.json")
    data = parse_hex(field(obj, "bytes", str, "input.json"), "input.json.bytes")
    try:
        result: JsonObject = {"value": decode_value(name, data)}
    except CodecError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


# ---- codec/json ---------------------------------------------------------------------------


def _json_cases() -> list[tuple[str, str, str, JsonObject, str, str]]:
    key_b64 = "q80="  # ab cd
    addr = sample_address("json")
    return [
        (
            "mapping",
            "uint64_as_string",
            ALL,
            {"u64": "18446744073709551615", "key": key_b64},
            "uint64 max as a decimal string",
            "5.3",
        ),
        (
            "mapping",
            "uint64_as_number",
            ALL,
            {"u64": 42, "key": key_b64},
            "a uint64 given as a JSON number is accepted",
            "5.3",
        ),
        (
            "mapping",
            "enum_by_name",
            ALL,
            {"color": "TEST_COLOR_GREEN", "key": key_b64},
            "enums by name",
            "5.3",
        ),
        (
            "mapping",
            "coin",
            "dait.base.v1.Coin",
            {"denom": "uDAIT", "amount": "1000000"},
            "a Coin; the amount is a decimal string",
            "6",
        ),
        (
            "mapping",
            "msg_send",
            "dait.bank.v1.MsgSend",
            {
                "from_address": addr,
                "to_address": sample_address("json-to"),
                "amount": [{"denom": "uDAIT", "amount": "5"}],
            },
            "a MsgSend",
            "6",
        ),
        (
            "refused",
            "unknown_key",
            ALL,
            {"nope": 1, "key": key_b64},
            "a key the schema does not define",
            "5.3",
        ),
        (
            "refused",
            "wrong_type",
            ALL,
            {"flag": "yes", "key": key_b64},
            "a bool given as a string",
            "5.3",
        ),
        (
            "refused",
            "bytes_as_number",
            ALL,
            {"blob": 5, "key": key_b64},
            "a bytes field given as a JSON number",
            "5.3",
        ),
        (
            "refused",
            "uint64_out_of_range",
            ALL,
            {"u64": "18446744073709551616", "key": key_b64},
            "2^64 for a uint64",
            "5.3",
        ),
        (
            "refused",
            "unknown_enum_name",
            ALL,
            {"color": "TEST_COLOR_BLUE", "key": key_b64},
            "an enum name the schema does not define",
            "5.3",
        ),
        (
            "refused",
            "fixed_size_violated",
            ALL,
            {"key": "q80A"},
            "key of 3 bytes (the schema rules hold for JSON too)",
            "2.15",
        ),
        (
            "refused",
            "required_submessage_absent",
            "dait.pouw.v1.MsgUpdateParams",
            {"authority": addr},
            "MsgUpdateParams without params",
            "5.1",
        ),
    ]


def generate_json() -> Iterator[CaseSpec]:
    """proto3 JSON inputs, accepted (with their bytes) or refused."""
    for suite, name, type_name, value, what, rule_id in _json_cases():
        yield CaseSpec(
            suite=suite,
            name=name,
            description=f"{type_name}: {what}",
            rule="from_json refuses unknown keys and malformed values (ErrJsonMapping) and "
            "applies the schema rules of §2.",
            source=f"{SPEC} §{rule_id}",
            inputs={"input.json": json_bytes({"type": type_name, "json": value})},
        )


def run_json(inputs: Mapping[str, bytes]) -> Outcome:
    """from_json(type, json) -> {"encoded": hex} or {"error": ...}."""
    obj = read_object(inputs, "input.json")
    name = _type_input(obj, "input.json")
    value = field(obj, "json", dict, "input.json")
    try:
        result: JsonObject = {"encoded": encode_json(name, value).hex()}
    except CodecError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


# ---- codec/jcs ----------------------------------------------------------------------------

_JCS_RULE = (
    "Diagnostic-canonical: JCS (RFC 8785) JSON. Used for logs and signed payload hashing of "
    "the application-level request / response. (seed 002 §5)"
)


def _jcs_cases() -> list[tuple[str, str, str, str]]:
    return [
        (
            "canonical",
            "rfc8785_sample",
            '{\n  "numbers": [333333333.33333329, 1E30, 4.50,\n  2e-3, '
            '0.000000000000000000000000001],\n  "string": '
            '"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n  "literals": '
            "[null, true, false]\n}",
            "RFC 8785 §3.2.2 sample",
        ),
        (
            "canonical",
            "utf16_key_order",
            '{"\\u20ac": "Euro Sign", "\\r": "Carriage Return", "\\ufb33": "Hebrew Letter Dalet '
            'With Dagesh", "1": "One", "\\ud83d\\ude00": "Emoji: Grinning Face", '
            '"\\u0080": "Control", "\\u00f6": "Latin Small Letter O With Diaeresis"}',
            "RFC 8785 §3.2.3: keys in UTF-16 code unit order, not code point order",
        ),
        (
            "canonical",
            "numbers_es6_form",
            "[0, -0, 1, -1, 1.5, 1e21, 1e-7, 1.2345678901234568e+20, 5e-324, "
            "1.7976931348623157e308, 9007199254740991]",
            "RFC 8785 Appendix B: ECMAScript number serialization",
        ),
        (
            "canonical",
            "nested_and_whitespace",
            '{ "b" : [ 1 , { "z" : null , "a" : "x" } ] , "a" : { } }',
            "members sorted at every level, no whitespace",
        ),
        (
            "canonical",
            "request_object",
            '{"prompt": "Hello, world.", "params": {"max_tokens": 6}, "nonce": "n-1"}',
            "a SPUR-IC request object (request_hash = sha256(JCS(...)))",
        ),
        ("refused", "nan", '{"x": NaN}', "NaN has no JSON form"),
        ("refused", "infinity", "[-Infinity]", "-Infinity has no JSON form"),
        ("refused", "lone_surrogate_value", '["\\ud800"]', "a lone surrogate has no UTF-8 form"),
        ("refused", "lone_surrogate_key", '{"\\udc00": 1}', "a lone surrogate in a key"),
        (
            "refused",
            "integer_beyond_2_53",
            "[9007199254740993]",
            "2^53 + 1 is not exact as an IEEE-754 double",
        ),
    ]


def generate_jcs() -> Iterator[CaseSpec]:
    """JSON texts (input.txt, read with NaN/Infinity literals allowed) and their JCS form."""
    for suite, name, text, what in _jcs_cases():
        yield CaseSpec(
            suite=suite,
            name=name,
            description=what,
            rule=_JCS_RULE,
            source=f"{SPEC} §4",
            inputs={"input.txt": text.encode("utf-8")},
        )


def _jcs_load(text: str) -> object:
    import json

    # Python's reader takes NaN, Infinity and -Infinity as numbers (as JSON5 does); the
    # vectors use them to state what JCS refuses.
    return json.loads(text)


def run_jcs(inputs: Mapping[str, bytes]) -> Outcome:
    """canonicalize(parse(input.txt)) -> {"canonical": text} or {"error": ...}."""
    try:
        value = _jcs_load(need(inputs, "input.txt").decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ErrVectorFile(f"input.txt: {exc}") from None
    try:
        result: JsonObject = {"canonical": canonicalize(value).decode("utf-8")}
    except CodecError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


HANDLERS = (
    Handler(
        "codec",
        "canonical",
        "every message type: proto3 JSON value <-> canonical bytes",
        generate_canonical,
        run_canonical,
        {"input.json": "{type, value (proto3 JSON), required}", "encoded.hex": "canonical bytes"},
    ),
    Handler(
        "codec",
        "strict_decode",
        "byte strings breaking one decoder rule each, and canonical controls",
        generate_strict_decode,
        run_strict_decode,
        {"input.json": "{type, bytes (hex), required}", "result.json": "{value} or {error}"},
    ),
    Handler(
        "codec",
        "json",
        "proto3 JSON mapping: accepted values and refusals",
        generate_json,
        run_json,
        {"input.json": "{type, json}", "result.json": "{encoded} or {error}"},
    ),
    Handler(
        "codec",
        "jcs",
        "RFC 8785 canonical JSON and what it refuses",
        generate_jcs,
        run_jcs,
        {"input.txt": "a JSON text", "result.json": "{canonical} or {error}"},
    ),
)
