"""x/staking_tiers read-only queries (specs/staking_tiers.md §8)."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.staking_tiers.keeper import Keeper
from dait_chain.x.staking_tiers.params import Params
from dait_chain.x.staking_tiers.types import Tier, UnbondingEntry


class Queries:
    """The module's query service."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    def params(self, ctx: Context) -> Params:
        """The current params."""
        return self.keeper.get_params(ctx)

    def tier(self, ctx: Context, owner: str) -> Tier:
        """The tier of `owner` now (§2)."""
        return self.keeper.tier(ctx, owner)

    def locked(self, ctx: Context, owner: str) -> int:
        """The uDAIT `owner` has locked."""
        return self.keeper.locked(ctx, owner)

    def unbondings(self, ctx: Context, owner: str) -> tuple[UnbondingEntry, ...]:
        """The unbonding entries of `owner`, by id."""
        return tuple(self.keeper.unbondings_of(ctx, owner))
