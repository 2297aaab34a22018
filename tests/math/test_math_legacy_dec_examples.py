"""specs/math.md §3, §5, §6: LegacyDec worked examples.

Two kinds of expected values:
* Go's own published expectations, copied as data from cosmossdk.io/math v1.4.0
  math/dec_test.go (TestNewDecFromStr, TestDecString, TestEqualities, TestArithmetic,
  TestMulRoundUp_RoundingAtPrecisionEnd, TestBankerRoundChop, TestTruncate,
  TestStringOverflow, TestDecMulInt, TestDecCeil, TestQuoMut, TestOperationOrders and,
  from later main, TestRoundAndTruncate). The test names below say which.
* Derivations by hand from Go's documented rules, written next to the assertion.
"""

from __future__ import annotations

import pytest

from dait_chain.math import LegacyDec, max_dec, min_dec
from dait_chain.math.errors import (
    ErrDecOutOfRange,
    ErrDivisionByZero,
    ErrEmptyDecimalStr,
    ErrInvalidDecimalDigits,
    ErrInvalidDecimalLength,
    ErrInvalidDecimalStr,
    ErrTooManyDecimalPlaces,
    MathError,
)

D = LegacyDec.from_str
N = LegacyDec.from_int
WP = LegacyDec.from_int_with_prec

# --- LegacyNewDecFromStr (TestNewDecFromStr) -------------------------------------------

# (input, expected raw); every case is also run with a leading "-" for -expected.
FROM_STR_VALID = [
    ("0", 0),
    ("1", 10**18),
    ("1.1", 11 * 10**17),
    ("0.75", 75 * 10**16),
    ("0.8", 8 * 10**17),
    ("0.11111", 11111 * 10**13),
    ("314460551102969314427823434337.1835", 3144605511029693144278234343371835 * 10**14),
    (
        "8888888888888888888888888888888888888888888888888888888888888888888844444440",
        8888888888888888888888888888888888888888888888888888888888888888888844444440 * 10**18,
    ),
    (
        "33499189745056880149688856635597007162669032647290798121690100488888732861290"
        ".034376435130433535",
        33499189745056880149688856635597007162669032647290798121690100488888732861290034376435130433535,
    ),
]

# (input, error class): the class follows the first check in LegacyNewDecFromStr to fail.
FROM_STR_INVALID = [
    ("", ErrEmptyDecimalStr),
    ("0.-75", ErrInvalidDecimalDigits),  # "0-75" + zeros is not base-10 digits
    ("314460551102969.3144278234343371835", ErrTooManyDecimalPlaces),  # 19 places
    ("314460551102969314427823434337.1835718092488231350", ErrTooManyDecimalPlaces),
    (".", ErrInvalidDecimalLength),  # empty fraction
    (".0", ErrInvalidDecimalLength),  # empty integer part
    ("1.", ErrInvalidDecimalLength),
    ("foobar", ErrInvalidDecimalDigits),
    ("0.foobar", ErrInvalidDecimalDigits),
    ("0.foobar.", ErrInvalidDecimalStr),  # three parts
    (
        "133499189745056880149688856635597007162669032647290798121690100488888732861291",
        ErrDecOutOfRange,
    ),
    (
        "115792089237316195423570985008687907853269984665640564039457584007913129639936",
        ErrDecOutOfRange,
    ),  # 2^256
]


@pytest.mark.parametrize(("text", "raw"), FROM_STR_VALID)
def test_from_str_parses_go_valid_inputs(text: str, raw: int) -> None:
    assert D(text).raw == raw
    assert D("-" + text).raw == -raw


@pytest.mark.parametrize(("text", "error"), FROM_STR_INVALID)
def test_from_str_rejects_go_invalid_inputs_with_the_failing_check(
    text: str, error: type[MathError]
) -> None:
    with pytest.raises(error):
        D(text)
    # Go's test also rejects every case with a "-" prefix; "-" + "" is the empty case.
    with pytest.raises(error):
        D("-" + text)


