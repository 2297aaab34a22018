"""One test per strict-decoder rule (specs/codec.md §2), each with hand-built bytes.

Every byte string below is written out field by field from the encoding guide's
definitions (tests/codec/wire.py), with the rule it breaks named in the test. Each test
checks that `decode` raises exactly that rule's error and that the fast path refuses too.
"""

from __future__ import annotations

import pytest
from google.protobuf import empty_pb2

from dait_chain.codec import strict
from dait_chain.codec.errors import (
    CodecError,
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
from dait_chain.codec.strict import decode, decode_fast, encode
from dait_chain.pb.dait.codec.v1 import test_types_pb2
from dait_chain.pb.dait.crypto.secp256k1.v1 import keys_pb2
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from dait_chain.pb.dait.tee_attest.v1 import quote_pb2
from tests.codec.wire import (
    I32,
    LEN,
    VARINT,
    f_i32,
    f_len,
    f_varint,
    padded_varint,
    tag,
    varint,
)

Receipt = spurc_pb2.Receipt
AllTypes = test_types_pb2.TestAllTypes
Nested = test_types_pb2.TestNested

# A SPUR-IC Receipt written field by field in seed 002 §3's order (field numbers 1..12).
CHANNEL = bytes(range(32))
REQ, RESP, MODEL = b"\x11" * 32, b"\x22" * 32, b"\x33" * 32
PUBKEY = b"\x02" + b"\x44" * 32
SIG = b"\x55" * 64
R_CHANNEL = f_len(1, CHANNEL)
R_SEQ = f_varint(2, 7)
R_TAIL = (
    f_len(3, REQ)
    + f_len(4, RESP)
    + f_len(5, MODEL)
    + f_varint(6, 1000)
    + f_varint(7, 2000)
    + f_varint(8, 150_000)
    + f_len(9, b"quote")
    + f_len(10, PUBKEY)
    + f_varint(11, 1_700_000_000_000)
    + f_len(12, SIG)
)
RECEIPT = R_CHANNEL + R_SEQ + R_TAIL

# TestAllTypes needs `key` (field 28, fixed_size 2); its tag is 28 << 3 | 2 = 226 = e2 01.
KEY = f_len(28, b"\xab\xcd")


def assert_refused(msg_type: type, data: bytes, error: type[CodecError]) -> None:
    """`decode` raises exactly `error` (not a subclass of another rule), and the fast path
    refuses the same bytes."""
    with pytest.raises(CodecError) as info:
        decode(msg_type, data)
    assert type(info.value) is error, f"{type(info.value).__name__}: {info.value}"
    assert decode_fast(msg_type, data) is None


def test_receipt_encoding_is_fields_in_tag_order_with_shortest_varints() -> None:
    """Seed 002 §5: the canonical Receipt is exactly the hand-written field sequence."""
    msg = Receipt(
        channel_id=CHANNEL,
        call_seq=7,
        request_hash=REQ,
        response_hash=RESP,
        model_hash=MODEL,
        tokens_in=1000,
        tokens_out=2000,
        price_uDAIT=150_000,
        tee_quote=b"quote",
        tee_pubkey=PUBKEY,
        timestamp=1_700_000_000_000,
        sig_host=SIG,
    )
    assert encode(msg) == RECEIPT
    assert decode(Receipt, RECEIPT) == msg


def test_tag_bytes_match_the_encoding_guide() -> None:
    """The helpers agree with the guide's worked bytes: field 1 LEN is 0x0a, field 2 varint
    0x10, field 28 LEN e2 01, 150 is 96 01."""
    assert tag(1, LEN) == b"\x0a"
    assert tag(2, VARINT) == b"\x10"
    assert tag(28, LEN) == b"\xe2\x01"
    assert varint(150) == b"\x96\x01"


# --- 2.1 truncation ---------------------------------------------------------------------------


def test_payload_running_past_the_end_is_truncated() -> None:
    assert_refused(Receipt, R_CHANNEL[:12], ErrTruncated)  # 0a 20 + 10 of 32 bytes


def test_varint_cut_mid_way_is_truncated() -> None:
    assert_refused(Receipt, R_CHANNEL + b"\x10\x87", ErrTruncated)  # call_seq: 87 needs more


def test_tag_cut_mid_way_is_truncated() -> None:
    assert_refused(AllTypes, KEY + b"\xe0", ErrTruncated)  # first byte of a two-byte tag


def test_fixed_width_value_cut_is_truncated() -> None:
    # f32 needs 4 bytes and the input ends after 2 (the walker stops there, before it
    # would notice that `key` is absent).
    assert_refused(AllTypes, tag(7, I32) + b"\x01\x02", ErrTruncated)


def test_packed_fixed32_payload_not_whole_values_is_truncated() -> None:
    assert_refused(AllTypes, f_len(18, b"\x01\x00\x00\x00\x02") + KEY, ErrTruncated)


# --- 2.2 trailing bytes, wire types, unknown fields ---------------------------------------


def test_zero_byte_after_the_message_is_trailing_bytes() -> None:
    """0x00 would be field number 0, which no field has: padding after the message."""
    assert_refused(Receipt, RECEIPT + b"\x00", ErrTrailingBytes)


def test_group_wire_types_are_invalid() -> None:
    assert_refused(AllTypes, b"\x0b" + KEY, ErrInvalidWireType)  # field 1, SGROUP
    assert_refused(AllTypes, b"\x0c" + KEY, ErrInvalidWireType)  # field 1, EGROUP


def test_wire_types_6_and_7_are_invalid() -> None:
    assert_refused(AllTypes, b"\x0e" + KEY, ErrInvalidWireType)
    assert_refused(AllTypes, b"\x0f" + KEY, ErrInvalidWireType)


def test_unknown_field_number_is_refused() -> None:
    """Seed 002 §5: no unknown fields (field 99 is not in Receipt)."""
    assert_refused(Receipt, RECEIPT + f_varint(99, 1), ErrUnknownField)


def test_unknown_field_in_the_middle_is_refused() -> None:
    assert_refused(Receipt, R_CHANNEL + f_len(13, b"x") + R_SEQ + R_TAIL, ErrUnknownField)


def test_bytes_field_as_varint_is_wrong_wire_type() -> None:
    assert_refused(Receipt, f_varint(1, 5) + R_SEQ + R_TAIL, ErrWrongWireType)


def test_varint_field_as_length_delimited_is_wrong_wire_type() -> None:
    assert_refused(Receipt, R_CHANNEL + f_len(2, b"\x07") + R_TAIL, ErrWrongWireType)


def test_fixed32_field_as_varint_is_wrong_wire_type() -> None:
    assert_refused(AllTypes, f_varint(7, 1) + KEY, ErrWrongWireType)


def test_packed_field_with_fixed64_wire_type_is_wrong_wire_type() -> None:
    """packed_u64 takes LEN (packed); the varint form is "not packed", anything else wrong."""
    assert_refused(AllTypes, tag(16, 1) + b"\x00" * 8 + KEY, ErrWrongWireType)


# --- 2.3 order and repetition ---------------------------------------------------------------


def test_fields_out_of_tag_order_are_refused() -> None:
    """Seed 002 §5: field ordering by tag number ascending (call_seq before channel_id)."""
    assert_refused(Receipt, R_SEQ + R_CHANNEL + R_TAIL, ErrFieldOutOfOrder)


def test_singular_field_twice_is_refused() -> None:
    assert_refused(Receipt, R_CHANNEL + R_SEQ + R_SEQ + R_TAIL, ErrFieldRepeated)


def test_packed_field_in_two_records_is_refused() -> None:
    packed = f_len(16, b"\x01")
    assert_refused(AllTypes, packed + packed + KEY, ErrFieldRepeated)


def test_repeated_message_elements_are_consecutive_records() -> None:
    """An unpacked repeated field is one record per element, all adjacent: accepted."""
    child = f_len(23, f_varint(1, 5))
    data = child + child + KEY
    assert encode(decode(AllTypes, data)) == data


def test_repeated_field_split_by_another_field_is_out_of_order() -> None:
    child = f_len(23, f_varint(1, 5))
    text = f_len(21, b"t")
    assert_refused(AllTypes, child + f_len(22, b"abcd") + child + KEY, ErrFieldOutOfOrder)
    assert_refused(AllTypes, text + child + text + KEY, ErrFieldOutOfOrder)


# --- 2.4 shortest varints ----------------------------------------------------------------------


def test_value_varint_with_trailing_zero_group_is_non_minimal() -> None:
    """Seed 002 §5: varints in shortest form; 87 00 is 7 with a redundant group."""
    assert padded_varint(7, 1) == b"\x87\x00"
    data = R_CHANNEL + tag(2, VARINT) + padded_varint(7, 1) + R_TAIL
    assert_refused(Receipt, data, ErrNonMinimalVarint)


def test_tag_varint_with_trailing_zero_group_is_non_minimal() -> None:
    data = R_CHANNEL + padded_varint(2 << 3, 1) + varint(7) + R_TAIL
    assert_refused(Receipt, data, ErrNonMinimalVarint)


def test_length_varint_with_trailing_zero_group_is_non_minimal() -> None:
    data = tag(1, LEN) + padded_varint(32, 2) + CHANNEL + R_SEQ + R_TAIL
    assert_refused(Receipt, data, ErrNonMinimalVarint)


# --- 2.5 varint ranges ---------------------------------------------------------------------


def test_varint_longer_than_ten_bytes_overflows() -> None:
    data = R_CHANNEL + tag(2, VARINT) + b"\xff" * 10 + b"\x01" + R_TAIL
    assert_refused(Receipt, data, ErrVarintOverflow)


def test_ten_byte_varint_above_2_64_overflows() -> None:
    """The tenth byte carries bit 63 only; 0x02 there means 2^64."""
    data = R_CHANNEL + tag(2, VARINT) + b"\x80" * 9 + b"\x02" + R_TAIL
    assert_refused(Receipt, data, ErrVarintOverflow)


def test_max_uint64_is_accepted() -> None:
    data = R_CHANNEL + tag(2, VARINT) + b"\xff" * 9 + b"\x01" + R_TAIL
    assert decode(Receipt, data).call_seq == (1 << 64) - 1


def test_bool_other_than_0_or_1_overflows() -> None:
    assert_refused(AllTypes, f_varint(11, 2) + KEY, ErrVarintOverflow)


def test_uint32_at_2_32_overflows() -> None:
    assert_refused(AllTypes, f_varint(3, 1 << 32) + KEY, ErrVarintOverflow)


def test_int32_must_be_sign_extended() -> None:
    """int32 -1 is ten bytes (ff x9 01); the 5-byte ff ff ff ff 0f (2^32 - 1) is not an
    int32 an encoder can produce."""
    assert_refused(AllTypes, f_varint(1, (1 << 32) - 1) + KEY, ErrVarintOverflow)
    data = f_varint(1, -1) + KEY
    assert data[1:11] == b"\xff" * 9 + b"\x01"
    assert decode(AllTypes, data).i32 == -1


def test_tag_above_2_32_overflows() -> None:
    assert_refused(AllTypes, varint(1 << 32 | VARINT) + b"\x01" + KEY, ErrVarintOverflow)


# --- 2.6 defaults -------------------------------------------------------------------------------


def test_zero_scalar_present_is_refused() -> None:
    """Seed 002 §5: no default-value fields emitted (call_seq = 0 written out)."""
    assert_refused(Receipt, R_CHANNEL + f_varint(2, 0) + R_TAIL, ErrDefaultValue)


def test_empty_bytes_present_is_refused() -> None:
    data = R_CHANNEL + R_SEQ + R_TAIL.replace(f_len(9, b"quote"), f_len(9, b""))
    assert_refused(Receipt, data, ErrDefaultValue)


def test_empty_string_present_is_refused() -> None:
    assert_refused(AllTypes, f_len(12, b"") + KEY, ErrDefaultValue)


def test_false_present_is_refused() -> None:
    assert_refused(AllTypes, f_varint(11, 0) + KEY, ErrDefaultValue)


def test_zero_fixed32_present_is_refused() -> None:
    assert_refused(AllTypes, f_i32(7, b"\x00" * 4) + KEY, ErrDefaultValue)


def test_empty_packed_list_present_is_refused() -> None:
    assert_refused(AllTypes, f_len(16, b"") + KEY, ErrDefaultValue)


def test_explicit_presence_fields_may_carry_defaults() -> None:
    """`optional` and oneof members have presence: a set zero is emitted and accepted."""
    for data in (f_varint(24, 0) + KEY, f_varint(25, 0) + KEY, f_len(26, b"") + KEY):
        assert encode(decode(AllTypes, data)) == data


def test_present_empty_sub_message_is_accepted() -> None:
    """A present sub-message is emitted even when empty (specs/codec.md §1)."""
    data = f_len(15, b"") + KEY
    msg = decode(AllTypes, data)
    assert msg.HasField("nested")
    assert encode(msg) == data


def test_zeros_inside_repeated_fields_are_elements_not_defaults() -> None:
    data = f_len(16, b"\x00\x00") + f_len(21, b"") + KEY
    msg = decode(AllTypes, data)
    assert list(msg.packed_u64) == [0, 0]
    assert list(msg.texts) == [""]


# --- 2.7 packing --------------------------------------------------------------------------------


def test_repeated_scalar_unpacked_is_refused() -> None:
    assert_refused(AllTypes, f_varint(16, 5) + KEY, ErrNotPacked)


def test_repeated_enum_unpacked_is_refused() -> None:
    assert_refused(AllTypes, f_varint(20, 1) + KEY, ErrNotPacked)


# --- 2.8 UTF-8 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"\xc3\x28", b"\xed\xa0\x80", b"\xc0\x80", b"\xff", b"a\xe2\x82"],
    ids=["bad-continuation", "surrogate", "overlong", "ff", "cut-sequence"],
)
def test_string_that_is_not_utf8_is_refused(raw: bytes) -> None:
    assert_refused(AllTypes, f_len(12, raw) + KEY, ErrInvalidUtf8)


