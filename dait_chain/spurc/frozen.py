"""Construction of the protocol's frozen, slotted dataclasses at half the cost.

The __init__ that `dataclass(frozen=True)` generates stores each field with
`object.__setattr__(self, name, value)`, to get past the __setattr__ that refuses
assignment: a generic attribute lookup and an argument tuple per field, about as much
work as all the rest of a small value's life. For a class with `slots=True` every field
is a slot, whose descriptor can store the value directly. `slot_init` gives such a class
an __init__ with the same parameters (names, order, defaults) that does exactly that.

Nothing else changes: the class is still the frozen dataclass it was (assignment after
construction raises FrozenInstanceError; fields, equality, hashing, repr, replace are
dataclasses' own). Every Receipt and ChannelState that verify_receipt decodes is built
through its class's __init__, so the strict codec's decoding profits too
(specs/spurc.md "Performance").
"""

from __future__ import annotations

import dataclasses
import types
from typing import TypeVar

_T = TypeVar("_T")


def slot_init(cls: type[_T]) -> type[_T]:
    """Replace the dataclass-generated __init__ of the frozen, slotted dataclass `cls`.

    Only for classes whose every field is a plain __init__ parameter (no default factory,
    no keyword-only or init=False field) and without __post_init__: the generated
    __init__ would do more than store the arguments. Anything else is a TypeError.
    """
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: slot_init needs a frozen, slotted dataclass")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__qualname__}: slot_init cannot run __post_init__")
    namespace: dict[str, object] = {}
    args: list[str] = []
    body: list[str] = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not f.init or f.kw_only or f.default_factory is not dataclasses.MISSING:
            raise TypeError(f"{cls.__qualname__}.{f.name}: not a plain positional field")
        if f.default is dataclasses.MISSING:
            args.append(f.name)
        else:
            namespace[f"_default_{f.name}"] = f.default
            args.append(f"{f.name}=_default_{f.name}")
        # The slot's member descriptor, whose __set__ stores into the instance directly.
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        body.append(f"    _set_{f.name}(self, {f.name})")
    source = f"def __init__(self, {', '.join(args)}):\n" + ("\n".join(body) or "    pass") + "\n"
    exec(compile(source, f"<slot_init {cls.__qualname__}>", "exec"), namespace)
    init = namespace["__init__"]
    assert isinstance(init, types.FunctionType)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
