"""x/staking invariants (specs/staking.md "Invariants")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.staking.keeper import BONDED_POOL, NOT_BONDED_POOL, StakingKeeper


def module_accounts(keeper: StakingKeeper, ctx: Context) -> tuple[str, bool]:
    """The bonded pool holds the validators' tokens; the not-bonded pool holds the
    unbonding entries' amounts (Cosmos staking ModuleAccountInvariants)."""
    bonded = sum(int(v.tokens) for v in keeper.validators.values(ctx))
    unbonding = sum(int(e.amount) for e in keeper.unbonding.values(ctx))
    have_bonded = keeper.bank.module_balance(ctx, BONDED_POOL)
    have_unbonding = keeper.bank.module_balance(ctx, NOT_BONDED_POOL)
    broken = bonded != have_bonded or unbonding != have_unbonding
    msg = (
        f"staking: bonded tokens {bonded} vs pool {have_bonded}; "
        f"unbonding {unbonding} vs pool {have_unbonding}"
    )
    return msg, broken


def delegator_shares(keeper: StakingKeeper, ctx: Context) -> tuple[str, bool]:
    """Each validator's tokens equal the sum of its delegations (Cosmos DelegatorShares)."""
    sums: dict[str, int] = {}
    for (_, operator), amount in keeper.delegations.iterate(ctx):
        sums[operator] = sums.get(operator, 0) + amount
    bad = [
        v.operator_address
        for v in keeper.validators.values(ctx)
        if sums.get(v.operator_address, 0) != int(v.tokens)
    ]
    return f"staking: tokens != delegations for {bad}", bool(bad)


def unbonding_queue(keeper: StakingKeeper, ctx: Context) -> tuple[str, bool]:
    """Every unbonding entry is scheduled exactly once, at its completion time."""
    scheduled = sorted(keeper.unbonding_queue.iterate(ctx))
    expected = sorted((e.completion_time_ms, e.id) for e in keeper.unbonding.values(ctx))
    return "staking: unbonding queue differs from entries", scheduled != expected
