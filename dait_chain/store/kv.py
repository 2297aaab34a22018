"""Ordered byte key-value stores: the root store, cache branches and prefix views.

specs/store.md "KV stores". Every store here has the same API (`KV`): `get`, `has`,
`set`, `delete` and `iterate` over the half-open key range [start, end) in byte order.
A `CacheKV` is a branch: its writes stay in an overlay until `write()` flushes them to
the parent, so a failing tx is undone by dropping its branch (Cosmos CacheKVStore).

Iteration is *seek-based*: each step looks up the next key after the last one yielded, so
an iterator stays correct if the store is written while it is open (it sees keys set
ahead of it and skips keys deleted ahead of it). Cosmos leaves that undefined; we define
it so that keepers cannot get a silently wrong answer.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator

# sortedcontainers ships no type information; SortedDict is used as an ordered dict[bytes, ...].
from sortedcontainers import SortedDict, SortedList  # type: ignore[import-untyped]

from dait_chain.store.errors import ErrEmptyKey, ErrInvalidRange

Pair = tuple[bytes, bytes]


class KV(ABC):
    """The API of every store: an ordered map of non-empty bytes keys to bytes values."""

    __slots__ = ()

    @abstractmethod
    def get(self, key: bytes) -> bytes | None:
        """The value at key, or None."""

    @abstractmethod
    def set(self, key: bytes, value: bytes) -> None:
        """Write value at key (the key must be non-empty)."""

    @abstractmethod
    def delete(self, key: bytes) -> None:
        """Remove key; removing an absent key is a no-op."""

    @abstractmethod
    def seek_next(self, lo: bytes | None, inclusive: bool, end: bytes | None) -> Pair | None:
        """The smallest pair with key > lo (>= lo if inclusive; any if lo is None), key < end."""

    @abstractmethod
    def seek_prev(self, hi: bytes | None, inclusive: bool, start: bytes | None) -> Pair | None:
        """The largest pair with key < hi (<= hi if inclusive; any if hi is None), key >= start."""

    def has(self, key: bytes) -> bool:
        """Whether key holds a value."""
        return self.get(key) is not None

    def iterate(
        self, start: bytes | None = None, end: bytes | None = None, *, reverse: bool = False
    ) -> Iterator[Pair]:
        """Pairs with start <= key < end in ascending key order (descending if reverse)."""
        check_range(start, end)
        if reverse:
            found = self.seek_prev(end, False, start)
            while found is not None:
                yield found
                found = self.seek_prev(found[0], False, start)
        else:
            found = self.seek_next(start, True, end)
            while found is not None:
                yield found
                found = self.seek_next(found[0], False, end)


def check_key(key: bytes) -> None:
    """Refuse an empty key (specs/store.md "KV stores": keys are non-empty)."""
    if not key:
        raise ErrEmptyKey("store keys must be non-empty")


def check_range(start: bytes | None, end: bytes | None) -> None:
    """Refuse a range whose start is above its end."""
    if start is not None and end is not None and start > end:
        raise ErrInvalidRange(f"start {start.hex()} > end {end.hex()}")


def prefix_end(prefix: bytes) -> bytes | None:
    """The smallest key above every key starting with prefix (None: no upper bound).

    As Cosmos's storetypes.PrefixEndBytes: strip trailing 0xff bytes, then add one to the
    last byte.
    """
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])


class KVStore(KV):
    """The root store: a sorted dict of bytes to bytes."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: SortedDict[bytes, bytes] = SortedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: bytes) -> bytes | None:
        """The value at key, or None."""
        value: bytes | None = self._data.get(key)
        return value

    def set(self, key: bytes, value: bytes) -> None:
        """Write value at key."""
        check_key(key)
        self._data[key] = bytes(value)

    def delete(self, key: bytes) -> None:
        """Remove key (no-op if absent)."""
        self._data.pop(key, None)

    def apply_sorted(self, writes: list[tuple[bytes, bytes | None]]) -> None:
        """Apply (key, value) writes in key order, a None value deleting the key: what a
        branch's `write` does to its root (CommitKVStore hashes the batch at once)."""
        for key, value in writes:
            if value is None:
                self.delete(key)
            else:
                self.set(key, value)

    def seek_next(self, lo: bytes | None, inclusive: bool, end: bytes | None) -> Pair | None:
        """The smallest pair above lo and below end."""
        data = self._data
        if lo is None:
            i = 0
        elif inclusive:
            i = data.bisect_left(lo)
        else:
            i = data.bisect_right(lo)
        if i >= len(data):
            return None
        key, value = data.peekitem(i)
        if end is not None and key >= end:
            return None
        return key, value

    def seek_prev(self, hi: bytes | None, inclusive: bool, start: bytes | None) -> Pair | None:
        """The largest pair below hi and at or above start."""
        data = self._data
        if hi is None:
            i = len(data)
        elif inclusive:
            i = data.bisect_right(hi)
        else:
            i = data.bisect_left(hi)
        if i == 0:
            return None
        key, value = data.peekitem(i - 1)
        if start is not None and key < start:
            return None
        return key, value