def test_string_in_repeated_field_must_be_utf8() -> None:
    assert_refused(AllTypes, f_len(21, b"\xc3\x28") + KEY, ErrInvalidUtf8)


# --- 2.9 fixed sizes ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 31, 33, 64])
def test_channel_id_of_wrong_length_is_refused(size: int) -> None:
    """Receipt.channel_id is (dait.codec.v1.fixed_size) = 32 (seed 002 §3: 32 bytes)."""
    assert_refused(Receipt, f_len(1, b"\x01" * size) + R_SEQ + R_TAIL, ErrFixedSize)


def test_absent_fixed_size_field_is_refused() -> None:
    """fixed_size means always exactly N bytes; proto3 omits empty bytes, so absent = 0."""
    assert_refused(Receipt, R_SEQ + R_TAIL, ErrFixedSize)


def test_tee_pubkey_must_be_33_bytes() -> None:
    data = RECEIPT.replace(f_len(10, PUBKEY), f_len(10, PUBKEY[:32]))
    assert_refused(Receipt, data, ErrFixedSize)


def test_fixed_size_or_empty_accepts_absent_and_exact() -> None:
    """sig_host is empty until signed, then 64 bytes (seed 002 §3)."""
    unsigned = R_CHANNEL + R_SEQ + R_TAIL.replace(f_len(12, SIG), b"")
    assert decode(Receipt, unsigned).sig_host == b""
    assert decode(Receipt, RECEIPT).sig_host == SIG


