"""x/state_channel as an app module (Cosmos AppModule; specs/state_channel.md).

Wiring only: the messages and their signer fields, genesis, the EndBlocker and its
`next_due`, the invariants and the query server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import Due, GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.state_channel import abci, genesis
from dait_chain.x.state_channel.invariants import INVARIANTS
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.keys import MODULE_NAME
from dait_chain.x.state_channel.msg_server import MsgServer
from dait_chain.x.state_channel.queries import Querier
from dait_chain.x.state_channel.types import (
    GenesisState,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)


class StateChannelModule(Module):
    """Escrowed SPUR-IC channels: open, cooperative close, challenge, respond, settle."""

    name = MODULE_NAME

    def __init__(self, keeper: Keeper) -> None:
        self.keeper: Keeper = keeper
        self.msg_server = MsgServer(keeper)
        self.querier = Querier(keeper)

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        server = self.msg_server
        return {
            MsgOpenChannel: server.open_channel,
            MsgCloseChannel: server.close_channel,
            MsgChallengeChannel: server.challenge_channel,
            MsgRespondChallenge: server.respond_challenge,
        }

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis().to_json()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(ctx, self.keeper, GenesisState.from_json(data))

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(ctx, self.keeper).to_json()

    def end_block(self, ctx: Context) -> None:
        abci.end_blocker(ctx, self.keeper)

    def next_due(self, ctx: Context) -> Due:
        return Due(time_ms=abci.next_due_time(ctx, self.keeper))

    def invariants(self) -> Sequence[Invariant]:
        return tuple(Invariant(MODULE_NAME, name, make(self.keeper)) for name, make in INVARIANTS)

    def queries(self) -> object | None:
        return self.querier


def new_module(keepers: Keepers) -> StateChannelModule:
    """Build x/state_channel on x/bank and x/auth; declare its escrow module account."""
    auth = keepers.get("auth", AuthKeeper)
    auth.register_module_account(MODULE_NAME)
    return StateChannelModule(Keeper(keepers.get("bank", BankKeeper), auth))
