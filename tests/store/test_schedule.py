"""Schedules: (due, key) order, next_due, inclusive pop (specs/store.md §3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.store.collections import UINT64_MAX, Bound, Schema, StrKey, Uint64Key
from dait_chain.store.kv import KVStore
from dait_chain.store.schedule import Schedule


def new_schedule() -> tuple[Bound, Schedule[int]]:
    return Bound(KVStore()), Schedule(Schema("mod"), 1, "queue", Uint64Key)


def test_pop_due_returns_keys_in_due_then_key_order() -> None:
    ctx, sched = new_schedule()
    for due, key in [(20, 1), (10, 9), (10, 3), (30, 0)]:
        sched.add(ctx, due, key)
    assert sched.pop_due(ctx, 20) == [3, 9, 1]
    assert sched.next_due(ctx) == 30


def test_entry_is_due_at_its_time_not_one_before() -> None:
    ctx, sched = new_schedule()
    sched.add(ctx, 100, 7)
    assert sched.pop_due(ctx, 99) == []
    assert sched.pop_due(ctx, 100) == [7]
    assert sched.pop_due(ctx, 101) == []


def test_next_due_is_none_when_empty_and_the_minimum_otherwise() -> None:
    ctx, sched = new_schedule()
    assert sched.next_due(ctx) is None
    sched.add(ctx, 5, 2)
    sched.add(ctx, 3, 8)
    assert sched.next_due(ctx) == 3
    sched.remove(ctx, 3, 8)
    assert sched.next_due(ctx) == 5
    assert sched.has(ctx, 5, 2)


def test_due_at_uint64_max_and_negative_bounds() -> None:
    ctx, sched = new_schedule()
    sched.add(ctx, UINT64_MAX, 1)
    sched.add(ctx, 0, 2)
    assert list(sched.due(ctx, -1)) == []
    assert list(sched.due(ctx, UINT64_MAX)) == [(0, 2), (UINT64_MAX, 1)]


def test_schedule_with_string_keys() -> None:
    ctx = Bound(KVStore())
    sched: Schedule[str] = Schedule(Schema("mod"), 2, "by_name", StrKey)
    sched.add(ctx, 1, "b")
    sched.add(ctx, 1, "a")
    assert list(sched.iterate(ctx)) == [(1, "a"), (1, "b")]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 20)), max_size=40), st.integers(0, 60))
def test_pop_due_matches_a_sorted_model(entries: list[tuple[int, int]], upto: int) -> None:
    """pop_due(upto) returns exactly the sorted entries with due <= upto and leaves the rest;
    next_due is then the smallest remaining due."""
    ctx, sched = new_schedule()
    for due, key in entries:
        sched.add(ctx, due, key)
    model = sorted(set(entries))
    assert sched.pop_due(ctx, upto) == [k for d, k in model if d <= upto]
    rest = [(d, k) for d, k in model if d > upto]
    assert list(sched.iterate(ctx)) == rest
    assert sched.next_due(ctx) == (rest[0][0] if rest else None)
