"""Typed collections: codecs, schemas, maps, sets, items, sequences (specs/store.md §2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.app.errors import ErrUnknownAddress
from dait_chain.store.collections import (
    UINT64_MAX,
    BoolValue,
    Bound,
    BytesKey,
    BytesValue,
    IntValue,
    Item,
    KeySet,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    Sequence,
    StrKey,
    StrValue,
    TripleKey,
    Uint64Key,
    Uint64Value,
)
from dait_chain.store.errors import (
    ErrInvalidKeyEncoding,
    ErrInvalidValueEncoding,
    ErrNotFound,
    ErrSequenceOverflow,
)
from dait_chain.store.kv import CacheKV, KVStore
from dait_chain.x.auth.types import BaseAccount, is_plain_account

text = st.text(st.characters(blacklist_characters="\x00", codec="utf-8"), max_size=8)
u64 = st.integers(0, UINT64_MAX)


def fresh() -> Bound:
    return Bound(KVStore())


@given(u64, u64)
def test_uint64_key_order_is_numeric_order(a: int, b: int) -> None:
    """Byte order of encoded uint64 keys equals numeric order; decoding inverts encoding."""
    assert (Uint64Key.encode(a) < Uint64Key.encode(b)) == (a < b)
    assert Uint64Key.decode(Uint64Key.encode(a)) == a


@given(text, text)
def test_str_key_order_is_code_point_order_and_prefix_free(a: str, b: str) -> None:
    """Encoded string keys sort like the strings and neither is a prefix of the other."""
    ea, eb = StrKey.encode(a), StrKey.encode(b)
    assert (ea < eb) == (a < b)
    if a != b:
        assert not ea.startswith(eb) and not eb.startswith(ea)
    assert StrKey.decode(ea) == a


@given(st.binary(max_size=20), st.binary(max_size=20))
def test_bytes_keys_never_prefix_each_other(a: bytes, b: bytes) -> None:
    """Length-prefixed bytes keys are prefix-free and round-trip."""
    ea, eb = BytesKey.encode(a), BytesKey.encode(b)
    if a != b:
        assert not ea.startswith(eb) and not eb.startswith(ea)
    assert BytesKey.decode(ea) == a


@given(text, text, u64, u64)
def test_pair_key_orders_by_first_then_second(a1: str, a2: str, b1: int, b2: int) -> None:
    """PairKey byte order is the lexicographic order of the tuples."""
    codec = PairKey(StrKey, Uint64Key)
    assert (codec.encode((a1, b1)) < codec.encode((a2, b2))) == ((a1, b1) < (a2, b2))
    assert codec.decode(codec.encode((a1, b1))) == (a1, b1)


@pytest.mark.parametrize(
    ("codec", "key"),
    [
        (Uint64Key, -1),
        (Uint64Key, UINT64_MAX + 1),
        (BytesKey, bytes(256)),
        (StrKey, "a\x00b"),
    ],
)
def test_unencodable_key_is_refused(codec: object, key: object) -> None:
    with pytest.raises(ErrInvalidKeyEncoding):
        codec.encode(key)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (Uint64Key, b"\x00" * 7),
        (Uint64Key, b"\x00" * 9),
        (BytesKey, b""),
        (BytesKey, b"\x03ab"),
        (StrKey, b"abc"),
        (StrKey, b"\xff\x00"),
        (PairKey(StrKey, Uint64Key), b"a\x00\x01"),
    ],
)
def test_undecodable_key_is_refused(codec: object, data: bytes) -> None:
    with pytest.raises(ErrInvalidKeyEncoding):
        codec.decode(data)  # type: ignore[attr-defined]


def test_single_part_codec_has_no_prefix() -> None:
    with pytest.raises(ErrInvalidKeyEncoding):
        Uint64Key.encode_prefix((1,))
    with pytest.raises(ErrInvalidKeyEncoding):
        PairKey(StrKey, StrKey).encode_prefix(("a", "b"))
    with pytest.raises(ErrInvalidKeyEncoding):
        TripleKey(StrKey, StrKey, StrKey).encode_prefix(())


@pytest.mark.parametrize(
    ("codec", "value", "data"),
    [
        (Uint64Value, 258, b"\x00\x00\x00\x00\x00\x00\x01\x02"),
        (IntValue, 0, b"0"),
        (IntValue, 10**40, b"1" + b"0" * 40),
        (StrValue, "é", "é".encode()),
        (BytesValue, b"\x00", b"\x00"),
        (BoolValue, True, b"\x01"),
        (BoolValue, False, b"\x00"),
    ],
)
def test_value_codecs_have_one_canonical_form(codec: object, value: object, data: bytes) -> None:
    assert codec.encode(value) == data  # type: ignore[attr-defined]
    assert codec.decode(data) == value  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("codec", "data"),
    [
        (Uint64Value, b"\x01"),
        (IntValue, b"01"),
        (IntValue, b"-1"),
        (IntValue, b""),
        (IntValue, b"1e3"),
        (IntValue, b"12\n"),
        (StrValue, b"\xff"),
        (BoolValue, b"\x02"),
    ],
)
def test_non_canonical_value_is_refused(codec: object, data: bytes) -> None:
    with pytest.raises(ErrInvalidValueEncoding):
        codec.decode(data)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("codec", "value"), [(IntValue, -1), (Uint64Value, UINT64_MAX + 1)])
def test_unencodable_value_is_refused(codec: object, value: int) -> None:
    with pytest.raises(ErrInvalidValueEncoding):
        codec.encode(value)  # type: ignore[attr-defined]


def test_schema_refuses_colliding_prefixes_and_names() -> None:
    schema = Schema("mod")
    Map(schema, b"\x01\x02", "a", StrKey, IntValue)
    with pytest.raises(ValueError, match="collides"):
        Map(schema, 1, "b", StrKey, IntValue)
    with pytest.raises(ValueError, match="collides"):
        Map(schema, b"\x01\x02\x03", "c", StrKey, IntValue)
    with pytest.raises(ValueError, match="twice"):
        Map(schema, 2, "a", StrKey, IntValue)
    with pytest.raises(ValueError, match="must match"):
        Schema("Bad/name")


def test_map_keys_live_under_module_namespace_and_collection_prefix() -> None:
    ctx = fresh()
    balances = Map(Schema("bank"), 1, "balances", StrKey, IntValue)
    balances.set(ctx, "addr", 7)
    assert list(ctx.store.iterate()) == [(b"bank/\x01addr\x00", b"7")]


def test_map_reads_and_writes_whatever_branch_the_context_holds() -> None:
    root = KVStore()
    m = Map(Schema("mod"), 1, "m", Uint64Key, StrValue)
    m.set(Bound(root), 1, "one")
    branch = Bound(CacheKV(root))
    m.set(branch, 2, "two")
    m.delete(branch, 1)
    assert list(m.iterate(branch)) == [(2, "two")]
    assert list(m.iterate(Bound(root))) == [(1, "one")]


def test_map_iterates_ranges_and_prefixes_exactly() -> None:
    ctx = fresh()
    m = Map(Schema("mod"), 1, "m", PairKey(StrKey, Uint64Key), BoolValue)
    for owner in ("a", "ab", "b"):
        for n in (3, 1, 2):
            m.set(ctx, (owner, n), n % 2 == 1)
    assert [k for k, _ in m.iterate_prefix(ctx, "a")] == [("a", 1), ("a", 2), ("a", 3)]
    assert [k for k, _ in m.iterate_prefix(ctx, "ab", reverse=True)] == [
        ("ab", 3),
        ("ab", 2),
        ("ab", 1),
    ]
    assert [k for k, _ in m.iterate(ctx, ("a", 2), ("ab", 2))] == [("a", 2), ("a", 3), ("ab", 1)]
    assert m.first(ctx) == (("a", 1), True)
    assert list(m.keys(ctx))[-1] == ("b", 3)
    assert list(m.values(ctx))[:3] == [True, False, True]


def test_triple_key_prefix_of_one_or_two_parts() -> None:
    ctx = fresh()
    s = KeySet(Schema("mod"), 1, "s", TripleKey(StrKey, StrKey, Uint64Key))
    for key in [("x", "y", 2), ("x", "y", 1), ("x", "z", 1), ("w", "y", 1)]:
        s.add(ctx, key)
    assert list(s.iterate_prefix(ctx, "x")) == [("x", "y", 1), ("x", "y", 2), ("x", "z", 1)]
    assert list(s.iterate_prefix(ctx, "x", "y")) == [("x", "y", 1), ("x", "y", 2)]


def test_key_set_add_has_remove() -> None:
    ctx = fresh()
    s = KeySet(Schema("mod"), 1, "s", Uint64Key)
    assert s.first(ctx) is None
    s.add(ctx, 5)
    s.add(ctx, 5)
    s.add(ctx, 2)
    assert s.has(ctx, 5)
    assert list(s.iterate(ctx)) == [2, 5]
    s.remove(ctx, 2)
    assert s.first(ctx) == 5


def test_must_get_raises_the_given_registered_error() -> None:
    ctx = fresh()
    m = Map(Schema("mod"), 1, "m", StrKey, IntValue)
    with pytest.raises(ErrUnknownAddress, match="nobody"):
        m.must_get(ctx, "x", ErrUnknownAddress, "nobody")
    with pytest.raises(ErrNotFound):
        m.must_get(ctx, "x")
    assert m.is_empty(ctx)


def test_item_holds_one_value() -> None:
    ctx = fresh()
    item = Item(Schema("mod"), 0, "params", StrValue)
    assert item.get(ctx) is None
    with pytest.raises(ErrNotFound):
        item.must_get(ctx)
    item.set(ctx, "p")
    assert item.has(ctx) and item.must_get(ctx) == "p"
    item.delete(ctx)
    assert not item.has(ctx)


def test_sequence_returns_then_increments() -> None:
    ctx = fresh()
    seq = Sequence(Schema("mod"), 0, "ids")
    assert seq.peek(ctx) == 0
    assert [seq.next(ctx), seq.next(ctx)] == [0, 1]
    assert seq.peek(ctx) == 2


def test_sequence_refuses_to_pass_uint64_max_and_keeps_its_value() -> None:
    ctx = fresh()
    seq = Sequence(Schema("mod"), 0, "ids")
    seq.set(ctx, UINT64_MAX)
    with pytest.raises(ErrSequenceOverflow):
        seq.next(ctx)
    assert seq.peek(ctx) == UINT64_MAX


def test_locate_then_set_at_or_delete_at_is_a_read_modify_write() -> None:
    ctx = Bound(KVStore())
    balances: Map[str, int] = Map(Schema("m"), 1, "balances", StrKey, IntValue)
    key, value = balances.locate(ctx, "alice")
    assert key == balances.store_key("alice") and value is None
    balances.set_at(ctx, key, 7)
    assert balances.locate(ctx, "alice") == (key, 7) and balances.get(ctx, "alice") == 7
    balances.delete_at(ctx, key)
    assert not balances.has(ctx, "alice")


def test_plain_encoded_values_are_read_back_without_parsing() -> None:
    """A value the is_plain predicate accepts is remembered by its encoding, so reading
    it back returns an equal value without decoding; others are decoded as usual."""
    codec = ProtoValueCodec(BaseAccount, is_plain_account)
    plain = BaseAccount("dait1x", b"", 4, 9)
    data = codec.encode(plain)
    assert data == plain.encode()
    assert codec.decode(data) is plain
    odd = BaseAccount("dait1x", b"", 4, _Number(10))
    read = codec.decode(codec.encode(odd))
    assert read is not odd and type(read.sequence) is int


class _Number(int):
    """An int subclass: encodable, but decoding gives a plain int."""
