"""specs/math.md §3-§5: LegacyDec against an independent rational model (math_model.py).

Each property compares one operation with the exact rational result rounded the way Go
rounds it, or, when that rounded result leaves the v1.4 range, with ErrDecOutOfRange.
"""

from __future__ import annotations

import decimal
from collections.abc import Callable
from fractions import Fraction

import math_model as model
import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from dait_chain.math import INT64_MAX, INT64_MIN, LegacyDec
from dait_chain.math.errors import ErrDecOutOfRange, ErrDivisionByZero, ErrIntOutOfRange

MAX = model.MAX_ABS_RAW

# Raw values: small ones (where rounding is visible), "human" ones with few decimals,
# and ones anywhere up to the range limit (where overflow is visible).
small_raw = st.integers(min_value=-(10**24), max_value=10**24)
few_decimals_raw = st.builds(
    lambda whole, frac, places: (whole * 10**places + frac) * 10 ** (18 - places),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=999),
    st.integers(min_value=3, max_value=18),
)
any_raw = st.integers(min_value=-MAX, max_value=MAX)
edge_raw = st.sampled_from([0, 1, -1, 10**18, -(10**18), 5 * 10**17, MAX, -MAX, MAX - 10**18])
raws = st.one_of(small_raw, few_decimals_raw, any_raw, edge_raw)
decs = raws.map(LegacyDec.from_raw)
int64s = st.integers(min_value=INT64_MIN, max_value=INT64_MAX)


def check_against_model(op: Callable[[], LegacyDec], expected_raw: int) -> None:
    """The operation returns the model's value, or refuses exactly when the model's value
    is out of range."""
    if model.in_range(expected_raw):
        assert op().raw == expected_raw
    else:
        with pytest.raises(ErrDecOutOfRange):
            op()


@given(decs, decs)
def test_add_is_exact_and_range_checked(a: LegacyDec, b: LegacyDec) -> None:
    """add(a, b) = a + b exactly, or ErrDecOutOfRange when |a + b| exceeds the bound."""
    check_against_model(lambda: a.add(b), a.raw + b.raw)


@given(decs, decs)
def test_sub_is_exact_and_range_checked(a: LegacyDec, b: LegacyDec) -> None:
    """sub(a, b) = a - b exactly, or ErrDecOutOfRange when |a - b| exceeds the bound."""
    check_against_model(lambda: a.sub(b), a.raw - b.raw)


@given(decs, decs)
@example(LegacyDec.from_str("0.5"), LegacyDec.from_raw(3))
@example(LegacyDec.from_str("-0.5"), LegacyDec.from_raw(5))
def test_mul_rounds_half_to_even(a: LegacyDec, b: LegacyDec) -> None:
    """mul = round-half-even(a*b) at 18 places; overflow judged on the rounded result."""
    check_against_model(lambda: a.mul(b), model.mul(a.raw, b.raw))


@given(decs, decs)
def test_mul_truncate_truncates_toward_zero(a: LegacyDec, b: LegacyDec) -> None:
    """mul_truncate = trunc(a*b) at 18 places (toward zero for both signs)."""
    check_against_model(lambda: a.mul_truncate(b), model.mul_truncate(a.raw, b.raw))


@given(decs, decs)
def test_mul_round_up_rounds_toward_plus_infinity(a: LegacyDec, b: LegacyDec) -> None:
    """mul_round_up = ceil(a*b) at 18 places."""
    check_against_model(lambda: a.mul_round_up(b), model.mul_round_up(a.raw, b.raw))


@given(decs, decs)
@example(LegacyDec.from_raw(1), LegacyDec.from_str("1.999999999999999999"))
def test_quo_truncates_then_rounds_half_to_even(a: LegacyDec, b: LegacyDec) -> None:
    """quo = half-even(trunc(a*10^36/b) / 10^18); division by zero is ErrDivisionByZero."""
    if b.raw == 0:
        with pytest.raises(ErrDivisionByZero):
            a.quo(b)
        return
    check_against_model(lambda: a.quo(b), model.quo(a.raw, b.raw))


@given(decs, decs)
def test_quo_is_within_one_ulp_of_the_exact_quotient(a: LegacyDec, b: LegacyDec) -> None:
    """The double rounding of quo never moves it more than one ulp from the exact value."""
    assume(b.raw != 0)
    expected = model.quo(a.raw, b.raw)
    assume(model.in_range(expected))
    assert abs(Fraction(a.quo(b).raw) - Fraction(a.raw * model.SCALE, b.raw)) <= 1


