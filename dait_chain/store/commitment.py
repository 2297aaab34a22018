"""The incremental state commitment: a lattice (multiset) hash over every KV pair.

specs/store.md "Commitment". architecture guide: "The commitment is incremental. The
per-block app hash costs O(writes in the block), not O(state). It is defined from the
canonical state export, so another implementation can recompute it."

    element(k, v) = SHAKE-256(u32be(len k) || k || u32be(len v) || v), 2048 bytes,
                    read as 1024 little-endian uint16 lanes
    state         = lane-wise sum mod 2^16 of element(k, v) over every pair in the store
    app_hash      = sha256(state as 2048 bytes, lanes little-endian)

Because lane-wise addition is commutative and invertible, a write of v' over v at k is
`state - element(k, v) + element(k, v')`: the cost of a block is one SHAKE-256 per
distinct key written, whatever the size of the store (LtHash, Bellare-Micciancio 1997;
as used by Meta's and Solana's state hashes).

Lanes are kept packed in one Python int (lane i at bits 16i..16i+15) and added with the
SWAR identities below, so a lane-wise add or subtract is three big-int operations.
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Iterable

from dait_chain.store.kv import KVStore, Pair, check_key

LANES = 1024
LANE_BITS = 16
STATE_BYTES = LANES * LANE_BITS // 8  # 2048

# H: the top bit of every lane; L: the other 15 bits of every lane.
_H = int.from_bytes(b"\x00\x80" * LANES, "little")
_L = int.from_bytes(b"\xff\x7f" * LANES, "little")
# EVEN: every bit of the even lanes (0, 2, 4, ...); ODD: every bit of the odd lanes.
_EVEN = int.from_bytes(b"\xff\xff\x00\x00" * (LANES // 2), "little")
_ODD = int.from_bytes(b"\x00\x00\xff\xff" * (LANES // 2), "little")
_u32be = struct.Struct(">I").pack
_shake_256 = hashlib.shake_256
# A lane's sum over this many elements still fits in 32 bits (see lanes_sum).
_LANE_SUM_LIMIT = (1 << 16) - 1


def element(key: bytes, value: bytes) -> int:
    """The lattice element of one (key, value) pair, as packed lanes."""
    encoded = b"".join((_u32be(len(key)), key, _u32be(len(value)), value))
    return int.from_bytes(_shake_256(encoded).digest(STATE_BYTES), "little")


def lanes_add(a: int, b: int) -> int:
    """Lane-wise a + b mod 2^16.

    The low 15 bits of each lane add without carrying out of the lane (at most
    0x7fff + 0x7fff); the top bit is then the xor of both top bits and that carry.
    """
    return ((a & _L) + (b & _L)) ^ ((a ^ b) & _H)


def lanes_sub(a: int, b: int) -> int:
    """Lane-wise a - b mod 2^16.

    Setting each lane's top bit of a before subtracting b's low 15 bits keeps every borrow
    inside its lane; the top bit is then fixed up as a15 xor b15 xor borrow.
    """
    return ((a | _H) - (b & _L)) ^ ((a ^ ~b) & _H)


def lanes_sum(elements: list[int]) -> int:
    """Lane-wise sum mod 2^16 of many elements, with plain integer additions.

    The even lanes and the odd lanes are summed separately, each lane then having the
    16 bits of its neighbour as headroom, so no carry reaches the next lane of its kind
    for up to 2^16 - 1 elements: `even` accumulates `e & EVEN` and `total` accumulates
    `e`, so that `total - even` is the sum of the odd lanes. Each element costs three
    big-int operations instead of lanes_add's six.
    """
    result = 0
    for start in range(0, len(elements), _LANE_SUM_LIMIT):
        total = even = 0
        for elem in elements[start : start + _LANE_SUM_LIMIT]:
            total += elem
            even += elem & _EVEN
        result = lanes_add(result, (even & _EVEN) | ((total - even) & _ODD))
    return result


class LtHash:
    """A running lattice hash of a multiset of (key, value) pairs."""

    __slots__ = ("lanes",)

    def __init__(self, lanes: int = 0) -> None:
        self.lanes = lanes

    def add(self, key: bytes, value: bytes) -> None:
        """Add the pair to the multiset."""
        self.lanes = lanes_add(self.lanes, element(key, value))

    def remove(self, key: bytes, value: bytes) -> None:
        """Remove the pair from the multiset."""
        self.lanes = lanes_sub(self.lanes, element(key, value))

    def state_bytes(self) -> bytes:
        """The 2048-byte lattice state, lanes little-endian."""
        return self.lanes.to_bytes(STATE_BYTES, "little")

    def digest(self) -> bytes:
        """app_hash: sha256 of the lattice state."""
        return hashlib.sha256(self.state_bytes()).digest()

    def copy(self) -> LtHash:
        """An independent copy."""
        return LtHash(self.lanes)


def lthash_of(pairs: Iterable[Pair]) -> LtHash:
    """The lattice hash of a set of pairs, computed from scratch (the definition)."""
    acc = LtHash()
    for key, value in pairs:
        acc.add(key, value)
    return acc


def app_hash_of(pairs: Iterable[Pair]) -> bytes:
    """The app hash of a full state given as its (key, value) pairs."""
    return lthash_of(pairs).digest()


class CommitKVStore(KVStore):
    """The root store, keeping the lattice hash of its contents up to date on every write.

    The app writes to it only through a block branch, so each block costs one element per
    distinct key it changed; writing a key's current value again costs nothing.

    Two speed-ups change no result: the elements added and removed since the last digest
    are summed separately (lane-wise addition is cheaper than subtraction) and combined
    once per digest; and the element of each recently written key's current value is kept
    in a bounded cache, so overwriting a hot key (a balance, an account) expands one
    element instead of two.
    """

    __slots__ = ("_added", "_cache", "_cache_size", "_lanes", "_removed")

    def __init__(self, element_cache_size: int = 4096) -> None:
        super().__init__()
        self._lanes = 0
        self._added = 0
        self._removed = 0
        self._cache: dict[bytes, int] = {}
        self._cache_size = element_cache_size

    def _old_element(self, key: bytes, old: bytes) -> int:
        cached = self._cache.pop(key, None)
        return element(key, old) if cached is None else cached

    def _remember(self, key: bytes, elem: int) -> None:
        cache = self._cache
        cache[key] = elem
        if len(cache) > self._cache_size:
            # dicts keep insertion order: drop the least recently written key
            del cache[next(iter(cache))]

    def set(self, key: bytes, value: bytes) -> None:
        """Write value at key and update the commitment."""
        check_key(key)
        value = bytes(value)
        data = self._data
        old = data.get(key)
        if old == value:
            return
        if old is not None:
            self._removed = lanes_add(self._removed, self._old_element(key, old))
        new = element(key, value)
        self._added = lanes_add(self._added, new)
        self._remember(key, new)
        data[key] = value

    def delete(self, key: bytes) -> None:
        """Delete key and update the commitment."""
        old = self._data.pop(key, None)
        if old is not None:
            self._removed = lanes_add(self._removed, self._old_element(key, old))

    def apply_sorted(self, writes: list[tuple[bytes, bytes | None]]) -> None:
        """Apply a branch's writes in key order (None deletes) and update the commitment:
        the same as `set` / `delete` one by one, with the elements of the batch summed by
        lanes_sum (a block commit writes every key it changed in one batch)."""
        # `set` and `delete` inlined: this loop runs once per key a block changed.
        data = self._data
        cache = self._cache
        limit = self._cache_size
        added: list[int] = []
        removed: list[int] = []
        for key, value in writes:
            old = data.get(key)
            if value is None:
                if old is not None:
                    del data[key]
                    elem = cache.pop(key, None)
                    removed.append(element(key, old) if elem is None else elem)
                continue
            if not key:
                check_key(key)  # raises ErrEmptyKey
            if type(value) is not bytes:
                value = bytes(value)
            if old == value:
                continue
            if old is not None:
                elem = cache.pop(key, None)
                removed.append(element(key, old) if elem is None else elem)
            new = element(key, value)
            added.append(new)
            cache[key] = new
            if len(cache) > limit:
                # dicts keep insertion order: drop the least recently written key
                del cache[next(iter(cache))]
            data[key] = value
        if added:
            self._added = lanes_add(self._added, lanes_sum(added))
        if removed:
            self._removed = lanes_add(self._removed, lanes_sum(removed))

    @property
    def commitment(self) -> LtHash:
        """The lattice hash of the current contents."""
        if self._added or self._removed:
            self._lanes = lanes_sub(lanes_add(self._lanes, self._added), self._removed)
            self._added = 0
            self._removed = 0
        return LtHash(self._lanes)

    def app_hash(self) -> bytes:
        """sha256 of the lattice state of every pair in the store."""
        return self.commitment.digest()


__all__ = [
    "LANES",
    "STATE_BYTES",
    "CommitKVStore",
    "LtHash",
    "app_hash_of",
    "element",
    "lanes_add",
    "lanes_sub",
    "lanes_sum",
    "lthash_of",
]