def test_fixed_size_or_empty_refuses_other_lengths() -> None:
    data = RECEIPT.replace(f_len(12, SIG), f_len(12, SIG[:63]))
    assert_refused(Receipt, data, ErrFixedSize)


def test_every_element_of_a_repeated_fixed_size_field_is_checked() -> None:
    data = f_len(22, b"abcd") + f_len(22, b"abc") + KEY
    assert_refused(AllTypes, data, ErrFixedSize)


def test_fixed_size_holds_in_nested_messages() -> None:
    """TestNested.tag is fixed_size_or_empty = 4, checked at any depth."""
    inner = f_varint(1, 1) + f_len(3, b"xyz")
    assert_refused(AllTypes, f_len(15, f_len(2, inner)) + KEY, ErrFixedSize)


# The fast path checks the leading fixed-size records (fields 1, 2, ... while each is
# `fixed_size`) on the bytes instead of reading the fields (specs/codec.md §3, step 4).
# A message made only of such fields (PubKey) is checked on the bytes alone.
PubKey = keys_pb2.PubKey
AkCert = quote_pb2.SimAttestationKeyCert
ROOT, AK = b"\x02" + b"\x66" * 32, b"\x03" + b"\x77" * 32


def test_pub_key_is_its_one_record() -> None:
    """PubKey { bytes key = 1 [fixed_size = 33] }: tag 0a, length 21, 33 bytes."""
    data = b"\x0a\x21" + PUBKEY
    assert data == f_len(1, PUBKEY)
    assert decode(PubKey, data).key == PUBKEY
    assert decode_fast(PubKey, data) == PubKey(key=PUBKEY)
    assert encode(PubKey(key=PUBKEY)) == data


