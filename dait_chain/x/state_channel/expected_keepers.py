"""What x/state_channel needs from other modules (Cosmos expected_keepers.go)."""

from __future__ import annotations

from typing import Protocol

from dait_chain.app.context import Context


class BankKeeper(Protocol):
    """The x/bank operations that lock and pay out escrow (single denom uDAIT)."""

    def send_to_module(self, ctx: Context, sender: str, module: str, amount: int) -> None: ...

    def send_from_module(self, ctx: Context, module: str, recipient: str, amount: int) -> None: ...

    def module_balance(self, ctx: Context, module: str) -> int: ...


class AccountKeeper(Protocol):
    """x/auth: which addresses are module accounts (they never sign, so never a party)."""

    def module_name_of(self, address: str) -> str | None: ...
