"""x/distribution keeper: mint rewards, collect fees, pay validators (specs/distribution.md).

Every `allocation_interval_blocks` heights, BeginBlock mints interval x block_reward uDAIT,
takes every fee collected since the last allocation, and splits the sum as Cosmos
AllocateTokens does: the community tax and every truncation remainder go to the community
pool, the rest is split among the active validators by the allocator (by voting power
unless x/pouw replaced it with effective stake). Rewards are paid straight to the
operators' accounts (no outstanding-rewards bookkeeping, no commission, no F1 delegator
split: specs/distribution.md "Decisions").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from dait_chain.app.context import Context
from dait_chain.math import LegacyDec
from dait_chain.store.collections import IntValue, Item, ProtoValueCodec, Schema
from dait_chain.x.auth.keeper import FEE_COLLECTOR, MINTER, AuthKeeper
from dait_chain.x.bank.coins import format_amount
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.distribution import events as ev
from dait_chain.x.distribution.errors import ErrAllocationExceedsPool, ErrUnknownRewardRecipient
from dait_chain.x.distribution.types import DEFAULT_PARAMS, Params
from dait_chain.x.staking.keeper import StakingKeeper, ValidatorPower

MODULE_NAME = "distribution"

# (ctx, pool, active set) -> (operator, reward) for validators of the active set.
RewardsAllocator = Callable[
    [Context, LegacyDec, tuple[ValidatorPower, ...]], Sequence[tuple[str, LegacyDec]]
]


def allocate_by_power(
    ctx: Context, pool: LegacyDec, validators: tuple[ValidatorPower, ...]
) -> tuple[tuple[str, LegacyDec], ...]:
    """The default allocator (Cosmos AllocateTokens), in active-set order:

    share_i  = LegacyNewDec(power_i).QuoTruncate(LegacyNewDec(total_power))
    reward_i = pool.MulTruncate(share_i)
    """
    total = sum(v.power for v in validators)
    if total == 0:
        return ()
    total_dec = LegacyDec.from_int(total)
    return tuple(
        (v.operator, pool.mul_truncate(LegacyDec.from_int(v.power).quo_truncate(total_dec)))
        for v in validators
    )


class DistributionKeeper:
    """Block rewards, fee allocation, community pool."""

    def __init__(self, auth: AuthKeeper, bank: BankKeeper, staking: StakingKeeper) -> None:
        self.bank = bank
        self.staking = staking
        auth.register_module_account(MODULE_NAME, MINTER)
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, 0, "params", ProtoValueCodec(Params))
        self.community_pool_item: Item[int] = Item(schema, 1, "community_pool", IntValue)
        self.allocator: RewardsAllocator = allocate_by_power

    def set_allocator(self, allocator: RewardsAllocator) -> None:
        """Replace the allocator (seed 003 "Distribution override": x/pouw's wiring)."""
        self.allocator = allocator

    def get_params(self, ctx: Context) -> Params:
        """The current params."""
        params = self.params.get(ctx)
        return DEFAULT_PARAMS if params is None else params

    def community_pool(self, ctx: Context) -> int:
        """The uDAIT in the community pool."""
        value = self.community_pool_item.get(ctx)
        return 0 if value is None else value

    def is_allocation_height(self, ctx: Context) -> bool:
        """Whether this block's BeginBlock allocates (height % interval == 0)."""
        return ctx.height % self.get_params(ctx).allocation_interval_blocks == 0

    def next_allocation_height(self, ctx: Context) -> int | None:
        """The next height > ctx.height whose BeginBlock has something to allocate: the
        next multiple of the interval, unless no reward is minted and no fee waits."""
        params = self.get_params(ctx)
        if params.block_reward == 0 and self.bank.module_balance(ctx, FEE_COLLECTOR) == 0:
            return None
        interval = params.allocation_interval_blocks
        return (ctx.height // interval + 1) * interval

    def allocate(self, ctx: Context) -> None:
        """Mint, collect fees and pay the active set (specs/distribution.md "Allocation")."""
        params = self.get_params(ctx)
        minted = params.block_reward * params.allocation_interval_blocks
        self.bank.mint(ctx, MODULE_NAME, minted)
        fees = self.bank.module_balance(ctx, FEE_COLLECTOR)
        self.bank.send_module_to_module(ctx, FEE_COLLECTOR, MODULE_NAME, fees)
        total = minted + fees
        if total == 0:
            return
        validators = self.staking.validator_set(ctx)
        paid = 0
        if validators:
            tax = LegacyDec.from_str(params.community_tax)
            pool = LegacyDec.from_int(total).mul_truncate(LegacyDec.one().sub(tax))
            rewards = self._checked(self.allocator(ctx, pool, validators), pool, validators)
            for operator, reward in rewards:
                amount = reward.truncate_int()
                if amount > 0:
                    self.bank.send_from_module(ctx, MODULE_NAME, operator, amount)
                ctx.events.emit(ev.EVENT_REWARDS, validator=operator, amount=format_amount(amount))
                paid += amount
        kept = total - paid
        self.community_pool_item.set(ctx, self.community_pool(ctx) + kept)
        ctx.events.emit(ev.EVENT_COMMUNITY_POOL, amount=format_amount(kept))

    @staticmethod
    def _checked(
        rewards: Sequence[tuple[str, LegacyDec]],
        pool: LegacyDec,
        validators: tuple[ValidatorPower, ...],
    ) -> Sequence[tuple[str, LegacyDec]]:
        # A replaced allocator must not create or destroy uDAIT (the conservation invariant).
        members = {v.operator for v in validators}
        total = LegacyDec.zero()
        for operator, reward in rewards:
            if operator not in members:
                raise ErrUnknownRewardRecipient(operator)
            if reward.is_negative():
                raise ErrAllocationExceedsPool(f"negative reward for {operator}")
            total = total.add(reward)
        if total.gt(pool):
            raise ErrAllocationExceedsPool(f"{total} > {pool}")
        return rewards
