"""Mutated canonical encodings (specs/codec.md §2, §3).

Each property starts from the canonical bytes of a generated value, applies one mutation
(at the top level or inside a sub-message, whose length prefixes are then rewritten), and
checks the verdict:

- the fast path and the wire walker agree on accept/refuse (specs/codec.md §3);
- an accepted string re-encodes to itself: `encode(decode(b)) == b`;
- a refused string is refused with the error of the rule the mutation breaks, which the
  mutation determines (duplicate -> repeated, swap -> order, unknown -> unknown field, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from google.protobuf.descriptor import Descriptor
from google.protobuf.message import Message
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.codec.errors import (
    CodecError,
    ErrFieldOutOfOrder,
    ErrFieldRepeated,
    ErrFixedSize,
    ErrNonMinimalVarint,
    ErrTruncated,
    ErrUnknownField,
    ErrVarintOverflow,
)
from dait_chain.codec.strict import decode, decode_fast, descriptor_of, encode, walk
from dait_chain.codec.tx import AuthInfo, TxBody, TxRaw
from dait_chain.pb.dait.codec.v1 import test_types_pb2
from dait_chain.pb.dait.crypto.secp256k1.v1 import keys_pb2
from dait_chain.pb.dait.state_channel.v1 import spurc_pb2
from dait_chain.pb.dait.tee_attest.v1 import quote_pb2
from dait_chain.pb.dait.tx.v1 import tx_pb2
from tests.codec import strategies as S
from tests.codec.wire import (
    LEN,
    VARINT,
    Record,
    f_len,
    f_varint,
    join,
    padded_varint,
    records,
    tag,
    varint,
)


@dataclass(frozen=True)
class Case:
    msg_type: type[Message]
    canonical: st.SearchStrategy[bytes]


def _encoded(strategy: st.SearchStrategy[Message]) -> st.SearchStrategy[bytes]:
    return strategy.map(encode)


CASES = {
    "receipt": Case(spurc_pb2.Receipt, _encoded(S.receipts())),
    "channel_state": Case(spurc_pb2.ChannelState, _encoded(S.channel_states())),
    # Fast paths that check leading fixed-size records on the bytes (specs/codec.md §3):
    # a message made of one such field, and one starting with two of them.
    "pub_key": Case(keys_pb2.PubKey, _encoded(S.pub_keys())),
    "ak_cert": Case(quote_pb2.SimAttestationKeyCert, _encoded(S.ak_certs())),
    "all_types": Case(test_types_pb2.TestAllTypes, _encoded(S.all_types())),
    "auth_info": Case(tx_pb2.AuthInfo, S.auth_infos().map(AuthInfo.encode)),
    "tx_body": Case(tx_pb2.TxBody, S.tx_bodies().map(TxBody.encode)),
    "tx_raw": Case(tx_pb2.TxRaw, S.tx_raws().map(TxRaw.encode)),
}
CASE_IDS = sorted(CASES)


def walker_verdict(descriptor: Descriptor, data: bytes) -> CodecError | None:
    try:
        walk(descriptor, data)
    except CodecError as exc:
        return exc
    return None


def check(
    msg_type: type[Message],
    data: bytes,
    expected: tuple[type[CodecError], ...] | None,
    may_accept: bool,
) -> None:
    """The shared verdict checks (module docstring). `expected` None = any CodecError."""
    error = walker_verdict(descriptor_of(msg_type), data)
    fast = decode_fast(msg_type, data)
    assert (fast is None) == (error is not None), f"fast path and walker disagree: {error}"
    if error is None:
        assert may_accept, "mutation should have been refused"
        assert encode(decode(msg_type, data)) == data
        return
    if expected is not None:
        assert type(error) in expected, f"{type(error).__name__}: {error}"
    with pytest.raises(CodecError) as info:
        decode(msg_type, data)
    assert type(info.value) is type(error)


# --- mutations at a path ------------------------------------------------------------------


def _sub_descriptor(descriptor: Descriptor, rec: Record) -> Descriptor | None:
    """The message type of a record's field if it is a (non-Any) sub-message."""
    field = descriptor.fields_by_number.get(rec.number)
    if field is None or field.message_type is None or rec.wire_type != LEN:
        return None
    if field.message_type.full_name == "google.protobuf.Any":
        return None
    return field.message_type


