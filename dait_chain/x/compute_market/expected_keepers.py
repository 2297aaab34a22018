"""What x/compute_market needs from other modules (Cosmos expected_keepers.go)."""

from __future__ import annotations

from typing import Protocol

from dait_chain.app.context import Context
from dait_chain.x.staking_tiers.types import Tier


class BankKeeper(Protocol):
    """The x/bank operations that move escrow and deposits (single denom uDAIT)."""

    def send_to_module(self, ctx: Context, sender: str, module: str, amount: int) -> None: ...

    def send_from_module(self, ctx: Context, module: str, recipient: str, amount: int) -> None: ...

    def module_balance(self, ctx: Context, module: str) -> int: ...


class TierKeeper(Protocol):
    """x/staking_tiers: the tier of an account now."""

    def tier(self, ctx: Context, owner: str) -> Tier: ...
