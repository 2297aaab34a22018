"""Bounded integers: the Go types the chain's amounts and counters live in (specs/math.md §7).

Python ints are unbounded; the chain's are not. uint64 is the wire type of uDAIT amounts
and counters, int64 is Go's `int64` argument type (LegacyDec.MulInt64, QuoInt64),
and cosmossdk.io/math Int holds at most 256 bits of magnitude (int.go: MaxBitLen = 256,
`bigIntOverflows`: BitLen() > MaxBitLen). Leaving a bound is an error, never a wrap.
"""

from __future__ import annotations

from dait_chain.math.errors import (
    ErrInt64OutOfRange,
    ErrIntOutOfRange,
    ErrUint64OutOfRange,
    ErrUint64Overflow,
    ErrUint64Underflow,
)

UINT64_MAX = (1 << 64) - 1
INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1
SDK_INT_MAX_BIT_LEN = 256
# math.Int's range is symmetric: -(2^256 - 1) .. 2^256 - 1 (int.go: "257 bit range bound").
SDK_INT_MAX = (1 << SDK_INT_MAX_BIT_LEN) - 1


def check_uint64(x: int, what: str) -> int:
    """Return `x` if it is a uint64 (0 <= x <= 2^64 - 1), else raise ErrUint64OutOfRange."""
    if x < 0 or x > UINT64_MAX:
        raise ErrUint64OutOfRange(f"{what} = {x}")
    return x


def add_uint64(a: int, b: int, what: str = "uint64 add") -> int:
    """a + b for uint64 operands; a sum above 2^64 - 1 is ErrUint64Overflow."""
    check_uint64(a, what)
    check_uint64(b, what)
    total = a + b
    if total > UINT64_MAX:
        raise ErrUint64Overflow(f"{what}: {a} + {b}")
    return total


def sub_uint64(a: int, b: int, what: str = "uint64 sub") -> int:
    """a - b for uint64 operands; a difference below 0 is ErrUint64Underflow."""
    check_uint64(a, what)
    check_uint64(b, what)
    if b > a:
        raise ErrUint64Underflow(f"{what}: {a} - {b}")
    return a - b


def mul_uint64(a: int, b: int, what: str = "uint64 mul") -> int:
    """a * b for uint64 operands; a product above 2^64 - 1 is ErrUint64Overflow."""
    check_uint64(a, what)
    check_uint64(b, what)
    product = a * b
    if product > UINT64_MAX:
        raise ErrUint64Overflow(f"{what}: {a} * {b}")
    return product


def check_int64(x: int, what: str) -> int:
    """Return `x` if it is an int64 (-2^63 <= x <= 2^63 - 1), else raise ErrInt64OutOfRange."""
    if x < INT64_MIN or x > INT64_MAX:
        raise ErrInt64OutOfRange(f"{what} = {x}")
    return x


def check_sdk_int(x: int, what: str) -> int:
    """Return `x` if it fits cosmossdk.io/math Int (bit length of |x| <= 256), else
    raise ErrIntOutOfRange."""
    if x.bit_length() > SDK_INT_MAX_BIT_LEN:
        raise ErrIntOutOfRange(f"{what}: bit length {x.bit_length()}")
    return x
