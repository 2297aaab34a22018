"""Proto-bound frozen dataclasses (specs/codec.md §5).

Every module defines its messages and state records as frozen dataclasses bound to a
generated protobuf type:

    @dataclass(frozen=True, slots=True)
    class Receipt(ProtoValue):
        PROTO: ClassVar[type[Message]] = spurc_pb2.Receipt
        channel_id: bytes
        call_seq: int
        ...

The dataclass is the value the state machine computes with; the proto type is its wire
form. `ProtoValue` gives the conversions (`to_proto`, `from_proto`), the canonical wire
form (`encode`, strict `decode`), the type URL, and the proto3 JSON mapping. On first use
a class's fields are checked against its proto (same names, matching kinds; a mismatch is
a TypeError) and a conversion plan is compiled, so later conversions do no type analysis.

Field mapping (specs/codec.md §5.1):

| proto                          | dataclass annotation                          |
|--------------------------------|-----------------------------------------------|
| integer types                  | `int`                                         |
| bool / string / bytes          | `bool` / `str` / `bytes`                      |
| enum                           | `int` or an `IntEnum` subclass                |
| proto3 `optional` scalar       | `T | None` (None = absent)                    |
| message                        | a ProtoValue subclass bound to that message   |
|                                | (`X` = always present, `X | None` = optional)  |
| google.protobuf.Any            | `ProtoValue` or a subclass (`| None` allowed)  |
| repeated T                     | `tuple[T, ...]`                               |

Classes register themselves by type URL when they are defined (one class per proto type;
set `REGISTER: ClassVar[bool] = False` to opt out), which `pack_any` / `unpack_any` use.
"""

from __future__ import annotations

import keyword
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum, IntEnum
from typing import Any as TypingAny
from typing import ClassVar, Self

from google.protobuf import any_pb2, json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from dait_chain.codec import strict
from dait_chain.codec.errors import ErrFieldValue, ErrJsonMapping, ErrUnknownTypeUrl

ANY_FULL_NAME = "google.protobuf.Any"

_T = FieldDescriptor
_INT_TYPES = frozenset(
    {
        _T.TYPE_INT32,
        _T.TYPE_INT64,
        _T.TYPE_UINT32,
        _T.TYPE_UINT64,
        _T.TYPE_SINT32,
        _T.TYPE_SINT64,
        _T.TYPE_FIXED32,
        _T.TYPE_FIXED64,
        _T.TYPE_SFIXED32,
        _T.TYPE_SFIXED64,
    }
)
_PY_SCALAR: dict[int, type] = {t: int for t in _INT_TYPES} | {
    _T.TYPE_BOOL: bool,
    _T.TYPE_STRING: str,
    _T.TYPE_BYTES: bytes,
}


class ProtoValue:
    """Base of the proto-bound frozen dataclasses (specs/codec.md §5)."""

    __slots__ = ()

    PROTO: ClassVar[type[Message]]
    REGISTER: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: TypingAny) -> None:
        super().__init_subclass__(**kwargs)
        if "PROTO" in cls.__dict__ and cls.REGISTER:
            register(cls)

    def to_proto(self) -> Message:
        """The generated protobuf message carrying this value."""
        return _plan(type(self)).to_proto(self)

    @classmethod
    def from_proto(cls, msg: Message) -> Self:
        """The value carried by a generated message of type `cls.PROTO`."""
        plan = _plan(cls)
        # A message of the bound class is the common case; the name comparison (which
        # reads two descriptors) is for messages of another class of the same type.
        if type(msg) is not cls.PROTO and msg.DESCRIPTOR.full_name != plan.descriptor.full_name:
            raise ErrFieldValue(f"{cls.__name__}: got a {msg.DESCRIPTOR.full_name}")
        return typing.cast(Self, plan.from_proto(msg))

    def encode(self) -> bytes:
        """The wire-canonical encoding (seed 002 §5; specs/codec.md §1)."""
        return strict.encode_built(self.to_proto())

    @classmethod
    def decode(cls, data: bytes) -> Self:
        """Strictly decode the canonical encoding of a `cls` value (specs/codec.md §2)."""
        plan = _plan(cls)  # checks the class against its proto before reading any bytes
        return typing.cast(Self, plan.from_proto(strict.decode(cls.PROTO, data)))

    @classmethod
    def type_url(cls) -> str:
        """The Any type URL: "/" + the proto's full name (as Cosmos packs messages)."""
        return "/" + cls.PROTO.DESCRIPTOR.full_name

    def to_json(self) -> dict[str, object]:
        """The proto3 JSON mapping with the proto's field names (uint64 as decimal
        strings, bytes as base64, defaults omitted, Any as {"@type": url, ...})."""
        out = json_format.MessageToDict(self.to_proto(), preserving_proto_field_name=True)
        return _plain_json(out)

    @classmethod
    def from_json(cls, obj: dict[str, object]) -> Self:
        """The value whose proto3 JSON mapping is `obj` (unknown keys refused)."""
        msg = cls.PROTO()
        try:
            json_format.ParseDict(obj, msg, ignore_unknown_fields=False)
        except (json_format.ParseError, TypeError, ValueError) as exc:
            raise ErrJsonMapping(f"{cls.__name__}: {exc}") from None
        strict.encode(msg)  # the schema rules (fixed sizes, enums) hold for JSON input too
        return cls.from_proto(msg)


