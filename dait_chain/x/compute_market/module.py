"""x/compute_market as an app module (specs/compute_market.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import Due, GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.compute_market import abci, genesis
from dait_chain.x.compute_market.invariants import invariants
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.keys import DEPOSIT_ACCOUNT, ESCROW_ACCOUNT, MODULE_NAME
from dait_chain.x.compute_market.msg_server import MsgServer
from dait_chain.x.compute_market.queries import Queries
from dait_chain.x.staking_tiers.keeper import Keeper as TiersKeeper
from dait_chain.x.staking_tiers.keys import MODULE_NAME as TIERS_MODULE


class ComputeMarketModule(Module):
    """Providers, deployments, the reverse Dutch auction, bids and leases."""

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


def new_module(keepers: Keepers) -> ComputeMarketModule:
    """Build x/compute_market on x/bank and x/staking_tiers (listed before it); declare
    the escrow and the bid-deposit module accounts."""
    auth = keepers.get("auth", AuthKeeper)
    auth.register_module_account(ESCROW_ACCOUNT)
    auth.register_module_account(DEPOSIT_ACCOUNT)
    bank = keepers.get("bank", BankKeeper)
    tiers = keepers.get(TIERS_MODULE, TiersKeeper)
    return ComputeMarketModule(Keeper(bank, tiers))
