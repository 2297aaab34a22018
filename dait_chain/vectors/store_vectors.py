"""store vectors: KV branches, key and value codecs, sequences, the LtHash app hash.

specs/vectors.md "store"; the rules are specs/store.md's. Handlers:

- `store/kv`: a script of operations on a root store and nested cache branches
  (`input.json` {"ops": [...]}) -> `result.json` {"results": [one per op]}: a refused op
  gives its error and the script goes on.
- `store/codecs`: one key/value codec call per case (encode, decode, refusals), a
  sequence's `next`, a typed map's `must_get`.
- `store/commitment`: a set of (key, value) pairs -> the app hash (specs/store.md §4).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from typing import Any

from dait_chain.errors import DaitError
from dait_chain.store.collections import (
    BoolValue,
    Bound,
    BytesKey,
    BytesValue,
    IntValue,
    Item,
    KeyCodec,
    Map,
    PairKey,
    Schema,
    Sequence,
    StrKey,
    StrValue,
    TripleKey,
    Uint64Key,
    Uint64Value,
    ValueCodec,
)
from dait_chain.store.commitment import CommitKVStore, app_hash_of
from dait_chain.store.kv import KV, CacheKV
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import (
    JsonObject,
    error_ref,
    field,
    json_bytes,
    parse_hex,
    read_object,
)
from dait_chain.vectors.ops import OpCase, arg_hex, arg_int, arg_str, big, op_handler

SPEC = "specs/store.md"

# ---- store/kv ------------------------------------------------------------------------------


def _key(value: object, what: str) -> bytes | None:
    return None if value is None else parse_hex(value, what)


def _kv_op(stack: list[KV], root: CommitKVStore, op: list[Any], where: str) -> object:
    name = op[0] if op and isinstance(op[0], str) else None
    top = stack[-1]
    if name == "set" and len(op) == 3:
        top.set(parse_hex(op[1], where), parse_hex(op[2], where))
        return None
    if name == "get" and len(op) == 2:
        value = top.get(parse_hex(op[1], where))
        return None if value is None else value.hex()
    if name == "has" and len(op) == 2:
        return top.has(parse_hex(op[1], where))
    if name == "delete" and len(op) == 2:
        top.delete(parse_hex(op[1], where))
        return None
    if name == "iterate" and len(op) == 4 and isinstance(op[3], bool):
        pairs = top.iterate(_key(op[1], where), _key(op[2], where), reverse=op[3])
        return [[k.hex(), v.hex()] for k, v in pairs]
    if name == "branch" and len(op) == 1:
        stack.append(CacheKV(top))
        return None
    if name in ("write", "discard") and len(op) == 1:
        if not isinstance(top, CacheKV):
            raise ErrVectorFile(f"{where}: {name} with no open branch")
        if name == "write":
            top.write()
        stack.pop()
        return None
    if name == "app_hash" and len(op) == 1:
        return root.app_hash().hex()
    raise ErrVectorFile(f"{where}: unknown operation {op!r}")


def run_kv(inputs: Mapping[str, bytes]) -> Outcome:
    """Apply the script; each op gives {"result": ...} or {"error": ...}."""
    obj = read_object(inputs, "input.json")
    ops = field(obj, "ops", list, "input.json")
    root = CommitKVStore()
    stack: list[KV] = [root]
    results: list[JsonObject] = []
    for i, op in enumerate(ops):
        if not isinstance(op, list):
            raise ErrVectorFile(f"input.json.ops[{i}]: expected a list")
        try:
            results.append({"result": _kv_op(stack, root, op, f"input.json.ops[{i}]")})
        except DaitError as exc:
            if isinstance(exc, ErrVectorFile):
                raise
            results.append({"error": error_ref(exc)})
    return Outcome({"result.json": json_bytes({"results": results})})


def _h(text: str) -> str:
    return text.encode().hex()


def kv_cases() -> Iterator[CaseSpec]:
    """Branch semantics, iteration order and bounds, refusals, app hash after writes."""
    rule = (
        "Each tx runs on a cache branch of the store; a failing tx leaves no write "
        "(architecture guide); iteration over [start, end) in unsigned byte order"
    )
    scripts: list[tuple[str, str, list[list[Any]]]] = [
        (
            "set_get_delete",
            "root writes, overwrite, delete, app hash",
            [
                ["app_hash"],
                ["set", _h("a"), _h("1")],
                ["set", _h("b"), _h("2")],
                ["get", _h("a")],
                ["set", _h("a"), _h("3")],
                ["get", _h("a")],
                ["delete", _h("b")],
                ["has", _h("b")],
                ["app_hash"],
                ["delete", _h("a")],
                ["app_hash"],
            ],
        ),
        (
            "branch_write",
            "a branch's writes reach the root only on write",
            [
                ["set", _h("k1"), _h("v1")],
                ["branch"],
                ["set", _h("k2"), _h("v2")],
                ["delete", _h("k1")],
                ["get", _h("k1")],
                ["app_hash"],
                ["write"],
                ["get", _h("k1")],
                ["get", _h("k2")],
                ["app_hash"],
            ],
        ),
        (
            "branch_discard",
            "a discarded branch leaves nothing",
            [
                ["set", _h("k1"), _h("v1")],
                ["app_hash"],
                ["branch"],
                ["set", _h("k1"), _h("changed")],
                ["set", _h("k9"), _h("new")],
                ["discard"],
                ["get", _h("k1")],
                ["get", _h("k9")],
                ["app_hash"],
            ],
        ),
        (
            "nested_branches",
            "a branch of a branch writes into its parent only",
            [
                ["set", _h("a"), _h("0")],
                ["branch"],
                ["set", _h("b"), _h("1")],
                ["branch"],
                ["set", _h("c"), _h("2")],
                ["delete", _h("a")],
                ["iterate", None, None, False],
                ["write"],
                ["iterate", None, None, False],
                ["discard"],
                ["iterate", None, None, False],
            ],
        ),
        (
            "iteration_order",
            "unsigned byte order, half-open ranges, reverse, tombstones hide keys",
            [
                ["set", "00", "00"],
                ["set", "ff", "01"],
                ["set", "7f", "02"],
                ["set", "80", "03"],
                ["set", "7fff", "04"],
                ["branch"],
                ["set", "10", "05"],
                ["delete", "80"],
                ["iterate", None, None, False],
                ["iterate", "10", "80", False],
                ["iterate", "7f", None, True],
                ["iterate", "80", "80", False],
            ],
        ),
        (
            "refusals",
            "empty keys and inverted ranges are refused; the script goes on",
            [
                ["set", "", _h("x")],
                ["iterate", "02", "01", False],
                ["set", "01", ""],
                ["get", "01"],
                ["app_hash"],
            ],
        ),
    ]
    for name, what, script in scripts:
        yield CaseSpec(
            "scripts",
            name,
            what,
            rule,
            f"{SPEC} §1, §4",
            {"input.json": json_bytes({"ops": script})},
        )
    rng = random.Random("dait-vectors/store/kv")
    for seed in range(3):
        ops: list[list[Any]] = []
        depth = 0
        for _ in range(40):
            roll = rng.random()
            key = bytes([rng.randrange(4), rng.randrange(3)]).hex()
            if roll < 0.4:
                ops.append(["set", key, bytes([rng.randrange(256)]).hex()])
            elif roll < 0.55:
                ops.append(["delete", key])
            elif roll < 0.65 and depth < 3:
                ops.append(["branch"])
                depth += 1
            elif roll < 0.75 and depth > 0:
                ops.append(["write" if rng.random() < 0.6 else "discard"])
                depth -= 1
            elif roll < 0.85:
                ops.append(["iterate", None, None, rng.random() < 0.5])
            else:
                ops.append(["app_hash"])
        while depth:
            ops.append(["write"])
            depth -= 1
        ops.append(["iterate", None, None, False])
        ops.append(["app_hash"])
        yield CaseSpec(
            "seeded",
            f"seed_{seed}",
            f"random script (seed {seed})",
            rule,
            f"{SPEC} §1, §4",
            {"input.json": json_bytes({"ops": ops})},
        )


# ---- store/codecs --------------------------------------------------------------------------

KEY_CODECS: dict[str, KeyCodec[Any]] = {
    "uint64": Uint64Key,
    "str": StrKey,
    "bytes": BytesKey,
    "pair_str_uint64": PairKey(StrKey, Uint64Key),
    "triple_uint64_str_bytes": TripleKey(Uint64Key, StrKey, BytesKey),
}
VALUE_CODECS: dict[str, ValueCodec[Any]] = {
    "uint64": Uint64Value,
    "int": IntValue,
    "str": StrValue,
    "bytes": BytesValue,
    "bool": BoolValue,
}


def _to_json(value: object) -> object:
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return big(value)
    return value


def _from_json(codec: str, value: object, what: str) -> object:
    parts: dict[str, tuple[str, ...]] = {
        "pair_str_uint64": ("str", "int"),
        "triple_uint64_str_bytes": ("int", "str", "bytes"),
    }
    if codec in parts:
        kinds = parts[codec]
        if not isinstance(value, list) or len(value) != len(kinds):
            raise ErrVectorFile(f"{what}: expected a list of {len(kinds)}")
        return tuple(_one(k, v, what) for k, v in zip(kinds, value, strict=True))
    single = {"uint64": "int", "int": "int", "str": "str", "bytes": "bytes", "bool": "bool"}
    return _one(single[codec], value, what)


def _one(kind: str, value: object, what: str) -> object:
    if kind == "int":
        return (
            int(str(value))
            if isinstance(value, int | str) and not isinstance(value, bool)
            else _bad(what)
        )
    if kind == "bytes":
        return parse_hex(value, what)
    if kind == "bool":
        return value if isinstance(value, bool) else _bad(what)
    return value if isinstance(value, str) else _bad(what)


def _bad(what: str) -> object:
    raise ErrVectorFile(f"{what}: wrong type")


def _codec(table: Mapping[str, Any], obj: JsonObject) -> tuple[str, Any]:
    name = arg_str(obj, "codec")
    if name not in table:
        raise ErrVectorFile(f"input.json: unknown codec {name!r}")
    return name, table[name]


def op_encode_key(obj: JsonObject) -> object:
    name, codec = _codec(KEY_CODECS, obj)
    return codec.encode(_from_json(name, obj.get("value"), "input.json.value")).hex()


def op_decode_key(obj: JsonObject) -> object:
    _, codec = _codec(KEY_CODECS, obj)
    return _to_json(codec.decode(arg_hex(obj, "bytes")))


def op_encode_value(obj: JsonObject) -> object:
    name, codec = _codec(VALUE_CODECS, obj)
    return codec.encode(_from_json(name, obj.get("value"), "input.json.value")).hex()


def op_decode_value(obj: JsonObject) -> object:
    _, codec = _codec(VALUE_CODECS, obj)
    return _to_json(codec.decode(arg_hex(obj, "bytes")))


def op_sequence_next(obj: JsonObject) -> object:
    schema = Schema("vectors")
    seq = Sequence(schema, 1, "seq")
    ctx = Bound(CommitKVStore())
    seq.set(ctx, arg_int(obj, "current"))
    returned = seq.next(ctx)
    return {"returned": big(returned), "stored": big(seq.peek(ctx))}


def op_must_get(obj: JsonObject) -> object:
    schema = Schema("vectors")
    table: Map[str, str] = Map(schema, 1, "names", StrKey, StrValue)
    marker: Item[int] = Item(schema, 2, "marker", Uint64Value)
    ctx = Bound(CommitKVStore())
    entries = field(obj, "entries", dict, "input.json")
    for key, value in sorted(entries.items()):
        table.set(ctx, key, str(value))
    marker.set(ctx, len(entries))
    return table.must_get(ctx, arg_str(obj, "key"))


CODEC_OPS = {
    "encode_key": op_encode_key,
    "decode_key": op_decode_key,
    "encode_value": op_encode_value,
    "decode_value": op_decode_value,
    "sequence_next": op_sequence_next,
    "must_get": op_must_get,
}


def codec_cases() -> Iterator[OpCase]:
    """Each codec's encoding, order-preserving examples and refusals."""
    s2 = f"{SPEC} §2"
    rule = (
        "Key codecs are self-delimiting and order-preserving; value codecs are canonical "
        "(decode refuses anything encode would not produce)"
    )
    keys: list[tuple[str, str, object, str]] = [
        ("uint64", "one", 1, "8 bytes big-endian"),
        ("uint64", "max", str((1 << 64) - 1), "uint64 max"),
        ("uint64", "negative", -1, "not a uint64"),
        ("str", "address", "dait1abc", "UTF-8 then 0x00"),
        ("str", "unicode", "qwen\u00e9", "non-ASCII"),
        ("str", "nul_inside", "a\u0000b", "NUL inside is refused"),
        ("bytes", "short", "0102", "length byte then the bytes"),
        ("bytes", "too_long", "00" * 256, "256 bytes exceed the length byte"),
        ("pair_str_uint64", "pair", ["dait1abc", 7], "part by part"),
        ("triple_uint64_str_bytes", "triple", [3, "x", "ff"], "part by part"),
    ]
    for codec, name, value, what in keys:
        yield OpCase(
            "encode_key",
            f"{codec}.{name}",
            what,
            rule,
            s2,
            {"op": "encode_key", "codec": codec, "value": value},
        )
    decodes: list[tuple[str, str, str, str]] = [
        ("uint64", "short", "01020304", "fewer than 8 bytes"),
        ("uint64", "trailing", "000000000000000100", "a byte after the key"),
        ("str", "no_terminator", _h("abc"), "no 0x00 terminator"),
        ("str", "not_utf8", "ff00", "not UTF-8"),
        ("bytes", "short_payload", "0501", "length 5, one byte"),
        ("pair_str_uint64", "valid", _h("ab") + "00" + "0000000000000009", "a pair"),
    ]
    for codec, name, data, what in decodes:
        yield OpCase(
            "decode_key",
            f"{codec}.{name}",
            what,
            rule,
            s2,
            {"op": "decode_key", "codec": codec, "bytes": data},
        )
    values: list[tuple[str, str, object, str]] = [
        ("uint64", "seven", 7, "8 bytes big-endian"),
        ("int", "zero", "0", 'decimal ASCII, "0" for zero'),
        ("int", "big", str(1 << 200), "decimal ASCII"),
        ("int", "negative", "-5", "non-negative only"),
        ("bool", "true", True, "0x01"),
        ("str", "text", "hello", "UTF-8"),
    ]
    for codec, name, value, what in values:
        yield OpCase(
            "encode_value",
            f"{codec}.{name}",
            what,
            rule,
            s2,
            {"op": "encode_value", "codec": codec, "value": value},
        )
    value_decodes: list[tuple[str, str, str, str]] = [
        ("int", "leading_zero", _h("007"), "leading zeros are not canonical"),
        ("int", "valid", _h("1234"), "a canonical decimal"),
        ("bool", "two", "02", "0x02 is not a bool"),
        ("uint64", "short", "0001", "2 bytes"),
        ("str", "not_utf8", "c0", "not UTF-8"),
    ]
    for codec, name, data, what in value_decodes:
        yield OpCase(
            "decode_value",
            f"{codec}.{name}",
            what,
            rule,
            s2,
            {"op": "decode_value", "codec": codec, "bytes": data},
        )
    yield OpCase(
        "sequence",
        "next",
        "next returns the value and stores value + 1",
        "Sequence: a uint64 counter",
        s2,
        {"op": "sequence_next", "current": 41},
    )
    yield OpCase(
        "sequence",
        "overflow",
        "next at 2^64 - 1",
        "Sequence.next refuses to pass 2^64 - 1",
        s2,
        {"op": "sequence_next", "current": str((1 << 64) - 1)},
    )
    yield OpCase(
        "map",
        "must_get_present",
        "a present key",
        "must_get returns the value",
        s2,
        {"op": "must_get", "entries": {"a": "1", "b": "2"}, "key": "b"},
    )
    yield OpCase(
        "map",
        "must_get_absent",
        "an absent key without a caller-chosen error",
        "must_get of an absent key is ErrNotFound",
        f"{SPEC} §5",
        {"op": "must_get", "entries": {"a": "1"}, "key": "z"},
    )