@given(decs, decs)
def test_quo_truncate_truncates_toward_zero(a: LegacyDec, b: LegacyDec) -> None:
    """quo_truncate = trunc(a*10^18/b) in raw units (toward zero, not floor)."""
    assume(b.raw != 0)
    check_against_model(lambda: a.quo_truncate(b), model.quo_truncate(a.raw, b.raw))


@given(decs, decs)
@example(LegacyDec.from_int(1), LegacyDec.from_int(-3))
@example(LegacyDec.from_int(-1), LegacyDec.from_int(3))
@example(LegacyDec.from_raw(-1), LegacyDec.from_int(10))
def test_quo_round_up_follows_go_v1_4_rule(a: LegacyDec, b: LegacyDec) -> None:
    """quo_round_up = ceil(a*10^18/b), except that an inexact negative quotient of at least
    one ulp gets one ulp more (Go v1.4's QuoRoundupMut, derived in math_model)."""
    assume(b.raw != 0)
    check_against_model(lambda: a.quo_round_up(b), model.quo_round_up(a.raw, b.raw))


@given(decs, int64s)
def test_mul_int64_is_exact_and_range_checked(a: LegacyDec, i: int) -> None:
    """mul_int64(a, i) = a * i exactly, or ErrDecOutOfRange."""
    check_against_model(lambda: a.mul_int64(i), a.raw * i)


@given(decs, int64s)
def test_quo_int64_truncates_toward_zero(a: LegacyDec, i: int) -> None:
    """quo_int64(a, i) = trunc(raw / i); i = 0 is ErrDivisionByZero."""
    if i == 0:
        with pytest.raises(ErrDivisionByZero):
            a.quo_int64(i)
        return
    assert a.quo_int64(i).raw == model.quo_int(a.raw, i)
    assert a.quo_int(i).raw == model.quo_int(a.raw, i)


@given(decs)
def test_round_int_is_half_even_within_sdk_int(a: LegacyDec) -> None:
    """round_int = half-even(a), or ErrIntOutOfRange past 2^256 - 1 in magnitude."""
    expected = model.round_int(a.raw)
    if abs(expected) <= model.SDK_INT_MAX:
        assert a.round_int() == expected
    else:
        with pytest.raises(ErrIntOutOfRange):
            a.round_int()


@given(decs)
def test_truncate_int_truncates_toward_zero(a: LegacyDec) -> None:
    """truncate_int = trunc(a) (always within math.Int, since |a| < 2^256)."""
    assert a.truncate_int() == model.truncate_int(a.raw)
    assert a.truncate_dec().raw == model.truncate_int(a.raw) * model.SCALE


@given(decs)
def test_ceil_is_the_ceiling_and_range_checked(a: LegacyDec) -> None:
    """ceil = the smallest whole number >= a, or ErrDecOutOfRange when that is 2^256."""
    check_against_model(a.ceil, model.ceil_raw(a.raw))


def reference_format(raw: int) -> str:
    """Go's String() written with the decimal module: 18 fixed places, "-" for negatives."""
    context = decimal.Context(prec=200)
    value = context.divide(decimal.Decimal(raw), decimal.Decimal(10) ** 18)
    text = format(value.quantize(decimal.Decimal("1e-18"), context=context), "f")
    return text


@given(decs)
def test_str_is_eighteen_fixed_places_and_round_trips(a: LegacyDec) -> None:
    """str(a) has exactly 18 decimals (as Go's String), and from_str(str(a)) == a."""
    text = str(a)
    assert text == reference_format(a.raw)
    assert len(text.split(".")[1]) == 18
    assert LegacyDec.from_str(text) == a


@given(
    st.booleans(),
    st.text(alphabet="0123456789", min_size=1, max_size=40),
    st.text(alphabet="0123456789", min_size=0, max_size=18),
)
def test_from_str_reads_the_exact_decimal(negative: bool, whole: str, frac: str) -> None:
    """from_str of "[-]digits[.digits]" (<= 18 places) is the exact value * 10^18, the value
    read independently by fractions.Fraction."""
    text = ("-" if negative else "") + whole + ("." + frac if frac else "")
    expected = Fraction(text) * model.SCALE
    assert expected.denominator == 1
    assert LegacyDec.from_str(text).raw == expected.numerator