def test_from_str_accepts_what_go_big_int_set_string_accepts() -> None:
    """Derivation: LegacyNewDecFromStr strips one '-', splits on '.', pads with zeros and
    hands the digits to big.Int.SetString(s, 10), which takes one optional '+' or '-'.
    So "+1.5" -> "+15" + 17 zeros = 1.5; "--5" -> "-5" + 18 zeros, negated = 5;
    "+" -> "+" + 18 zeros = 0; "+.5" -> "+5" + 17 zeros = 0.5 (the integer part "+" is
    not empty); leading zeros are digits like any other."""
    assert D("+1.5") == WP(15, 1)
    assert D("--5") == N(5)
    assert D("+") == LegacyDec.zero()
    assert D("--") == LegacyDec.zero()
    assert D("+.5") == WP(5, 1)
    assert D("-+2") == N(-2)
    assert D("0" * 200 + "7") == N(7)


def test_from_str_rejects_what_set_string_rejects() -> None:
    """SetString(s, 10): no spaces, no underscores, no second sign, ASCII digits only."""
    for text in [" 1", "1 ", "1_000", "+-1", "1.+5", "١", "0x10", "1e5", "-.5"]:
        with pytest.raises(MathError):
            D(text)
    with pytest.raises(ErrInvalidDecimalLength):
        D("-.5")  # after the '-' is stripped the integer part is empty
    with pytest.raises(ErrInvalidDecimalDigits):
        D("1_000")


def test_from_str_counts_decimal_places_in_bytes_as_go_does() -> None:
    """Go's len() counts bytes: 7 two-byte characters are 14 bytes (<= 18, so the digits
    check fails), 10 of them are 20 bytes (> 18, so the precision check fails first)."""
    with pytest.raises(ErrInvalidDecimalDigits):
        D("1." + "é" * 7)
    with pytest.raises(ErrTooManyDecimalPlaces):
        D("1." + "é" * 10)


# --- String (TestDecString, TestStringOverflow) ----------------------------------------


@pytest.mark.parametrize(
    ("dec", "text"),
    [
        (N(0), "0.000000000000000000"),
        (N(1), "1.000000000000000000"),
        (N(10), "10.000000000000000000"),
        (N(12340), "12340.000000000000000000"),
        (WP(12340, 4), "1.234000000000000000"),
        (WP(12340, 5), "0.123400000000000000"),
        (WP(12340, 8), "0.000123400000000000"),
        (WP(1009009009009009009, 17), "10.090090090090090090"),
    ],
)
def test_str_always_prints_18_decimals(dec: LegacyDec, text: str) -> None:
    assert str(dec) == text


def test_str_negative_values_carry_a_leading_minus() -> None:
    """String() formats |d| and prepends "-" (dec.go String: isNeg)."""
    assert str(WP(-4, 2)) == "-0.040000000000000000"
    assert str(WP(-1414213562373095049, 18)) == "-1.414213562373095049"
    assert str(LegacyDec.smallest().neg()) == "-0.000000000000000001"


def test_add_of_two_large_decimals_prints_exactly() -> None:
    """TestStringOverflow: two 128-bit primes."""
    a = D("51643150036226787134389711697696177267")
    b = D("-31798496660535729618459429845579852627")
    assert str(a.add(b)) == "19844653375691057515930281852116324640.000000000000000000"


# --- comparisons (TestEqualities) --------------------------------------------------------

EQUALITIES = [
    # d1, d2, gt, lt, eq
    (N(0), N(0), False, False, True),
    (WP(0, 2), WP(0, 4), False, False, True),
    (WP(100, 0), WP(100, 0), False, False, True),
    (WP(-100, 0), WP(-100, 0), False, False, True),
    (WP(-1, 1), WP(-1, 1), False, False, True),
    (WP(3333, 3), WP(3333, 3), False, False, True),
    (WP(0, 0), WP(3333, 3), False, True, False),
    (WP(0, 0), WP(100, 0), False, True, False),
    (WP(-1, 0), WP(3333, 3), False, True, False),
    (WP(-1, 0), WP(100, 0), False, True, False),
    (WP(1111, 3), WP(100, 0), False, True, False),
    (WP(1111, 3), WP(3333, 3), False, True, False),
    (WP(-3333, 3), WP(-1111, 3), False, True, False),
    (WP(3333, 3), WP(0, 0), True, False, False),
    (WP(100, 0), WP(0, 0), True, False, False),
    (WP(3333, 3), WP(-1, 0), True, False, False),
    (WP(100, 0), WP(-1, 0), True, False, False),
    (WP(100, 0), WP(1111, 3), True, False, False),
    (WP(3333, 3), WP(1111, 3), True, False, False),
    (WP(-1111, 3), WP(-3333, 3), True, False, False),
]


