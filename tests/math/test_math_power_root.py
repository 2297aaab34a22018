"""specs/math.md §5.4: Power, ApproxRoot and ApproxSqrt.

Expected values: Go's TestPower, TestApproxRoot and TestApproxSqrt tables (cosmossdk.io/math
v1.4.0 math/dec_test.go) as data, step-by-step derivations of PowerMut's
square-and-multiply order, exact powers checked against fractions.Fraction, and square
roots checked against math.isqrt.
"""

from __future__ import annotations

import math
from fractions import Fraction

import math_model as model
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dait_chain.math import UINT64_MAX, LegacyDec
from dait_chain.math.errors import (
    ErrApproxRootOutOfBounds,
    ErrDecOutOfRange,
    ErrUint64OutOfRange,
)

D = LegacyDec.from_str
N = LegacyDec.from_int
WP = LegacyDec.from_int_with_prec
ULP = LegacyDec.smallest()


# --- Power -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("base", "n", "expected"),
    [
        (N(100), 0, LegacyDec.one()),  # 100^0 = 1
        (LegacyDec.one(), 10, LegacyDec.one()),
        (WP(5, 1), 2, WP(25, 2)),  # 0.5^2 = 0.25
        (WP(2, 1), 2, WP(4, 2)),  # 0.2^2 = 0.04
        (N(3), 3, N(27)),
        (N(-3), 4, N(81)),
    ],
)
def test_power_matches_go_power_table(base: LegacyDec, n: int, expected: LegacyDec) -> None:
    """TestPower: these cases are exact, so equality is exact."""
    assert base.power(n) == expected


def test_power_of_sqrt_two_squared_rounds_half_even_once() -> None:
    """TestPower's 1.414213562373095049^2 ~= 2 (Go: within 1 ulp). Derivation: for n = 2
    PowerMut runs one loop step (i = 2: even; i = 1; d = d*d) then d*1, so the result is
    the single half-even product 1414213562373095049^2 / 10^18 =
    2000000000000000000.682... -> 2.000000000000000001 (remainder above half)."""
    x = WP(1414213562373095049, 18)
    exact = Fraction(1414213562373095049**2, 10**18)
    assert round(exact) == 2000000000000000001
    assert x.power(2).raw == 2000000000000000001
    assert abs(x.power(2).raw - N(2).raw) <= 1


def power_by_go_steps(x: int, n: int) -> int:
    """PowerMut's order for n = 2..6, unrolled by hand (he = Mul, rounded half-even):
    n=2: i=2 even, i=1, d=he(x*x); result he(d*1) = he(x*x)
    n=3: i=3 odd tmp=x, i=1, d=he(x*x); result he(he(x*x)*x)
    n=4: d=he(x*x), i=2, d=he(d*d), i=1; result he(he(x*x)^2)
    n=5: tmp=x, d=he(x*x), i=2: d=he(d*d), i=1; result he(he(he(x*x)^2)*x)
    n=6: i=6 even, i=3, s=he(x*x); i=3 odd tmp=he(1*s)=s, i=1, d=he(s*s); result he(d*s)
    """
    he = model.mul
    if n == 2:
        return he(x, x)
    if n == 3:
        return he(he(x, x), x)
    if n == 4:
        s = he(x, x)
        return he(s, s)
    if n == 5:
        s = he(x, x)
        return he(he(s, s), x)
    if n == 6:
        s = he(x, x)
        return he(he(s, s), s)
    raise AssertionError(n)


@given(
    st.booleans(),
    st.integers(min_value=10**17, max_value=10**22),
    st.integers(min_value=2, max_value=6),
)
@example(False, 123456789012345678901, 3)
def test_power_rounds_each_square_and_multiply_step(negative: bool, magnitude: int, n: int) -> None:
    """power(x, n) equals PowerMut's sequence of half-even products, step by step (for
    |x| in [0.1, 10^4], where a single rounding of x^n would differ)."""
    x = -magnitude if negative else magnitude
    assert LegacyDec.from_raw(x).power(n).raw == power_by_go_steps(x, n)


