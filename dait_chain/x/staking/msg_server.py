"""x/staking message handlers (specs/staking.md "Messages")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.auth.address import check_address
from dait_chain.x.bank.coins import parse_coin
from dait_chain.x.staking.keeper import StakingKeeper
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate


def handle_delegate(keeper: StakingKeeper, ctx: Context, msg: MsgDelegate) -> None:
    """MsgDelegate: addresses, a positive uDAIT amount, an existing validator, funds."""
    check_address(msg.delegator_address, "delegator_address")
    check_address(msg.validator_address, "validator_address")
    amount = parse_coin(msg.amount)
    keeper.delegate(ctx, msg.delegator_address, msg.validator_address, amount)


def handle_undelegate(keeper: StakingKeeper, ctx: Context, msg: MsgUndelegate) -> None:
    """MsgUndelegate: addresses, a positive amount, an existing delegation at least as big."""
    check_address(msg.delegator_address, "delegator_address")
    check_address(msg.validator_address, "validator_address")
    amount = parse_coin(msg.amount)
    keeper.undelegate(ctx, msg.delegator_address, msg.validator_address, amount)
