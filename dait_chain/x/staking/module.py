"""x/staking as an app module (specs/staking.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import Due, GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.staking import genesis, invariants
from dait_chain.x.staking.keeper import MODULE_NAME, StakingKeeper
from dait_chain.x.staking.msg_server import handle_delegate, handle_undelegate
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate


class StakingModule(Module):
    """Validators, delegations, unbonding; EndBlock pays matured unbondings."""

    name = MODULE_NAME

    def __init__(self, keeper: StakingKeeper) -> None:
        self.keeper: StakingKeeper = keeper

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        keeper = self.keeper
        return {
            MsgDelegate: lambda ctx, msg: handle_delegate(keeper, ctx, msg),
            MsgUndelegate: lambda ctx, msg: handle_undelegate(keeper, ctx, msg),
        }

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    def end_block(self, ctx: Context) -> None:
        self.keeper.complete_unbondings(ctx)

    def next_due(self, ctx: Context) -> Due:
        return Due(time_ms=self.keeper.next_unbonding_time(ctx))

    def invariants(self) -> Sequence[Invariant]:
        k = self.keeper
        return (
            Invariant(MODULE_NAME, "module-accounts", lambda c: invariants.module_accounts(k, c)),
            Invariant(MODULE_NAME, "delegator-shares", lambda c: invariants.delegator_shares(k, c)),
            Invariant(MODULE_NAME, "unbonding-queue", lambda c: invariants.unbonding_queue(k, c)),
        )


def new_module(keepers: Keepers) -> StakingModule:
    """Build x/staking on the auth and bank keepers (declares its two pool accounts)."""
    return StakingModule(
        StakingKeeper(keepers.get("auth", AuthKeeper), keepers.get("bank", BankKeeper))
    )
