"""x/bank message handlers (specs/bank.md "MsgSend")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrUnauthorized
from dait_chain.codec.tx import MsgSend
from dait_chain.x.auth.address import check_address
from dait_chain.x.bank.coins import parse_coins
from dait_chain.x.bank.keeper import BankKeeper


def handle_send(keeper: BankKeeper, ctx: Context, msg: MsgSend) -> None:
    """MsgSend: move a positive uDAIT amount between user accounts.

    Checks in Cosmos's order: sender address, recipient address, amount, then the
    recipient must not be a module account (Cosmos BlockedAddrs: module accounts receive
    funds only from their modules, so their balances stay what their modules account for).
    """
    check_address(msg.from_address, "from_address")
    check_address(msg.to_address, "to_address")
    amount = parse_coins(msg.amount)
    if keeper.auth.module_name_of(msg.to_address) is not None:
        raise ErrUnauthorized(f"{msg.to_address} is not allowed to receive funds")
    keeper.send(ctx, msg.from_address, msg.to_address, amount)
