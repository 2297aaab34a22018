"""LegacyDec: cosmossdk.io/math v1.4+ fixed-point decimal, bit-exact (specs/math.md).

A LegacyDec is one integer `raw`, the value scaled by 10^18 (math/dec.go: `LegacyDec{i
*big.Int}`, LegacyPrecision = 18). Every rule here mirrors a named function of
cosmossdk.io/math v1.4.0 (math/dec.go at the ASA-2024-010 fix); the spec section and the
Go function are cited on each. Two traps this module exists to avoid:

* Go's big.Int `Quo`/`QuoRem` truncate toward zero; Python's `//` floors. Every
  division goes through `go_quo` / `go_quo_rem`.
* Go rounds in three different ways (half-even, truncate, round-up) and not always where
  one would guess; each operation names the chop it uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from dait_chain.math.errors import (
    ErrApproxRootOutOfBounds,
    ErrDecOutOfRange,
    ErrDivisionByZero,
    ErrEmptyDecimalStr,
    ErrInvalidDecimalDigits,
    ErrInvalidDecimalLength,
    ErrInvalidDecimalStr,
    ErrNegativePrecision,
    ErrPrecisionTooLarge,
    ErrTooManyDecimalPlaces,
)
from dait_chain.math.ints import check_int64, check_sdk_int, check_uint64

PRECISION = 18
PRECISION_MULTIPLIER: int = 10**PRECISION
# dec.go precisionMultipliers: 10^(18 - prec) for prec = 0..18, computed once as Go does.
_PRECISION_MULTIPLIERS: tuple[int, ...] = tuple(10 ** (PRECISION - p) for p in range(PRECISION + 1))
_SQUARED_PRECISION = PRECISION_MULTIPLIER * PRECISION_MULTIPLIER
_HALF_PRECISION = PRECISION_MULTIPLIER // 2
# §4: math v1.4 upperLimit = 2^256 * 10^18 - 1, lowerLimit = -upperLimit (dec.go init()).
MAX_ABS_RAW = (1 << 256) * PRECISION_MULTIPLIER - 1
# Decimal digits of MAX_ABS_RAW: a longer digit string (after leading zeros) is out of range.
_MAX_RAW_DIGITS = len(str(MAX_ABS_RAW))
MAX_APPROX_ROOT_ITERATIONS = 300
_UINT64_WRAP = 1 << 64
_INT64_SIGN_BIT = 1 << 63
# §3: big.Int.SetString(s, 10) accepts one optional sign, then one or more ASCII digits.
_GO_BASE10 = re.compile(rb"[+-]?[0-9]+")


# --- Go big.Int division (specs/math.md §2) ----------------------------------------------


def go_quo(x: int, y: int) -> int:
    """Go big.Int Quo: x / y truncated toward zero (not floored). y must be non-zero."""
    q = x // y
    if q < 0 and q * y != x:
        q += 1
    return q


def go_quo_rem(x: int, y: int) -> tuple[int, int]:
    """Go big.Int QuoRem: (q, r) with q truncated toward zero and r = x - q*y, so r has
    the sign of x."""
    q = go_quo(x, y)
    return q, x - q * y


# --- the three chops (specs/math.md §5) ----------------------------------------------------


def chop_precision_and_round(x: int) -> int:
    """dec.go chopPrecisionAndRound: x / 10^18 rounded half to even, sign-symmetric."""
    if x < 0:
        return -chop_precision_and_round(-x)
    q, r = divmod(x, PRECISION_MULTIPLIER)
    if r < _HALF_PRECISION:
        return q
    if r > _HALF_PRECISION:
        return q + 1
    return q if q % 2 == 0 else q + 1


def chop_precision_and_truncate(x: int) -> int:
    """dec.go chopPrecisionAndTruncate: x / 10^18 truncated toward zero."""
    return go_quo(x, PRECISION_MULTIPLIER)


def chop_precision_and_round_up(x: int) -> int:
    """dec.go chopPrecisionAndRoundUp: x / 10^18 rounded toward +infinity (a negative x is
    truncated toward zero, which is its ceiling)."""
    # Go splits on the sign (negatives truncate, positives add one on a remainder); both
    # halves are the ceiling, which floor division of the negation computes in one step.
    return -((-x) // PRECISION_MULTIPLIER)


def check_dec_range(raw: int, what: str) -> int:
    """dec.go IsInValidRange / assertInValidRange: return raw if |raw| <= 2^256*10^18 - 1,
    else raise ErrDecOutOfRange (Go panics "Int overflow")."""
    if raw > MAX_ABS_RAW or raw < -MAX_ABS_RAW:
        raise ErrDecOutOfRange(what)
    return raw


def precision_multiplier(prec: int) -> int:
    """dec.go precisionMultiplier: 10^(18 - prec) for 0 <= prec <= 18; Go panics outside."""
    if prec < 0:
        raise ErrNegativePrecision(f"negative precision {prec}")
    if prec > PRECISION:
        raise ErrPrecisionTooLarge(f"too much precision, maximum 18, provided {prec}")
    return _PRECISION_MULTIPLIERS[prec]


def parse_go_base10(text: bytes) -> int:
    """big.Int.SetString(text, 10): an optional '+' or '-', then ASCII digits only."""
    if _GO_BASE10.fullmatch(text) is None:
        raise ErrInvalidDecimalDigits(text.decode("utf-8", "replace"))
    sign = 1
    digits = text
    if digits[:1] in (b"+", b"-"):
        sign = -1 if digits[:1] == b"-" else 1
        digits = digits[1:]
    significant = digits.lstrip(b"0")
    # Too many digits is out of range whatever they are; refusing before int() also keeps
    # Python's int-from-string digit limit out of the picture.
    if len(significant) > _MAX_RAW_DIGITS:
        raise ErrDecOutOfRange(f"{len(significant)} significant digits")
    return sign * int(significant or b"0")


def _mul_round(a: int, b: int, what: str) -> int:
    return check_dec_range(chop_precision_and_round(a * b), what)


def _quo_round(a: int, b: int, what: str) -> int:
    if b == 0:
        raise ErrDivisionByZero(what)
    return check_dec_range(chop_precision_and_round(go_quo(a * _SQUARED_PRECISION, b)), what)


def _power_raw(x: int, n: int) -> int:
    """dec.go PowerMut on raw values: square-and-multiply, every product a rounded Mul."""
    if n == 0:
        return PRECISION_MULTIPLIER
    acc = PRECISION_MULTIPLIER
    i = n
    while i > 1:
        if i % 2 != 0:
            acc = _mul_round(acc, x, "power")
        i //= 2
        x = _mul_round(x, x, "power")
    return _mul_round(x, acc, "power")


def _approx_root_raw(d: int, root: int) -> int:
    """dec.go ApproxRoot on raw values (root >= 0); range violations propagate."""
    if root == 0:
        return PRECISION_MULTIPLIER
    if d < 0:
        return -_approx_root_raw(-d, root)
    if root == 1 or d == 0 or d == PRECISION_MULTIPLIER:
        return d
    # Go divides by int64(root): a uint64 root >= 2^63 wraps to a negative divisor.
    divisor = root - _UINT64_WRAP if root >= _INT64_SIGN_BIT else root
    guess = PRECISION_MULTIPLIER
    for _ in range(MAX_APPROX_ROOT_ITERATIONS):
        prev = _power_raw(guess, root - 1)
        if prev == 0:
            prev = 1
        # delta = (d / prev - guess) / root, with Quo (half-even), Sub, QuoInt64 (truncate).
        delta = _quo_round(d, prev, "approx root")
        delta = check_dec_range(delta - guess, "approx root")
        delta = go_quo(delta, divisor)
        guess = check_dec_range(guess + delta, "approx root")
        if abs(delta) <= 1:
            break
    return guess


@dataclass(frozen=True, slots=True, order=True)
class LegacyDec:
    """A decimal with 18 fixed places: the value is raw / 10^18 (math/dec.go LegacyDec).

    Every instance is within the v1.4 range |raw| <= 2^256 * 10^18 - 1 (specs/math.md §4).
    Ordering and equality compare values; `==` and `equal` agree.
    """

    raw: int

    PRECISION: ClassVar[int] = PRECISION

    def __post_init__(self) -> None:
        check_dec_range(self.raw, "LegacyDec")

    # --- constructors (specs/math.md §3) ------------------------------------------------

    @classmethod
    def from_raw(cls, raw: int) -> LegacyDec:
        """The decimal raw / 10^18 (LegacyNewDecFromBigIntWithPrec(raw, 18)), range-checked."""
        return cls(raw)

    @classmethod
    def from_int(cls, i: int) -> LegacyDec:
        """LegacyNewDecFromInt / LegacyNewDec: the whole number i; i must fit math.Int."""
        check_sdk_int(i, "LegacyDec.from_int")
        return cls(i * PRECISION_MULTIPLIER)

    @classmethod
    def from_int_with_prec(cls, i: int, prec: int) -> LegacyDec:
        """LegacyNewDecWithPrec / LegacyNewDecFromIntWithPrec: i * 10^-prec, 0 <= prec <= 18."""
        check_sdk_int(i, "LegacyDec.from_int_with_prec")
        return cls(i * precision_multiplier(prec))

    @classmethod
    def from_str(cls, s: str) -> LegacyDec:
        """LegacyNewDecFromStr: parse "[-]int[.frac]" with at most 18 fractional digits,
        with Go's exact acceptance rules and error order (specs/math.md §3)."""
        # Go measures and splits bytes, not characters.
        text = s.encode("utf-8", "surrogatepass")
        neg = False
        if text[:1] == b"-":
            neg = True
            text = text[1:]
        if not text:
            raise ErrEmptyDecimalStr(repr(s))
        parts = text.split(b".")
        len_decs = 0
        combined = parts[0]
        if len(parts) == 2:
            len_decs = len(parts[1])
            if len_decs == 0 or len(combined) == 0:
                raise ErrInvalidDecimalLength(repr(s))
            combined += parts[1]
        elif len(parts) > 2:
            raise ErrInvalidDecimalStr(repr(s))
        if len_decs > PRECISION:
            raise ErrTooManyDecimalPlaces(f"{s!r} has {len_decs} decimal places")
        combined += b"0" * (PRECISION - len_decs)
        value = parse_go_base10(combined)
        if neg:
            value = -value
        if value > MAX_ABS_RAW or value < -MAX_ABS_RAW:
            raise ErrDecOutOfRange(f"out of range: {s!r}")
        return cls(value)

    @classmethod
    def zero(cls) -> LegacyDec:
        """LegacyZeroDec: 0."""
        return cls(0)

    @classmethod
    def one(cls) -> LegacyDec:
        """LegacyOneDec: 1 (raw 10^18)."""
        return cls(PRECISION_MULTIPLIER)

    @classmethod
    def smallest(cls) -> LegacyDec:
        """LegacySmallestDec: 10^-18 (raw 1), one ulp."""
        return cls(1)

    # --- formatting (specs/math.md §3) ----------------------------------------------------

    def __str__(self) -> str:
        """String(): optional "-", the integer part, ".", always exactly 18 digits."""
        sign = "-" if self.raw < 0 else ""
        whole, frac = divmod(abs(self.raw), PRECISION_MULTIPLIER)
        return f"{sign}{whole}.{frac:018d}"

    def __repr__(self) -> str:
        return f"LegacyDec('{self}')"

    # --- predicates and comparisons (specs/math.md §6) ------------------------------------

    def is_zero(self) -> bool:
        """IsZero: value == 0."""
        return self.raw == 0

    def is_negative(self) -> bool:
        """IsNegative: value < 0."""
        return self.raw < 0

    def is_positive(self) -> bool:
        """IsPositive: value > 0."""
        return self.raw > 0

    def is_integer(self) -> bool:
        """IsInteger: the 18 fractional digits are all zero."""
        return self.raw % PRECISION_MULTIPLIER == 0

    def equal(self, other: LegacyDec) -> bool:
        """Equal."""
        return self.raw == other.raw

    def gt(self, other: LegacyDec) -> bool:
        """GT: self > other."""
        return self.raw > other.raw

    def gte(self, other: LegacyDec) -> bool:
        """GTE: self >= other."""
        return self.raw >= other.raw

    def lt(self, other: LegacyDec) -> bool:
        """LT: self < other."""
        return self.raw < other.raw

    def lte(self, other: LegacyDec) -> bool:
        """LTE: self <= other."""
        return self.raw <= other.raw

    # --- sign (specs/math.md §6) --------------------------------------------------------

    def neg(self) -> LegacyDec:
        """Neg: -value (the range is symmetric, so it cannot leave it)."""
        return LegacyDec(-self.raw)

    def abs(self) -> LegacyDec:
        """Abs: |value|."""
        return LegacyDec(-self.raw if self.raw < 0 else self.raw)

    # --- add, sub (specs/math.md §5) ------------------------------------------------------

    def add(self, other: LegacyDec) -> LegacyDec:
        """Add: exact sum, range-checked."""
        return LegacyDec(check_dec_range(self.raw + other.raw, "add"))

    def sub(self, other: LegacyDec) -> LegacyDec:
        """Sub: exact difference, range-checked."""
        return LegacyDec(check_dec_range(self.raw - other.raw, "sub"))

    # --- multiplication (specs/math.md §5) ------------------------------------------------

    def mul(self, other: LegacyDec) -> LegacyDec:
        """Mul: raw*raw' / 10^18 rounded half to even; the rounded result is range-checked."""
        return LegacyDec(_mul_round(self.raw, other.raw, "mul"))

    def mul_truncate(self, other: LegacyDec) -> LegacyDec:
        """MulTruncate: raw*raw' / 10^18 truncated toward zero, range-checked."""
        product = chop_precision_and_truncate(self.raw * other.raw)
        return LegacyDec(check_dec_range(product, "mul_truncate"))

    def mul_round_up(self, other: LegacyDec) -> LegacyDec:
        """MulRoundUp: raw*raw' / 10^18 rounded toward +infinity, range-checked."""
        product = chop_precision_and_round_up(self.raw * other.raw)
        return LegacyDec(check_dec_range(product, "mul_round_up"))

    def mul_int(self, i: int) -> LegacyDec:
        """MulInt: value * i exactly (i a math.Int), range-checked."""
        check_sdk_int(i, "mul_int")
        return LegacyDec(check_dec_range(self.raw * i, "mul_int"))

    def mul_int64(self, i: int) -> LegacyDec:
        """MulInt64: value * i exactly (i an int64), range-checked."""
        check_int64(i, "mul_int64")
        return LegacyDec(check_dec_range(self.raw * i, "mul_int64"))

    # --- division (specs/math.md §5) ------------------------------------------------------

    def quo(self, other: LegacyDec) -> LegacyDec:
        """Quo: (raw * 10^36 / raw' truncated toward zero) / 10^18 rounded half to even.

        Two roundings, as Go does them: the truncation can turn a quotient just above a
        half into an exact half, which half-even may then round down."""
        return LegacyDec(_quo_round(self.raw, other.raw, "quo"))

    def quo_truncate(self, other: LegacyDec) -> LegacyDec:
        """QuoTruncate: raw * 10^18 / raw' truncated toward zero, range-checked."""
        if other.raw == 0:
            raise ErrDivisionByZero("quo_truncate")
        q = go_quo(self.raw * PRECISION_MULTIPLIER, other.raw)
        return LegacyDec(check_dec_range(q, "quo_truncate"))

    def quo_round_up(self, other: LegacyDec) -> LegacyDec:
        """QuoRoundUp (v1.4, #20034): q, r = QuoRem(raw * 10^18, raw') truncated; add one
        ulp when r > 0 and sign(q<0) == sign(raw'<0), or r < 0 and they differ.

        The test reads the sign of the truncated quotient q, not of the dividend, so an
        inexact negative quotient with |q| >= 1 ulp gets one ulp added on top of its
        truncation (which already was its ceiling): Go's result, kept bit for bit."""
        if other.raw == 0:
            raise ErrDivisionByZero("quo_round_up")
        q, r = go_quo_rem(self.raw * PRECISION_MULTIPLIER, other.raw)
        q_negative = q < 0
        d2_negative = other.raw < 0
        if (r > 0 and q_negative == d2_negative) or (r < 0 and q_negative != d2_negative):
            q += 1
        return LegacyDec(check_dec_range(q, "quo_round_up"))

    def quo_int(self, i: int) -> LegacyDec:
        """QuoInt: raw / i truncated toward zero (i a math.Int); Go does no range check
        here, none is needed: |raw / i| <= |raw|."""
        check_sdk_int(i, "quo_int")
        if i == 0:
            raise ErrDivisionByZero("quo_int")
        return LegacyDec(go_quo(self.raw, i))

    def quo_int64(self, i: int) -> LegacyDec:
        """QuoInt64: raw / i truncated toward zero (i an int64)."""
        check_int64(i, "quo_int64")
        if i == 0:
            raise ErrDivisionByZero("quo_int64")
        return LegacyDec(go_quo(self.raw, i))

    # --- power and roots (specs/math.md §5.4) ----------------------------------------------

    def power(self, n: int) -> LegacyDec:
        """Power(n uint64): square-and-multiply from the low bit, each step a rounded Mul
        with its own range check; value^0 = 1."""
        check_uint64(n, "power")
        return LegacyDec(_power_raw(self.raw, n))

    def approx_root(self, root: int) -> LegacyDec:
        """ApproxRoot(root uint64): Newton's method from guess 1, at most 300 iterations,
        stopping once |delta| <= 10^-18. root 0 gives 1; a negative value gives
        -(|value|^(1/root)) for any root (Go does not refuse even roots of negatives).
        An overflow inside the iteration is Go's "out of bounds" error."""
        check_uint64(root, "root")
        try:
            return LegacyDec(_approx_root_raw(self.raw, root))
        except ErrDecOutOfRange as exc:
            raise ErrApproxRootOutOfBounds(f"root {root} of {self}") from exc

    def approx_sqrt(self) -> LegacyDec:
        """ApproxSqrt: approx_root(2)."""
        return self.approx_root(2)

    # --- to integers (specs/math.md §5.5) -------------------------------------------------

    def round_int(self) -> int:
        """RoundInt: value rounded half to even, as a math.Int (bit length <= 256)."""
        return check_sdk_int(chop_precision_and_round(self.raw), "round_int")

    def truncate_int(self) -> int:
        """TruncateInt: value truncated toward zero, as a math.Int (bit length <= 256)."""
        return check_sdk_int(chop_precision_and_truncate(self.raw), "truncate_int")

    def round_int64(self) -> int:
        """RoundInt64: value rounded half to even, as an int64."""
        return check_int64(chop_precision_and_round(self.raw), "round_int64")

    def truncate_int64(self) -> int:
        """TruncateInt64: value truncated toward zero, as an int64."""
        return check_int64(chop_precision_and_truncate(self.raw), "truncate_int64")

    def truncate_dec(self) -> LegacyDec:
        """TruncateDec: value truncated toward zero, as a LegacyDec."""
        return LegacyDec(chop_precision_and_truncate(self.raw) * PRECISION_MULTIPLIER)

    def ceil(self) -> LegacyDec:
        """Ceil: the smallest whole number >= value, range-checked (so Ceil of the largest
        value, 2^256 - 10^-18, is out of range)."""
        q, r = go_quo_rem(self.raw, PRECISION_MULTIPLIER)
        if r > 0:
            q += 1
        return LegacyDec(check_dec_range(q * PRECISION_MULTIPLIER, "ceil"))


def min_dec(a: LegacyDec, b: LegacyDec) -> LegacyDec:
    """LegacyMinDec: the smaller of a and b (b when equal)."""
    return a if a.raw < b.raw else b


def max_dec(a: LegacyDec, b: LegacyDec) -> LegacyDec:
    """LegacyMaxDec: the larger of a and b (a when equal)."""
    return b if a.raw < b.raw else a
