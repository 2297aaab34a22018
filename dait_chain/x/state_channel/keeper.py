"""The x/state_channel keeper: its store collections and state transitions.

specs/state_channel.md §3-§10. The keeper owns the store layout (keys.py) and the
transitions that write it (open, challenge, respond, settle); the msg server decides
*whether* a message may run (rules.py, in the spec's order) and the EndBlocker decides
*when* a scheduled item runs. Every write of a transition is on the context's branch, so
a refused tx leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dait_chain.app.context import Context
from dait_chain.crypto.address import module_address
from dait_chain.math.ints import add_uint64
from dait_chain.spurc.values import ChannelState
from dait_chain.store.collections import (
    BytesKey,
    Item,
    KeySet,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    StrKey,
    Uint64Value,
)
from dait_chain.store.schedule import Schedule
from dait_chain.x.state_channel import events as ev
from dait_chain.x.state_channel.errors import ErrChannelNotFound
from dait_chain.x.state_channel.expected_keepers import AccountKeeper, BankKeeper
from dait_chain.x.state_channel.keys import (
    BY_PARTY_PREFIX,
    CHANNELS_PREFIX,
    MODULE_NAME,
    NEXT_DUE_PREFIX,
    PARAMS_PREFIX,
    SCHEDULE_PREFIX,
    SETTLED_COUNT_PREFIX,
    USER_SEQUENCES_PREFIX,
)
from dait_chain.x.state_channel.params import default_params
from dait_chain.x.state_channel.rules import challenge_expiry, settlement_amounts
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    Challenge,
    Channel,
    Params,
    Settlement,
    SettleReason,
)

_REASON_TEXT = {
    SettleReason.SETTLE_REASON_COOPERATIVE: ev.REASON_COOPERATIVE,
    SettleReason.SETTLE_REASON_CHALLENGE_EXPIRED: ev.REASON_CHALLENGE_EXPIRED,
}


def scheduled_due(channel: Channel) -> int | None:
    """The time of a channel's one schedule entry (specs §8): its deadline while OPEN, its
    challenge expiry while CHALLENGED, none once SETTLED."""
    if channel.status == OPEN:
        return channel.state.deadline
    if channel.status == CHALLENGED and channel.challenge is not None:
        return channel.challenge.expires_at_ms
    return None


class Keeper:
    """Store access and state transitions of x/state_channel."""

    def __init__(self, bank: BankKeeper, accounts: AccountKeeper) -> None:
        self.bank = bank
        self.accounts = accounts
        self.module_address = module_address(MODULE_NAME)
        schema = Schema(MODULE_NAME)
        self.schema = schema
        self.params: Item[Params] = Item(schema, PARAMS_PREFIX, "params", ProtoValueCodec(Params))
        self.channels: Map[bytes, Channel] = Map(
            schema, CHANNELS_PREFIX, "channels", BytesKey, ProtoValueCodec(Channel)
        )
        self.user_sequences: Map[str, int] = Map(
            schema, USER_SEQUENCES_PREFIX, "user_sequences", StrKey, Uint64Value
        )
        self.by_party: KeySet[tuple[str, bytes]] = KeySet(
            schema, BY_PARTY_PREFIX, "by_party", PairKey(StrKey, BytesKey)
        )
        self.schedule: Schedule[bytes] = Schedule(schema, SCHEDULE_PREFIX, "schedule", BytesKey)
        self.settled_count: Item[int] = Item(
            schema, SETTLED_COUNT_PREFIX, "settled_count", Uint64Value
        )
        # A lower bound of the schedule's earliest due (specs §8): an idle EndBlocker and
        # `next_due` are one point read whatever the number of channels.
        self.next_due_time: Item[int] = Item(schema, NEXT_DUE_PREFIX, "next_due", Uint64Value)

    # --- reads ----------------------------------------------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The params (the defaults before genesis wrote any)."""
        params = self.params.get(ctx)
        return default_params() if params is None else params

    def get_channel(self, ctx: Context, channel_id: bytes) -> Channel | None:
        """The channel record, or None."""
        return self.channels.get(ctx, channel_id)

    def must_get_channel(self, ctx: Context, channel_id: bytes) -> Channel:
        """The channel record; ErrChannelNotFound if there is none (specs §6.1 #3)."""
        return self.channels.must_get(ctx, channel_id, ErrChannelNotFound, channel_id.hex())

    def next_sequence(self, ctx: Context, user: str) -> int:
        """The sequence the user's next channel id is derived from (specs §4)."""
        value = self.user_sequences.get(ctx, user)
        return 0 if value is None else value

    def get_settled_count(self, ctx: Context) -> int:
        """How many channels have settled (checked by the settled-once invariant)."""
        count = self.settled_count.get(ctx)
        return 0 if count is None else count

    def iterate_channels(self, ctx: Context) -> Iterator[Channel]:
        """Every channel, in channel_id order."""
        return self.channels.values(ctx)

    def is_module_account(self, address: str) -> bool:
        """Whether address is a module account (refused as a party, specs §17 D16)."""
        return self.accounts.module_name_of(address) is not None

    def escrow_balance(self, ctx: Context) -> int:
        """The module account's balance: the escrow it holds."""
        return self.bank.module_balance(ctx, MODULE_NAME)

    # --- writes ---------------------------------------------------------------------------

    def _put(self, ctx: Context, channel: Channel) -> None:
        self.channels.set(ctx, channel.channel_id, channel)

    def _unschedule(self, ctx: Context, channel: Channel) -> None:
        due = scheduled_due(channel)
        if due is None or not self.schedule.has(ctx, due, channel.channel_id):
            return  # settled, or popped by the EndBlocker already
        # next_due stays: a lower bound may be early. Seeking the new earliest entry here
        # would skip every entry removed earlier in the block, so many closes in one
        # block would cost quadratic time; the EndBlocker refreshes it once instead.
        self.schedule.remove(ctx, due, channel.channel_id)

    def _schedule(self, ctx: Context, channel: Channel) -> None:
        due = scheduled_due(channel)
        if due is None:
            return
        self.schedule.add(ctx, due, channel.channel_id)
        current = self.next_due_time.get(ctx)
        if current is None or due < current:
            self.next_due_time.set(ctx, due)

    def refresh_next_due(self, ctx: Context) -> None:
        """Set next_due to the schedule's earliest entry (one seek), or clear it (§8)."""
        first = self.schedule.next_due(ctx)
        if first is None:
            self.next_due_time.delete(ctx)
        else:
            self.next_due_time.set(ctx, first)

    def next_due(self, ctx: Context) -> int | None:
        """No EndBlocker before this block time has work (None: none has); one point read.
        A lower bound: the first block at or past it may find nothing due (specs §8)."""
        return self.next_due_time.get(ctx)

    def pop_due(self, ctx: Context) -> list[bytes]:
        """Take the channels due at or before the block time out of the schedule, in
        (due, channel_id) order, and refresh next_due. While the block time is below
        next_due it reads one key and writes nothing (specs §8)."""
        due = self.next_due_time.get(ctx)
        if due is None or due > ctx.time_ms:
            return []
        popped = self.schedule.pop_due(ctx, ctx.time_ms)
        # Entries the caller adds while handling these (chain challenges) lower it again.
        self.refresh_next_due(ctx)
        return popped

    def open_channel(self, ctx: Context, state: ChannelState, sequence: int) -> Channel:
        """Lock the escrow and store the opening state (specs §5 "Effects")."""
        self.bank.send_to_module(ctx, state.user_addr, MODULE_NAME, state.escrow_amount)
        channel = Channel(
            state=state,
            status=OPEN,
            user_sequence=sequence,
            opened_height=ctx.height,
            opened_time_ms=ctx.time_ms,
        )
        self._put(ctx, channel)
        self.user_sequences.set(ctx, state.user_addr, add_uint64(sequence, 1, "user sequence"))
        self.by_party.add(ctx, (state.user_addr, channel.channel_id))
        self.by_party.add(ctx, (state.host_addr, channel.channel_id))
        self._schedule(ctx, channel)
        ctx.events.emit_event(
            ev.make_event(
                ev.EVENT_CHANNEL_OPENED,
                (
                    (ev.ATTR_CHANNEL_ID, channel.channel_id.hex()),
                    (ev.ATTR_USER, state.user_addr),
                    (ev.ATTR_HOST, state.host_addr),
                    (ev.ATTR_MODEL_ID, state.model_id),
                    (ev.ATTR_MAX_CALLS, state.max_calls),
                    (ev.ATTR_DEADLINE, state.deadline),
                    (ev.ATTR_ESCROW, state.escrow_amount),
                    (ev.ATTR_USER_SEQUENCE, sequence),
                ),
            )
        )
        return channel

    def begin_challenge(
        self, ctx: Context, channel: Channel, state: ChannelState, challenger: str, trigger: str
    ) -> Channel:
        """Open the challenge window on `state` (specs §7.1 "Effects", §8.1)."""
        expires = challenge_expiry(ctx.time_ms, self.get_params(ctx))
        self._unschedule(ctx, channel)
        challenged = replace(
            channel,
            state=state,
            status=CHALLENGED,
            challenge=Challenge(
                challenger=challenger,
                opened_height=ctx.height,
                opened_time_ms=ctx.time_ms,
                expires_at_ms=expires,
                responses=0,
                last_presenter=challenger,
            ),
        )
        self._put(ctx, challenged)
        self._schedule(ctx, challenged)
        ctx.events.emit_event(
            ev.make_event(
                ev.EVENT_CHANNEL_CHALLENGED,
                (
                    (ev.ATTR_CHANNEL_ID, channel.channel_id.hex()),
                    (ev.ATTR_CHALLENGER, challenger),
                    (ev.ATTR_TRIGGER, trigger),
                    (ev.ATTR_TURN_NUM, state.turn_num),
                    (ev.ATTR_SPENT, state.spent_amount),
                    (ev.ATTR_CALL_COUNT, state.call_count),
                    (ev.ATTR_EXPIRES_AT, expires),
                ),
            )
        )
        return challenged

    def record_response(
        self, ctx: Context, channel: Channel, state: ChannelState, responder: str
    ) -> Channel:
        """Store a higher state presented in the window; the expiry stays (specs §7.2)."""
        challenge = channel.challenge
        assert challenge is not None  # the msg server checked the status is CHALLENGED
        responded = replace(
            channel,
            state=state,
            challenge=replace(
                challenge,
                responses=add_uint64(challenge.responses, 1, "responses"),
                last_presenter=responder,
            ),
        )
        self._put(ctx, responded)
        ctx.events.emit_event(
            ev.make_event(
                ev.EVENT_CHALLENGE_RESPONDED,
                (
                    (ev.ATTR_CHANNEL_ID, channel.channel_id.hex()),
                    (ev.ATTR_RESPONDER, responder),
                    (ev.ATTR_PREVIOUS_TURN_NUM, channel.state.turn_num),
                    (ev.ATTR_TURN_NUM, state.turn_num),
                    (ev.ATTR_SPENT, state.spent_amount),
                    (ev.ATTR_CALL_COUNT, state.call_count),
                    (ev.ATTR_EXPIRES_AT, challenge.expires_at_ms),
                ),
            )
        )
        return responded

    def close_channel(
        self, ctx: Context, channel: Channel, state: ChannelState, closer: str
    ) -> Channel:
        """Cooperative close: store the co-signed state and settle at once (specs §7.3)."""
        ctx.events.emit_event(
            ev.make_event(
                ev.EVENT_CHANNEL_CLOSED,
                (
                    (ev.ATTR_CHANNEL_ID, channel.channel_id.hex()),
                    (ev.ATTR_CLOSER, closer),
                    (ev.ATTR_TURN_NUM, state.turn_num),
                    (ev.ATTR_SPENT, state.spent_amount),
                    (ev.ATTR_CALL_COUNT, state.call_count),
                ),
            )
        )
        return self.settle(
            ctx, replace(channel, state=state), SettleReason.SETTLE_REASON_COOPERATIVE
        )

    def settle(self, ctx: Context, channel: Channel, reason: SettleReason) -> Channel:
        """Pay spent to the host and the rest to the user; mark SETTLED (specs §10).

        Callers only pass channels that are not SETTLED, so a channel settles once. The
        channel's schedule entry (if still there) is removed.
        """
        assert channel.status != SETTLED  # every caller checked it (specs §6.1 #4, §8)
        state = channel.state
        paid_host, refunded_user = settlement_amounts(state)
        self._unschedule(ctx, channel)
        if paid_host:
            self.bank.send_from_module(ctx, MODULE_NAME, state.host_addr, paid_host)
        if refunded_user:
            self.bank.send_from_module(ctx, MODULE_NAME, state.user_addr, refunded_user)
        settled = replace(
            channel,
            status=SETTLED,
            settlement=Settlement(
                height=ctx.height,
                time_ms=ctx.time_ms,
                reason=reason,
                turn_num=state.turn_num,
                paid_host_uDAIT=paid_host,
                refunded_user_uDAIT=refunded_user,
            ),
        )
        self._put(ctx, settled)
        count = add_uint64(self.get_settled_count(ctx), 1, "settled_count")
        self.settled_count.set(ctx, count)
        ctx.events.emit_event(
            ev.make_event(
                ev.EVENT_CHANNEL_SETTLED,
                (
                    (ev.ATTR_CHANNEL_ID, channel.channel_id.hex()),
                    (ev.ATTR_USER, state.user_addr),
                    (ev.ATTR_HOST, state.host_addr),
                    (ev.ATTR_REASON, _REASON_TEXT[reason]),
                    (ev.ATTR_TURN_NUM, state.turn_num),
                    (ev.ATTR_PAID_HOST, paid_host),
                    (ev.ATTR_REFUNDED_USER, refunded_user),
                ),
            )
        )
        return settled
