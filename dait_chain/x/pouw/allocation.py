"""AllocateTokensOverride: validator rewards weighted by effective stake (specs/pouw.md §5.5).

Seed 003 "Distribution override": "The keeper provides AllocateTokensOverride. App wiring
wraps distrkeeper.RewardsAllocator so that per-validator shares are rewritten by PoUW
effective_stake before the standard distribution pipeline pays out."

Cosmos x/distribution AllocateTokens gives validator i the share
`LegacyNewDec(power_i).QuoTruncate(LegacyNewDec(totalPower))` of the pool, pays
`pool.MulDecTruncate(share)` and sends what truncation leaves to the community pool. The
override keeps every step and replaces power_i by effective_stake_i (and the total by
their sum), so with alpha = 0 it is stock Cosmos, digit for digit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dait_chain.math import LegacyDec
from dait_chain.x.pouw.credits import effective_stake_for


@dataclass(frozen=True, slots=True)
class ValidatorWeight:
    """A bonded validator as the allocation sees it: its voting power and credits_i."""

    operator: str
    power: int
    credits: LegacyDec


@dataclass(frozen=True, slots=True)
class Allocation:
    """Per-validator rewards in input order, and what truncation left over."""

    rewards: tuple[tuple[str, LegacyDec], ...]
    remainder: LegacyDec


def effective_stakes(
    validators: Sequence[ValidatorWeight], alpha: LegacyDec, k: LegacyDec
) -> tuple[LegacyDec, ...]:
    """effective_stake_for each validator, in input order (specs §5.4)."""
    return tuple(effective_stake_for(v.power, v.credits, alpha, k) for v in validators)


def reward_shares(weights: Sequence[LegacyDec]) -> tuple[LegacyDec, ...] | None:
    """share_i = weight_i.QuoTruncate(sum of weights), or None when the sum is zero
    (Cosmos then sends the whole pool to the community pool)."""
    total = LegacyDec.zero()
    for w in weights:
        total = total.add(w)
    if total.is_zero():
        return None
    return tuple(w.quo_truncate(total) for w in weights)


def allocate_by_effective_stake(
    pool: LegacyDec, validators: Sequence[ValidatorWeight], alpha: LegacyDec, k: LegacyDec
) -> Allocation:
    """Split `pool` among validators by effective stake (specs §5.5).

    1. eff_i = effective_stake_for(power_i, credits_i, alpha, K)      (§5.4)
    2. total = sum of eff_i (LegacyDec Add, exact)
    3. if total is zero: every validator gets 0, remainder = pool
    4. share_i = eff_i.QuoTruncate(total)
    5. reward_i = pool.MulTruncate(share_i)
    6. remainder = pool - sum of reward_i (exact Subs), which Cosmos adds to the
       community pool; so the rewards plus the remainder are exactly the pool.
    """
    shares = reward_shares(effective_stakes(validators, alpha, k))
    if shares is None:
        return Allocation(tuple((v.operator, LegacyDec.zero()) for v in validators), pool)
    remaining = pool
    rewards: list[tuple[str, LegacyDec]] = []
    for v, share in zip(validators, shares, strict=True):
        reward = pool.mul_truncate(share)
        rewards.append((v.operator, reward))
        remaining = remaining.sub(reward)
    return Allocation(tuple(rewards), remaining)


__all__ = [
    "Allocation",
    "ValidatorWeight",
    "allocate_by_effective_stake",
    "effective_stakes",
    "reward_shares",
]