Mutation = Callable[[Descriptor, list[Record], st.DataObject], tuple[list[Record], bool]]


def mutate_at_some_depth(
    descriptor: Descriptor, data: bytes, draw: st.DataObject, mutation: Mutation
) -> tuple[bytes, bool] | None:
    """Apply `mutation` to the records of the message or of one of its sub-messages
    (chosen by `draw`), re-wrapping the changed sub-message with a correct length.
    Returns (mutated bytes, whether the result may be accepted), or None if not applicable."""
    recs = records(data)
    nested = [i for i, r in enumerate(recs) if _sub_descriptor(descriptor, r) and r.payload]
    # bool(): with a list on the left, mypy would type the draw as a list[int] draw.
    if bool(nested) and draw.draw(st.booleans(), label="descend"):
        i = draw.draw(st.sampled_from(nested), label="into record")
        sub = _sub_descriptor(descriptor, recs[i])
        assert sub is not None
        inner = mutate_at_some_depth(sub, recs[i].payload, draw, mutation)
        if inner is None:
            return None
        payload, may_accept = inner
        key = recs[i].raw[: recs[i].tag_len]
        rewrapped = records(key + varint(len(payload)) + payload)  # new length prefix
        return join([*recs[:i], *rewrapped, *recs[i + 1 :]]), may_accept
    if not recs:
        return None
    result = mutation(descriptor, recs, draw)
    return join(result[0]), result[1]


def _is_unpacked_repeated(descriptor: Descriptor, number: int) -> bool:
    field = descriptor.fields_by_number[number]
    return field.is_repeated and not field.is_packed


def duplicate(d: Descriptor, recs: list[Record], draw: st.DataObject) -> tuple[list[Record], bool]:
    i = draw.draw(st.integers(0, len(recs) - 1), label="duplicate")
    return [*recs[: i + 1], recs[i], *recs[i + 1 :]], _is_unpacked_repeated(d, recs[i].number)


def swap(d: Descriptor, recs: list[Record], draw: st.DataObject) -> tuple[list[Record], bool]:
    if len(recs) < 2:
        return recs, True
    i = draw.draw(st.integers(0, len(recs) - 2), label="swap")
    out = [*recs]
    out[i], out[i + 1] = out[i + 1], out[i]
    # Swapping two elements of one repeated field gives another canonical message.
    return out, recs[i].number == recs[i + 1].number


def insert_unknown(
    d: Descriptor, recs: list[Record], draw: st.DataObject
) -> tuple[list[Record], bool]:
    known = {f.number for f in d.fields}
    number = draw.draw(
        st.one_of(st.integers(1, 40), st.integers(1000, 5000)).filter(lambda n: n not in known),
        label="unknown number",
    )
    raw = draw.draw(
        st.sampled_from([f_varint(number, 1), f_len(number, b"zz")]), label="unknown record"
    )
    i = draw.draw(st.integers(0, len(recs)), label="insert at")
    return [*recs[:i], *records(raw), *recs[i:]], False