class CacheKV(KV):
    """A branch of a parent store: reads fall through, writes stay here until `write()`.

    Branches nest (a branch of a branch). A deleted key is kept as a tombstone (None) so
    that it hides the parent's value until the branch is written. The overlay is a plain
    dict; its sorted key index is built on the first iteration and kept up to date after,
    so a branch that is never iterated (most tx branches) costs dict operations only.
    """

    __slots__ = ("_base_get", "_index", "_overlay", "parent")

    def __init__(self, parent: KV) -> None:
        self.parent = parent
        self._overlay: dict[bytes, bytes | None] = {}
        self._index: SortedList | None = None
        # The first store below the nested branches answers the reads that miss every
        # overlay; a root KVStore's answer is its dict's (no method call in between), unless
        # a subclass reads otherwise.
        base = parent
        while type(base) is CacheKV:
            base = base.parent
        self._base_get: Callable[[bytes], bytes | None] = (
            base._data.get
            if isinstance(base, KVStore) and type(base).get is KVStore.get
            else base.get
        )

    def get(self, key: bytes) -> bytes | None:
        """The branch's value at key, falling through to the parent."""
        # Nested branches (a tx branch on the block branch on the root) are walked in one
        # loop rather than one call per level.
        store: KV = self
        while type(store) is CacheKV:
            overlay = store._overlay
            if key in overlay:
                return overlay[key]
            store = store.parent
        return self._base_get(key)

    def set(self, key: bytes, value: bytes) -> None:
        """Write value at key in this branch."""
        if not key:
            check_key(key)  # raises ErrEmptyKey
        if self._index is not None:
            self._mark(key)
        self._overlay[key] = value if type(value) is bytes else bytes(value)

    def delete(self, key: bytes) -> None:
        """Delete key in this branch (a tombstone hides the parent's value)."""
        self._mark(key)
        self._overlay[key] = None

    def _mark(self, key: bytes) -> None:
        if self._index is not None and key not in self._overlay:
            self._index.add(key)

    def _sorted_keys(self) -> SortedList:
        if self._index is None:
            self._index = SortedList(self._overlay)
        return self._index

    def write(self) -> None:
        """Flush this branch's writes and deletes to the parent, in key order, and clear it."""
        parent = self.parent
        overlay = self._overlay
        if type(parent) is CacheKV:
            # The parent's overlay takes the entries as they are (keys were checked and
            # values copied when they were set here); the order of a dict update is
            # immaterial, since the parent keeps one entry per key either way.
            parent._absorb(overlay)
        elif isinstance(parent, KVStore):
            parent.apply_sorted(sorted(overlay.items()))
        else:
            for key in sorted(overlay):
                value = overlay[key]
                if value is None:
                    parent.delete(key)
                else:
                    parent.set(key, value)
        self.discard()

    def _absorb(self, writes: dict[bytes, bytes | None]) -> None:
        """Take a child branch's overlay (its writes and tombstones) into this one."""
        index = self._index
        if index is not None:
            overlay = self._overlay
            for key in writes:
                if key not in overlay:
                    index.add(key)
        self._overlay.update(writes)

    def discard(self) -> None:
        """Drop every write of this branch."""
        self._overlay.clear()
        self._index = None

    def dirty_count(self) -> int:
        """How many keys this branch has written or deleted."""
        return len(self._overlay)

    def _overlay_next(
        self, lo: bytes | None, inclusive: bool, end: bytes | None
    ) -> tuple[bytes, bytes | None] | None:
        keys = self._sorted_keys()
        if lo is None:
            i = 0
        elif inclusive:
            i = keys.bisect_left(lo)
        else:
            i = keys.bisect_right(lo)
        if i >= len(keys):
            return None
        key: bytes = keys[i]
        if end is not None and key >= end:
            return None
        return key, self._overlay[key]

    def _overlay_prev(
        self, hi: bytes | None, inclusive: bool, start: bytes | None
    ) -> tuple[bytes, bytes | None] | None:
        keys = self._sorted_keys()
        if hi is None:
            i = len(keys)
        elif inclusive:
            i = keys.bisect_right(hi)
        else:
            i = keys.bisect_left(hi)
        if i == 0:
            return None
        key: bytes = keys[i - 1]
        if start is not None and key < start:
            return None
        return key, self._overlay[key]

    def seek_next(self, lo: bytes | None, inclusive: bool, end: bytes | None) -> Pair | None:
        """Merge of parent and overlay: the smallest visible pair above lo and below end."""
        while True:
            mine = self._overlay_next(lo, inclusive, end)
            theirs = self.parent.seek_next(lo, inclusive, end)
            # The parent's key wins only when strictly smaller than the overlay's: then the
            # overlay holds nothing at that key (it would have been `mine`), so it is visible.
            if theirs is not None and (mine is None or theirs[0] < mine[0]):
                return theirs
            if mine is None:
                return None
            if mine[1] is None:
                lo, inclusive = mine[0], False
                continue
            return mine[0], mine[1]

    def seek_prev(self, hi: bytes | None, inclusive: bool, start: bytes | None) -> Pair | None:
        """Merge of parent and overlay: the largest visible pair below hi, at or above start."""
        while True:
            mine = self._overlay_prev(hi, inclusive, start)
            theirs = self.parent.seek_prev(hi, inclusive, start)
            if theirs is not None and (mine is None or theirs[0] > mine[0]):
                return theirs
            if mine is None:
                return None
            if mine[1] is None:
                hi, inclusive = mine[0], False
                continue
            return mine[0], mine[1]


