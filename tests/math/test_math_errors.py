"""specs/math.md §8: every registered `math` error, each triggered by exactly its cause."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import dait_chain.math.errors as math_errors
from dait_chain.errors import DaitError, error_class, registered_errors
from dait_chain.math import LegacyDec, add_uint64, check_sdk_int, check_uint64, sub_uint64
from dait_chain.math.errors import (
    ErrApproxRootOutOfBounds,
    ErrDecOutOfRange,
    ErrDivisionByZero,
    ErrEmptyDecimalStr,
    ErrInt64OutOfRange,
    ErrIntOutOfRange,
    ErrInvalidDecimalDigits,
    ErrInvalidDecimalLength,
    ErrInvalidDecimalStr,
    ErrNegativePrecision,
    ErrPrecisionTooLarge,
    ErrTooManyDecimalPlaces,
    ErrUint64OutOfRange,
    ErrUint64Overflow,
    ErrUint64Underflow,
    MathError,
)

MAX = 2**256 * 10**18 - 1

# One minimal trigger per error: the input breaks exactly that rule and no earlier one.
TRIGGERS: dict[type[MathError], Callable[[], object]] = {
    ErrEmptyDecimalStr: lambda: LegacyDec.from_str("-"),
    ErrInvalidDecimalLength: lambda: LegacyDec.from_str("5."),
    ErrInvalidDecimalStr: lambda: LegacyDec.from_str("1.2.3"),
    ErrTooManyDecimalPlaces: lambda: LegacyDec.from_str("0." + "1" * 19),
    ErrInvalidDecimalDigits: lambda: LegacyDec.from_str("1e3"),
    ErrDecOutOfRange: lambda: LegacyDec.from_raw(MAX).add(LegacyDec.smallest()),
    ErrDivisionByZero: lambda: LegacyDec.one().quo(LegacyDec.zero()),
    ErrNegativePrecision: lambda: LegacyDec.from_int_with_prec(10, -1),
    ErrPrecisionTooLarge: lambda: LegacyDec.from_int_with_prec(10, 19),
    ErrApproxRootOutOfBounds: lambda: LegacyDec.from_raw(MAX).approx_root(3),
    ErrIntOutOfRange: lambda: check_sdk_int(2**256, "x"),
    ErrUint64OutOfRange: lambda: check_uint64(-1, "x"),
    ErrUint64Overflow: lambda: add_uint64(2**64 - 1, 1),
    ErrUint64Underflow: lambda: sub_uint64(0, 1),
    ErrInt64OutOfRange: lambda: LegacyDec.one().mul_int64(2**63),
}


def math_error_classes() -> list[type[MathError]]:
    return sorted(
        (
            obj
            for obj in vars(math_errors).values()
            if isinstance(obj, type) and issubclass(obj, MathError) and obj.code
        ),
        key=lambda cls: cls.code,
    )


@pytest.mark.parametrize("error", math_error_classes(), ids=lambda cls: cls.__name__)
def test_each_math_error_is_raised_by_its_trigger_and_only_it(
    error: type[MathError],
) -> None:
    trigger = TRIGGERS[error]
    with pytest.raises(DaitError) as info:
        trigger()
    assert type(info.value) is error
    assert info.value.codespace == "math"
    assert info.value.log.endswith(error.description)


def test_every_math_error_has_a_trigger() -> None:
    assert set(TRIGGERS) == set(math_error_classes())


def test_math_codes_are_registered_two_through_sixteen() -> None:
    """Codes are published: 2..16 in the math codespace, each resolvable by identity."""
    infos = [info for info in registered_errors() if info.codespace == "math"]
    assert [info.code for info in infos] == list(range(2, 17))
    for cls in math_error_classes():
        assert error_class("math", cls.code) is cls


def test_math_error_family_cannot_be_raised() -> None:
    with pytest.raises(TypeError):
        MathError("family")
