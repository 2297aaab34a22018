"""x/distribution as an app module (specs/distribution.md)."""

from __future__ import annotations

from collections.abc import Sequence

from dait_chain.app.context import Context
from dait_chain.app.module import NOTHING_DUE, Due, GenesisSection, Invariant, Keepers, Module
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.distribution import genesis, invariants
from dait_chain.x.distribution.keeper import MODULE_NAME, DistributionKeeper
from dait_chain.x.staking.keeper import StakingKeeper


class DistributionModule(Module):
    """BeginBlock allocation of minted rewards and fees."""

    name = MODULE_NAME

    def __init__(self, keeper: DistributionKeeper) -> None:
        self.keeper: DistributionKeeper = keeper

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    def begin_block(self, ctx: Context) -> None:
        if self.keeper.is_allocation_height(ctx):
            self.keeper.allocate(ctx)

    def next_due(self, ctx: Context) -> Due:
        height = self.keeper.next_allocation_height(ctx)
        return NOTHING_DUE if height is None else Due(height=height)

    def invariants(self) -> Sequence[Invariant]:
        k = self.keeper
        return (
            Invariant(MODULE_NAME, "module-account", lambda c: invariants.module_account(k, c)),
        )


def new_module(keepers: Keepers) -> DistributionModule:
    """Build x/distribution on auth, bank and staking (declares its minter account)."""
    return DistributionModule(
        DistributionKeeper(
            keepers.get("auth", AuthKeeper),
            keepers.get("bank", BankKeeper),
            keepers.get("staking", StakingKeeper),
        )
    )
