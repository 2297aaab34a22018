"""An independent model of LegacyDec rounding, for the property tests.

It shares no code with dait_chain.math: values are `fractions.Fraction`, and the three
roundings come from the standard library (`round` of a Fraction is round-half-to-even,
`math.trunc` truncates toward zero, `math.ceil` rounds toward +infinity). Each Go
operation is written as the exact rational it rounds and the rounding Go applies, as
derived from cosmossdk.io/math v1.4 math/dec.go (see specs/math.md §5).
"""

from __future__ import annotations

import math
from fractions import Fraction

SCALE = 10**18
MAX_ABS_RAW = 2**256 * 10**18 - 1
SDK_INT_MAX = 2**256 - 1


def in_range(raw: int) -> bool:
    """v1.4 IsInValidRange, restated: -(2^256*10^18 - 1) <= raw <= 2^256*10^18 - 1."""
    return -MAX_ABS_RAW <= raw <= MAX_ABS_RAW


def half_even(q: Fraction) -> int:
    """Round half to even (Python's round of a Fraction)."""
    return round(q)


def toward_zero(q: Fraction) -> int:
    """Truncate toward zero."""
    return math.trunc(q)


def toward_plus_infinity(q: Fraction) -> int:
    """Ceiling."""
    return math.ceil(q)


def mul(a: int, b: int) -> int:
    """Mul: the exact product a*b/10^18 (in raw units), rounded half to even."""
    return half_even(Fraction(a * b, SCALE))


def mul_truncate(a: int, b: int) -> int:
    """MulTruncate: the exact product, truncated toward zero."""
    return toward_zero(Fraction(a * b, SCALE))


def mul_round_up(a: int, b: int) -> int:
    """MulRoundUp: the exact product, rounded toward +infinity."""
    return toward_plus_infinity(Fraction(a * b, SCALE))


def quo(a: int, b: int) -> int:
    """Quo: Go first truncates a*10^36/b to an integer, then rounds that integer / 10^18
    half to even: two roundings, modelled as two."""
    truncated = toward_zero(Fraction(a * SCALE * SCALE, b))
    return half_even(Fraction(truncated, SCALE))


def quo_truncate(a: int, b: int) -> int:
    """QuoTruncate: a*10^18/b truncated toward zero."""
    return toward_zero(Fraction(a * SCALE, b))


def quo_round_up(a: int, b: int) -> int:
    """QuoRoundUp as v1.4 defines it.

    Go: q, r = QuoRem(a*10^18, b) (q truncated); q += 1 when r > 0 and (q < 0) == (b < 0),
    or r < 0 and (q < 0) != (b < 0). r has the sign of a and is zero iff exact.
    Case analysis on the exact quotient e = a*10^18/b with t = trunc(e):
      e exact                 -> t.
      e > 0, inexact          -> t >= 0, and in both sign cases of (a, b) the test fires:
                                 t + 1 = ceil(e).
      e < 0, inexact, t == 0  -> q is not negative; (a>0, b<0): r>0, False == True fails;
                                 (a<0, b>0): r<0, False != False fails -> 0 = ceil(e).
      e < 0, inexact, t <= -1 -> q negative; (a>0, b<0): r>0, True == True fires;
                                 (a<0, b>0): r<0, True != False fires -> t + 1 = ceil(e) + 1.
    """
    e = Fraction(a * SCALE, b)
    t = toward_zero(e)
    if e == t:
        return t
    if e < 0 and t == 0:
        return 0
    return t + 1


def quo_int(a: int, i: int) -> int:
    """QuoInt / QuoInt64: raw a / i truncated toward zero."""
    return toward_zero(Fraction(a, i))


def round_int(a: int) -> int:
    """RoundInt: a/10^18 rounded half to even."""
    return half_even(Fraction(a, SCALE))


def truncate_int(a: int) -> int:
    """TruncateInt: a/10^18 truncated toward zero."""
    return toward_zero(Fraction(a, SCALE))


def ceil_raw(a: int) -> int:
    """Ceil, in raw units: ceil(a/10^18) * 10^18."""
    return toward_plus_infinity(Fraction(a, SCALE)) * SCALE