def _plain_json(obj: dict[str, TypingAny]) -> dict[str, object]:
    """Plain dicts all the way down (json_format builds OrderedDicts for Any)."""

    def plain(value: object) -> object:
        if isinstance(value, dict):
            return {str(k): plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return {str(k): plain(v) for k, v in obj.items()}


# --- registry -----------------------------------------------------------------------------

_REGISTRY: dict[str, type[ProtoValue]] = {}


def register(cls: type[ProtoValue]) -> type[ProtoValue]:
    """Register `cls` under its type URL (done automatically when a subclass sets PROTO).

    One class per proto type: a second, different class for the same type URL is a
    TypeError. Re-defining the same class (same module and qualified name, as
    `dataclass(slots=True)` does when it rebuilds the class) replaces the entry.
    """
    url = cls.type_url()
    other = _REGISTRY.get(url)
    if other is not None and other is not cls:
        same = other.__module__ == cls.__module__ and other.__qualname__ == cls.__qualname__
        if not same:
            raise TypeError(
                f"{url}: already bound to {other.__module__}.{other.__qualname__}; "
                f"set REGISTER = False on {cls.__qualname__} to keep it out of the registry"
            )
    _REGISTRY[url] = cls
    return cls


def value_class(type_url: str) -> type[ProtoValue]:
    """The ProtoValue class registered for `type_url`."""
    cls = _REGISTRY.get(type_url)
    if cls is None:
        raise ErrUnknownTypeUrl(repr(type_url))
    return cls


def pack_any(value: ProtoValue) -> any_pb2.Any:
    """An Any carrying `value`: its type URL and its canonical encoding."""
    return any_pb2.Any(type_url=value.type_url(), value=value.encode())


def unpack_any(msg: any_pb2.Any) -> ProtoValue:
    """The value an Any carries, strictly decoded by the class registered for its URL."""
    return value_class(msg.type_url).decode(msg.value)


# --- conversion plans ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Plan:
    descriptor: Descriptor
    to_proto: Callable[[ProtoValue], Message]
    from_proto: Callable[[Message], ProtoValue]


_PLANS: dict[type[ProtoValue], _Plan] = {}

# Per-field converters: value -> what the generated constructor accepts, and back.
_ToProto = Callable[[object], object]
_FromProto = Callable[[Message], object]


def _plan(cls: type[ProtoValue]) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _compile_plan(cls)
        _PLANS[cls] = plan
    return plan


def _compile_plan(cls: type[ProtoValue]) -> _Plan:
    """Check `cls` against its proto (names and kinds) and build its converters.

    The converters are generated source (see _to_proto_source, _from_proto_source) that
    reads every field once and converts only the fields that need it (sub-messages, Any,
    presence, IntEnum, repeated -> tuple).
    """
    if not is_dataclass(cls) or "PROTO" not in dir(cls):
        raise TypeError(f"{cls.__name__}: a ProtoValue must be a dataclass with a PROTO")
    descriptor = strict.descriptor_of(cls.PROTO)
    strict.message_plan(descriptor)  # refuses schemas without a canonical form
    hints = typing.get_type_hints(cls)
    names = tuple(f.name for f in fields(cls))
    proto_names = [f.name for f in descriptor.fields]
    if sorted(names) != sorted(proto_names):
        missing = sorted(set(proto_names) - set(names))
        extra = sorted(set(names) - set(proto_names))
        raise TypeError(
            f"{cls.__name__} vs {descriptor.full_name}: missing {missing}, extra {extra}"
        )
    maps = [_field_map(cls, descriptor.fields_by_name[name], hints[name]) for name in names]
    oneofs = [
        (oneof.name, tuple(f.name for f in oneof.fields))
        for oneof in descriptor.oneofs
        if len(oneof.fields) > 1
    ]
    namespace: dict[str, object] = {
        "cls": cls,
        "proto_cls": cls.PROTO,
        "oneofs": oneofs,
        "ErrFieldValue": ErrFieldValue,
    }
    exec(
        compile(_to_proto_source(names, maps, namespace), f"<to_proto {cls.__name__}>", "exec"),
        namespace,
    )
    exec(
        compile(_from_proto_source(names, maps, namespace), f"<from_proto {cls.__name__}>", "exec"),
        namespace,
    )
    to_proto = typing.cast(Callable[[ProtoValue], Message], namespace["to_proto"])
    from_proto = typing.cast(Callable[[Message], ProtoValue], namespace["from_proto"])
    return _Plan(descriptor, to_proto, from_proto)


def _attr(obj: str, name: str) -> str:
    """Source reading attribute `name` of the variable obj (getattr for keywords)."""
    return f"getattr({obj}, {name!r})" if keyword.iskeyword(name) else f"{obj}.{name}"


def _to_proto_source(
    names: tuple[str, ...], maps: list[_FieldMap], namespace: dict[str, object]
) -> str:
    """Source of `to_proto(value)`: the generated message's keyword arguments, each field
    converted where it needs it (§5.1) and left out when an optional one is None.

    Generated straight-line code (as the strict fast path is) because conversions run on
    every state write; a loop over field plans costs several times the constructor call.
    """
    # Keyword arguments in field order (the runtime reports the first bad one): a dict
    # display up to the first optional field, then one statement per field.
    lines = ["def to_proto(value):", "    kwargs = {"]
    in_display = True
    for name, m in zip(names, maps, strict=True):
        read = _attr("value", name)
        convert = f"to_{name}"
        if m.to_convert is not None:
            namespace[convert] = m.to_convert
        if m.optional:
            if in_display:
                lines.append("    }")
                in_display = False
            lines += [f"    item = {read}", "    if item is not None:"]
            item = f"{convert}(item)" if m.to_convert is not None else "item"
            lines.append(f"        kwargs[{name!r}] = {item}")
            continue
        if m.to_convert is not None:
            read = f"{convert}({read})"
        if in_display:
            lines.append(f"        {name!r}: {read},")
        else:
            lines.append(f"    kwargs[{name!r}] = {read}")
    if in_display:
        lines.append("    }")
    if namespace["oneofs"]:
        lines += [
            "    for oneof, members in oneofs:",
            "        # The runtime would silently keep one of them; a value must set at most one.",
            "        present = [m for m in members if m in kwargs]",
            "        if len(present) > 1:",
            '            raise ErrFieldValue(f"{cls.__name__}: oneof {oneof} has {present}")',
        ]
    lines += [
        "    try:",
        "        return proto_cls(**kwargs)",
        "    except (TypeError, ValueError) as exc:",
        '        raise ErrFieldValue(f"{cls.__name__}: {exc}") from None',
    ]
    return "\n".join(lines) + "\n"


def _from_proto_source(
    names: tuple[str, ...], maps: list[_FieldMap], namespace: dict[str, object]
) -> str:
    """Source of `from_proto(msg)`: the dataclass built from the message's fields, each
    converted where it needs it (§5.1). Fields read through presence (sub-messages,
    optional scalars) are read after the others, so that a message breaking two rules is
    refused for the same one as before the code was generated."""
    lines = ["def from_proto(msg):"]
    later: list[str] = []
    for i, (name, m) in enumerate(zip(names, maps, strict=True)):
        if m.from_msg is not None:
            namespace[f"read_{name}"] = m.from_msg
            later.append(f"    f{i} = read_{name}(msg)")
        elif m.from_value is not None:
            namespace[f"from_{name}"] = m.from_value
            lines.append(f"    f{i} = from_{name}({_attr('msg', name)})")
        else:
            lines.append(f"    f{i} = {_attr('msg', name)}")
    lines += later
    lines.append(f"    return cls({', '.join(f'f{i}' for i in range(len(names)))})")
    return "\n".join(lines) + "\n"


def _identity(value: object) -> object:
    return value


def _to_tuple(items: object) -> object:
    return tuple(typing.cast(Iterable[object], items))


@dataclass(frozen=True, slots=True)
class _FieldMap:
    """How one field converts (§5.1). None means "as read"."""

    to_convert: _ToProto | None  # dataclass value -> constructor argument
    optional: bool  # None in the dataclass = field absent
    from_value: Callable[[object], object] | None  # applied to the attribute read
    from_msg: _FromProto | None  # reads the field itself (presence: HasField)


def _field_map(cls: type[ProtoValue], field: FieldDescriptor, hint: object) -> _FieldMap:
    """The conversions of one field, after checking that the annotation `hint` matches
    the proto field's kind (§5.1); a mismatch is a TypeError."""
    where = f"{cls.__name__}.{field.name}"
    name = field.name
    if field.is_repeated:
        if typing.get_origin(hint) is not tuple:
            raise TypeError(f"{where}: repeated field needs tuple[T, ...], got {hint}")
        args = typing.get_args(hint)
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{where}: repeated field needs tuple[T, ...], got {hint}")
        element_to, element_from = _element_converters(field, args[0], where)
        if element_to is _identity and element_from is _identity:
            return _FieldMap(None, False, _to_tuple, None)

        def repeated_to(items: object) -> object:
            return [element_to(x) for x in typing.cast(tuple[object, ...], items)]

        def repeated_from(items: object) -> object:
            return tuple(map(element_from, typing.cast(tuple[object, ...], items)))

        return _FieldMap(repeated_to, False, repeated_from, None)

    inner, optional = _strip_optional(hint)
    is_message = field.type == _T.TYPE_MESSAGE
    if optional and not field.has_presence:
        raise TypeError(f"{where}: `| None` needs a field with presence (message, optional)")
    element_to, element_from = _element_converters(field, inner, where)
    to_convert = None if element_to is _identity else element_to
    if is_message or optional:

        def present_from(msg: Message) -> object:
            if msg.HasField(name):
                return element_from(getattr(msg, name))
            if optional:
                return None
            raise ErrFieldValue(f"{where}: required sub-message is absent")

        return _FieldMap(to_convert, optional, None, present_from)
    from_value = None if element_from is _identity else element_from
    return _FieldMap(to_convert, False, from_value, None)


def _strip_optional(hint: object) -> tuple[object, bool]:
    """(T, True) for `T | None`, (hint, False) otherwise."""
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(hint)) == 2:
            return args[0], True
        raise TypeError(f"unsupported union annotation {hint}")
    return hint, False