class PrefixStore(KV):
    """A view of the keys of parent that start with prefix, with the prefix stripped."""

    __slots__ = ("_end", "parent", "prefix")

    def __init__(self, parent: KV, prefix: bytes) -> None:
        check_key(prefix)
        self.parent = parent
        self.prefix = prefix
        self._end = prefix_end(prefix)

    def get(self, key: bytes) -> bytes | None:
        """The value at prefix + key."""
        return self.parent.get(self.prefix + key)

    def set(self, key: bytes, value: bytes) -> None:
        """Write value at prefix + key."""
        check_key(key)
        self.parent.set(self.prefix + key, value)

    def delete(self, key: bytes) -> None:
        """Delete prefix + key."""
        self.parent.delete(self.prefix + key)

    def seek_next(self, lo: bytes | None, inclusive: bool, end: bytes | None) -> Pair | None:
        """The smallest pair of the view above lo and below end."""
        p = self.prefix
        if lo is None:
            found = self.parent.seek_next(p, True, self._end if end is None else p + end)
        else:
            found = self.parent.seek_next(p + lo, inclusive, self._end if end is None else p + end)
        if found is None:
            return None
        return found[0][len(p) :], found[1]

    def seek_prev(self, hi: bytes | None, inclusive: bool, start: bytes | None) -> Pair | None:
        """The largest pair of the view below hi and at or above start."""
        p = self.prefix
        lower = p if start is None else p + start
        if hi is None:
            if self._end is None:
                found = self.parent.seek_prev(None, False, lower)
            else:
                found = self.parent.seek_prev(self._end, False, lower)
        else:
            found = self.parent.seek_prev(p + hi, inclusive, lower)
        if found is None:
            return None
        return found[0][len(p) :], found[1]


__all__ = [
    "KV",
    "CacheKV",
    "KVStore",
    "Pair",
    "PrefixStore",
    "check_key",
    "check_range",
    "prefix_end",
]
