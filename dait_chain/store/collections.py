"""Typed collections over the KV store, in the style of cosmossdk.io/collections.

specs/store.md "Collections". A module declares its state once, in its keeper, against a
`Schema` (the module's namespace), and uses it with the current `Context` first:

    schema = Schema("bank")
    balances = Map(schema, 1, "balances", StrKey, IntValue)
    balances.set(ctx, "dait1...", 5)
    balances.get(ctx, "dait1...")          # -> 5

Every collection reads and writes `ctx.store`, whatever branch the context holds, so the
same declaration serves genesis, a tx branch and an EndBlocker item's branch.

Key layout: `namespace || collection prefix || encoded key`, where namespace is
`module_name/`. Every key codec is self-delimiting (its encoding is never a prefix of
another's), so pair keys never collide and `iterate_prefix` finds exactly the pairs whose
first part matches. Key order equals the natural order of the key (numeric for Uint64Key,
code point order for StrKey) except BytesKey, which orders by length first.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from dait_chain.errors import DaitError
from dait_chain.store.errors import (
    ErrInvalidKeyEncoding,
    ErrInvalidValueEncoding,
    ErrNotFound,
    ErrSequenceOverflow,
)
from dait_chain.store.kv import KV, prefix_end

K = TypeVar("K")
V = TypeVar("V")
K1 = TypeVar("K1")
K2 = TypeVar("K2")
K3 = TypeVar("K3")
T = TypeVar("T")

UINT64_MAX = (1 << 64) - 1
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class HasStore(Protocol):
    """Anything that carries the current store branch (a Context, or `Bound` in tests)."""

    @property
    def store(self) -> KV: ...


@dataclass(frozen=True, slots=True)
class Bound:
    """A bare store provider, for using collections outside a Context (tests, tools)."""

    store: KV


# --- schema -------------------------------------------------------------------------------


class Schema:
    """A module's namespace: the collections it declares and their prefixes.

    Refuses two collections whose prefixes are equal or one a prefix of the other, as
    cosmos collections' SchemaBuilder does, so no two collections can see each other's keys.
    """

    __slots__ = ("_prefixes", "module", "namespace")

    def __init__(self, module: str) -> None:
        if not _NAME.match(module):
            raise ValueError(f"module name {module!r} must match {_NAME.pattern}")
        self.module = module
        self.namespace = module.encode() + b"/"
        self._prefixes: dict[bytes, str] = {}

    def register(self, prefix: bytes | int, name: str) -> bytes:
        """Reserve a collection prefix and return its full store prefix."""
        raw = bytes([prefix]) if isinstance(prefix, int) else bytes(prefix)
        if not raw:
            raise ValueError("collection prefix must be non-empty")
        if name in self._prefixes.values():
            raise ValueError(f"{self.module}: collection name {name!r} declared twice")
        for other, other_name in self._prefixes.items():
            if other.startswith(raw) or raw.startswith(other):
                raise ValueError(f"{self.module}: prefix of {name!r} collides with {other_name!r}")
        self._prefixes[raw] = name
        return self.namespace + raw

    def collections(self) -> list[tuple[bytes, str]]:
        """(prefix, name) of every collection, in prefix order."""
        return sorted(self._prefixes.items())


# --- key codecs ---------------------------------------------------------------------------


class KeyCodec(ABC, Generic[K]):
    """A self-delimiting, order-preserving encoding of keys."""

    @abstractmethod
    def encode(self, key: K) -> bytes:
        """The bytes of key (never a prefix of another key's bytes)."""

    @abstractmethod
    def decode_at(self, data: bytes, offset: int) -> tuple[K, int]:
        """Decode one key starting at offset; return it and the offset after it."""

    def decode(self, data: bytes) -> K:
        """Decode exactly one key that spans all of data."""
        key, end = self.decode_at(data, 0)
        if end != len(data):
            raise ErrInvalidKeyEncoding(f"{len(data) - end} trailing bytes")
        return key

    def encode_prefix(self, parts: tuple[object, ...]) -> bytes:
        """The bytes shared by every key whose leading parts are `parts` (multipart keys)."""
        raise ErrInvalidKeyEncoding(f"{type(self).__name__} is not a multipart key")


class _BytesKey(KeyCodec[bytes]):
    """Bytes of length 0..255, as one length byte then the bytes."""

    def encode(self, key: bytes) -> bytes:
        if len(key) > 255:
            raise ErrInvalidKeyEncoding(f"bytes key of {len(key)} bytes > 255")
        return bytes([len(key)]) + key

    def decode_at(self, data: bytes, offset: int) -> tuple[bytes, int]:
        if offset >= len(data):
            raise ErrInvalidKeyEncoding("missing bytes key length")
        end = offset + 1 + data[offset]
        if end > len(data):
            raise ErrInvalidKeyEncoding("bytes key shorter than its length")
        return data[offset + 1 : end], end


class _StrKey(KeyCodec[str]):
    """A UTF-8 string terminated by 0x00 (so a string key is never a prefix of another).

    A terminator, not a length prefix, keeps byte order equal to code point order (as
    cosmos collections' non-terminal StringKey). Strings containing NUL are refused.
    """

    # The same few strings (addresses, model ids) are encoded again and again on the tx
    # path; the encoding is a pure function of the string, so it is cached (bounded,
    # cleared when full).
    _CACHE_LIMIT = 1 << 16

    def __init__(self) -> None:
        self._encoded: dict[str, bytes] = {}

    def encode(self, key: str) -> bytes:
        encoded = self._encoded.get(key)
        if encoded is None:
            raw = key.encode()
            if b"\x00" in raw:
                raise ErrInvalidKeyEncoding("string key contains NUL")
            if len(self._encoded) >= self._CACHE_LIMIT:
                self._encoded.clear()
            encoded = self._encoded[key] = raw + b"\x00"
        return encoded

    def decode_at(self, data: bytes, offset: int) -> tuple[str, int]:
        end = data.find(b"\x00", offset)
        if end < 0:
            raise ErrInvalidKeyEncoding("string key without terminator")
        try:
            return data[offset:end].decode(), end + 1
        except UnicodeDecodeError as exc:
            raise ErrInvalidKeyEncoding("string key is not UTF-8") from exc


class _Uint64Key(KeyCodec[int]):
    """A uint64 as 8 bytes big-endian (so key order is numeric order)."""

    def encode(self, key: int) -> bytes:
        if not 0 <= key <= UINT64_MAX:
            raise ErrInvalidKeyEncoding(f"{key} is not a uint64")
        return key.to_bytes(8, "big")

    def decode_at(self, data: bytes, offset: int) -> tuple[int, int]:
        end = offset + 8
        if end > len(data):
            raise ErrInvalidKeyEncoding("uint64 key shorter than 8 bytes")
        return int.from_bytes(data[offset:end], "big"), end


class PairKey(KeyCodec[tuple[K1, K2]]):
    """A pair (k1, k2), encoded as k1's bytes then k2's; ordered by k1 then k2."""

    def __init__(self, k1: KeyCodec[K1], k2: KeyCodec[K2]) -> None:
        self.k1 = k1
        self.k2 = k2

    def encode(self, key: tuple[K1, K2]) -> bytes:
        return self.k1.encode(key[0]) + self.k2.encode(key[1])

    def decode_at(self, data: bytes, offset: int) -> tuple[tuple[K1, K2], int]:
        a, offset = self.k1.decode_at(data, offset)
        b, offset = self.k2.decode_at(data, offset)
        return (a, b), offset

    def encode_prefix(self, parts: tuple[object, ...]) -> bytes:
        if len(parts) != 1:
            raise ErrInvalidKeyEncoding("a PairKey prefix is its first part")
        return self.k1.encode(parts[0])  # type: ignore[arg-type]


class TripleKey(KeyCodec[tuple[K1, K2, K3]]):
    """A triple (k1, k2, k3), encoded part by part; ordered lexicographically."""

    def __init__(self, k1: KeyCodec[K1], k2: KeyCodec[K2], k3: KeyCodec[K3]) -> None:
        self.k1 = k1
        self.k2 = k2
        self.k3 = k3

    def encode(self, key: tuple[K1, K2, K3]) -> bytes:
        return self.k1.encode(key[0]) + self.k2.encode(key[1]) + self.k3.encode(key[2])

    def decode_at(self, data: bytes, offset: int) -> tuple[tuple[K1, K2, K3], int]:
        a, offset = self.k1.decode_at(data, offset)
        b, offset = self.k2.decode_at(data, offset)
        c, offset = self.k3.decode_at(data, offset)
        return (a, b, c), offset

    def encode_prefix(self, parts: tuple[object, ...]) -> bytes:
        if len(parts) == 1:
            return self.k1.encode(parts[0])  # type: ignore[arg-type]
        if len(parts) == 2:
            return self.k1.encode(parts[0]) + self.k2.encode(parts[1])  # type: ignore[arg-type]
        raise ErrInvalidKeyEncoding("a TripleKey prefix is its first one or two parts")


BytesKey: KeyCodec[bytes] = _BytesKey()
StrKey: KeyCodec[str] = _StrKey()
Uint64Key: KeyCodec[int] = _Uint64Key()


# --- value codecs -------------------------------------------------------------------------


class ValueCodec(ABC, Generic[V]):
    """A canonical encoding of values (decode(encode(v)) == v; decode refuses non-canonical)."""

    @abstractmethod
    def encode(self, value: V) -> bytes:
        """The canonical bytes of value."""

    @abstractmethod
    def decode(self, data: bytes) -> V:
        """The value of canonical bytes; refuses anything else."""


class _Uint64Value(ValueCodec[int]):
    """A uint64 as 8 bytes big-endian."""

    def encode(self, value: int) -> bytes:
        if not 0 <= value <= UINT64_MAX:
            raise ErrInvalidValueEncoding(f"{value} is not a uint64")
        return value.to_bytes(8, "big")

    def decode(self, data: bytes) -> int:
        if len(data) != 8:
            raise ErrInvalidValueEncoding(f"uint64 value of {len(data)} bytes")
        return int.from_bytes(data, "big")


class _IntValue(ValueCodec[int]):
    """A non-negative integer as its decimal ASCII digits (as Cosmos math.Int marshals).

    Canonical: no sign, no leading zeros, "0" for zero. Bounds are the keeper's business.
    """

    def encode(self, value: int) -> bytes:
        if value < 0:
            raise ErrInvalidValueEncoding(f"{value} is negative")
        return str(value).encode()

    def decode(self, data: bytes) -> int:
        # ^(0|[1-9][0-9]*)$ as two C-level tests (ASCII digits only: bytes.isdigit), on
        # the path of every balance read.
        if not data.isdigit() or (data[0] == 0x30 and len(data) > 1):
            raise ErrInvalidValueEncoding(f"{data!r} is not a canonical decimal")
        return int(data)


class _StrValue(ValueCodec[str]):
    """A UTF-8 string."""

    def encode(self, value: str) -> bytes:
        return value.encode()

    def decode(self, data: bytes) -> str:
        try:
            return data.decode()
        except UnicodeDecodeError as exc:
            raise ErrInvalidValueEncoding("string value is not UTF-8") from exc


class _BytesValue(ValueCodec[bytes]):
    """Raw bytes."""

    def encode(self, value: bytes) -> bytes:
        return bytes(value)

    def decode(self, data: bytes) -> bytes:
        return bytes(data)


class _BoolValue(ValueCodec[bool]):
    """A bool as one byte, 0x00 or 0x01."""

    def encode(self, value: bool) -> bytes:
        return b"\x01" if value else b"\x00"

    def decode(self, data: bytes) -> bool:
        if data not in (b"\x00", b"\x01"):
            raise ErrInvalidValueEncoding(f"{data!r} is not a bool")
        return data == b"\x01"


class _Encodable(Protocol):
    def encode(self) -> bytes: ...


E = TypeVar("E", bound=_Encodable)


class ProtoValueCodec(ValueCodec[E]):
    """A proto-bound value (dait_chain.codec.value.ProtoValue) in its strict canonical bytes.

    Decoding is a pure function of the bytes and the values are immutable, so the values
    of recently decoded bytes are kept (bounded, cleared when full): params and other
    records read on every tx are parsed once, not once per read.

    `is_plain`, if given, tells values whose fields have exactly the types decoding gives
    (so that decoding a value's encoding gives back an equal value): their encodings are
    remembered as decoding to them, so a record written in one tx and read in the next (an
    account's sequence) is not parsed again. Without it, nothing is remembered from an
    encode (a value built with a list where decoding gives a tuple would read back
    unnormalised).
    """

    _CACHE_LIMIT = 1 << 12

    def __init__(self, cls: type[E], is_plain: Callable[[E], bool] | None = None) -> None:
        self.cls = cls
        self._decoded: dict[bytes, E] = {}
        self._is_plain = is_plain

    def encode(self, value: E) -> bytes:
        data = value.encode()
        is_plain = self._is_plain
        if is_plain is not None and is_plain(value):
            self._remember(data, value)
        return data

    def decode(self, data: bytes) -> E:
        if type(data) is not bytes:
            data = bytes(data)  # a hashable key (bytearray, memoryview)
        decoded = self._decoded.get(data)
        if decoded is None:
            decoded = self.cls.decode(data)  # type: ignore[attr-defined]
            self._remember(data, decoded)
        return decoded

    def _remember(self, data: bytes, value: E) -> None:
        cache = self._decoded
        if len(cache) >= self._CACHE_LIMIT:
            cache.clear()
        cache[data] = value


Uint64Value: ValueCodec[int] = _Uint64Value()
IntValue: ValueCodec[int] = _IntValue()
StrValue: ValueCodec[str] = _StrValue()
BytesValue: ValueCodec[bytes] = _BytesValue()
BoolValue: ValueCodec[bool] = _BoolValue()


# --- collections --------------------------------------------------------------------------


class Map(Generic[K, V]):
    """A typed map from K to V stored under one collection prefix."""

    __slots__ = ("_end", "key_codec", "name", "prefix", "schema", "value_codec")

    def __init__(
        self,
        schema: Schema,
        prefix: bytes | int,
        name: str,
        key_codec: KeyCodec[K],
        value_codec: ValueCodec[V],
    ) -> None:
        self.schema = schema
        self.name = name
        self.prefix = schema.register(prefix, name)
        self._end = prefix_end(self.prefix)
        self.key_codec = key_codec
        self.value_codec = value_codec

    def store_key(self, key: K) -> bytes:
        """The full store key of key."""
        return self.prefix + self.key_codec.encode(key)

    def get(self, ctx: HasStore, key: K) -> V | None:
        """The value at key, or None."""
        raw = ctx.store.get(self.prefix + self.key_codec.encode(key))
        return None if raw is None else self.value_codec.decode(raw)

    def must_get(
        self, ctx: HasStore, key: K, error: type[DaitError] = ErrNotFound, detail: str = ""
    ) -> V:
        """The value at key; raises `error` (a registered error class) if absent."""
        value = self.get(ctx, key)
        if value is None:
            raise error(detail or f"{self.schema.module}.{self.name}[{key!r}]")
        return value

    def has(self, ctx: HasStore, key: K) -> bool:
        """Whether key is present."""
        return ctx.store.get(self.prefix + self.key_codec.encode(key)) is not None

    def set(self, ctx: HasStore, key: K, value: V) -> None:
        """Store value at key."""
        ctx.store.set(self.prefix + self.key_codec.encode(key), self.value_codec.encode(value))

    def locate(self, ctx: HasStore, key: K) -> tuple[bytes, V | None]:
        """(the full store key of key, its value or None): a read-modify-write then calls
        `set_at` / `delete_at` with that store key instead of encoding the key again."""
        store_key = self.prefix + self.key_codec.encode(key)
        raw = ctx.store.get(store_key)
        return store_key, None if raw is None else self.value_codec.decode(raw)

    def set_at(self, ctx: HasStore, store_key: bytes, value: V) -> None:
        """Store value at a full store key returned by `locate`."""
        ctx.store.set(store_key, self.value_codec.encode(value))

    def delete_at(self, ctx: HasStore, store_key: bytes) -> None:
        """Remove a full store key returned by `locate`."""
        ctx.store.delete(store_key)

    def delete(self, ctx: HasStore, key: K) -> None:
        """Remove key (no-op if absent)."""
        ctx.store.delete(self.prefix + self.key_codec.encode(key))

    def _pairs(
        self, ctx: HasStore, start: bytes, end: bytes | None, reverse: bool
    ) -> Iterator[tuple[K, V]]:
        n = len(self.prefix)
        decode_key = self.key_codec.decode
        decode_value = self.value_codec.decode
        for raw_key, raw_value in ctx.store.iterate(start, end, reverse=reverse):
            yield decode_key(raw_key[n:]), decode_value(raw_value)

    def iterate(
        self,
        ctx: HasStore,
        start: K | None = None,
        end: K | None = None,
        *,
        reverse: bool = False,
    ) -> Iterator[tuple[K, V]]:
        """(key, value) with start <= key < end in key order (descending if reverse)."""
        lo = self.prefix if start is None else self.store_key(start)
        hi = self._end if end is None else self.store_key(end)
        return self._pairs(ctx, lo, hi, reverse)

    def iterate_prefix(
        self, ctx: HasStore, *parts: object, reverse: bool = False
    ) -> Iterator[tuple[K, V]]:
        """(key, value) of the multipart keys whose leading parts equal `parts`, in order."""
        lo = self.prefix + self.key_codec.encode_prefix(parts)
        return self._pairs(ctx, lo, prefix_end(lo), reverse)

    def keys(self, ctx: HasStore, *, reverse: bool = False) -> Iterator[K]:
        """Every key, in order."""
        for key, _ in self.iterate(ctx, reverse=reverse):
            yield key

    def values(self, ctx: HasStore, *, reverse: bool = False) -> Iterator[V]:
        """Every value, in key order."""
        for _, value in self.iterate(ctx, reverse=reverse):
            yield value

    def first(self, ctx: HasStore) -> tuple[K, V] | None:
        """The pair with the smallest key, or None; O(log n)."""
        return next(self.iterate(ctx), None)

    def is_empty(self, ctx: HasStore) -> bool:
        """Whether the map holds no key."""
        return self.first(ctx) is None


class KeySet(Generic[K]):
    """A typed set of keys (stored with empty values)."""

    __slots__ = ("_map",)

    def __init__(self, schema: Schema, prefix: bytes | int, name: str, key_codec: KeyCodec[K]):
        self._map: Map[K, bytes] = Map(schema, prefix, name, key_codec, BytesValue)

    @property
    def name(self) -> str:
        return self._map.name

    @property
    def prefix(self) -> bytes:
        return self._map.prefix

    @property
    def key_codec(self) -> KeyCodec[K]:
        return self._map.key_codec

    def add(self, ctx: HasStore, key: K) -> None:
        """Put key in the set."""
        self._map.set(ctx, key, b"")

    def has(self, ctx: HasStore, key: K) -> bool:
        """Whether key is in the set."""
        return self._map.has(ctx, key)

    def remove(self, ctx: HasStore, key: K) -> None:
        """Take key out of the set (no-op if absent)."""
        self._map.delete(ctx, key)

    def iterate(
        self,
        ctx: HasStore,
        start: K | None = None,
        end: K | None = None,
        *,
        reverse: bool = False,
    ) -> Iterator[K]:
        """Keys with start <= key < end, in order."""
        for key, _ in self._map.iterate(ctx, start, end, reverse=reverse):
            yield key

    def iterate_prefix(self, ctx: HasStore, *parts: object, reverse: bool = False) -> Iterator[K]:
        """Multipart keys whose leading parts equal `parts`, in order."""
        for key, _ in self._map.iterate_prefix(ctx, *parts, reverse=reverse):
            yield key

    def first(self, ctx: HasStore) -> K | None:
        """The smallest key, or None; O(log n)."""
        pair = self._map.first(ctx)
        return None if pair is None else pair[0]


class Item(Generic[V]):
    """A single typed value under one collection prefix (e.g. params)."""

    __slots__ = ("key", "name", "schema", "value_codec")

    def __init__(
        self, schema: Schema, prefix: bytes | int, name: str, value_codec: ValueCodec[V]
    ) -> None:
        self.schema = schema
        self.name = name
        self.key = schema.register(prefix, name)
        self.value_codec = value_codec

    def get(self, ctx: HasStore) -> V | None:
        """The value, or None if unset."""
        raw = ctx.store.get(self.key)
        return None if raw is None else self.value_codec.decode(raw)

    def must_get(self, ctx: HasStore, error: type[DaitError] = ErrNotFound) -> V:
        """The value; raises `error` if unset."""
        value = self.get(ctx)
        if value is None:
            raise error(f"{self.schema.module}.{self.name}")
        return value

    def has(self, ctx: HasStore) -> bool:
        """Whether the value is set."""
        return ctx.store.has(self.key)

    def set(self, ctx: HasStore, value: V) -> None:
        """Store the value."""
        ctx.store.set(self.key, self.value_codec.encode(value))

    def delete(self, ctx: HasStore) -> None:
        """Unset the value."""
        ctx.store.delete(self.key)


class Sequence:
    """A uint64 counter (cosmos collections.Sequence): starts at 0, `next` returns then bumps."""

    __slots__ = ("_item",)

    def __init__(self, schema: Schema, prefix: bytes | int, name: str) -> None:
        self._item: Item[int] = Item(schema, prefix, name, Uint64Value)

    @property
    def name(self) -> str:
        return self._item.name

    def peek(self, ctx: HasStore) -> int:
        """The value the next call to `next` returns."""
        value = self._item.get(ctx)
        return 0 if value is None else value

    def next(self, ctx: HasStore) -> int:
        """Return the current value and store value + 1 (refusing to pass uint64 max)."""
        value = self.peek(ctx)
        if value >= UINT64_MAX:
            raise ErrSequenceOverflow(f"{self._item.schema.module}.{self.name}")
        self._item.set(ctx, value + 1)
        return value

    def set(self, ctx: HasStore, value: int) -> None:
        """Set the counter (genesis import)."""
        self._item.set(ctx, value)


__all__ = [
    "UINT64_MAX",
    "BoolValue",
    "Bound",
    "BytesKey",
    "BytesValue",
    "HasStore",
    "IntValue",
    "Item",
    "KeyCodec",
    "KeySet",
    "Map",
    "PairKey",
    "ProtoValueCodec",
    "Schema",
    "Sequence",
    "StrKey",
    "StrValue",
    "TripleKey",
    "Uint64Key",
    "Uint64Value",
    "ValueCodec",
]
