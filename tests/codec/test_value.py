"""Proto-bound values (specs/codec.md §5): field mapping, mismatch detection, registry,
Any, JSON."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import ClassVar, TypeVar

import pytest
from google.protobuf import any_pb2
from google.protobuf.message import Message
from hypothesis import given

from dait_chain.codec import strict
from dait_chain.codec.errors import (
    ErrFieldValue,
    ErrFixedSize,
    ErrJsonMapping,
    ErrTrailingBytes,
    ErrUnknownTypeUrl,
)
from dait_chain.codec.tx import (
    AuthInfo,
    Coin,
    ModeInfo,
    ModeInfoSingle,
    MsgSend,
    PubKey,
    SignerInfo,
    TxBody,
)
from dait_chain.codec.value import ProtoValue, pack_any, register, unpack_any, value_class
from dait_chain.pb.dait.codec.v1 import test_types_pb2
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from tests.codec import strategies as S
from tests.codec.test_strict_rules import CHANNEL, MODEL, PUBKEY, RECEIPT, REQ, RESP, SIG

V = TypeVar("V", bound=ProtoValue)


class Color(IntEnum):
    UNSPECIFIED = 0
    RED = 1
    GREEN = 2
    NEGATIVE = -1


@dataclass(frozen=True, slots=True)
class NestedV(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    id: int
    child: NestedV | None
    tag: bytes


@dataclass(frozen=True, slots=True)
class AllTypesV(ProtoValue):
    """Every kind of field of §5.1's table, bound to TestAllTypes."""

    PROTO: ClassVar[type[Message]] = test_types_pb2.TestAllTypes
    i32: int
    i64: int
    u32: int
    u64: int
    s32: int
    s64: int
    f32: int
    f64: int
    sf32: int
    sf64: int
    flag: bool
    text: str
    blob: bytes
    color: Color
    nested: NestedV | None
    packed_u64: tuple[int, ...]
    packed_s32: tuple[int, ...]
    packed_f32: tuple[int, ...]
    packed_flags: tuple[bool, ...]
    colors: tuple[Color, ...]
    texts: tuple[str, ...]
    digests: tuple[bytes, ...]
    children: tuple[NestedV, ...]
    maybe: int | None
    choice_num: int | None
    choice_text: str | None
    choice_msg: NestedV | None
    key: bytes
    i32_big: int


@dataclass(frozen=True, slots=True)
class ReceiptV(ProtoValue):
    """Seed 002 §3's Receipt (kept out of the registry: dait_chain.spurc owns that binding)."""

    PROTO: ClassVar[type[Message]] = spurc_pb2.Receipt
    REGISTER: ClassVar[bool] = False
    channel_id: bytes
    call_seq: int
    request_hash: bytes
    response_hash: bytes
    model_hash: bytes
    tokens_in: int
    tokens_out: int
    price_uDAIT: int
    tee_quote: bytes
    tee_pubkey: bytes
    timestamp: int
    sig_host: bytes


RECEIPT_V = ReceiptV(
    CHANNEL, 7, REQ, RESP, MODEL, 1000, 2000, 150_000, b"quote", PUBKEY, 1_700_000_000_000, SIG
)


# --- mapping --------------------------------------------------------------------------------


def test_receipt_value_encodes_to_the_hand_written_bytes() -> None:
    """The value's canonical encoding is seed 002 §3's field sequence (test_strict_rules)."""
    assert RECEIPT_V.encode() == RECEIPT
    assert ReceiptV.decode(RECEIPT) == RECEIPT_V


@given(S.all_types())
def test_value_from_proto_to_proto_is_identity(msg: test_types_pb2.TestAllTypes) -> None:
    """For every message, to_proto(from_proto(m)) == m, and the value's encoding is the
    message's canonical encoding."""
    value = AllTypesV.from_proto(msg)
    assert value.to_proto() == msg
    assert value.encode() == strict.encode(msg)
    assert AllTypesV.decode(value.encode()) == value


def test_enum_fields_map_to_the_intenum() -> None:
    msg = test_types_pb2.TestAllTypes(
        color=test_types_pb2.TEST_COLOR_NEGATIVE,
        colors=[test_types_pb2.TEST_COLOR_RED, test_types_pb2.TEST_COLOR_GREEN],
        key=b"ab",
    )
    value = AllTypesV.from_proto(msg)
    assert value.color is Color.NEGATIVE
    assert value.colors == (Color.RED, Color.GREEN)


def test_presence_maps_to_none() -> None:
    """An absent optional/oneof/message field is None; a set zero is 0, not None."""
    value = AllTypesV.from_proto(test_types_pb2.TestAllTypes(maybe=0, key=b"ab"))
    assert value.maybe == 0
    assert value.choice_num is None
    assert value.nested is None
    assert value.to_proto().HasField("maybe")


def test_two_oneof_members_set_in_a_value_are_refused() -> None:
    value = AllTypesV.from_proto(test_types_pb2.TestAllTypes(choice_num=1, key=b"ab"))
    with pytest.raises(ErrFieldValue):
        _replace(value, choice_text="x").to_proto()


