"""x/staking_tiers keeper: locks, unbonding entries, and the tier other modules read
(specs/staking_tiers.md).

Seed 000 "Stake": "None required at the User tier. The Heavy tier (369 DAIT lock) buys
priority queue access in x/compute_market."
"""

from __future__ import annotations

from collections.abc import Iterator

from dait_chain.app.context import Context
from dait_chain.math.ints import UINT64_MAX
from dait_chain.store.collections import (
    Item,
    KeySet,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    Sequence,
    StrKey,
    Uint64Key,
    Uint64Value,
)
from dait_chain.store.schedule import Schedule
from dait_chain.x.staking_tiers import events as ev
from dait_chain.x.staking_tiers import keys
from dait_chain.x.staking_tiers.errors import (
    ErrAmountOverflow,
    ErrInsufficientLocked,
    ErrInvalidAmount,
    ErrInvalidParams,
    ErrTooManyUnbondingEntries,
)
from dait_chain.x.staking_tiers.expected_keepers import BankKeeper
from dait_chain.x.staking_tiers.params import Params
from dait_chain.x.staking_tiers.types import Tier, UnbondingEntry


def tier_for_locked(locked_uDAIT: int, heavy_threshold_uDAIT: int) -> Tier:
    """The tier a locked amount buys (specs §2): Heavy at or above the threshold."""
    return Tier.HEAVY if locked_uDAIT >= heavy_threshold_uDAIT else Tier.USER