@pytest.mark.parametrize("size", [0, 1, 32, 34, 127, 128])
def test_pub_key_of_wrong_length_is_refused(size: int) -> None:
    """Any other length (0 = absent: empty input) is rule 2.15, also when the record
    happens to total 35 bytes (a 33-byte length prefix cannot be anything but 0x21)."""
    data = f_len(1, b"\x02" * size) if size else b""
    assert_refused(PubKey, data, ErrFixedSize)


def test_pub_key_with_anything_after_its_record_is_refused() -> None:
    assert_refused(PubKey, f_len(1, PUBKEY) + f_varint(2, 1), ErrUnknownField)
    assert_refused(PubKey, f_len(1, PUBKEY) + f_len(1, PUBKEY), ErrFieldRepeated)
    assert_refused(PubKey, f_len(1, PUBKEY) + b"\x00", ErrTrailingBytes)


def test_pub_key_with_a_long_length_prefix_is_refused() -> None:
    """Same 33 bytes, the length written in two bytes: 36 bytes in all, non-minimal."""
    assert_refused(PubKey, tag(1, LEN) + padded_varint(33, 1) + PUBKEY, ErrNonMinimalVarint)


def test_a_message_without_fields_is_only_the_empty_string() -> None:
    """No field: the one canonical encoding is b"" (a schema with no fixed-size field
    takes the plain fast path, whatever its number of fields)."""
    Empty = empty_pb2.Empty
    assert decode(Empty, b"") == Empty()
    assert encode(Empty()) == b""
    assert_refused(Empty, f_varint(1, 1), ErrUnknownField)
    assert_refused(Empty, b"\x00", ErrTrailingBytes)


