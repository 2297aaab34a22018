"""The credit rules: decayApprox, the credit formula, effective stake (specs/pouw.md §5).

Pure functions of their arguments; the keeper calls them with stored values. The order
of LegacyDec operations is consensus-critical (decisions.md: "The exact order of
`LegacyDec` operations in `decayApprox`, the credit formula and `effective_stake` is
consensus-critical"): each function follows the numbered steps of its spec section, and
each step names the cosmossdk.io/math call it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from dait_chain.math import LegacyDec, check_int64, check_uint64, min_dec
from dait_chain.x.pouw.errors import ErrInvalidParams

# §5.2 step 2: one half-life multiplies by LegacyNewDecWithPrec(5, 1).
HALF: Final = LegacyDec.from_int_with_prec(5, 1)
# §5.1: credits never exceed 2^128 - 1 whole credits. With half_life <= 2^62 - 1 this keeps
# every intermediate of §5.2 step 3 (x * r) inside LegacyDec's 2^256 range, even for a
# validator aggregate summing up to 2^64 hosts (specs §5.3).
MAX_CREDITS: Final = LegacyDec.from_int(2**128 - 1)


def decay_approx(credits: LegacyDec, delta_blocks: int, half_life_blocks: int) -> LegacyDec:
    """credits * 0.5^(delta/half_life), the seed's decayApprox (specs §5.2).

    Seed 003: "walks integer half-lives (each one a LegacyDec multiplication) then
    linearly interpolates the residual fraction". Steps:

    1. n = delta / half_life, r = delta % half_life (uint64 division).
    2. n times: x = x.Mul(LegacyNewDecWithPrec(5, 1)); stop early once x is zero (every
       later step would keep it zero, so the result is the same).
    3. if r > 0: x = x.Sub(x.MulInt64(r).QuoInt64(2 * half_life)).
    """
    check_uint64(delta_blocks, "delta_blocks")
    if not 1 <= half_life_blocks <= (2**63 - 1) // 2:
        raise ErrInvalidParams(f"half_life_blocks={half_life_blocks}")
    if credits.is_negative():
        raise ErrInvalidParams(f"negative credits {credits}")
    n, r = divmod(delta_blocks, half_life_blocks)
    x = credits
    # range() of a huge n is lazy; the zero test ends the walk after ~320 steps at most.
    for _ in range(n):
        if x.is_zero():
            return x
        x = x.mul(HALF)
    if r and not x.is_zero():
        x = x.sub(x.mul_int64(r).quo_int64(2 * half_life_blocks))
    return x


# --- balances on the half-life epoch grid (specs §5.3) ------------------------------------


@dataclass(frozen=True, slots=True)
class Balance:
    """A stored credit balance: `credits` as of `anchor`, a multiple of the half-life.

    Its value at height h >= anchor is decay_approx(credits, h - anchor, half_life)."""

    credits: LegacyDec
    anchor: int


ZERO_BALANCE: Final = Balance(LegacyDec.zero(), 0)


def epoch_start(height: int, half_life_blocks: int) -> int:
    """The first height of the half-life epoch containing height: h - h % half_life."""
    return height - height % half_life_blocks


def read_balance(balance: Balance, height: int, half_life_blocks: int) -> LegacyDec:
    """GetDecayedCredits: decay_approx(credits, height - anchor, half_life) (specs §5.3)."""
    return decay_approx(balance.credits, height - balance.anchor, half_life_blocks)


def checkpoint(balance: Balance, height: int, half_life_blocks: int) -> Balance:
    """The same balance re-anchored at epoch_start(height): the whole half-lives since its
    anchor are walked (decay_approx with a residual of 0), nothing is interpolated."""
    start = epoch_start(height, half_life_blocks)
    if start <= balance.anchor:
        return balance
    walked = decay_approx(balance.credits, start - balance.anchor, half_life_blocks)
    return Balance(walked, start)


def gross_up(credit: LegacyDec, height: int, half_life_blocks: int) -> LegacyDec:
    """The amount to add at the epoch start so that reading at `height` gives `credit`
    back: credit / (1 - r / (2 * half_life)) with r = height % half_life, computed as
    credit.MulInt64(2 * half_life).QuoInt64(2 * half_life - r) (specs §5.3)."""
    r = height % half_life_blocks
    if r == 0:
        return credit
    two_hl = 2 * half_life_blocks
    return credit.mul_int64(two_hl).quo_int64(two_hl - r)


def audit_keep_factor_applies(audits: int, failures: int) -> bool:
    """Whether the (1 - audit_fail_rate) factor is applied: only with audits in the window
    (no audits = rate 0, specs §6.3)."""
    if not 0 <= failures <= audits:
        raise ErrInvalidParams(f"failures={failures} outside 0..audits={audits}")
    return audits > 0


def credit_for_job(
    tokens_out: int, model_weight: LegacyDec, tee_attested: bool, audits: int, failures: int
) -> LegacyDec:
    """tokens_out x model_weight x tee_attested x (1 - audit_fail_rate) (specs §5.1).

    Steps:

    1. c = LegacyNewDecFromInt(tokens_out)
    2. c = c.Mul(model_weight)
    3. c = c.MulInt64(tee) with tee = 1 if tee_attested else 0
    4. if audits > 0: c = c.MulInt64(audits - failures).QuoInt64(audits)
       (= c x (1 - failures/audits), one truncating division)
    """
    check_uint64(tokens_out, "tokens_out")
    c = LegacyDec.from_int(tokens_out)
    c = c.mul(model_weight)
    c = c.mul_int64(1 if tee_attested else 0)
    if audit_keep_factor_applies(audits, failures):
        check_int64(audits, "audits")
        c = c.mul_int64(audits - failures).quo_int64(audits)
    return c


def audit_fail_rate(audits: int, failures: int) -> LegacyDec:
    """failures / audits as LegacyNewDec(failures).QuoInt64(audits); 0 without audits
    (reported by queries and events; the credit formula uses §5.1 step 4)."""
    if not audit_keep_factor_applies(audits, failures):
        return LegacyDec.zero()
    return LegacyDec.from_int(failures).quo_int64(audits)


def multiplier_cap(alpha: LegacyDec, k: LegacyDec) -> LegacyDec:
    """1 + alpha x K as §5.4 computes it at the cap: LegacyOneDec().Add(alpha.Mul(K)).

    Seed 003: "K = 4.0 caps the multiplier at 5x". Every effective stake lies in
    [stake, stake x multiplier_cap]."""
    return LegacyDec.one().add(alpha.mul(k))


def effective_stake_for(
    stake: int, credits: LegacyDec, alpha: LegacyDec, k: LegacyDec
) -> LegacyDec:
    """stake x (1 + alpha x min(credits / stake, K)), the seed's EffectiveStakeFor
    (specs §5.4). stake is the validator's voting power (an int64).

    Steps:

    1. if stake == 0: return LegacyZeroDec()
    2. ratio = credits.QuoInt64(stake)            (truncating)
    3. capped = LegacyMinDec(ratio, K)
    4. boost = alpha.Mul(capped)
    5. mult = LegacyOneDec().Add(boost)
    6. return mult.MulInt64(stake)
    """
    check_int64(stake, "stake")
    if stake < 0:
        raise ErrInvalidParams(f"negative stake {stake}")
    if stake == 0:
        return LegacyDec.zero()
    ratio = credits.quo_int64(stake)
    capped = min_dec(ratio, k)
    boost = alpha.mul(capped)
    mult = LegacyDec.one().add(boost)
    return mult.mul_int64(stake)


__all__ = [
    "HALF",
    "MAX_CREDITS",
    "ZERO_BALANCE",
    "Balance",
    "audit_fail_rate",
    "checkpoint",
    "credit_for_job",
    "decay_approx",
    "effective_stake_for",
    "epoch_start",
    "gross_up",
    "multiplier_cap",
    "read_balance",
]