def _replace(value: V, **changes: object) -> V:
    return replace(value, **changes)  # type: ignore[type-var]


@pytest.mark.parametrize("bad", [-1, 1 << 64])
def test_uint64_out_of_range_is_a_field_value_error(bad: int) -> None:
    with pytest.raises(ErrFieldValue):
        _replace(RECEIPT_V, call_seq=bad).encode()


def test_wrong_python_type_is_a_field_value_error() -> None:
    with pytest.raises(ErrFieldValue):
        _replace(RECEIPT_V, tee_quote="text").encode()


def test_fixed_size_rule_applies_to_values() -> None:
    with pytest.raises(ErrFixedSize):
        _replace(RECEIPT_V, channel_id=b"\x00" * 31).encode()


def test_from_proto_refuses_another_message_type() -> None:
    with pytest.raises(ErrFieldValue):
        ReceiptV.from_proto(spurc_pb2.ChannelState())


@dataclass(frozen=True, slots=True)
class HolderV(ProtoValue):
    """TestNested with `child` required (annotation without `| None`)."""

    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: int
    child: NestedV
    tag: bytes


def test_required_sub_message_absent_is_a_field_value_error() -> None:
    """`X` (not `X | None`) means the sub-message is always present."""
    with pytest.raises(ErrFieldValue):
        HolderV.decode(b"\x08\x01")  # id = 1, no child
    value = HolderV.decode(b"\x08\x01\x12\x00")  # child present and empty
    assert value.child == NestedV(0, None, b"")


class ShortColor(IntEnum):
    UNSPECIFIED = 0
    RED = 1


@dataclass(frozen=True, slots=True)
class ShortEnumV(AllTypesV):
    """AllTypesV with an IntEnum that lacks a number the proto enum defines."""

    REGISTER: ClassVar[bool] = False
    # Deliberately not AllTypesV's field types: the IntEnum lacks a proto enum number.
    color: ShortColor  # type: ignore[assignment]
    colors: tuple[int, ...]  # type: ignore[assignment]


def test_enum_number_missing_from_the_intenum_is_a_field_value_error() -> None:
    with pytest.raises(ErrFieldValue):
        ShortEnumV.from_proto(
            test_types_pb2.TestAllTypes(color=test_types_pb2.TEST_COLOR_GREEN, key=b"ab")
        )
    msg = test_types_pb2.TestAllTypes(colors=[test_types_pb2.TEST_COLOR_GREEN], key=b"ab")
    assert ShortEnumV.from_proto(msg).colors == (2,)


# --- mismatch detection (TypeError at first use) ---------------------------------------------


