"""x/bank genesis: validate, import, export (specs/bank.md "Genesis")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.codec.errors import CodecError
from dait_chain.errors import DaitError
from dait_chain.x.auth.address import check_address
from dait_chain.x.bank.coins import MAX_AMOUNT, parse_amount
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.bank.types import Balance, GenesisState


def default_genesis() -> GenesisSection:
    """No balances, zero supply."""
    return GenesisState((), "0").to_json()


def parse_genesis(data: GenesisSection) -> tuple[list[tuple[str, int]], int]:
    """(address, amount) pairs and the supply; ErrInvalidGenesis unless every address is
    canonical and distinct, every amount positive, and the supply (if given) their sum."""
    try:
        state = GenesisState.from_json(data)
        pairs = [
            (check_address(b.address, "balance address"), parse_amount(b.amount))
            for b in state.balances
        ]
        supply = parse_amount(state.supply, "supply") if state.supply else None
    except (CodecError, DaitError) as exc:
        raise ErrInvalidGenesis(f"bank: {exc.log}") from None
    addresses = [a for a, _ in pairs]
    if len(set(addresses)) != len(addresses):
        raise ErrInvalidGenesis("bank: duplicate balance address")
    if any(amount == 0 for _, amount in pairs):
        raise ErrInvalidGenesis("bank: zero balance listed")
    total = sum(amount for _, amount in pairs)
    if total > MAX_AMOUNT:
        raise ErrInvalidGenesis("bank: supply exceeds 2^256 - 1")
    if supply is not None and supply != total:
        raise ErrInvalidGenesis(f"bank: supply {supply} != sum of balances {total}")
    return pairs, total


def init_genesis(keeper: BankKeeper, ctx: Context, data: GenesisSection) -> None:
    """Write the balances and the supply."""
    pairs, total = parse_genesis(data)
    for address, amount in pairs:
        keeper.set_balance(ctx, address, amount)
    keeper.supply_item.set(ctx, total)


def export_genesis(keeper: BankKeeper, ctx: Context) -> GenesisSection:
    """Every non-zero balance in address order, and the supply."""
    balances = tuple(Balance(a, str(n)) for a, n in keeper.balances.iterate(ctx))
    return GenesisState(balances, str(keeper.supply(ctx))).to_json()
