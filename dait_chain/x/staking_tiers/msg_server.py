"""x/staking_tiers message server (specs/staking_tiers.md §3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import MsgHandler
from dait_chain.x.staking_tiers.keeper import Keeper
from dait_chain.x.staking_tiers.types import MsgLock, MsgUnlock


class MsgServer:
    """The module's Msg service."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    def lock(self, ctx: Context, msg: MsgLock) -> None:
        """§3.1."""
        self.keeper.lock(ctx, msg.owner, msg.amount_uDAIT)

    def unlock(self, ctx: Context, msg: MsgUnlock) -> None:
        """§3.2."""
        self.keeper.unlock(ctx, msg.owner, msg.amount_uDAIT)

    def handlers(self) -> Mapping[type[Any], MsgHandler]:
        """Msg type -> handler, for the app's router."""
        return {MsgLock: self.lock, MsgUnlock: self.unlock}