def test_power_differs_from_a_single_rounding_of_the_exact_power() -> None:
    """Derivation, x = 123.456789012345678901 (raw 123456789012345678901), n = 3:
    PowerMut computes d = he(x*x): the raw product 15241578753238836750437|433565526596567801
    chops to 15241578753238836750437 (remainder below half). Then he(d*x): the raw product
    1881676372353657772535936|959076653473429737 rounds up to 1881676372353657772535937.
    A single rounding of the exact x^3 = 1881676372353657772535990.4856... would give
    ...535990: Go's step order, not the exact power, is the rule."""
    x = 123456789012345678901
    assert divmod(x * x, 10**18) == (15241578753238836750437, 433565526596567801)
    d = 15241578753238836750437
    assert divmod(d * x, 10**18) == (1881676372353657772535936, 959076653473429737)
    assert round(Fraction(x**3, 10**36)) == 1881676372353657772535990
    assert LegacyDec.from_raw(x).power(3).raw == 1881676372353657772535937


@given(
    st.integers(min_value=-999, max_value=999),
    st.integers(min_value=0, max_value=3),
    st.integers(min_value=0, max_value=6),
)
def test_power_is_exact_when_every_step_is_representable(k: int, places: int, n: int) -> None:
    """For x = k / 10^places with places * n <= 18, every intermediate x^j (j <= n) has at
    most 18 decimals, so no step rounds: power(x, n) == x^n exactly."""
    assert places * n <= 18
    x = Fraction(k, 10**places)
    result = LegacyDec.from_int_with_prec(k, places).power(n)
    assert Fraction(result.raw, 10**18) == x**n


def test_power_overflow_is_out_of_range() -> None:
    """10^77 < 2^256 < 10^78: Power(10, 77) fits, Power(10, 78) does not."""
    assert N(10).power(77) == D("1" + "0" * 77)
    with pytest.raises(ErrDecOutOfRange):
        N(10).power(78)
    assert N(2).power(255) == N(2**255)
    with pytest.raises(ErrDecOutOfRange):
        N(2).power(256)


def test_power_exponent_must_be_uint64() -> None:
    with pytest.raises(ErrUint64OutOfRange):
        N(2).power(-1)
    with pytest.raises(ErrUint64OutOfRange):
        N(1).power(UINT64_MAX + 1)
    # The largest uint64 exponent is accepted; 1^n is 1 (every step multiplies 1 by 1).
    assert LegacyDec.one().power(UINT64_MAX) == LegacyDec.one()


# --- ApproxRoot ------------------------------------------------------------------------

APPROX_ROOT = [
    # input, root, expected (Go asserts |expected - result| <= 1 ulp)
    (N(2), 0, LegacyDec.one()),
    (WP(4, 2), 0, LegacyDec.one()),
    (N(0), 1, N(0)),
    (LegacyDec.one(), 10, LegacyDec.one()),
    (WP(25, 2), 2, WP(5, 1)),
    (WP(4, 2), 2, WP(2, 1)),
    (N(27), 3, N(3)),
    (N(-81), 4, N(-3)),
    (N(2), 2, WP(1414213562373095049, 18)),
    (WP(1005, 3), 31536000, D("1.000000000158153904")),
    (ULP, 2, WP(1, 9)),
    (ULP, 3, D("0.000000999999999997")),
    (WP(1, 8), 3, D("0.002154434690031900")),
    (
        D("9000002314687921634000000000000000000021394871242000000000000000"),
        2,
        D("94868342004527103646332858502867.899477053226766107"),
    ),
]


