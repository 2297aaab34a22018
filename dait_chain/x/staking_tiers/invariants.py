"""x/staking_tiers invariants (specs/staking_tiers.md §9)."""

from __future__ import annotations

from collections.abc import Callable

from dait_chain.app.context import Context
from dait_chain.app.module import Invariant
from dait_chain.x.staking_tiers import keys
from dait_chain.x.staking_tiers.keeper import Keeper

Check = Callable[[Context], tuple[str, bool]]


def locks_backed(keeper: Keeper) -> Check:
    """§9.1: the module account holds exactly the locked plus the unbonding amounts."""

    def check(ctx: Context) -> tuple[str, bool]:
        owed = sum(keeper.locks.values(ctx)) + sum(
            e.amount_uDAIT for e in keeper.unbondings.values(ctx)
        )
        held = keeper.bank.module_balance(ctx, keys.LOCK_ACCOUNT)
        return f"lock account holds {held}, owed {owed}", held != owed

    return check


def unbondings_indexed(keeper: Keeper) -> Check:
    """§9.2: every entry is queued at its completion time and indexed under its owner,
    and nothing else is."""

    def check(ctx: Context) -> tuple[str, bool]:
        entries = {e.id: e for e in keeper.unbondings.values(ctx)}
        queued = {(due, i) for due, i in keeper.unbonding_queue.iterate(ctx)}
        owned = set(keeper.unbondings_by_owner.iterate(ctx))
        if queued != {(e.completion_time_ms, i) for i, e in entries.items()}:
            return "unbonding queue disagrees with the entries", True
        if owned != {(e.owner, i) for i, e in entries.items()}:
            return "owner index disagrees with the entries", True
        return "", False

    return check


def invariants(keeper: Keeper) -> tuple[Invariant, ...]:
    """Every x/staking_tiers invariant."""
    m = keys.MODULE_NAME
    return (
        Invariant(m, "locks-backed", locks_backed(keeper)),
        Invariant(m, "unbondings-indexed", unbondings_indexed(keeper)),
    )
