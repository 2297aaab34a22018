"""x/bank as an app module (specs/bank.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.codec.tx import MsgSend
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank import genesis, invariants
from dait_chain.x.bank.keeper import MODULE_NAME, BankKeeper
from dait_chain.x.bank.msg_server import handle_send


class BankModule(Module):
    """Balances, supply, MsgSend."""

    name = MODULE_NAME

    def __init__(self, keeper: BankKeeper) -> None:
        self.keeper: BankKeeper = keeper

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        keeper = self.keeper
        return {MsgSend: lambda ctx, msg: handle_send(keeper, ctx, msg)}

    def signer_fields(self) -> Mapping[type[Any], str]:
        # MsgSend is declared by the codec (dait_chain.codec.tx), so its signer is named here.
        return {MsgSend: "from_address"}

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    def invariants(self) -> Sequence[Invariant]:
        keeper = self.keeper
        return (
            Invariant(
                MODULE_NAME, "total-supply", lambda ctx: invariants.total_supply(keeper, ctx)
            ),
            Invariant(
                MODULE_NAME,
                "nonnegative-outstanding",
                lambda ctx: invariants.nonnegative_balances(keeper, ctx),
            ),
        )


def new_module(keepers: Keepers) -> BankModule:
    """Build x/bank on the auth keeper."""
    return BankModule(BankKeeper(keepers.get("auth", AuthKeeper)))
