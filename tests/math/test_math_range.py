"""specs/math.md §4: the v1.4 range |raw| <= 2^256 * 10^18 - 1, exactly at the edge.

Expected values: Go's TestDecOpsWithinLimits, TestDecCeilLimits, TestTruncateIntLimits,
TestRoundIntLimits and TestCeilOverflow (cosmossdk.io/math v1.4.0 math/dec_test.go) and
derivations written below.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dait_chain.math import MAX_ABS_RAW, SDK_INT_MAX, LegacyDec
from dait_chain.math.errors import ErrDecOutOfRange, ErrIntOutOfRange

P = 10**18
# Go's maxValidDecNumber: "2^256 * 10^18 -1".
MAX_VALID = (
    115792089237316195423570985008687907853269984665640564039457584007913129639935999999999999999999
)
MAX_STR = (
    "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    ".999999999999999999"
)
ONE = LegacyDec.one()
ZERO = LegacyDec.zero()
ULP = LegacyDec.smallest()


def test_the_bound_is_two_to_the_256_times_ten_to_the_18_minus_one() -> None:
    assert MAX_ABS_RAW == MAX_VALID == 2**256 * 10**18 - 1
    assert str(LegacyDec.from_raw(MAX_VALID)) == MAX_STR


def test_max_and_min_are_valid_and_one_ulp_beyond_is_not() -> None:
    """IsInValidRange: max and -max are in range; max + 1 and -max - 1 are not."""
    assert LegacyDec.from_raw(MAX_VALID).raw == MAX_VALID
    assert LegacyDec.from_raw(-MAX_VALID).raw == -MAX_VALID
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_raw(MAX_VALID + 1)
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_raw(-MAX_VALID - 1)


def test_the_range_is_an_absolute_bound_not_a_bit_length() -> None:
    """v1.3 and earlier refused raws of more than 315 bits; v1.4 compares with the bound.
    2^315 has 316 bits and is below 2^256 * 10^18 ~= 2^315.8, so v1.4 accepts it."""
    assert (2**315).bit_length() == 316
    assert MAX_VALID > 2**315
    assert MAX_VALID.bit_length() == 316
    assert LegacyDec.from_raw(2**315).raw == 2**315


def test_from_str_accepts_the_largest_value_and_refuses_one_ulp_more() -> None:
    """TestCeilOverflow's string parses; one ulp more is 2^256 exactly: out of range."""
    assert LegacyDec.from_str(MAX_STR).raw == MAX_VALID
    assert LegacyDec.from_str("-" + MAX_STR).raw == -MAX_VALID
    beyond = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_str(beyond)
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_str("-" + beyond)
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_str("9" * 5000)


IDENTITY_OPS: dict[str, Callable[[LegacyDec], LegacyDec]] = {
    "add": lambda d: d.add(ZERO),
    "sub": lambda d: d.sub(ZERO),
    "mul": lambda d: d.mul(ONE),
    "mul_truncate": lambda d: d.mul_truncate(ONE),
    "mul_round_up": lambda d: d.mul_round_up(ONE),
    "mul_int": lambda d: d.mul_int(1),
    "mul_int64": lambda d: d.mul_int64(1),
    "quo": lambda d: d.quo(ONE),
    "quo_truncate": lambda d: d.quo_truncate(ONE),
    "quo_round_up": lambda d: d.quo_round_up(ONE),
}
EDGE_VALUES = {
    "max": MAX_VALID,
    "min": -MAX_VALID,
    "max Int": SDK_INT_MAX * P,
    "min Int": -SDK_INT_MAX * P,
}


@pytest.mark.parametrize("op_name", sorted(IDENTITY_OPS))
@pytest.mark.parametrize("edge", sorted(EDGE_VALUES))
def test_identity_ops_keep_edge_values(op_name: str, edge: str) -> None:
    """TestDecOpsWithinLimits: every op with its identity returns the edge value unchanged;
    the check is on the rounded result, so the unbounded intermediate (max * 10^36 in Quo)
    does not trip it."""
    value = LegacyDec.from_raw(EDGE_VALUES[edge])
    assert str(IDENTITY_OPS[op_name](value)) == str(value)