class Keeper:
    """The module's state and the operations on it."""

    def __init__(self, bank: BankKeeper) -> None:
        self.bank = bank
        self.schema = Schema(keys.MODULE_NAME)
        s = self.schema
        self.params: Item[Params] = Item(s, keys.PARAMS_PREFIX, "params", ProtoValueCodec(Params))
        self.locks: Map[str, int] = Map(s, keys.LOCKS_PREFIX, "locks", StrKey, Uint64Value)
        self.unbondings: Map[int, UnbondingEntry] = Map(
            s, keys.UNBONDINGS_PREFIX, "unbondings", Uint64Key, ProtoValueCodec(UnbondingEntry)
        )
        self.unbonding_seq = Sequence(s, keys.UNBONDING_SEQ_PREFIX, "unbonding_seq")
        self.unbonding_queue: Schedule[int] = Schedule(
            s, keys.UNBONDING_QUEUE_PREFIX, "unbonding_queue", Uint64Key
        )
        self.unbondings_by_owner: KeySet[tuple[str, int]] = KeySet(
            s, keys.UNBONDINGS_BY_OWNER_PREFIX, "unbondings_by_owner", PairKey(StrKey, Uint64Key)
        )

    # --- reads ------------------------------------------------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The current params."""
        return self.params.must_get(ctx, ErrInvalidParams)

    def locked(self, ctx: Context, owner: str) -> int:
        """The uDAIT `owner` has locked (unbonding amounts excluded)."""
        return self.locks.get(ctx, owner) or 0

    def tier(self, ctx: Context, owner: str) -> Tier:
        """The tier of `owner` now (specs §2); x/compute_market reads it at deployment
        creation."""
        return tier_for_locked(self.locked(ctx, owner), self.get_params(ctx).heavy_threshold_uDAIT)

    def unbondings_of(self, ctx: Context, owner: str) -> Iterator[UnbondingEntry]:
        """The unbonding entries of `owner`, by id."""
        for _, entry_id in self.unbondings_by_owner.iterate_prefix(ctx, owner):
            yield self.unbondings.must_get(ctx, entry_id)

    # --- writes -----------------------------------------------------------------------------

    def _set_locked(self, ctx: Context, owner: str, amount: int) -> None:
        # Zero is stored as absence, so an export lists only real locks.
        if amount == 0:
            self.locks.delete(ctx, owner)
        else:
            self.locks.set(ctx, owner, amount)

    def lock(self, ctx: Context, owner: str, amount: int) -> None:
        """MsgLock (specs §3.1): move `amount` from the owner's balance into the lock."""
        if amount <= 0:
            raise ErrInvalidAmount(f"amount_uDAIT: {amount}")
        params = self.get_params(ctx)
        total = self.locked(ctx, owner) + amount
        if total > UINT64_MAX:
            raise ErrAmountOverflow(f"locked {total - amount} + {amount}")
        self.bank.send_to_module(ctx, owner, keys.LOCK_ACCOUNT, amount)
        self._set_locked(ctx, owner, total)
        tier = tier_for_locked(total, params.heavy_threshold_uDAIT)
        ctx.events.emit(
            ev.EVENT_LOCKED,
            module=ev.MODULE,
            action=ev.ACTION_LOCKED,
            owner=owner,
            amount_uDAIT=amount,
            locked_uDAIT=total,
            tier=ev.TIER_NAMES[tier],
        )

    def unlock(self, ctx: Context, owner: str, amount: int) -> None:
        """MsgUnlock (specs §3.2): take `amount` out of the lock at once (the tier drops now)
        and return it after `unbonding_period_ms` of block time."""
        if amount <= 0:
            raise ErrInvalidAmount(f"amount_uDAIT: {amount}")
        params = self.get_params(ctx)
        locked = self.locked(ctx, owner)
        if amount > locked:
            raise ErrInsufficientLocked(f"unlock {amount} > locked {locked}")
        in_flight = sum(1 for _ in self.unbondings_by_owner.iterate_prefix(ctx, owner))
        if in_flight >= params.max_unbonding_entries:
            raise ErrTooManyUnbondingEntries(
                f"{in_flight} entries in flight, max_unbonding_entries = "
                f"{params.max_unbonding_entries}"
            )
        completion = ctx.time_ms + params.unbonding_period_ms
        if completion > UINT64_MAX:
            raise ErrAmountOverflow(f"completion time {ctx.time_ms} + {params.unbonding_period_ms}")
        entry = UnbondingEntry(
            id=self.unbonding_seq.next(ctx),
            owner=owner,
            amount_uDAIT=amount,
            creation_height=ctx.height,
            completion_time_ms=completion,
        )
        self._set_locked(ctx, owner, locked - amount)
        self._add_unbonding(ctx, entry)
        ctx.events.emit(
            ev.EVENT_UNLOCK_STARTED,
            module=ev.MODULE,
            action=ev.ACTION_UNLOCK_STARTED,
            owner=owner,
            unbonding_id=entry.id,
            amount_uDAIT=amount,
            completion_time_ms=completion,
            locked_uDAIT=locked - amount,
            tier=ev.TIER_NAMES[tier_for_locked(locked - amount, params.heavy_threshold_uDAIT)],
        )

    def _add_unbonding(self, ctx: Context, entry: UnbondingEntry) -> None:
        self.unbondings.set(ctx, entry.id, entry)
        self.unbondings_by_owner.add(ctx, (entry.owner, entry.id))
        self.unbonding_queue.add(ctx, entry.completion_time_ms, entry.id)

    def complete_matured_unbondings(self, ctx: Context) -> None:
        """EndBlocker (specs §4): pay back every entry whose completion time is <= the
        block time, in (completion time, id) order. decisions.md: windows are half-open, so
        the first block at or past the end settles."""
        for entry_id in self.unbonding_queue.pop_due(ctx, ctx.time_ms):
            entry = self.unbondings.must_get(ctx, entry_id)
            self.unbondings.delete(ctx, entry_id)
            self.unbondings_by_owner.remove(ctx, (entry.owner, entry_id))
            self.bank.send_from_module(ctx, keys.LOCK_ACCOUNT, entry.owner, entry.amount_uDAIT)
            ctx.events.emit(
                ev.EVENT_UNBONDING_COMPLETED,
                module=ev.MODULE,
                action=ev.ACTION_UNBONDING_COMPLETED,
                owner=entry.owner,
                unbonding_id=entry.id,
                amount_uDAIT=entry.amount_uDAIT,
            )

    def next_unbonding_time(self, ctx: Context) -> int | None:
        """The earliest completion time in the queue; O(log n)."""
        return self.unbonding_queue.next_due(ctx)