@pytest.mark.parametrize(("d1", "d2", "gt", "lt", "eq"), EQUALITIES)
def test_comparisons_match_go_equalities_table(
    d1: LegacyDec, d2: LegacyDec, gt: bool, lt: bool, eq: bool
) -> None:
    assert (d1.gt(d2), d1.lt(d2), d1.equal(d2)) == (gt, lt, eq)
    assert (d1 > d2, d1 < d2, d1 == d2) == (gt, lt, eq)
    assert d1.gte(d2) == (gt or eq) == (d1 >= d2)
    assert d1.lte(d2) == (lt or eq) == (d1 <= d2)


def test_min_dec_and_max_dec_pick_by_value() -> None:
    """LegacyMinDec / LegacyMaxDec."""
    a, b = WP(-1111, 3), WP(3333, 3)
    assert min_dec(a, b) == a and min_dec(b, a) == a
    assert max_dec(a, b) == b and max_dec(b, a) == b
    assert min_dec(a, a) == a == max_dec(a, a)


def test_sign_predicates() -> None:
    assert N(0).is_zero() and not N(0).is_negative() and not N(0).is_positive()
    assert LegacyDec.smallest().is_positive()
    assert LegacyDec.smallest().neg().is_negative()
    assert N(-3).abs() == N(3) and N(3).abs() == N(3)
    assert N(3).neg() == N(-3)
    assert N(7).is_integer() and not WP(75, 1).is_integer() and WP(-70, 1).is_integer()


# --- arithmetic (TestArithmetic) ---------------------------------------------------------

ARITHMETIC = [
    # d1, d2, mul, mul_truncate, mul_round_up, quo, quo_round_up, quo_truncate, add, sub
    ("0", "0", "0", "0", "0", None, None, None, "0", "0"),
    ("1", "0", "0", "0", "0", None, None, None, "1", "1"),
    ("0", "1", "0", "0", "0", "0", "0", "0", "1", "-1"),
    ("0", "-1", "0", "0", "0", "0", "0", "0", "-1", "1"),
    ("-1", "0", "0", "0", "0", None, None, None, "-1", "-1"),
    ("1", "1", "1", "1", "1", "1", "1", "1", "2", "0"),
    ("-1", "-1", "1", "1", "1", "1", "1", "1", "-2", "0"),
    ("1", "-1", "-1", "-1", "-1", "-1", "-1", "-1", "0", "2"),
    ("-1", "1", "-1", "-1", "-1", "-1", "-1", "-1", "0", "-2"),
    (
        "3",
        "7",
        "21",
        "21",
        "21",
        "0.428571428571428571",
        "0.428571428571428572",
        "0.428571428571428571",
        "10",
        "-4",
    ),
    ("2", "4", "8", "8", "8", "0.5", "0.5", "0.5", "6", "-2"),
    ("100", "100", "10000", "10000", "10000", "1", "1", "1", "200", "0"),
    ("1.5", "1.5", "2.25", "2.25", "2.25", "1", "1", "1", "3", "0"),
    (
        "0.3333",
        "0.0333",
        "0.01109889",
        "0.01109889",
        "0.01109889",
        "10.009009009009009009",
        "10.009009009009009010",
        "10.009009009009009009",
        "0.3666",
        "0.3",
    ),
]