# --- properties ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_canonical_bytes_are_accepted_by_both_paths(name: str, data: st.DataObject) -> None:
    """Every encode() output is accepted by the fast path and the walker, and round-trips."""
    case = CASES[name]
    check(case.msg_type, data.draw(case.canonical), None, may_accept=True)


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_flipped_byte_is_refused_or_another_canonical_message(
    name: str, data: st.DataObject
) -> None:
    """Changing one byte either breaks a rule (both paths refuse) or yields bytes that are
    themselves canonical (both accept, and they re-encode to themselves)."""
    case = CASES[name]
    raw = bytearray(data.draw(case.canonical))
    if not raw:
        return
    i = data.draw(st.integers(0, len(raw) - 1), label="offset")
    raw[i] ^= data.draw(st.integers(1, 255), label="xor")
    check(case.msg_type, bytes(raw), None, may_accept=True)


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_truncated_bytes_are_refused_or_a_shorter_message(name: str, data: st.DataObject) -> None:
    """A cut inside a record is truncation; a cut between top-level records leaves a shorter
    canonical message, refused only if a fixed-size field is now absent."""
    case = CASES[name]
    raw = data.draw(case.canonical)
    if not raw:
        return
    cut = data.draw(st.integers(0, len(raw) - 1), label="cut")
    check(case.msg_type, raw[:cut], (ErrTruncated, ErrFixedSize), may_accept=True)


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_appended_bytes_are_refused_or_canonical(name: str, data: st.DataObject) -> None:
    """Bytes appended to a canonical message: both paths agree, and an accepted result
    (e.g. one more element of the last repeated field) round-trips."""
    case = CASES[name]
    raw = data.draw(case.canonical) + data.draw(st.binary(min_size=1, max_size=6), label="tail")
    check(case.msg_type, raw, None, may_accept=True)


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_non_minimal_varint_is_refused(name: str, data: st.DataObject) -> None:
    """Re-encoding one varint (tag, length or value) with redundant zero groups is refused as
    non-minimal, or as overflow once the varint exceeds 10 bytes."""
    case = CASES[name]
    extra = data.draw(st.integers(1, 3), label="extra groups")
    outcome: dict[str, int] = {}

    def pad(d: Descriptor, recs: list[Record], draw: st.DataObject) -> tuple[list[Record], bool]:
        i = draw.draw(st.integers(0, len(recs) - 1), label="record")
        rec = recs[i]
        parts = ["tag"] + (["value"] if rec.wire_type in (VARINT, LEN) else [])
        part = draw.draw(st.sampled_from(parts), label="varint")
        rest = rec.raw[rec.tag_len :]
        if part == "tag":
            padded = padded_varint(rec.number << 3 | rec.wire_type, extra)
            raw = padded + rest
        else:
            size = next(j for j, b in enumerate(rest) if b < 0x80) + 1
            value = sum((b & 0x7F) << (7 * j) for j, b in enumerate(rest[:size]))
            padded = padded_varint(value, extra)
            raw = rec.raw[: rec.tag_len] + padded + rest[size:]
        outcome["length"] = len(padded)
        return [*recs[:i], Record(rec.number, rec.wire_type, raw, 0, 0), *recs[i + 1 :]], False

    mutated = mutate_at_some_depth(
        descriptor_of(case.msg_type), data.draw(case.canonical), data, pad
    )
    if mutated is None:
        return
    expected = ErrVarintOverflow if outcome["length"] > 10 else ErrNonMinimalVarint
    check(case.msg_type, mutated[0], (expected,), may_accept=False)


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_duplicated_field_is_refused_unless_repeated(name: str, data: st.DataObject) -> None:
    """A record written twice in a row is a repeated singular (or packed) field; for an
    unpacked repeated field it is one more element, which is canonical."""
    case = CASES[name]
    mutated = mutate_at_some_depth(
        descriptor_of(case.msg_type), data.draw(case.canonical), data, duplicate
    )
    if mutated is not None:
        check(case.msg_type, mutated[0], (ErrFieldRepeated,), may_accept=mutated[1])


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_swapped_fields_are_out_of_order(name: str, data: st.DataObject) -> None:
    """Two adjacent records of different fields, swapped, break the ascending tag order."""
    case = CASES[name]
    mutated = mutate_at_some_depth(
        descriptor_of(case.msg_type), data.draw(case.canonical), data, swap
    )
    if mutated is not None:
        check(case.msg_type, mutated[0], (ErrFieldOutOfOrder,), may_accept=mutated[1])


@pytest.mark.parametrize("name", CASE_IDS)
@given(data=st.data())
def test_inserted_unknown_field_is_refused(name: str, data: st.DataObject) -> None:
    """A record with a field number the schema lacks, anywhere, is an unknown field."""
    case = CASES[name]
    mutated = mutate_at_some_depth(
        descriptor_of(case.msg_type), data.draw(case.canonical), data, insert_unknown
    )
    if mutated is not None:
        check(case.msg_type, mutated[0], (ErrUnknownField,), may_accept=False)


def test_padded_varint_helper_matches_the_definition() -> None:
    """padded_varint(v, n) keeps the value and adds n zero groups."""
    assert padded_varint(1, 1) == b"\x81\x00"
    assert padded_varint(300, 2) == b"\xac\x82\x80\x00"
    assert tag(1, VARINT) == b"\x08"
