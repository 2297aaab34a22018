"""x/compute_market message server: one handler per Msg (specs/compute_market.md §10).

Each handler runs on the tx's cache branch; a registered error refuses the message and
the app discards the branch, so a refused message changes nothing (no write, no event).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import MsgHandler
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.types import (
    MsgCloseBid,
    MsgCloseDeployment,
    MsgCloseLease,
    MsgCreateBid,
    MsgCreateDeployment,
    MsgRegisterProvider,
    MsgUpdateProvider,
    MsgWithdrawLease,
)


class MsgServer:
    """The module's Msg service (Cosmos msgServer)."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    def register_provider(self, ctx: Context, msg: MsgRegisterProvider) -> None:
        """§4.1."""
        self.keeper.register_provider(ctx, msg)

    def update_provider(self, ctx: Context, msg: MsgUpdateProvider) -> None:
        """§4.2."""
        self.keeper.update_provider(ctx, msg)

    def create_deployment(self, ctx: Context, msg: MsgCreateDeployment) -> None:
        """§5.1."""
        self.keeper.create_deployment(ctx, msg)

    def close_deployment(self, ctx: Context, msg: MsgCloseDeployment) -> None:
        """§5.3."""
        self.keeper.close_deployment(ctx, msg.owner, msg.deployment_id)

    def create_bid(self, ctx: Context, msg: MsgCreateBid) -> None:
        """§7.1."""
        self.keeper.create_bid(ctx, msg.provider, msg.deployment_id, msg.price_uDAIT)

    def close_bid(self, ctx: Context, msg: MsgCloseBid) -> None:
        """§7.4."""
        self.keeper.close_bid(ctx, msg.provider, msg.deployment_id)

    def withdraw_lease(self, ctx: Context, msg: MsgWithdrawLease) -> None:
        """§8.3."""
        self.keeper.withdraw_lease(ctx, msg.provider, msg.deployment_id)

    def close_lease(self, ctx: Context, msg: MsgCloseLease) -> None:
        """§8.4."""
        self.keeper.close_lease(ctx, msg.owner, msg.deployment_id)

    def handlers(self) -> Mapping[type[Any], MsgHandler]:
        """Msg type -> handler, for the app's router."""
        return {
            MsgRegisterProvider: self.register_provider,
            MsgUpdateProvider: self.update_provider,
            MsgCreateDeployment: self.create_deployment,
            MsgCloseDeployment: self.close_deployment,
            MsgCreateBid: self.create_bid,
            MsgCloseBid: self.close_bid,
            MsgWithdrawLease: self.withdraw_lease,
            MsgCloseLease: self.close_lease,
        }
