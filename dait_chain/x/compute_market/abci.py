"""x/compute_market block hooks (specs/compute_market.md §6.6).

No BeginBlocker. The EndBlocker of height h does, in this order:

1. `expire_leases`: every lease whose end height is h closes (paid in full, the rest of
   the escrow refunded), freeing its provider's capacity;
2. `settle_due_orders`: every open order whose next check is due, Heavy first, then by
   creation height, then by deployment id, settles, closes unfilled, or is rescheduled.

Lease ends go first so that capacity freed at h serves the auctions settling at h. Then
the deposits of the bids retired in step 2 return, one transfer per provider. A block with
nothing due costs one key read (`next_work`), and `next_due` the same.
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.module import Due
from dait_chain.x.compute_market.keeper import Keeper


def end_blocker(keeper: Keeper, ctx: Context) -> None:
    """The module's EndBlocker (§6.6)."""
    keeper.end_block(ctx)


def next_due(keeper: Keeper, ctx: Context) -> Due:
    """The next height with EndBlocker work; one key read."""
    return Due(height=keeper.next_due_height(ctx))
