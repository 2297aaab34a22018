"""Hypothesis strategies for proto-bound values: every module's Msg types and any message
type of the schemas (specs/codec.md §5).

    from dait_chain.testing.messages import msgs, proto_values
    @given(msgs("state_channel"))
    def test_my_codec_round_trips(msg): assert my_decode(my_encode(msg)) == msg.encode()

Values are built from the message's descriptor: integers within their wire type, strings
of valid UTF-8, bytes of the schema's fixed size where it has one, defined enum values,
at most one member per oneof, required sub-messages present (specs/codec.md §5.1).
String fields named like an address (signer, owner, host, ...) get canonical dait1
addresses, so most messages also pass the chain's address checks. Every value encodes
canonically: `type(v).decode(v.encode()) == v`.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from dataclasses import fields as dc_fields
from enum import IntEnum
from functools import cache
from typing import Any, Literal

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from hypothesis import strategies as st

from dait_chain.codec.value import ProtoValue, value_class
from dait_chain.pb.dait.codec.v1 import options_pb2
from dait_chain.testing.keys import addresses

_T = FieldDescriptor
_RANGES: dict[int, tuple[int, int]] = {
    _T.TYPE_INT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SINT32: (-(2**31), 2**31 - 1),
    _T.TYPE_SFIXED32: (-(2**31), 2**31 - 1),
    _T.TYPE_INT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SINT64: (-(2**63), 2**63 - 1),
    _T.TYPE_SFIXED64: (-(2**63), 2**63 - 1),
    _T.TYPE_UINT32: (0, 2**32 - 1),
    _T.TYPE_FIXED32: (0, 2**32 - 1),
    _T.TYPE_UINT64: (0, 2**64 - 1),
    _T.TYPE_FIXED64: (0, 2**64 - 1),
}
ADDRESS_FIELD = re.compile(
    r"(^|_)(addr|address|signer|host|user|owner|authority|provider|validator|delegator|"
    r"auditor|operator|from|to)(_address|_addr)?$"
)
MAX_DEPTH = 3
NO_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)  # lone surrogates have no UTF-8 form


def _fixed_size(field: FieldDescriptor) -> tuple[int, bool] | None:
    opts = field.GetOptions()
    if opts.HasExtension(options_pb2.fixed_size):
        return opts.Extensions[options_pb2.fixed_size], False
    if opts.HasExtension(options_pb2.fixed_size_or_empty):
        return opts.Extensions[options_pb2.fixed_size_or_empty], True
    return None


def _scalar(field: FieldDescriptor, hint: object) -> st.SearchStrategy[Any]:
    t = field.type
    if t in _RANGES:
        low, high = _RANGES[t]
        return st.integers(low, high)
    if t == _T.TYPE_BOOL:
        return st.booleans()
    if t == _T.TYPE_ENUM:
        assert field.enum_type is not None  # an enum field has its enum type
        numbers = [v.number for v in field.enum_type.values]
        if isinstance(hint, type) and issubclass(hint, IntEnum):
            return st.sampled_from([hint(n) for n in numbers])
        return st.sampled_from(numbers)
    if t == _T.TYPE_STRING:
        if ADDRESS_FIELD.search(field.name):
            return addresses()
        return st.text(st.characters(exclude_categories=NO_SURROGATES), max_size=24)
    if t == _T.TYPE_BYTES:
        size = _fixed_size(field)
        if size is None:
            return st.binary(max_size=40)
        exact = st.binary(min_size=size[0], max_size=size[0])
        return st.one_of(st.just(b""), exact) if size[1] else exact
    raise TypeError(f"{field.full_name}: no strategy for field type {t}")


def _strip_optional(hint: object) -> tuple[object, bool]:
    args = typing.get_args(hint)
    if type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return rest[0], True
    return hint, False


def _element(field: FieldDescriptor, hint: object, depth: int) -> st.SearchStrategy[Any]:
    if field.type != _T.TYPE_MESSAGE:
        return _scalar(field, hint)
    assert field.message_type is not None  # a message field has its message type
    if field.message_type.full_name == "google.protobuf.Any":
        from dait_chain.codec.tx import PubKey

        return st.binary(min_size=33, max_size=33).map(
            lambda b: PubKey(b"\x02" + b[1:])
        ) | st.deferred(lambda: _any_value())
    sub = hint if isinstance(hint, type) and issubclass(hint, ProtoValue) else None
    if sub is None:
        sub = value_class("/" + field.message_type.full_name)
    return proto_values(sub, depth + 1)


def _any_value() -> st.SearchStrategy[ProtoValue]:
    from dait_chain.codec.tx import Coin

    return st.builds(Coin, st.just("uDAIT"), st.integers(0, 10**30).map(str))


_PLANS: dict[type[ProtoValue], tuple[tuple[str, FieldDescriptor, object], ...]] = {}


def _plan(cls: type[ProtoValue]) -> tuple[tuple[str, FieldDescriptor, object], ...]:
    """(name, descriptor, annotation) of each dataclass field, in declaration order."""
    plan = _PLANS.get(cls)
    if plan is None:
        desc = typing.cast(Descriptor, cls.PROTO.DESCRIPTOR)
        hints = typing.get_type_hints(cls)
        by_name = {f.name: f for f in desc.fields}
        fields = dc_fields(typing.cast(Any, cls))
        plan = tuple((f.name, by_name[f.name], hints[f.name]) for f in fields)
        _PLANS[cls] = plan
    return plan


def proto_values(cls: type[ProtoValue], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of a ProtoValue class that encode canonically (see the module docstring)."""
    parts: dict[str, st.SearchStrategy[Any]] = {}
    oneofs: dict[str, list[str]] = {}
    for name, field, hint in _plan(cls):
        inner, optional = _strip_optional(hint)
        if field.is_repeated:
            (elem_hint,) = typing.get_args(inner)[:1] or (inner,)
            size = 0 if depth >= MAX_DEPTH else 3
            parts[name] = st.lists(_element(field, elem_hint, depth), max_size=size).map(tuple)
            continue
        oneof = field.containing_oneof
        if oneof is not None and not (oneof.name == "_" + name and len(oneof.fields) == 1):
            oneofs.setdefault(oneof.name, []).append(name)
        element = _element(field, inner, depth) if depth < MAX_DEPTH or not optional else st.none()
        parts[name] = st.one_of(st.none(), element) if optional else element
    strategy = st.fixed_dictionaries(parts)
    for members in oneofs.values():
        strategy = strategy.flatmap(_keep_one(members))
    return strategy.map(lambda kw: cls(**kw))