def test_leading_fixed_size_records_are_checked_on_the_bytes() -> None:
    """SimAttestationKeyCert: root_pubkey (1) and attestation_pubkey (2) are 33 bytes, so
    their records sit at offsets 0 and 35; sig_root (3) is 64 bytes or empty."""
    cert = f_len(1, ROOT) + f_len(2, AK)
    assert cert[0:2] == b"\x0a\x21" and cert[35:37] == b"\x12\x21"
    assert decode(AkCert, cert) == AkCert(root_pubkey=ROOT, attestation_pubkey=AK)
    assert decode(AkCert, cert + f_len(3, SIG)).sig_root == SIG
    assert_refused(AkCert, f_len(1, ROOT) + f_len(2, AK[:32]), ErrFixedSize)
    assert_refused(AkCert, f_len(1, ROOT + b"\x00") + f_len(2, AK[:32]), ErrFixedSize)
    assert_refused(AkCert, f_len(1, ROOT), ErrFixedSize)  # too short for the second header
    assert_refused(AkCert, f_len(2, AK) + f_len(3, SIG), ErrFixedSize)  # first one absent
    assert_refused(AkCert, cert + f_len(3, SIG[:63]), ErrFixedSize)


def test_receipt_channel_id_header_is_checked_on_the_bytes() -> None:
    """A wrong channel_id whose bytes carry a well-formed 32-byte record further on is
    still refused: only offset 0 counts."""
    fake = f_len(1, b"\x0a\x20" + b"\x01" * 32)  # 34 bytes holding a 32-byte record
    assert_refused(Receipt, fake + R_SEQ + R_TAIL, ErrFixedSize)


# call_seq (field 2, a varint) sits between channel_id and the three hashes, so where
# the hashes' records start depends on its length: absent, or a tag byte plus 1..10
# varint bytes. Values at each boundary of the varint's length (7 bits per byte).
CALL_SEQS = [0, 1, 127, 128, 2**14 - 1, 2**14, 2**21 - 1, 2**21, 2**28, 2**64 - 1]


def _receipt(call_seq: int, req: bytes = REQ, resp: bytes = RESP, model: bytes = MODEL) -> bytes:
    seq = f_varint(2, call_seq) if call_seq else b""
    tail = R_TAIL.replace(f_len(3, REQ) + f_len(4, RESP) + f_len(5, MODEL), b"")
    return R_CHANNEL + seq + f_len(3, req) + f_len(4, resp) + f_len(5, model) + tail