@pytest.mark.parametrize(
    ("d1", "d2", "mul", "mul_t", "mul_u", "quo", "quo_u", "quo_t", "add", "sub"), ARITHMETIC
)
def test_arithmetic_matches_go_arithmetic_table(
    d1: str,
    d2: str,
    mul: str,
    mul_t: str,
    mul_u: str,
    quo: str | None,
    quo_u: str | None,
    quo_t: str | None,
    add: str,
    sub: str,
) -> None:
    a, b = D(d1), D(d2)
    assert a.add(b) == D(add)
    assert a.sub(b) == D(sub)
    assert a.mul(b) == D(mul)
    assert a.mul_truncate(b) == D(mul_t)
    assert a.mul_round_up(b) == D(mul_u)
    if quo is None:
        for op in (a.quo, a.quo_round_up, a.quo_truncate):
            with pytest.raises(ErrDivisionByZero):
                op(b)
        return
    assert quo_u is not None and quo_t is not None
    assert a.quo(b) == D(quo)
    assert a.quo_round_up(b) == D(quo_u)
    assert a.quo_truncate(b) == D(quo_t)


def test_mul_round_up_rounds_at_precision_end() -> None:
    """TestMulRoundUp_RoundingAtPrecisionEnd: 9e-18 * 9e-18 = 8.1e-35, which truncates to
    0 and rounds up to 1e-18."""
    a = D("0.000000000000000009")
    assert str(a.mul_round_up(a)) == "0.000000000000000001"
    assert str(a.mul_truncate(a)) == "0.000000000000000000"


def test_mul_rounds_half_to_even_at_the_18th_place() -> None:
    """Derivation: raws 5 * 10^17 (0.5) and 3 (3e-18) multiply to 15 * 10^17; chopping
    10^18 leaves q = 1, remainder 5 * 10^17 = exactly half, q odd -> 2 (2e-18).
    With raws 0.5 and 5e-18: 25 * 10^17 -> q = 2, remainder half, q even -> 2."""
    half = D("0.5")
    assert half.mul(LegacyDec.from_raw(3)).raw == 2
    assert half.mul(LegacyDec.from_raw(5)).raw == 2
    # Negative: sign-symmetric, -1.5 ulp -> -2, -2.5 ulp -> -2.
    assert half.neg().mul(LegacyDec.from_raw(3)).raw == -2
    assert half.neg().mul(LegacyDec.from_raw(5)).raw == -2
    # Truncation goes toward zero, round-up toward +infinity, for both signs.
    assert half.mul_truncate(LegacyDec.from_raw(3)).raw == 1
    assert half.neg().mul_truncate(LegacyDec.from_raw(3)).raw == -1
    assert half.mul_round_up(LegacyDec.from_raw(3)).raw == 2
    assert half.neg().mul_round_up(LegacyDec.from_raw(3)).raw == -1


def test_quo_rounds_twice_truncate_then_half_even() -> None:
    """Derivation (QuoMut: Mul by 10^36, big.Int Quo, chopPrecisionAndRound):
    1e-18 / 1.999999999999999999: 1 * 10^36 = (2*10^18 - 1) * (5*10^17) + 5*10^17, so the
    truncated quotient is exactly 5*10^17, which chops to q = 0 with remainder exactly half;
    0 is even -> 0. The exact quotient, 0.50000000000000000025 ulp, would round to 1 ulp:
    Go's result is 0 and so is ours."""
    a = LegacyDec.from_raw(1)
    b = D("1.999999999999999999")
    assert a.quo(b).raw == 0
    assert a.quo_round_up(b).raw == 1
    assert a.quo_truncate(b).raw == 0


def test_quo_truncates_toward_zero_not_floor() -> None:
    """Derivation: -1 / 3 = -0.333...; big.Int Quo truncates toward zero, so QuoTruncate is
    -0.333333333333333333 (Python's floor division would give ...334)."""
    assert str(N(-1).quo_truncate(N(3))) == "-0.333333333333333333"
    assert str(N(1).quo_truncate(N(-3))) == "-0.333333333333333333"
    assert str(N(-2).quo(N(3))) == "-0.666666666666666667"
    assert N(-7).quo_int64(2) == D("-3.5")
    assert LegacyDec.from_raw(-7).quo_int64(2).raw == -3
    assert LegacyDec.from_raw(-7).quo_int(-2).raw == 3


