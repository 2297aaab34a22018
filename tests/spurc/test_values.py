"""Receipt and ChannelState: wire-canonical and diagnostic forms (seed 002 §3-§5;
specs/spurc.md "Values", "Diagnostic JSON")."""

from __future__ import annotations

import json
from dataclasses import fields, replace

import pytest
import rfc8785
from hypothesis import given

from dait_chain.codec.errors import CodecError, ErrJsonMapping
from dait_chain.spurc.values import (
    ChannelState,
    Receipt,
    diagnostic_jcs,
    diagnostic_json,
    from_diagnostic_json,
)

from .strategies import receipts, states

SEED_RECEIPT_FIELDS = [
    "channel_id",
    "call_seq",
    "request_hash",
    "response_hash",
    "model_hash",
    "tokens_in",
    "tokens_out",
    "price_uDAIT",
    "tee_quote",
    "tee_pubkey",
    "timestamp",
    "sig_host",
]
SEED_STATE_FIELDS = [
    "channel_id",
    "host_addr",
    "user_addr",
    "model_id",
    "max_calls",
    "deadline",
    "escrow_amount",
    "spent_amount",
    "call_count",
    "receipts_merkle_root",
    "turn_num",
    "sig_user",
    "sig_host",
]


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _len_field(tag: int, data: bytes) -> bytes:
    return bytes([tag << 3 | 2]) + _varint(len(data)) + data


def _int_field(tag: int, value: int) -> bytes:
    return bytes([tag << 3]) + _varint(value)


def test_field_names_are_the_seeds_verbatim_in_the_seeds_order() -> None:
    assert [f.name for f in fields(Receipt)] == SEED_RECEIPT_FIELDS
    assert [f.name for f in fields(ChannelState)] == SEED_STATE_FIELDS
    numbers = [f.number for f in Receipt.PROTO.DESCRIPTOR.fields]
    assert numbers == list(range(1, 13))


def test_receipt_encoding_is_tag_ordered_without_defaults_with_shortest_varints() -> None:
    """Expected bytes derived by hand from seed 002 §5's rules."""
    r = Receipt(
        channel_id=b"\x11" * 32,
        call_seq=1,
        request_hash=b"\x22" * 32,
        response_hash=b"\x33" * 32,
        model_hash=b"\x44" * 32,
        tokens_in=0,  # default: not emitted
        tokens_out=300,  # two-byte varint ac 02
        price_uDAIT=2**63,
        tee_quote=b"q",
        tee_pubkey=b"\x02" + b"\x55" * 32,
        timestamp=1_800_000_000_000,
        sig_host=b"",  # empty: not emitted
    )
    want = (
        _len_field(1, b"\x11" * 32)
        + _int_field(2, 1)
        + _len_field(3, b"\x22" * 32)
        + _len_field(4, b"\x33" * 32)
        + _len_field(5, b"\x44" * 32)
        + bytes([7 << 3, 0xAC, 0x02])
        + _int_field(8, 2**63)
        + _len_field(9, b"q")
        + _len_field(10, b"\x02" + b"\x55" * 32)
        + _int_field(11, 1_800_000_000_000)
    )
    assert r.encode() == want
    assert Receipt.decode(want) == r


@given(receipts)
def test_receipt_round_trips_through_its_canonical_encoding(r: Receipt) -> None:
    """decode(encode(r)) == r, and encode(decode(b)) == b for the bytes produced."""
    data = r.encode()
    assert Receipt.decode(data) == r
    assert Receipt.decode(data).encode() == data


@given(states)
def test_state_round_trips_through_its_canonical_encoding(s: ChannelState) -> None:
    """decode(encode(s)) == s for every state the schema admits."""
    assert ChannelState.decode(s.encode()) == s


@given(receipts)
def test_receipt_minus_sig_is_the_receipt_with_sig_host_absent(r: Receipt) -> None:
    """The signed bytes never contain field 12 (sig_host): seed 002 §6."""
    payload = r.without_sig().encode()
    assert payload == replace(r, sig_host=b"").encode()
    assert Receipt.decode(payload).sig_host == b""
    if r.sig_host:
        assert r.encode() == payload + bytes([12 << 3 | 2, 64]) + r.sig_host


@pytest.mark.parametrize(
    "change",
    [
        {"channel_id": b"\x00" * 31},
        {"request_hash": b"\x00" * 33},
        {"tee_pubkey": b"\x02" * 32},
        {"sig_host": b"\x01" * 63},
    ],
)
def test_fixed_size_fields_refuse_other_lengths(change: dict[str, bytes]) -> None:
    r = Receipt(
        b"\x00" * 32, 1, b"\x00" * 32, b"\x00" * 32, b"\x00" * 32, 0, 0, 0, b"", b"\x02" * 33, 0
    )
    with pytest.raises(CodecError):
        replace(r, **change).encode()  # type: ignore[arg-type]


@given(receipts)
def test_diagnostic_json_renders_bytes_as_lowercase_hex_and_integers_as_decimal_strings(
    r: Receipt,
) -> None:
    """Every field is present, keyed by the seed's name; bytes are lowercase hex ("" when
    empty), uint64 are decimal strings; the JCS text is the RFC 8785 form of that object."""
    obj = diagnostic_json(r)
    assert list(obj) == SEED_RECEIPT_FIELDS
    assert obj["channel_id"] == r.channel_id.hex()
    assert obj["sig_host"] == r.sig_host.hex()
    assert obj["price_uDAIT"] == str(r.price_uDAIT)
    assert diagnostic_jcs(r) == rfc8785.dumps(obj)
    assert from_diagnostic_json(Receipt, json.loads(diagnostic_jcs(r))) == r


@given(states)
def test_state_diagnostic_json_round_trips(s: ChannelState) -> None:
    """from_diagnostic_json(diagnostic_json(s)) == s."""
    assert from_diagnostic_json(ChannelState, diagnostic_json(s)) == s


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("channel_id", "AB" * 32),
        ("channel_id", "ab" * 31 + "a"),
        ("call_seq", "01"),
        ("call_seq", "-1"),
        ("call_seq", str(2**64)),
        ("call_seq", 1),
        ("tee_pubkey", "02" * 32),
    ],
)
def test_diagnostic_json_parser_is_strict(key: str, value: object) -> None:
    r = Receipt(
        b"\x00" * 32, 1, b"\x00" * 32, b"\x00" * 32, b"\x00" * 32, 0, 0, 0, b"", b"\x02" * 33, 0
    )
    obj: dict[str, object] = dict(diagnostic_json(r))
    obj[key] = value
    with pytest.raises(CodecError):
        from_diagnostic_json(Receipt, obj)


def test_diagnostic_json_requires_every_key_and_no_other() -> None:
    r = Receipt(
        b"\x00" * 32, 1, b"\x00" * 32, b"\x00" * 32, b"\x00" * 32, 0, 0, 0, b"", b"\x02" * 33, 0
    )
    obj: dict[str, object] = dict(diagnostic_json(r))
    del obj["sig_host"]
    with pytest.raises(ErrJsonMapping):
        from_diagnostic_json(Receipt, obj)
    with pytest.raises(ErrJsonMapping):
        from_diagnostic_json(Receipt, {**diagnostic_json(r), "extra": "1"})


def test_provisional_means_empty_sig_user() -> None:
    s = ChannelState(b"\x00" * 32, "a", "b", "m", 1, 1, 1, 0, 0, b"\x00" * 32, 0)
    assert s.is_provisional
    assert not replace(s, sig_user=b"\x01" * 64).is_provisional