def test_one_ulp_past_the_edge_is_refused_by_add_and_sub() -> None:
    top = LegacyDec.from_raw(MAX_VALID)
    with pytest.raises(ErrDecOutOfRange):
        top.add(ULP)
    with pytest.raises(ErrDecOutOfRange):
        top.neg().sub(ULP)
    with pytest.raises(ErrDecOutOfRange):
        top.sub(top.neg())
    assert top.sub(ULP).raw == MAX_VALID - 1


def test_the_check_applies_after_rounding() -> None:
    """Derivation: with b = 1.000000000000000001 (raw 10^18 + 1) and a = ceil(max * 10^18 / b),
    a*b = max * 10^18 + r with 10^18/2 < r < 10^18. Truncating chops to max (in range);
    half-even and round-up chop to max + 1 (out of range)."""
    b = P + 1
    a = -(-MAX_VALID * P // b)
    r = a * b - MAX_VALID * P
    assert P // 2 < r < P and a <= MAX_VALID
    da, db = LegacyDec.from_raw(a), LegacyDec.from_raw(b)
    assert da.mul_truncate(db).raw == MAX_VALID
    with pytest.raises(ErrDecOutOfRange):
        da.mul(db)
    with pytest.raises(ErrDecOutOfRange):
        da.mul_round_up(db)


def test_quotients_and_products_beyond_the_edge_are_refused() -> None:
    top = LegacyDec.from_raw(MAX_VALID)
    half = LegacyDec.from_str("0.5")
    two = LegacyDec.from_int(2)
    for quotient in (top.quo, top.quo_truncate, top.quo_round_up):
        with pytest.raises(ErrDecOutOfRange):
            quotient(half)
    for product in (top.mul, top.mul_truncate, top.mul_round_up):
        with pytest.raises(ErrDecOutOfRange):
            product(two)
    with pytest.raises(ErrDecOutOfRange):
        top.mul_int64(2)
    with pytest.raises(ErrDecOutOfRange):
        top.mul_int(-2)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (MAX_VALID - P, f"{SDK_INT_MAX}.000000000000000000"),
        (-MAX_VALID, f"-{SDK_INT_MAX}.000000000000000000"),
    ],
)
def test_ceil_at_the_edge(raw: int, expected: str) -> None:
    """TestDecCeilLimits: "max - 1e18" and "min" have a representable ceiling."""
    assert str(LegacyDec.from_raw(raw).ceil()) == expected


def test_ceil_of_the_largest_value_is_out_of_range() -> None:
    """TestDecCeilLimits "max" / TestCeilOverflow: ceil(2^256 - 1e-18) = 2^256."""
    with pytest.raises(ErrDecOutOfRange):
        LegacyDec.from_raw(MAX_VALID).ceil()


def test_truncate_int_at_the_edge() -> None:
    """TestTruncateIntLimits: max -> 2^256 - 1, min -> -(2^256 - 1)."""
    assert LegacyDec.from_raw(MAX_VALID).truncate_int() == SDK_INT_MAX
    assert LegacyDec.from_raw(-MAX_VALID).truncate_int() == -SDK_INT_MAX


def test_round_int_at_the_edge() -> None:
    """TestRoundIntLimits: max - 1e18 -> 2^256 - 1; max rounds to 2^256, which is not a
    math.Int (257 bits); likewise for min."""
    assert LegacyDec.from_raw(MAX_VALID - P).round_int() == SDK_INT_MAX
    assert LegacyDec.from_raw(-MAX_VALID + P).round_int() == -SDK_INT_MAX
    with pytest.raises(ErrIntOutOfRange):
        LegacyDec.from_raw(MAX_VALID).round_int()
    with pytest.raises(ErrIntOutOfRange):
        LegacyDec.from_raw(-MAX_VALID).round_int()


def test_from_int_accepts_exactly_the_math_int_range() -> None:
    """LegacyNewDecFromInt takes a math.Int (|i| <= 2^256 - 1); that maps into the range."""
    assert LegacyDec.from_int(SDK_INT_MAX).raw == SDK_INT_MAX * P
    assert LegacyDec.from_int(-SDK_INT_MAX).raw == -SDK_INT_MAX * P
    with pytest.raises(ErrIntOutOfRange):
        LegacyDec.from_int(SDK_INT_MAX + 1)
    with pytest.raises(ErrIntOutOfRange):
        LegacyDec.from_int_with_prec(-(SDK_INT_MAX + 1), 18)