def test_quo_round_up_adds_an_ulp_to_inexact_negative_quotients() -> None:
    """Derivation from QuoRoundupMut (v1.4, #20034), 1 / -3: q, r = QuoRem(10^36, -3*10^18)
    = (-333333333333333333, 10^18). r > 0 and q is negative like the divisor, so q += 1:
    -0.333333333333333332, one ulp above the true ceiling -0.333333333333333333. The same
    holds for -1 / 3 (r < 0, q negative, divisor positive). Go's result is kept."""
    assert str(N(1).quo_round_up(N(-3))) == "-0.333333333333333332"
    assert str(N(-1).quo_round_up(N(3))) == "-0.333333333333333332"
    # Exact negative quotients are untouched; positives get the true ceiling.
    assert str(N(-1).quo_round_up(N(4))) == "-0.250000000000000000"
    assert str(N(1).quo_round_up(N(3))) == "0.333333333333333334"
    assert str(N(-1).quo_round_up(N(-3))) == "0.333333333333333334"


# Dividend 1e-18 (raw 1), divisor, QuoRoundUp, QuoTruncate (TestQuoMut).
QUO_MUT = [
    ("10", "0.000000000000000001", "0.000000000000000000"),
    ("5", "0.000000000000000001", "0.000000000000000000"),
    ("3.333333333333333", "0.000000000000000001", "0.000000000000000000"),
    ("2.5", "0.000000000000000001", "0.000000000000000000"),
    ("2", "0.000000000000000001", "0.000000000000000000"),
    ("1.666666666666666666", "0.000000000000000001", "0.000000000000000000"),
    ("1.428571428571429", "0.000000000000000001", "0.000000000000000000"),
    ("1.25", "0.000000000000000001", "0.000000000000000000"),
    ("1.111111111111111", "0.000000000000000001", "0.000000000000000000"),
]


@pytest.mark.parametrize(("divisor", "round_up", "truncated"), QUO_MUT)
def test_quo_of_smallest_dec_matches_go_quo_mut_table(
    divisor: str, round_up: str, truncated: str
) -> None:
    one_ulp = WP(1, 18)
    assert str(one_ulp.quo_round_up(D(divisor))) == round_up
    assert str(one_ulp.quo_truncate(D(divisor))) == truncated
    # "-0.000...n": negative dividend, positive divisor -> both 0.
    assert str(one_ulp.neg().quo_round_up(D(divisor))) == "0.000000000000000000"
    assert str(one_ulp.neg().quo_truncate(D(divisor))) == "0.000000000000000000"
    # "--0.000...n": both negative -> round up 1 ulp, truncate 0.
    assert str(one_ulp.neg().quo_round_up(D(divisor).neg())) == round_up
    assert str(one_ulp.neg().quo_truncate(D(divisor).neg())) == truncated


def test_quo_mut_table_special_cases() -> None:
    """TestQuoMut: big / small, divide by dividend, zero divided, division by zero."""
    big = D("999999999999999999")
    expected = "999999999999999999000000000000000000.000000000000000000"
    assert str(big.quo_round_up(WP(1, 18))) == expected
    assert str(big.quo_truncate(WP(1, 18))) == expected
    assert str(WP(123, 0).quo_round_up(D("123"))) == "1.000000000000000000"
    assert str(WP(123, 0).quo_truncate(D("123"))) == "1.000000000000000000"
    for divisor in ("1", "-1"):
        assert str(WP(0, 0).quo_round_up(D(divisor))) == "0.000000000000000000"
        assert str(WP(0, 0).quo_truncate(D(divisor))) == "0.000000000000000000"
    for dividend in (WP(0, 0), WP(1, 0)):
        with pytest.raises(ErrDivisionByZero):
            dividend.quo_round_up(D("0"))
        with pytest.raises(ErrDivisionByZero):
            dividend.quo_truncate(D("0"))


def test_operation_order_changes_results() -> None:
    """TestOperationOrders: (10 * 1000000010) / 1000000010 == 10, but
    (10 / 1000000010) * 1000000010 != 10."""
    n1, n2 = N(10), N(1000000010)
    assert n1.mul(n2).quo(n2) == N(10)
    assert n1.quo(n2).mul(n2) != n1.mul(n2).quo(n2)