def _element_converters(
    field: FieldDescriptor, hint: object, where: str
) -> tuple[_ToProto, Callable[[object], object]]:
    """Converters for one element of the field (the whole value, when not repeated)."""
    if field.type == _T.TYPE_MESSAGE:
        if not (isinstance(hint, type) and issubclass(hint, ProtoValue)):
            raise TypeError(f"{where}: message field needs a ProtoValue class, got {hint}")
        sub = hint
        message_type = field.message_type
        assert message_type is not None  # a message field always has its message type
        if message_type.full_name == ANY_FULL_NAME:
            return _any_converters(sub, where)
        if "PROTO" not in dir(sub) or sub.PROTO.DESCRIPTOR.full_name != message_type.full_name:
            raise TypeError(f"{where}: {sub.__name__} is not bound to {message_type.full_name}")

        def message_to(value: object) -> object:
            if not isinstance(value, sub):
                raise ErrFieldValue(f"{where}: expected {sub.__name__}, got {type(value).__name__}")
            return value.to_proto()

        def message_from(msg: object) -> object:
            # The schema fixes the sub-message's type (checked above), so the conversion
            # plan is applied without from_proto's type check.
            return _plan(sub).from_proto(typing.cast(Message, msg))

        return message_to, message_from
    if field.type == _T.TYPE_ENUM:
        if hint is int:
            return _identity, _identity
        if isinstance(hint, type) and issubclass(hint, IntEnum):
            enum_cls: type[Enum] = hint

            def enum_from(number: object) -> object:
                try:
                    return enum_cls(number)
                except ValueError:
                    raise ErrFieldValue(f"{where}: {number} is not a {enum_cls.__name__}") from None

            return _identity, enum_from
        raise TypeError(f"{where}: enum field needs int or an IntEnum, got {hint}")
    expected = _PY_SCALAR[field.type]
    if hint is not expected:
        raise TypeError(f"{where}: {_type_name(field)} field needs {expected.__name__}, got {hint}")
    return _identity, _identity


def _any_converters(
    sub: type[ProtoValue], where: str
) -> tuple[_ToProto, Callable[[object], object]]:
    def any_to(value: object) -> object:
        if not isinstance(value, sub):
            raise ErrFieldValue(f"{where}: expected {sub.__name__}, got {type(value).__name__}")
        return pack_any(value)

    def any_from(msg: object) -> object:
        value = unpack_any(typing.cast(any_pb2.Any, msg))
        if not isinstance(value, sub):
            raise ErrFieldValue(f"{where}: Any holds {type(value).__name__}, want {sub.__name__}")
        return value

    return any_to, any_from


def _type_name(field: FieldDescriptor) -> str:
    for attr in dir(FieldDescriptor):
        if attr.startswith("TYPE_") and getattr(FieldDescriptor, attr) == field.type:
            return attr[5:].lower()
    return str(field.type)
