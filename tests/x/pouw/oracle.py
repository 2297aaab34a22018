"""Independent oracles for the pouw rules: Fraction arithmetic that follows the written
step order of specs/pouw.md §5 with Go's rounding, written apart from the code.

Go's LegacyDec keeps 18 decimals. Its `Mul` rounds the exact product to 18 decimals half
to even; `MulInt64` is exact; `QuoInt64` and `QuoTruncate` / `MulTruncate` truncate
toward zero. Every value here is non-negative, so truncation is floor.
"""

from __future__ import annotations

from fractions import Fraction

SCALE = 10**18


def to_frac(text: str) -> Fraction:
    """A decimal string as an exact Fraction."""
    return Fraction(text)


def round_half_even_18(value: Fraction) -> Fraction:
    """value rounded to 18 decimals, ties to the even last digit (Go chopPrecisionAndRound)."""
    scaled = value * SCALE
    floor = scaled.numerator // scaled.denominator
    rest = scaled - floor
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and floor % 2 == 1):
        floor += 1
    return Fraction(floor, SCALE)


def truncate_18(value: Fraction) -> Fraction:
    """value truncated to 18 decimals (non-negative values: floor)."""
    scaled = value * SCALE
    return Fraction(scaled.numerator // scaled.denominator, SCALE)


def decay_oracle(credits: Fraction, delta: int, half_life: int) -> Fraction:
    """specs §5.2, step by step: n halvings each rounded half-even, then
    x - trunc(x * r / (2 * half_life))."""
    n, r = divmod(delta, half_life)
    x = credits
    for _ in range(n):
        if x == 0:
            break
        x = round_half_even_18(x / 2)
    if r:
        x = x - truncate_18(x * r / (2 * half_life))
    return x


def credit_oracle(
    tokens_out: int, weight: Fraction, attested: bool, audits: int, failures: int
) -> Fraction:
    """specs §5.1: round(tokens * weight), times 0/1, times (a - f) then truncated / a."""
    c = round_half_even_18(Fraction(tokens_out) * weight)
    c = c * (1 if attested else 0)
    if audits:
        c = truncate_18(c * (audits - failures) / audits)
    return c


def effective_stake_oracle(stake: int, credits: Fraction, alpha: Fraction, k: Fraction) -> Fraction:
    """specs §5.4: trunc(credits / stake), min with K, round(alpha * capped), 1 + boost,
    times stake."""
    if stake == 0:
        return Fraction(0)
    ratio = truncate_18(credits / stake)
    capped = min(ratio, k)
    boost = round_half_even_18(alpha * capped)
    return (1 + boost) * stake
