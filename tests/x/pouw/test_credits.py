"""The credit rules of specs/pouw.md §5: decayApprox, the credit formula, effective stake.

Expected values come from the Fraction oracles in oracle.py (the written step order with
Go's rounding), from the seed's formulas, or from derivations written in the test.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.math import LegacyDec
from dait_chain.math.errors import ErrInt64OutOfRange
from dait_chain.x.pouw.credits import (
    MAX_CREDITS,
    credit_for_job,
    decay_approx,
    effective_stake_for,
    multiplier_cap,
)
from dait_chain.x.pouw.errors import ErrInvalidParams
from dait_chain.x.pouw.params import DEFAULT_HALF_LIFE_BLOCKS

from .oracle import credit_oracle, decay_oracle, effective_stake_oracle

HL = DEFAULT_HALF_LIFE_BLOCKS
SPEC = Path(__file__).resolve().parents[3] / "specs" / "pouw.md"


def frac(d: LegacyDec) -> Fraction:
    return Fraction(d.raw, 10**18)


def dec(f: Fraction) -> LegacyDec:
    assert (f * 10**18).denominator == 1
    return LegacyDec.from_raw(int(f * 10**18))


raw_credits = st.integers(min_value=0, max_value=MAX_CREDITS.raw)
half_lives = st.one_of(st.just(HL), st.integers(min_value=1, max_value=5_000))


# --- decayApprox (specs §5.2) ------------------------------------------------------------


def test_default_half_life_is_fourteen_days_of_999_ms_blocks() -> None:
    """decisions.md: 14 days at 999 ms = 1,210,811 blocks, the ceiling of 14 d / 999 ms."""
    fourteen_days_ms = 14 * 24 * 3600 * 1000
    assert -(-fourteen_days_ms // 999) == HL


def test_decay_at_zero_delta_is_identity() -> None:
    x = LegacyDec.from_str("123.456789012345678901")
    assert decay_approx(x, 0, HL) == x


def test_decay_at_one_half_life_halves() -> None:
    """Seed 003: credits(last) * 0.5 ^ (delta / half_life) with delta = half_life."""
    assert decay_approx(LegacyDec.from_int(1000), HL, HL) == LegacyDec.from_int(500)


def test_decay_interpolates_linearly_inside_a_half_life() -> None:
    """Seed 003: "linearly interpolates the residual fraction": halfway through the first
    half-life the value is x * (1 - 1/4) = 0.75 x (for an even half-life, r/HL = 1/2)."""
    assert decay_approx(LegacyDec.from_int(1000), 50, 100) == LegacyDec.from_int(750)


def test_decay_table_in_spec_matches_code_and_oracle() -> None:
    """Every row of the decay table in specs/pouw.md §5.2 equals both decay_approx and the
    independent Fraction computation."""
    text = SPEC.read_text()
    section = text.split("<!-- decay-table -->")[1]
    rows = re.findall(r"^\| ([0-9,]+) \| [^|]+\| ([0-9.]+) \| ([0-9.]+) \|$", section, re.M)
    assert len(rows) == 8
    for delta_text, at_million, at_third in rows:
        delta = int(delta_text.replace(",", ""))
        for start, expected in (("1000000", at_million), ("0.333333333333333333", at_third)):
            x = LegacyDec.from_str(start)
            assert str(decay_approx(x, delta, HL)) == expected
            assert decay_oracle(Fraction(start), delta, HL) == Fraction(expected)


@given(raw_credits, st.integers(min_value=0, max_value=200 * HL), half_lives)
def test_decay_matches_fraction_oracle(raw: int, delta: int, half_life: int) -> None:
    """decay_approx equals the step-by-step Fraction computation of specs §5.2."""
    x = LegacyDec.from_raw(raw)
    assert frac(decay_approx(x, delta, half_life)) == decay_oracle(frac(x), delta, half_life)


@given(raw_credits, st.integers(min_value=0, max_value=80 * HL), st.integers(0, 3 * HL), half_lives)
def test_decay_is_monotone_non_increasing_in_delta(
    raw: int, d1: int, step: int, half_life: int
) -> None:
    """For fixed credits and half-life, delta1 <= delta2 implies decay(delta1) >=
    decay(delta2), across half-life boundaries too."""
    x = LegacyDec.from_raw(raw)
    assert decay_approx(x, d1, half_life).gte(decay_approx(x, d1 + step, half_life))


@given(raw_credits, st.integers(min_value=0, max_value=HL))
def test_decay_is_monotone_across_every_half_life_boundary(raw: int, k: int) -> None:
    """The value one block before a whole half-life is >= the value at it (the walk and
    the interpolation meet without a jump upward)."""
    x = LegacyDec.from_raw(raw)
    n = k % 70
    before = decay_approx(x, (n + 1) * HL - 1, HL)
    at = decay_approx(x, (n + 1) * HL, HL)
    assert before.gte(at)


@given(st.integers(min_value=0, max_value=2**100), st.integers(min_value=0, max_value=60))
def test_decay_is_exact_at_whole_half_lives(m: int, k: int) -> None:
    """At delta = k half-lives the result is exactly x / 2^k whenever x's raw value is a
    multiple of 2^k (no interpolation, and each halving is exact)."""
    x = LegacyDec.from_raw(m * 2**k)
    assert frac(decay_approx(x, k * HL, HL)) == frac(x) / 2**k


@given(raw_credits, st.integers(min_value=0, max_value=40))
def test_decay_at_whole_half_lives_is_repeated_rounded_halving(raw: int, k: int) -> None:
    """At delta = k half-lives the result is k half-even halvings, nothing else."""
    x = LegacyDec.from_raw(raw)
    expected = x
    for _ in range(k):
        expected = expected.mul(LegacyDec.from_str("0.5"))
    assert decay_approx(x, k * HL, HL) == expected


@pytest.mark.parametrize("half_lives_elapsed", [1_000, 10_000, 10**9])
def test_decay_after_thousands_of_half_lives_is_zero(half_lives_elapsed: int) -> None:
    """The largest balance, 2^128 - 1 whole credits (raw value below 2^188), is zero after
    at most ~190 halvings: after 1,000 or more half-lives the value is 0, with no overflow
    and without walking every half-life."""
    assert decay_approx(MAX_CREDITS, half_lives_elapsed * HL + 17, HL).is_zero()


def test_decay_at_uint64_max_delta_is_zero() -> None:
    assert decay_approx(MAX_CREDITS, 2**64 - 1, 1).is_zero()


def test_decay_refuses_a_zero_half_life() -> None:
    with pytest.raises(ErrInvalidParams):
        decay_approx(LegacyDec.one(), 5, 0)


# --- the credit formula (specs §5.1) -------------------------------------------------------


def test_credit_is_tokens_times_weight_when_attested_and_never_audited() -> None:
    """Seed 003: tokens_out x model_weight x tee_attested x (1 - audit_fail_rate)."""
    assert credit_for_job(1_000, LegacyDec.from_str("1.5"), True, 0, 0) == LegacyDec.from_int(1_500)


def test_credit_is_zero_without_attestation() -> None:
    assert credit_for_job(1_000, LegacyDec.from_str("1.5"), False, 0, 0).is_zero()


def test_credit_is_scaled_by_one_minus_audit_fail_rate() -> None:
    """1 failure in 4 audits: rate 1/4, so 3/4 of 1,000 x 2 = 1,500."""
    assert credit_for_job(1_000, LegacyDec.from_int(2), True, 4, 1) == LegacyDec.from_int(1_500)


def test_credit_is_zero_when_every_audit_failed() -> None:
    assert credit_for_job(1_000, LegacyDec.from_int(2), True, 3, 3).is_zero()


def test_credit_rate_division_truncates() -> None:
    """1 - 1/3 of 1 whole credit: 0.666...666 with the last digit truncated, not rounded."""
    got = credit_for_job(1, LegacyDec.one(), True, 3, 1)
    assert str(got) == "0.666666666666666666"


@given(
    st.integers(min_value=0, max_value=2**64 - 1),
    st.integers(min_value=0, max_value=10**24),
    st.booleans(),
    st.integers(min_value=0, max_value=10**6),
    st.data(),
)
def test_credit_matches_fraction_oracle(
    tokens: int, weight_raw: int, attested: bool, audits: int, data: st.DataObject
) -> None:
    """credit_for_job equals the step-by-step Fraction computation of specs §5.1."""
    failures = data.draw(st.integers(min_value=0, max_value=audits))
    weight = LegacyDec.from_raw(weight_raw)
    got = credit_for_job(tokens, weight, attested, audits, failures)
    assert frac(got) == credit_oracle(tokens, frac(weight), attested, audits, failures)


def test_credit_refuses_more_failures_than_audits() -> None:
    with pytest.raises(ErrInvalidParams):
        credit_for_job(1, LegacyDec.one(), True, 1, 2)


# --- effective stake (specs §5.4) ------------------------------------------------------------

ALPHA = LegacyDec.from_str("1")
K = LegacyDec.from_str("4")


def test_effective_stake_of_zero_stake_is_zero() -> None:
    assert effective_stake_for(0, LegacyDec.from_int(10**9), ALPHA, K).is_zero()


def test_effective_stake_without_credits_is_stake() -> None:
    assert effective_stake_for(1_000, LegacyDec.zero(), ALPHA, K) == LegacyDec.from_int(1_000)


def test_effective_stake_just_below_the_cap() -> None:
    """credits/stake = 4 - 10^-18: multiplier 1 + (4 - 10^-18), times 1 stake."""
    credits = LegacyDec.from_int(4).sub(LegacyDec.smallest())
    assert effective_stake_for(1, credits, ALPHA, K) == LegacyDec.from_int(5).sub(
        LegacyDec.smallest()
    )


def test_effective_stake_at_the_cap_is_five_times_stake() -> None:
    """Seed 003: "K = 4.0 caps the multiplier at 5x"."""
    assert effective_stake_for(1_000, LegacyDec.from_int(4_000), ALPHA, K) == LegacyDec.from_int(
        5_000
    )


def test_effective_stake_above_the_cap_stays_at_five_times_stake() -> None:
    for credits in (4_001, 10**12, 2**128 - 1):
        got = effective_stake_for(1_000, LegacyDec.from_int(credits), ALPHA, K)
        assert got == LegacyDec.from_int(5_000)


def test_effective_stake_ratio_truncates() -> None:
    """credits 2, stake 3: ratio 0.666...666 (truncated), so 3 x 1.666...666 = 4.999...998."""
    got = effective_stake_for(3, LegacyDec.from_int(2), ALPHA, K)
    assert str(got) == "4.999999999999999998"


def test_effective_stake_with_alpha_zero_is_stake() -> None:
    got = effective_stake_for(7, LegacyDec.from_int(10**6), LegacyDec.zero(), K)
    assert got == LegacyDec.from_int(7)


def test_effective_stake_refuses_a_stake_beyond_int64() -> None:
    with pytest.raises(ErrInt64OutOfRange):
        effective_stake_for(2**63, LegacyDec.one(), ALPHA, K)


@given(
    st.integers(min_value=0, max_value=2**63 - 1),
    raw_credits,
    st.integers(min_value=0, max_value=10**21),
    st.integers(min_value=0, max_value=10**21),
)
def test_effective_stake_matches_fraction_oracle(
    stake: int, raw: int, alpha_raw: int, k_raw: int
) -> None:
    """effective_stake_for equals the step-by-step Fraction computation of specs §5.4."""
    credits = LegacyDec.from_raw(raw)
    alpha = LegacyDec.from_raw(alpha_raw)
    k = LegacyDec.from_raw(k_raw)
    got = effective_stake_for(stake, credits, alpha, k)
    assert frac(got) == effective_stake_oracle(stake, frac(credits), frac(alpha), frac(k))


@given(
    st.integers(min_value=0, max_value=2**63 - 1),
    raw_credits,
    st.integers(min_value=0, max_value=10**21),
    st.integers(min_value=0, max_value=10**21),
)
def test_effective_stake_lies_between_stake_and_capped_multiple(
    stake: int, raw: int, alpha_raw: int, k_raw: int
) -> None:
    """stake <= effective stake <= stake x (1 + alpha x K)."""
    alpha = LegacyDec.from_raw(alpha_raw)
    k = LegacyDec.from_raw(k_raw)
    got = effective_stake_for(stake, LegacyDec.from_raw(raw), alpha, k)
    assert LegacyDec.from_int(stake).lte(got)
    assert got.lte(multiplier_cap(alpha, k).mul_int64(stake))
