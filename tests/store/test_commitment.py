"""The LtHash commitment (specs/store.md §4)."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.store.commitment import (
    LANES,
    CommitKVStore,
    app_hash_of,
    element,
    lanes_add,
    lanes_sub,
)
from dait_chain.store.kv import CacheKV

MASK = (1 << 16) - 1


def lane_list(packed: int) -> list[int]:
    return [(packed >> (16 * i)) & MASK for i in range(LANES)]


def reference_app_hash(pairs: dict[bytes, bytes]) -> bytes:
    """specs/store.md §4, written out lane by lane with plain lists (an independent
    implementation of the definition, no SWAR)."""
    state = [0] * LANES
    for key, value in pairs.items():
        data = len(key).to_bytes(4, "big") + key + len(value).to_bytes(4, "big") + value
        expanded = hashlib.shake_256(data).digest(2 * LANES)
        for i in range(LANES):
            lane = expanded[2 * i] | (expanded[2 * i + 1] << 8)
            state[i] = (state[i] + lane) % 65536
    out = b"".join(lane.to_bytes(2, "little") for lane in state)
    return hashlib.sha256(out).digest()


def test_empty_store_hash_is_sha256_of_zero_lanes() -> None:
    assert CommitKVStore().app_hash() == hashlib.sha256(bytes(2048)).digest()


def test_app_hash_matches_the_lane_by_lane_definition() -> None:
    pairs = {b"bank/\x01a\x00": b"100", b"auth/\x00": b"", b"\xff": b"\x00" * 70}
    store = CommitKVStore()
    for k, v in pairs.items():
        store.set(k, v)
    assert store.app_hash() == reference_app_hash(pairs)
    assert app_hash_of(sorted(pairs.items())) == reference_app_hash(pairs)


edge_lanes = st.lists(st.sampled_from([0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF]), max_size=16)


def packed(seed: bytes, edges: list[int]) -> int:
    """1024 lanes: the edge values first, then lanes expanded from the seed."""
    lanes = hashlib.shake_256(seed).digest(2 * LANES)
    head = b"".join(v.to_bytes(2, "little") for v in edges)
    return int.from_bytes(head + lanes[len(head) :], "little")


@given(st.binary(max_size=8), edge_lanes, st.binary(max_size=8), edge_lanes)
def test_swar_add_and_sub_are_lane_wise_mod_2_16(
    seed_a: bytes, edges_a: list[int], seed_b: bytes, edges_b: list[int]
) -> None:
    """lanes_add / lanes_sub equal per-lane addition / subtraction mod 2^16."""
    pa = packed(seed_a, edges_a)
    pb = packed(seed_b, edges_b)
    a, b = lane_list(pa), lane_list(pb)
    assert lane_list(lanes_add(pa, pb)) == [(x + y) % 65536 for x, y in zip(a, b, strict=True)]
    assert lane_list(lanes_sub(pa, pb)) == [(x - y) % 65536 for x, y in zip(a, b, strict=True)]


def test_swar_extremes() -> None:
    ones = int.from_bytes(b"\xff\xff" * LANES, "little")
    assert lanes_add(ones, ones) == int.from_bytes(b"\xfe\xff" * LANES, "little")
    assert lanes_sub(0, ones) == int.from_bytes(b"\x01\x00" * LANES, "little")
    assert lanes_sub(ones, ones) == 0


def test_element_length_prefix_separates_key_and_value() -> None:
    assert element(b"ab", b"c") != element(b"a", b"bc")


ops = st.lists(
    st.tuples(
        st.sampled_from(["set", "delete", "branch-set", "branch-delete", "flush"]),
        st.binary(min_size=1, max_size=2),
        st.binary(max_size=2),
    ),
    max_size=80,
)


@given(ops, st.integers(1, 8))
def test_incremental_hash_equals_hash_recomputed_from_scratch(
    script: list[tuple[str, bytes, bytes]], cache_size: int
) -> None:
    """After any mix of writes, overwrites and deletes, directly or through branches, the
    incrementally kept app hash equals the hash of the store's pairs computed from scratch
    (whatever the element cache size)."""
    root = CommitKVStore(element_cache_size=cache_size)
    branch = CacheKV(root)
    for op, key, value in script:
        if op == "set":
            root.set(key, value)
        elif op == "delete":
            root.delete(key)
        elif op == "branch-set":
            branch.set(key, value)
        elif op == "branch-delete":
            branch.delete(key)
        else:
            branch.write()
        if op in ("set", "delete", "flush"):
            assert root.app_hash() == app_hash_of(root.iterate())
    branch.write()
    assert root.app_hash() == app_hash_of(root.iterate())


@given(
    st.dictionaries(st.binary(min_size=1, max_size=3), st.binary(max_size=3), max_size=12),
    st.randoms(use_true_random=False),
)
def test_hash_depends_on_the_pairs_not_on_the_write_order(
    pairs: dict[bytes, bytes], rnd: object
) -> None:
    """Two stores holding the same pairs, written in different orders, have one app hash."""
    items = list(pairs.items())
    shuffled = items[:]
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    a, b = CommitKVStore(), CommitKVStore()
    for k, v in items:
        a.set(k, v)
    for k, v in shuffled:
        b.set(k, b"junk")
        b.set(k, v)
    assert a.app_hash() == b.app_hash()


def test_rewriting_the_current_value_changes_nothing() -> None:
    store = CommitKVStore()
    store.set(b"k", b"v")
    before = store.app_hash()
    store.set(b"k", b"v")
    store.delete(b"absent")
    assert store.app_hash() == before