# ---- store/commitment ----------------------------------------------------------------------


def run_commitment(inputs: Mapping[str, bytes]) -> Outcome:
    """{"pairs": [[key hex, value hex], ...]} -> {"app_hash": hex}."""
    obj = read_object(inputs, "input.json")
    pairs = []
    for i, pair in enumerate(field(obj, "pairs", list, "input.json")):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ErrVectorFile(f"input.json.pairs[{i}]: expected [key, value]")
        pairs.append((parse_hex(pair[0], "key"), parse_hex(pair[1], "value")))
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys) or not all(keys):
        raise ErrVectorFile("input.json.pairs: keys must be distinct and non-empty")
    result = {"app_hash": app_hash_of(pairs).hex(), "pairs": len(pairs)}
    return Outcome({"result.json": json_bytes(result)})


def commitment_cases() -> Iterator[CaseSpec]:
    """The empty store, small stores, and a seeded larger one (order does not matter)."""
    rule = (
        "app_hash = sha256 of the 2048-byte LtHash16 lattice sum of SHAKE-256 expansions of "
        "the length-prefixed pairs"
    )
    sets: list[tuple[str, str, list[list[str]]]] = [
        ("empty", "the empty store: sha256 of 2048 zero bytes", []),
        ("one_pair", "one pair", [[_h("key"), _h("value")]]),
        ("empty_value", "a pair with an empty value", [[_h("key"), ""]]),
        (
            "two_pairs_any_order",
            "two pairs listed out of key order (a multiset hash)",
            [[_h("b"), _h("2")], [_h("a"), _h("1")]],
        ),
    ]
    rng = random.Random("dait-vectors/store/commitment")
    big_set = {
        rng.randbytes(rng.randint(1, 40)).hex(): rng.randbytes(rng.randint(0, 100)).hex()
        for _ in range(64)
    }
    sets.append(("seeded_64", "64 random pairs", [[k, v] for k, v in sorted(big_set.items())]))
    for name, what, pairs in sets:
        yield CaseSpec(
            "lthash", name, what, rule, f"{SPEC} §4", {"input.json": json_bytes({"pairs": pairs})}
        )


HANDLERS = (
    Handler(
        "store",
        "kv",
        "root store and cache branches: scripts of operations",
        kv_cases,
        run_kv,
        {"input.json": "{ops: [[op, args...]]}", "result.json": "{results: [{result} | {error}]}"},
    ),
    op_handler(
        "store",
        "codecs",
        "collection key and value codecs, sequences, must_get",
        CODEC_OPS,
        codec_cases,
    ),
    Handler(
        "store",
        "commitment",
        "the LtHash app hash of a set of pairs",
        commitment_cases,
        run_commitment,
        {"input.json": "{pairs: [[key, value]]}", "result.json": "{app_hash, pairs}"},
    ),
)
