"""EndBlocker of x/state_channel (specs/state_channel.md §8).

Only what is due runs: the schedule pops the entries with due <= block time, in
(due, channel_id) order. The earliest due is kept in its own key, so a block with nothing
due costs one point read, and `next_due` (the same read) tells the harness when the next
work is.
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.state_channel.events import TRIGGER_DEADLINE
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.types import CHALLENGED, OPEN, SettleReason


def end_blocker(ctx: Context, keeper: Keeper) -> None:
    """Settle expired challenges; challenge open channels whose deadline came (specs §8).

    A settlement cannot fail while the escrow-balance invariant holds (the module account
    holds every unsettled escrow), so a failure here is a broken chain and propagates, as
    a panic in a Cosmos EndBlocker would, rather than being skipped.
    """
    for channel_id in keeper.pop_due(ctx):
        channel = keeper.must_get_channel(ctx, channel_id)
        if channel.status == OPEN:
            # specs §8.1: the chain challenges on the stored (opening) state at the deadline.
            keeper.begin_challenge(
                ctx, channel, channel.state, keeper.module_address, TRIGGER_DEADLINE
            )
        elif channel.status == CHALLENGED:
            # specs §8.2: the window ran out; the highest state presented settles.
            keeper.settle(ctx, channel, SettleReason.SETTLE_REASON_CHALLENGE_EXPIRED)


def next_due_time(ctx: Context, keeper: Keeper) -> int | None:
    """The block time at which the EndBlocker next has work, or None; one point read
    (specs §8)."""
    return keeper.next_due(ctx)