@pytest.mark.parametrize(("value", "root", "expected"), APPROX_ROOT)
def test_approx_root_matches_go_approx_root_table(
    value: LegacyDec, root: int, expected: LegacyDec
) -> None:
    """TestApproxRoot, with Go's own tolerance of one ulp."""
    assert expected.sub(value.approx_root(root)).abs().lte(ULP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (LegacyDec.one(), LegacyDec.one()),
        (WP(25, 2), WP(5, 1)),
        (WP(4, 2), WP(2, 1)),
        (N(9), N(3)),
        (N(-9), N(-3)),
        (N(2), WP(1414213562373095049, 18)),
        (N(2).power(127).sub(LegacyDec.one()), D("13043817825332782212.349571806252508369")),
        (D("1.000000011823380862"), D("1.000000005911690414")),
    ],
)
def test_approx_sqrt_matches_go_approx_sqrt_table_exactly(
    value: LegacyDec, expected: LegacyDec
) -> None:
    """TestApproxSqrt: Go asserts exact equality here."""
    assert value.approx_sqrt() == expected


def test_approx_root_base_cases_return_before_iterating() -> None:
    """ApproxRoot v1.4: root 0 -> 1 for every value (checked first, so also for 0 and
    negatives); a negative value -> -(|value|^(1/root)); root 1, 0 and 1 return the value."""
    for value in (N(0), N(-5), WP(3, 1), N(7)):
        assert value.approx_root(0) == LegacyDec.one()
    assert WP(-123, 2).approx_root(1) == WP(-123, 2)
    assert N(0).approx_root(7) == N(0)
    assert LegacyDec.one().approx_root(7) == LegacyDec.one()
    assert N(-1).approx_root(2) == N(-1)
    # Even roots of negatives are not refused: -(sqrt 9) = -3.
    assert N(-9).approx_root(2) == N(-3)
    assert N(-27).approx_root(3) == N(27).approx_root(3).neg()


@given(st.integers(min_value=1, max_value=model.MAX_ABS_RAW))
def test_approx_sqrt_is_within_one_ulp_of_the_true_root(raw: int) -> None:
    """For a positive value with raw r, the true root in raw units is sqrt(r * 10^18), which
    lies in [t, t + 1) for t = isqrt(r * 10^18); approx_sqrt returns t or t + 1, i.e. it
    is less than one ulp from the true root (the precision Go's tests hold it to)."""
    t = math.isqrt(raw * 10**18)
    assert LegacyDec.from_raw(raw).approx_sqrt().raw in (t, t + 1)


def test_approx_sqrt_of_the_largest_value() -> None:
    """sqrt(2^256 - 1e-18) ~= 2^128: no intermediate overflows for root 2."""
    t = math.isqrt(model.MAX_ABS_RAW * 10**18)
    assert LegacyDec.from_raw(model.MAX_ABS_RAW).approx_sqrt().raw in (t, t + 1)


def test_approx_root_overflow_is_go_out_of_bounds_error() -> None:
    """Derivation: for d near 2^256 and root 3, iteration 1 gives guess ~= d / 3; iteration
    2 computes guess^2 ~= 2^510, which overflows inside Power. Go recovers the panic and
    returns the error "out of bounds"."""
    with pytest.raises(ErrApproxRootOutOfBounds):
        LegacyDec.from_raw(model.MAX_ABS_RAW).approx_root(3)
    with pytest.raises(ErrApproxRootOutOfBounds):
        LegacyDec.from_raw(-model.MAX_ABS_RAW).approx_root(3)


def test_approx_root_root_must_be_uint64() -> None:
    with pytest.raises(ErrUint64OutOfRange):
        N(4).approx_root(-2)
    with pytest.raises(ErrUint64OutOfRange):
        N(4).approx_root(UINT64_MAX + 1)


def test_approx_root_with_root_above_int64_uses_go_wrapped_divisor() -> None:
    """Go divides delta by int64(root); for root = 2^63 that is -2^63. Derivation for
    d = 4: iteration 1: prev = 1^(2^63 - 1) = 1; delta = 4/1 - 1 = 3 (raw 3*10^18);
    3*10^18 / -2^63 truncates to 0; guess = 1 + 0; |delta| = 0 <= 1 ulp: stop -> 1."""
    assert N(4).approx_root(2**63) == LegacyDec.one()
