"""Invariants of x/state_channel (specs/state_channel.md §12), x/crisis style.

Each is `fn(ctx) -> (message, broken)`; they walk the whole module state, so they run in
the harness's invariant checks, never in a block.
"""

from __future__ import annotations

from collections.abc import Callable

from dait_chain.app.context import Context
from dait_chain.x.state_channel.keeper import Keeper, scheduled_due
from dait_chain.x.state_channel.types import SETTLED

InvariantFn = Callable[[Context], tuple[str, bool]]


def escrow_balance_invariant(keeper: Keeper) -> InvariantFn:
    """The module account holds exactly the escrow of every unsettled channel."""

    def check(ctx: Context) -> tuple[str, bool]:
        expected = sum(c.escrow for c in keeper.iterate_channels(ctx) if c.status != SETTLED)
        held = keeper.escrow_balance(ctx)
        return (f"module balance {held}, unsettled escrow {expected}", held != expected)

    return check


def spent_within_escrow_invariant(keeper: Keeper) -> InvariantFn:
    """Every stored state has spent <= escrow and call_count <= max_calls."""

    def check(ctx: Context) -> tuple[str, bool]:
        bad = [
            c.channel_id.hex()
            for c in keeper.iterate_channels(ctx)
            if c.state.spent_amount > c.state.escrow_amount
            or c.state.call_count > c.state.max_calls
        ]
        return (f"channels out of bounds: {bad}", bool(bad))

    return check


def settled_once_invariant(keeper: Keeper) -> InvariantFn:
    """settled_count counts the SETTLED channels; a SETTLED channel has a settlement and
    no schedule entry; an unsettled one has exactly its one entry; next_due is not later
    than the earliest entry (specs §8, §10)."""

    def check(ctx: Context) -> tuple[str, bool]:
        problems: list[str] = []
        settled = 0
        for channel in keeper.iterate_channels(ctx):
            cid = channel.channel_id
            if channel.status == SETTLED:
                settled += 1
                if channel.settlement is None:
                    problems.append(f"{cid.hex()}: SETTLED without a settlement")
            elif channel.settlement is not None:
                problems.append(f"{cid.hex()}: settlement on an unsettled channel")
            due = scheduled_due(channel)
            if due is not None and not keeper.schedule.has(ctx, due, cid):
                problems.append(f"{cid.hex()}: not scheduled at {due}")
        entries = list(keeper.schedule.iterate(ctx))
        for due, cid in entries:
            found = keeper.get_channel(ctx, cid)
            if found is None or scheduled_due(found) != due:
                problems.append(f"stray schedule entry ({due}, {cid.hex()})")
        first = next(iter(entries), None)
        bound = keeper.next_due(ctx)
        if first is not None and (bound is None or bound > first[0]):
            problems.append(f"next_due {bound} is later than the earliest entry {first[0]}")
        counted = keeper.get_settled_count(ctx)
        if counted != settled:
            problems.append(f"settled_count {counted} != {settled} SETTLED channels")
        return ("; ".join(problems) or "ok", bool(problems))

    return check


def payouts_sum_to_escrow_invariant(keeper: Keeper) -> InvariantFn:
    """Every settlement paid spent to the host and escrow - spent to the user (specs §10)."""

    def check(ctx: Context) -> tuple[str, bool]:
        bad: list[str] = []
        for channel in keeper.iterate_channels(ctx):
            s = channel.settlement
            if s is None:
                continue
            if (
                s.paid_host_uDAIT + s.refunded_user_uDAIT != channel.escrow
                or s.paid_host_uDAIT != channel.state.spent_amount
                or s.turn_num != channel.state.turn_num
            ):
                bad.append(channel.channel_id.hex())
        return (f"settlements not matching their state: {bad}", bool(bad))

    return check


INVARIANTS: tuple[tuple[str, Callable[[Keeper], InvariantFn]], ...] = (
    ("escrow-balance", escrow_balance_invariant),
    ("spent-within-escrow", spent_within_escrow_invariant),
    ("settled-once", settled_once_invariant),
    ("payouts-sum-to-escrow", payouts_sum_to_escrow_invariant),
)
