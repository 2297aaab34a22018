"""Schedules: items due at a height or a time, popped in (due, key) order.

specs/store.md "Schedules". decisions.md: "Idle costs nothing. Everything scheduled
(auction settlement, lease end, challenge expiry, commit expiry, channel deadline) is
indexed by height or by time, so an EndBlocker touches only what is due, and the harness
can jump over empty blocks."

A Schedule is a KeySet over (uint64 due, key). `next_due` is one seek (O(log n));
`pop_due(upto)` removes and returns the keys with due <= upto, O(k log n) for k due items.
Whether `due` is a height or a unix-ms time is the declaring module's choice; a module
that schedules both declares two schedules.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from dait_chain.store.collections import (
    UINT64_MAX,
    HasStore,
    KeyCodec,
    KeySet,
    PairKey,
    Schema,
    Uint64Key,
)

K = TypeVar("K")


class Schedule(Generic[K]):
    """A set of (due, key) entries kept in (due, key) order."""

    __slots__ = ("_set", "key_codec")

    def __init__(self, schema: Schema, prefix: bytes | int, name: str, key_codec: KeyCodec[K]):
        self.key_codec = key_codec
        self._set: KeySet[tuple[int, K]] = KeySet(
            schema, prefix, name, PairKey(Uint64Key, key_codec)
        )

    @property
    def name(self) -> str:
        return self._set.name

    def add(self, ctx: HasStore, due: int, key: K) -> None:
        """Schedule key at due (adding the same entry twice keeps one)."""
        self._set.add(ctx, (due, key))

    def remove(self, ctx: HasStore, due: int, key: K) -> None:
        """Unschedule (due, key) (no-op if absent)."""
        self._set.remove(ctx, (due, key))

    def has(self, ctx: HasStore, due: int, key: K) -> bool:
        """Whether (due, key) is scheduled."""
        return self._set.has(ctx, (due, key))

    def next_due(self, ctx: HasStore) -> int | None:
        """The earliest due of any entry, or None if nothing is scheduled; O(log n)."""
        first = self._set.first(ctx)
        return None if first is None else first[0]

    def due(self, ctx: HasStore, upto: int) -> Iterator[tuple[int, K]]:
        """The entries with due <= upto, in (due, key) order, without removing them."""
        if upto < 0:
            return iter(())
        if upto >= UINT64_MAX:
            return self._set.iterate(ctx)
        return self._iterate_below(ctx, upto + 1)

    def _iterate_below(self, ctx: HasStore, due_end: int) -> Iterator[tuple[int, K]]:
        # The 8 bytes of due_end alone sort before every entry (due_end, key): the range end.
        codec = self._set.key_codec
        start = self._set.prefix
        end = self._set.prefix + Uint64Key.encode(due_end)
        n = len(start)
        for raw_key, _ in ctx.store.iterate(start, end):
            yield codec.decode(raw_key[n:])

    def pop_due(self, ctx: HasStore, upto: int) -> list[K]:
        """Remove and return the keys of every entry with due <= upto, in (due, key) order."""
        entries = list(self.due(ctx, upto))
        for entry in entries:
            self._set.remove(ctx, entry)
        return [key for _, key in entries]

    def iterate(self, ctx: HasStore) -> Iterator[tuple[int, K]]:
        """Every entry, in (due, key) order (genesis export)."""
        return self._set.iterate(ctx)


__all__ = ["Schedule"]
