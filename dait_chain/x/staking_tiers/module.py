"""x/staking_tiers as an app module (specs/staking_tiers.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import Due, GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.staking_tiers import abci, genesis
from dait_chain.x.staking_tiers.invariants import invariants
from dait_chain.x.staking_tiers.keeper import Keeper
from dait_chain.x.staking_tiers.keys import LOCK_ACCOUNT, MODULE_NAME
from dait_chain.x.staking_tiers.msg_server import MsgServer
from dait_chain.x.staking_tiers.queries import Queries


class StakingTiersModule(Module):
    """Locks that buy the Heavy tier; unbonding by block time."""

    name = MODULE_NAME

    def __init__(self, keeper: Keeper) -> None:
        self.keeper: Keeper = keeper
        self.msg_server = MsgServer(keeper)
        self.querier = Queries(keeper)

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        return self.msg_server.handlers()

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    def end_block(self, ctx: Context) -> None:
        abci.end_blocker(self.keeper, ctx)

    def next_due(self, ctx: Context) -> Due:
        return abci.next_due(self.keeper, ctx)

    def invariants(self) -> Sequence[Invariant]:
        return invariants(self.keeper)

    def queries(self) -> object | None:
        return self.querier


def new_module(keepers: Keepers) -> StakingTiersModule:
    """Build x/staking_tiers on x/bank; declare the module account holding the locks."""
    keepers.get("auth", AuthKeeper).register_module_account(LOCK_ACCOUNT)
    return StakingTiersModule(Keeper(keepers.get("bank", BankKeeper)))