@dataclass(frozen=True, slots=True)
class MissingField(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: int
    child: NestedV | None


@dataclass(frozen=True, slots=True)
class ExtraField(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: int
    child: NestedV | None
    tag: bytes
    extra: int


@dataclass(frozen=True, slots=True)
class WrongScalar(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: str
    child: NestedV | None
    tag: bytes


@dataclass(frozen=True, slots=True)
class TupleForSingular(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: tuple[int, ...]
    child: NestedV | None
    tag: bytes


@dataclass(frozen=True, slots=True)
class NoFields(ProtoValue):
    PROTO: ClassVar[type[Message]] = spurc_pb2.Receipt
    REGISTER: ClassVar[bool] = False


@dataclass(frozen=True, slots=True)
class MsgSendList(ProtoValue):
    PROTO: ClassVar[type[Message]] = MsgSend.PROTO
    REGISTER: ClassVar[bool] = False
    from_address: str
    to_address: str
    amount: list[Coin]


@dataclass(frozen=True, slots=True)
class OptionalImplicit(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: int | None
    child: NestedV | None
    tag: bytes


@dataclass(frozen=True, slots=True)
class WrongSubMessage(ProtoValue):
    PROTO: ClassVar[type[Message]] = test_types_pb2.TestNested
    REGISTER: ClassVar[bool] = False
    id: int
    child: PubKey | None
    tag: bytes


@dataclass(frozen=True, slots=True)
class ModeAsStr(ProtoValue):
    PROTO: ClassVar[type[Message]] = ModeInfoSingle.PROTO
    REGISTER: ClassVar[bool] = False
    mode: str


MISMATCHED: list[type[ProtoValue]] = [
    MissingField,
    ExtraField,
    WrongScalar,
    TupleForSingular,
    MsgSendList,
    OptionalImplicit,
    WrongSubMessage,
    ModeAsStr,
    NoFields,
]


@pytest.mark.parametrize("cls", MISMATCHED, ids=lambda c: c.__name__)
def test_dataclass_that_does_not_match_its_proto_is_a_type_error(cls: type[ProtoValue]) -> None:
    """Defining the class is allowed; its first use checks names and kinds (§5.2)."""
    with pytest.raises(TypeError):
        cls.decode(b"")


# --- registry and Any ---------------------------------------------------------------------------


def test_type_url_is_slash_and_full_name() -> None:
    assert PubKey.type_url() == "/dait.crypto.secp256k1.v1.PubKey"
    assert MsgSend.type_url() == "/dait.bank.v1.MsgSend"


def test_classes_register_themselves_by_type_url() -> None:
    assert value_class("/dait.bank.v1.MsgSend") is MsgSend
    assert value_class("/dait.codec.v1.TestNested") is NestedV


def test_register_false_keeps_a_class_out_of_the_registry() -> None:
    """A REGISTER = False double leaves the type URL to its owner (dait_chain.spurc), so
    the registry answers with the owner's class, never the double, whatever was imported
    first."""
    from dait_chain.spurc.values import Receipt

    assert value_class(ReceiptV.type_url()) is Receipt


def test_unknown_type_url_is_refused() -> None:
    with pytest.raises(ErrUnknownTypeUrl):
        unpack_any(any_pb2.Any(type_url="/dait.nope.v1.Msg", value=b""))


def test_second_class_for_the_same_proto_is_a_type_error() -> None:
    with pytest.raises(TypeError):

        @dataclass(frozen=True, slots=True)
        class AnotherMsgSend(ProtoValue):
            PROTO: ClassVar[type[Message]] = MsgSend.PROTO
            from_address: str
            to_address: str
            amount: tuple[Coin, ...]

    assert value_class(MsgSend.type_url()) is MsgSend
    assert register(MsgSend) is MsgSend  # re-registering the same class is a no-op


def test_pack_any_carries_the_type_url_and_canonical_bytes() -> None:
    send = MsgSend("dait1a", "dait1b", (Coin("udait", "5"),))
    packed = pack_any(send)
    assert packed.type_url == "/dait.bank.v1.MsgSend"
    assert packed.value == send.encode()
    assert unpack_any(packed) == send


def test_unpack_any_decodes_strictly() -> None:
    bad = any_pb2.Any(type_url=PubKey.type_url(), value=b"\x0a\x20" + b"\x02" * 32)
    with pytest.raises(ErrFixedSize):
        unpack_any(bad)
    padded = any_pb2.Any(type_url=PubKey.type_url(), value=PubKey(PUBKEY).encode() + b"\x00")
    with pytest.raises(ErrTrailingBytes):
        unpack_any(padded)


def test_tx_body_with_unregistered_message_type_is_refused() -> None:
    any_msg = any_pb2.Any(type_url="/dait.nope.v1.MsgNope", value=b"")
    body = strict.encode(TxBody.PROTO(messages=[any_msg]))
    with pytest.raises(ErrUnknownTypeUrl):
        TxBody.decode(body)


@dataclass(frozen=True, slots=True)
class KeyedSigner(ProtoValue):
    """SignerInfo with the Any narrowed to PubKey."""

    PROTO: ClassVar[type[Message]] = SignerInfo.PROTO
    REGISTER: ClassVar[bool] = False
    public_key: PubKey | None
    mode_info: ModeInfo | None
    sequence: int


def test_narrowed_any_field_refuses_another_type() -> None:
    wrong = SignerInfo.PROTO(public_key=pack_any(Coin("udait", "1")))
    with pytest.raises(ErrFieldValue):
        KeyedSigner.from_proto(wrong)


# --- JSON ---------------------------------------------------------------------------------------


def test_json_mapping_uses_proto_names_strings_for_uint64_base64_for_bytes() -> None:
    """proto3 JSON: uint64 as decimal strings, bytes as standard base64, field names as in
    the proto (price_uDAIT kept), default values omitted."""
    value = _replace(RECEIPT_V, tokens_in=0)
    obj = value.to_json()
    assert obj["price_uDAIT"] == "150000"
    assert obj["timestamp"] == "1700000000000"
    assert obj["channel_id"] == base64.b64encode(CHANNEL).decode()
    assert "tokens_in" not in obj
    assert ReceiptV.from_json(obj) == value


def test_json_any_carries_the_type_url() -> None:
    body = TxBody((MsgSend("dait1a", "dait1b", (Coin("udait", "5"),)),), "memo")
    obj = body.to_json()
    assert obj["messages"] == [
        {
            "@type": "/dait.bank.v1.MsgSend",
            "from_address": "dait1a",
            "to_address": "dait1b",
            "amount": [{"denom": "udait", "amount": "5"}],
        }
    ]
    assert type(obj["messages"][0]) is dict
    assert TxBody.from_json(obj) == body


def test_json_with_unknown_key_is_refused() -> None:
    obj = RECEIPT_V.to_json() | {"surplus": 1}
    with pytest.raises(ErrJsonMapping):
        ReceiptV.from_json(obj)


def test_json_with_wrong_fixed_size_is_refused() -> None:
    obj = RECEIPT_V.to_json() | {"channel_id": base64.b64encode(b"\x01" * 31).decode()}
    with pytest.raises(ErrFixedSize):
        ReceiptV.from_json(obj)


@given(S.auth_infos())
def test_json_round_trip_of_auth_info(value: AuthInfo) -> None:
    """from_json(to_json(v)) == v for the tx envelope's AuthInfo (Any, enums, nesting)."""
    assert AuthInfo.from_json(value.to_json()) == value