@pytest.mark.parametrize("call_seq", CALL_SEQS)
def test_hashes_after_call_seq_of_any_length_are_accepted(call_seq: int) -> None:
    data = _receipt(call_seq)
    assert len(data) == len(RECEIPT) - len(R_SEQ) + (len(varint(call_seq)) + 1 if call_seq else 0)
    msg = decode(Receipt, data)
    assert (msg.call_seq, msg.request_hash, msg.model_hash) == (call_seq, REQ, MODEL)
    assert decode_fast(Receipt, data) == msg


@pytest.mark.parametrize("call_seq", CALL_SEQS)
@pytest.mark.parametrize("which", ["req", "resp", "model"])
@pytest.mark.parametrize("size", [31, 33])
def test_hash_of_wrong_length_after_call_seq_is_refused(
    call_seq: int, which: str, size: int
) -> None:
    """Each hash at 31 or 33 bytes shifts the records after it by one byte; whatever the
    length of call_seq, the fixed-size rule (2.15) names it."""
    data = _receipt(call_seq, **{which: b"\x1a" * size})
    assert_refused(Receipt, data, ErrFixedSize)


def test_encode_refuses_a_wrong_hash_length_after_call_seq() -> None:
    with pytest.raises(ErrFixedSize):
        encode(Receipt.FromString(_receipt(300, resp=RESP[:31])))


def test_encode_refuses_a_fixed_size_violation() -> None:
    """encode never emits bytes decode would refuse."""
    with pytest.raises(ErrFixedSize):
        encode(Receipt(channel_id=b"\x01" * 31))


# --- 2.10 enums, oneofs, depth ----------------------------------------------------------------


def test_undefined_enum_value_is_refused() -> None:
    assert_refused(AllTypes, f_varint(14, 3) + KEY, ErrUnknownEnumValue)


def test_undefined_enum_value_in_packed_list_is_refused() -> None:
    assert_refused(AllTypes, f_len(20, b"\x01\x07") + KEY, ErrUnknownEnumValue)


def test_negative_enum_value_is_a_ten_byte_varint() -> None:
    data = f_varint(14, -1) + KEY
    assert len(data) == 1 + 10 + len(KEY)
    assert decode(AllTypes, data).color == test_types_pb2.TEST_COLOR_NEGATIVE


def test_encode_refuses_an_undefined_enum_value() -> None:
    with pytest.raises(ErrUnknownEnumValue):
        encode(AllTypes(color=5, key=b"ab"))  # type: ignore[arg-type]


def test_two_members_of_a_oneof_are_refused() -> None:
    """The runtime would keep only the last; canonical bytes carry one member."""
    assert_refused(AllTypes, f_varint(25, 1) + f_len(26, b"x") + KEY, ErrOneofConflict)


def _nested_levels(levels: int) -> bytes:
    data = f_varint(1, 1)
    for _ in range(levels - 1):
        data = f_varint(1, 1) + f_len(2, data)
    return data


def test_nesting_of_100_sub_message_levels_is_accepted() -> None:
    """upb's limit: 100 levels below the top-level message (101 messages)."""
    data = _nested_levels(101)
    assert encode(decode(Nested, data)) == data


def test_nesting_beyond_100_levels_is_too_deep() -> None:
    assert_refused(Nested, _nested_levels(102), ErrTooDeep)


def test_encode_refuses_a_message_nested_too_deep() -> None:
    msg = Nested.FromString(_nested_levels(101))
    outer = Nested(id=1)
    outer.child.CopyFrom(msg)
    with pytest.raises(ErrTooDeep):
        encode(outer)


# --- backstops ----------------------------------------------------------------------------


def test_encode_refuses_unknown_fields_kept_by_a_lenient_parse() -> None:
    lenient = Receipt.FromString(RECEIPT + f_varint(99, 1))
    with pytest.raises(ErrUnknownField):
        encode(lenient)


def test_encode_refuses_unknown_fields_in_a_sub_message() -> None:
    lenient = AllTypes.FromString(f_len(15, f_varint(9, 1)) + KEY)
    with pytest.raises(ErrUnknownField):
        encode(lenient)


def test_fast_path_refusal_the_walker_accepts_is_not_canonical(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If the two paths ever disagreed, decode refuses rather than return a message whose
    encoding differs from its input (the walker is neutralised here to force that case)."""
    monkeypatch.setattr(strict, "walk", lambda descriptor, data: None)
    with pytest.raises(ErrNotCanonical):
        decode(Receipt, RECEIPT + b"\x00")
