"""specs/math.md §7: bounded integers (uint64, int64, cosmossdk.io/math Int)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.math import (
    INT64_MAX,
    INT64_MIN,
    SDK_INT_MAX,
    UINT64_MAX,
    add_uint64,
    check_int64,
    check_sdk_int,
    check_uint64,
    mul_uint64,
    sub_uint64,
)
from dait_chain.math.errors import (
    ErrInt64OutOfRange,
    ErrIntOutOfRange,
    ErrUint64OutOfRange,
    ErrUint64Overflow,
    ErrUint64Underflow,
)

uint64s = st.integers(min_value=0, max_value=UINT64_MAX)
near_top = st.integers(min_value=UINT64_MAX - 2**20, max_value=UINT64_MAX)
operands = st.one_of(uint64s, near_top, st.integers(min_value=0, max_value=2**33))


def test_bounds_are_the_go_type_bounds() -> None:
    assert UINT64_MAX == 18446744073709551615
    assert (INT64_MIN, INT64_MAX) == (-9223372036854775808, 9223372036854775807)
    assert SDK_INT_MAX == 2**256 - 1 and SDK_INT_MAX.bit_length() == 256


def test_check_uint64_accepts_exactly_zero_to_max() -> None:
    assert check_uint64(0, "x") == 0
    assert check_uint64(UINT64_MAX, "x") == UINT64_MAX
    for bad in (-1, UINT64_MAX + 1):
        with pytest.raises(ErrUint64OutOfRange):
            check_uint64(bad, "amount")


def test_check_int64_accepts_exactly_the_int64_range() -> None:
    assert check_int64(INT64_MIN, "x") == INT64_MIN
    assert check_int64(INT64_MAX, "x") == INT64_MAX
    for bad in (INT64_MIN - 1, INT64_MAX + 1):
        with pytest.raises(ErrInt64OutOfRange):
            check_int64(bad, "x")


def test_check_sdk_int_is_bit_length_at_most_256_for_both_signs() -> None:
    """int.go: overflow is BitLen() > 256 on the magnitude, so the range is symmetric."""
    assert check_sdk_int(SDK_INT_MAX, "x") == SDK_INT_MAX
    assert check_sdk_int(-SDK_INT_MAX, "x") == -SDK_INT_MAX
    for bad in (2**256, -(2**256)):
        with pytest.raises(ErrIntOutOfRange):
            check_sdk_int(bad, "x")


def test_uint64_arithmetic_edges() -> None:
    assert add_uint64(UINT64_MAX - 1, 1) == UINT64_MAX
    with pytest.raises(ErrUint64Overflow):
        add_uint64(UINT64_MAX, 1)
    assert sub_uint64(5, 5) == 0
    with pytest.raises(ErrUint64Underflow):
        sub_uint64(5, 6)
    assert mul_uint64(2**32, 2**32 - 1) == UINT64_MAX - 2**32 + 1
    with pytest.raises(ErrUint64Overflow):
        mul_uint64(2**32, 2**32)
    with pytest.raises(ErrUint64OutOfRange):
        add_uint64(-1, 1)
    with pytest.raises(ErrUint64OutOfRange):
        mul_uint64(1, UINT64_MAX + 1)


@given(operands, operands)
def test_add_uint64_is_the_sum_or_overflow(a: int, b: int) -> None:
    """add_uint64(a, b) == a + b when that is <= 2^64 - 1, else ErrUint64Overflow."""
    if a + b <= UINT64_MAX:
        assert add_uint64(a, b) == a + b
    else:
        with pytest.raises(ErrUint64Overflow):
            add_uint64(a, b)


@given(operands, operands)
def test_sub_uint64_is_the_difference_or_underflow(a: int, b: int) -> None:
    """sub_uint64(a, b) == a - b when b <= a, else ErrUint64Underflow."""
    if b <= a:
        assert sub_uint64(a, b) == a - b
    else:
        with pytest.raises(ErrUint64Underflow):
            sub_uint64(a, b)


@given(operands, operands)
def test_mul_uint64_is_the_product_or_overflow(a: int, b: int) -> None:
    """mul_uint64(a, b) == a * b when that is <= 2^64 - 1, else ErrUint64Overflow."""
    if a * b <= UINT64_MAX:
        assert mul_uint64(a, b) == a * b
    else:
        with pytest.raises(ErrUint64Overflow):
            mul_uint64(a, b)
