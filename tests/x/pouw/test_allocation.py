"""AllocateTokensOverride: rewards weighted by effective stake (specs/pouw.md §5.5)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.app.context import Context
from dait_chain.math import LegacyDec
from dait_chain.x.distribution.keeper import allocate_by_power
from dait_chain.x.pouw.allocation import (
    ValidatorWeight,
    allocate_by_effective_stake,
    effective_stakes,
)
from dait_chain.x.pouw.credits import multiplier_cap
from dait_chain.x.pouw.simulation import party
from dait_chain.x.pouw.types import MsgSetCreditTarget
from dait_chain.x.staking.keeper import ValidatorPower

from .scene import events, make_world, ok

OPERATORS = tuple(party(f"alloc-val{i}").address for i in range(12))


def frac(d: LegacyDec) -> Fraction:
    return Fraction(d.raw, 10**18)


validators = st.lists(
    st.tuples(st.integers(1, 10**9), st.integers(0, 10**40)), min_size=1, max_size=12
).map(
    lambda rows: [
        ValidatorWeight(OPERATORS[i], power, LegacyDec.from_raw(credits))
        for i, (power, credits) in enumerate(rows)
    ]
)
decs = st.integers(0, 10 * 10**18).map(LegacyDec.from_raw)
pools = st.integers(0, 10**30).map(LegacyDec.from_raw)


@given(pools, validators, decs, decs)
def test_rewards_and_remainder_sum_to_the_pool(
    pool: LegacyDec, vals: list[ValidatorWeight], alpha: LegacyDec, k: LegacyDec
) -> None:
    """No uDAIT is created or lost: the rewards plus the community-pool remainder are the
    pool exactly, and the remainder is never negative."""
    out = allocate_by_effective_stake(pool, vals, alpha, k)
    total = LegacyDec.zero()
    for _, reward in out.rewards:
        total = total.add(reward)
    assert total.add(out.remainder) == pool
    assert not out.remainder.is_negative()


@given(validators, decs, decs)
def test_effective_share_over_stake_share_is_within_the_multiplier_cap(
    vals: list[ValidatorWeight], alpha: LegacyDec, k: LegacyDec
) -> None:
    """Seed 003: the multiplier is capped at 1 + alpha x K; so each validator's share of
    the total effective stake, over its share of the total stake, lies in
    [1 / (1 + alpha K), 1 + alpha K] (M computed as the code caps it)."""
    effs = [frac(e) for e in effective_stakes(vals, alpha, k)]
    cap = frac(multiplier_cap(alpha, k))
    total_eff = sum(effs)
    total_power = sum(v.power for v in vals)
    for v, eff in zip(vals, effs, strict=True):
        ratio = (eff / total_eff) / Fraction(v.power, total_power)
        assert 1 / cap <= ratio <= cap


@given(st.integers(10**6, 10**30).map(LegacyDec.from_raw), validators, decs, decs)
def test_paid_reward_share_over_stake_share_is_within_the_cap_up_to_truncation(
    pool: LegacyDec, vals: list[ValidatorWeight], alpha: LegacyDec, k: LegacyDec
) -> None:
    """The same bound on what is paid: reward_i <= M x pool x stake share, and
    reward_i >= pool x stake share / M minus the two truncations (share, then product):
    at most pool x 10^-18 + 10^-18."""
    cap = frac(multiplier_cap(alpha, k))
    out = allocate_by_effective_stake(pool, vals, alpha, k)
    p = frac(pool)
    total_power = sum(v.power for v in vals)
    slack = p * Fraction(1, 10**18) + Fraction(1, 10**18)
    for v, (_, reward) in zip(vals, out.rewards, strict=True):
        share = Fraction(v.power, total_power)
        assert frac(reward) <= cap * p * share
        assert frac(reward) >= p * share / cap - slack


@given(pools, validators, decs)
def test_with_alpha_zero_the_override_is_stock_cosmos(
    pool: LegacyDec, vals: list[ValidatorWeight], k: LegacyDec
) -> None:
    """alpha = 0: every effective stake is the power, so the rewards are x/distribution's
    default allocation (Cosmos AllocateTokens) digit for digit."""
    out = allocate_by_effective_stake(pool, vals, LegacyDec.zero(), k)
    stock = allocate_by_power(
        _ctx(), pool, tuple(ValidatorPower(v.operator, b"", v.power * 10**6, v.power) for v in vals)
    )
    assert out.rewards == stock


def _ctx() -> Context:
    from dait_chain.app.events import EventManager
    from dait_chain.store.kv import KVStore

    return Context("alloc-1", 1, 0, "", KVStore(), EventManager())


def test_all_zero_stake_sends_the_pool_to_the_community_pool() -> None:
    vals = [ValidatorWeight(OPERATORS[0], 0, LegacyDec.from_int(5))]
    out = allocate_by_effective_stake(
        LegacyDec.from_int(100), vals, LegacyDec.one(), LegacyDec.one()
    )
    assert out.rewards == ((OPERATORS[0], LegacyDec.zero()),)
    assert out.remainder == LegacyDec.from_int(100)


def test_credits_pointed_at_the_smallest_validator_raise_its_rewards() -> None:
    """Through the app: stakes 4:3:2:1 (powers 4000:3000:2000:1000), a host pointing
    credits >= 4 x 1000 at the smallest validator makes its effective stake 5,000; the next
    allocation splits the pool 4000:3000:2000:5000 (each share truncated, the rest to the
    community pool)."""
    world = make_world(allocation_interval_blocks=20)
    host = world.hosts[0]
    smallest = world.validators[3]
    ok(
        world.block(
            [world.sign(host.party, (MsgSetCreditTarget(host.party.address, smallest.address),))]
        )
    )
    receipt, evidence = world.job(host, [5_000])
    ok(world.block([world.commit_tx(host, receipt)]))
    from dait_chain.x.pouw.types import MsgRevealReceipt

    msg = MsgRevealReceipt(host.party.address, receipt, evidence)
    ok(world.block([world.sign(host.party, (msg,))]))
    while world.app.height % 20 != 19:
        ok(world.block())
    fees = world.app.bank.module_balance(world.app.query_context(), "fee_collector")
    result = ok(world.block())
    rewards = {
        e["validator"]: int(e["amount"].removesuffix("uDAIT")) for e in events(result, "rewards")
    }
    [pool_event] = events(result, "community_pool")
    params = world.app.keepers.get("distribution", object).get_params(world.app.query_context())  # type: ignore[attr-defined]
    total = params.block_reward * 20 + fees
    pool = LegacyDec.from_int(total).mul_truncate(
        LegacyDec.one().sub(LegacyDec.from_str(params.community_tax))
    )
    weights = {
        v.address: w for v, w in zip(world.validators, (4000, 3000, 2000, 5000), strict=True)
    }
    for operator, weight in weights.items():
        share = LegacyDec.from_int(weight).quo_truncate(LegacyDec.from_int(14_000))
        assert rewards[operator] == pool.mul_truncate(share).truncate_int()
    assert sum(rewards.values()) + int(pool_event["amount"].removesuffix("uDAIT")) == total
