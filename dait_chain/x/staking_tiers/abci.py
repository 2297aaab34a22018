"""x/staking_tiers block hooks (specs/staking_tiers.md §4).

No BeginBlocker. The EndBlocker returns every unbonding entry whose completion time is at
or before the block time. Unbonding is scheduled by block time, so `next_due` reports a
time, one seek, O(log n).
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.module import Due
from dait_chain.x.staking_tiers.keeper import Keeper


def end_blocker(keeper: Keeper, ctx: Context) -> None:
    """The module's EndBlocker (§4)."""
    keeper.complete_matured_unbondings(ctx)


def next_due(keeper: Keeper, ctx: Context) -> Due:
    """The earliest block time with EndBlocker work."""
    return Due(time_ms=keeper.next_unbonding_time(ctx))
