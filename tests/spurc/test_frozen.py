"""slot_init: the same construction as the dataclass-generated __init__, frozen after
(specs/spurc.md "Performance")."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import FrozenInstanceError, dataclass, field

import pytest

from dait_chain.spurc import attestation, headers, values, verify
from dait_chain.spurc.frozen import slot_init

# Every class of the protocol built with slot_init.
SLOT_INIT_CLASSES = (
    values.Receipt,
    values.ChannelState,
    headers.HeaderMap,
    headers.ResponseHeaders,
    attestation.Quote,
    attestation.SimAttestationKeyCert,
    attestation.SimQuoteBody,
    attestation.AttestedReport,
    verify.Framed,
)


@dataclass(frozen=True, slots=True)
class _Plain:
    a: int
    b: str
    c: bytes = b"c"
    d: tuple[int, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class _Fast:
    a: int
    b: str
    c: bytes = b"c"
    d: tuple[int, ...] = ()


def _fields(value: object) -> tuple[object, ...]:
    return tuple(getattr(value, f.name) for f in dataclasses.fields(value))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1, "x"), {}),
        ((1, "x", b"y"), {}),
        ((1,), {"b": "x", "d": (2, 3)}),
        ((), {"d": (4,), "c": b"", "b": "z", "a": 0}),
    ],
)
def test_slot_init_stores_what_the_dataclass_init_stores(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    assert _fields(_Fast(*args, **kwargs)) == _fields(_Plain(*args, **kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), ((1,), {}), ((1, "x", b"", (), 5), {}), ((1, "x"), {"e": 1}), ((1, "x"), {"a": 2})],
)
def test_slot_init_refuses_the_calls_the_dataclass_init_refuses(
    args: tuple[object, ...], kwargs: dict[str, object]
) -> None:
    with pytest.raises(TypeError):
        _Plain(*args, **kwargs)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _Fast(*args, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("cls", [_Fast, *SLOT_INIT_CLASSES])
def test_a_slot_init_class_keeps_the_dataclass_signature_and_stays_frozen(cls: type) -> None:
    params = list(inspect.signature(cls).parameters.values())
    fields = dataclasses.fields(cls)
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        want = inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default
        assert p.default == want and p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_a_slot_init_value_cannot_be_assigned_after_construction() -> None:
    value = _Fast(1, "x")
    with pytest.raises(FrozenInstanceError):
        value.a = 2  # type: ignore[misc]
    receipt = values.Receipt(b"\x00" * 32, 1, b"", b"", b"", 0, 0, 0, b"", b"", 0)
    with pytest.raises(FrozenInstanceError):
        receipt.call_seq = 2  # type: ignore[misc]
    assert dataclasses.replace(receipt, call_seq=2).call_seq == 2


def test_slot_init_refuses_classes_whose_init_does_more_than_store() -> None:
    @dataclass(frozen=True, slots=True)
    class WithFactory:
        a: list[int] = field(default_factory=list)

    @dataclass(frozen=True, slots=True)
    class WithPostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class WithoutSlots:
        a: int

    @dataclass(slots=True)
    class NotFrozen:
        a: int

    for cls in (WithFactory, WithPostInit, WithoutSlots, NotFrozen):
        with pytest.raises(TypeError):
            slot_init(cls)