def _keep_one(members: list[str]) -> Callable[[dict[str, Any]], st.SearchStrategy[dict[str, Any]]]:
    """At most one member of a oneof set (two members set is ErrFieldValue)."""

    def choose(kw: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        def keep(chosen: str | None) -> dict[str, Any]:
            return {k: (None if k in members and k != chosen else v) for k, v in kw.items()}

        return st.sampled_from([None, *members]).map(keep)

    return choose


@cache
def msg_types() -> dict[str, tuple[type[ProtoValue], ...]]:
    """Every module's Msg types (the types the app routes), by module name."""
    from dait_chain.app.app import DaitApp

    app = DaitApp()
    out: dict[str, list[type[ProtoValue]]] = {}
    for msg_type, route in sorted(app.routes.items(), key=lambda kv: kv[0].type_url()):
        out.setdefault(route.module, []).append(msg_type)
    return {module: tuple(types) for module, types in sorted(out.items())}


def msgs(module: str | None = None) -> st.SearchStrategy[ProtoValue]:
    """Msg values of one module (bank, staking, state_channel, compute_market,
    staking_tiers, pouw, tee_attest), or of every module."""
    table = msg_types()
    if module is not None and module not in table:
        raise ValueError(f"no module {module!r} handles messages; modules: {sorted(table)}")
    types = table[module] if module is not None else tuple(t for ts in table.values() for t in ts)
    return st.sampled_from(types).flatmap(proto_values)


__all__ = ["ADDRESS_FIELD", "msg_types", "msgs", "proto_values"]