@pytest.mark.parametrize(
    ("dec", "i", "want"),
    [
        (N(10), 2, N(20)),
        (N(1000000), 100, N(100000000)),
        (WP(1, 1), 10, N(1)),
        (WP(1, 5), 20, WP(2, 4)),
    ],
)
def test_mul_int_matches_go_table(dec: LegacyDec, i: int, want: LegacyDec) -> None:
    """TestDecMulInt."""
    assert dec.mul_int(i) == want
    assert dec.mul_int64(i) == want


# --- to integers (TestBankerRoundChop, TestTruncate, TestRoundAndTruncate, TestDecCeil) ----


@pytest.mark.parametrize(
    ("text", "rounded"),
    [
        ("0.25", 0),
        ("0", 0),
        ("1", 1),
        ("0.75", 1),
        ("0.5", 0),
        ("7.5", 8),
        ("1.5", 2),
        ("2.5", 2),
        ("0.545", 1),
        ("1.545", 2),
    ],
)
def test_round_int_is_bankers_rounding(text: str, rounded: int) -> None:
    """TestBankerRoundChop: positive and negated."""
    assert D(text).round_int64() == rounded == D(text).round_int()
    assert D(text).neg().round_int64() == -rounded == D(text).neg().round_int()


@pytest.mark.parametrize(
    ("text", "truncated"),
    [
        ("0", 0),
        ("0.25", 0),
        ("0.75", 0),
        ("1", 1),
        ("1.5", 1),
        ("7.5", 7),
        ("7.6", 7),
        ("7.4", 7),
        ("100.1", 100),
        ("1000.1", 1000),
    ],
)
def test_truncate_int_drops_the_fraction_toward_zero(text: str, truncated: int) -> None:
    """TestTruncate: positive and negated."""
    assert D(text).truncate_int64() == truncated == D(text).truncate_int()
    assert D(text).neg().truncate_int64() == -truncated == D(text).neg().truncate_int()
    assert D(text).truncate_dec() == N(truncated)
    assert D(text).neg().truncate_dec() == N(-truncated)


@pytest.mark.parametrize(
    ("text", "rounded", "truncated"),
    [
        ("0.25", 0, 0),
        ("0.75", 1, 0),
        ("1.5", 2, 1),
        ("2.5", 2, 2),
        ("7.5", 8, 7),
        ("-0.25", 0, 0),
        ("-0.75", -1, 0),
        ("-1.5", -2, -1),
        ("-2.5", -2, -2),
        ("-7.5", -8, -7),
    ],
)
def test_round_and_truncate_table(text: str, rounded: int, truncated: int) -> None:
    """TestRoundAndTruncate (cosmos-sdk main, same LegacyDec code as v1.4)."""
    assert D(text).round_int64() == rounded
    assert D(text).truncate_int64() == truncated


@pytest.mark.parametrize(
    ("raw", "ceiling"),
    [
        (1000000000000000, 1),  # 0.001 -> 1
        (-1000000000000000, 0),  # -0.001 -> 0
        (0, 0),
        (900000000000000000, 1),  # 0.9 -> 1
        (4001000000000000000, 5),  # 4.001 -> 5
        (-4001000000000000000, -4),  # -4.001 -> -4
        (4700000000000000000, 5),
        (-4700000000000000000, -4),
    ],
)
def test_ceil_matches_go_table(raw: int, ceiling: int) -> None:
    """TestDecCeil."""
    assert LegacyDec.from_raw(raw).ceil() == N(ceiling)


def test_from_int_with_prec_scales_by_ten_to_minus_prec() -> None:
    """LegacyNewDecWithPrec(i, prec) = i * 10^(18 - prec) raw (TestPrecisionMultiplier:
    prec 5 -> 10^13, 8 -> 10^10, 11 -> 10^7, 15 -> 10^3, 18 -> 1)."""
    for prec, multiplier in [(5, 10**13), (8, 10**10), (11, 10**7), (15, 10**3), (18, 1)]:
        assert WP(1, prec).raw == multiplier
    assert WP(-3, 0) == N(-3)
    assert LegacyDec.one().raw == 10**18 and LegacyDec.zero().raw == 0


def test_repr_shows_the_go_string() -> None:
    assert repr(D("-1.5")) == "LegacyDec('-1.500000000000000000')"
