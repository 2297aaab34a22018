"""x/bank invariants (specs/bank.md "Invariants")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.bank.keeper import BankKeeper


def total_supply(keeper: BankKeeper, ctx: Context) -> tuple[str, bool]:
    """The sum of every balance equals the supply (Cosmos bank TotalSupply)."""
    total = sum(keeper.balances.values(ctx))
    supply = keeper.supply(ctx)
    broken = total != supply
    return f"bank: sum of balances {total}, supply {supply}", broken


def nonnegative_balances(keeper: BankKeeper, ctx: Context) -> tuple[str, bool]:
    """Every stored balance is positive (zero balances are deleted)."""
    bad = [a for a, n in keeper.balances.iterate(ctx) if n <= 0]
    return f"bank: non-positive balances at {bad}", bool(bad)
