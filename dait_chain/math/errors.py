"""Registered errors of the `math` codespace (specs/math.md §8).

Where cosmossdk.io/math panics or returns an error, dait_chain.math raises one of these;
one class per distinct failure. Codes are published: never renumber, only append.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class MathError(DaitError, codespace="math"):
    """Family of every refusal raised by dait_chain.math."""


# --- LegacyNewDecFromStr (specs/math.md §3) ---------------------------------------------


class ErrEmptyDecimalStr(MathError, code=2, description="decimal string cannot be empty"):
    pass


class ErrInvalidDecimalLength(MathError, code=3, description="invalid decimal length"):
    pass


class ErrInvalidDecimalStr(MathError, code=4, description="invalid decimal string"):
    pass


class ErrTooManyDecimalPlaces(
    MathError, code=5, description="decimal string exceeds max precision of 18 places"
):
    pass


class ErrInvalidDecimalDigits(
    MathError, code=6, description="failed to set decimal string with base 10"
):
    pass


# --- range and arithmetic (specs/math.md §4, §5) -----------------------------------------


class ErrDecOutOfRange(
    MathError, code=7, description="decimal out of range: |raw| > 2^256 * 10^18 - 1"
):
    pass


class ErrDivisionByZero(MathError, code=8, description="division by zero"):
    pass


class ErrNegativePrecision(MathError, code=9, description="negative precision"):
    pass


class ErrPrecisionTooLarge(MathError, code=10, description="too much precision, maximum 18"):
    pass


class ErrApproxRootOutOfBounds(MathError, code=11, description="approx root out of bounds"):
    pass


# --- bounded integers (specs/math.md §7) ---------------------------------------------------


class ErrIntOutOfRange(
    MathError, code=12, description="integer out of range: bit length > 256 (math.Int)"
):
    pass


class ErrUint64OutOfRange(MathError, code=13, description="value is not a uint64"):
    pass


class ErrUint64Overflow(MathError, code=14, description="uint64 overflow"):
    pass


class ErrUint64Underflow(MathError, code=15, description="uint64 underflow"):
    pass


class ErrInt64OutOfRange(MathError, code=16, description="value is not an int64"):
    pass
