"""KV stores, cache branches and prefix views (specs/store.md §1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.store.errors import ErrEmptyKey, ErrInvalidRange
from dait_chain.store.kv import KV, CacheKV, KVStore, PrefixStore, prefix_end

keys = st.binary(min_size=1, max_size=3)
values = st.binary(max_size=3)


def pairs(store: KV) -> list[tuple[bytes, bytes]]:
    return list(store.iterate())


def filled(*items: tuple[bytes, bytes]) -> KVStore:
    store = KVStore()
    for k, v in items:
        store.set(k, v)
    return store


def test_branch_write_flushes_sets_and_deletes_to_parent() -> None:
    root = filled((b"a", b"1"), (b"b", b"2"))
    branch = CacheKV(root)
    branch.set(b"c", b"3")
    branch.delete(b"a")
    assert pairs(root) == [(b"a", b"1"), (b"b", b"2")]
    branch.write()
    assert pairs(root) == [(b"b", b"2"), (b"c", b"3")]
    assert branch.dirty_count() == 0


def test_dropped_branch_leaves_parent_unchanged() -> None:
    root = filled((b"a", b"1"))
    branch = CacheKV(root)
    branch.set(b"a", b"9")
    branch.delete(b"a")
    branch.set(b"z", b"0")
    del branch
    assert pairs(root) == [(b"a", b"1")]


def test_nested_branch_writes_reach_root_only_through_each_level() -> None:
    root = filled((b"k", b"0"))
    outer = CacheKV(root)
    inner = CacheKV(outer)
    inner.set(b"k", b"2")
    inner.write()
    assert outer.get(b"k") == b"2"
    assert root.get(b"k") == b"0"
    outer.write()
    assert root.get(b"k") == b"2"


def test_tombstone_hides_parent_value_in_reads_and_iteration() -> None:
    root = filled((b"a", b"1"), (b"b", b"2"), (b"c", b"3"))
    branch = CacheKV(root)
    branch.delete(b"b")
    assert branch.get(b"b") is None
    assert not branch.has(b"b")
    assert pairs(branch) == [(b"a", b"1"), (b"c", b"3")]
    assert list(branch.iterate(reverse=True)) == [(b"c", b"3"), (b"a", b"1")]


def test_iteration_is_half_open_in_both_directions() -> None:
    root = filled(*((bytes([i]), b"") for i in range(1, 6)))
    assert [k for k, _ in root.iterate(b"\x02", b"\x04")] == [b"\x02", b"\x03"]
    assert [k for k, _ in root.iterate(b"\x02", b"\x04", reverse=True)] == [b"\x03", b"\x02"]
    assert [k for k, _ in root.iterate(None, b"\x02", reverse=True)] == [b"\x01"]
    assert [k for k, _ in root.iterate(b"\x05")] == [b"\x05"]


def test_open_iterator_sees_keys_set_ahead_and_skips_keys_deleted_ahead() -> None:
    root = filled((b"a", b"1"), (b"c", b"3"), (b"e", b"5"))
    branch = CacheKV(root)
    seen = []
    for key, _ in branch.iterate():
        seen.append(key)
        if key == b"a":
            branch.set(b"b", b"2")
            branch.delete(b"c")
    assert seen == [b"a", b"b", b"e"]


def test_prefix_store_strips_prefix_and_stays_inside_it() -> None:
    root = filled((b"p/a", b"1"), (b"p/b", b"2"), (b"q/a", b"3"), (b"p", b"x"))
    view = PrefixStore(root, b"p/")
    assert view.get(b"a") == b"1"
    assert pairs(view) == [(b"a", b"1"), (b"b", b"2")]
    assert list(view.iterate(reverse=True)) == [(b"b", b"2"), (b"a", b"1")]
    view.set(b"c", b"4")
    view.delete(b"a")
    assert root.get(b"p/c") == b"4"
    assert not root.has(b"p/a")


def test_prefix_store_with_all_ff_prefix_reaches_the_end_of_the_keyspace() -> None:
    root = filled((b"\xff\xff\x01", b"1"), (b"\xfe", b"2"))
    view = PrefixStore(root, b"\xff\xff")
    assert pairs(view) == [(b"\x01", b"1")]
    assert list(view.iterate(reverse=True)) == [(b"\x01", b"1")]


@pytest.mark.parametrize(
    ("prefix", "end"),
    [(b"a", b"b"), (b"a\xff", b"b"), (b"\x00\xff\xff", b"\x01"), (b"\xff", None), (b"ab", b"ac")],
)
def test_prefix_end_is_the_first_key_above_the_prefix(prefix: bytes, end: bytes | None) -> None:
    assert prefix_end(prefix) == end


def test_empty_key_is_refused_and_nothing_is_written() -> None:
    for store in (KVStore(), CacheKV(KVStore())):
        with pytest.raises(ErrEmptyKey):
            store.set(b"", b"v")
        assert pairs(store) == []
    with pytest.raises(ErrEmptyKey):
        PrefixStore(KVStore(), b"")


def test_range_with_start_above_end_is_refused() -> None:
    root = filled((b"a", b"1"))
    with pytest.raises(ErrInvalidRange):
        list(root.iterate(b"b", b"a"))
    assert pairs(root) == [(b"a", b"1")]


ops = st.lists(
    st.tuples(
        st.sampled_from(["set", "delete", "push", "write", "drop"]),
        keys,
        values,
    ),
    max_size=60,
)


@given(ops, st.lists(st.tuples(keys, values), max_size=10), keys, keys)
def test_nested_branches_behave_like_stacked_dicts(
    script: list[tuple[str, bytes, bytes]],
    initial: list[tuple[bytes, bytes]],
    lo: bytes,
    hi: bytes,
) -> None:
    """A stack of branches over a root reads, iterates (both ways, any range) and writes
    exactly like a stack of dict overlays whose top is merged down on write."""
    root = filled(*initial)
    model: list[dict[bytes, bytes | None]] = [dict(initial)]
    stores: list[KV] = [root]
    for op, key, value in script:
        top = stores[-1]
        if op == "set":
            top.set(key, value)
            model[-1][key] = value
        elif op == "delete":
            top.delete(key)
            model[-1][key] = None
        elif op == "push":
            stores.append(CacheKV(top))
            model.append({})
        elif op in ("write", "drop") and len(stores) > 1:
            branch = stores.pop()
            layer = model.pop()
            assert isinstance(branch, CacheKV)
            if op == "write":
                branch.write()
                model[-1].update(layer)
    view: dict[bytes, bytes] = {}
    for layer in model:
        for k, v in layer.items():
            if v is None:
                view.pop(k, None)
            else:
                view[k] = v
    top = stores[-1]
    expected = sorted(view.items())
    assert list(top.iterate()) == expected
    assert list(top.iterate(reverse=True)) == expected[::-1]
    start, end = min(lo, hi), max(lo, hi)
    in_range = [(k, v) for k, v in expected if start <= k < end]
    assert list(top.iterate(start, end)) == in_range
    assert list(top.iterate(start, end, reverse=True)) == in_range[::-1]
    for k, v in expected:
        assert top.get(k) == v
