"""Message handlers of x/state_channel (specs/state_channel.md §5-§7).

Each handler checks the rules in the spec's order (the first broken rule names the error)
and only then calls the keeper's transition. A handler runs on the tx's cache branch, so a
refusal at any point leaves no write and no event.
"""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel import rules
from dait_chain.x.state_channel.errors import (
    ErrChallengeAlreadyOpen,
    ErrChannelSettled,
    ErrInvalidAddress,
    ErrMissingState,
    ErrNoOpenChallenge,
    ErrNotChannelParty,
)
from dait_chain.x.state_channel.events import TRIGGER_TX
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    Channel,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
    PresentMsg,
)


class MsgServer:
    """The four messages of x/state_channel."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    # --- §5 ---------------------------------------------------------------------------------

    def open_channel(self, ctx: Context, msg: MsgOpenChannel) -> None:
        """MsgOpenChannel: lock escrow, store turn 0, schedule the deadline (specs §5)."""
        params = self.keeper.get_params(ctx)
        rules.check_party_address(msg.user, "user")
        rules.check_party_address(msg.host, "host")
        rules.check_not_self_channel(msg.user, msg.host)
        if self.keeper.is_module_account(msg.host):
            raise ErrInvalidAddress(f"host {msg.host} is a module account")
        rules.check_model_id(msg.model_id)
        rules.check_max_calls_positive(msg.max_calls)
        rules.check_escrow_at_least_min(msg.escrow_uDAIT, params)
        rules.check_deadline_in_range(msg.deadline, ctx.time_ms, params)
        sequence = self.keeper.next_sequence(ctx, msg.user)
        channel_id = rules.derive_channel_id(ctx.chain_id, msg.user, msg.host, sequence)
        # No id collision is possible: genesis requires every user's next sequence to be
        # above the sequences of its channels, so the preimage (specs §4) is new.
        self.keeper.open_channel(ctx, rules.opening_state(channel_id, msg), sequence)

    # --- §6.1 -------------------------------------------------------------------------------

    def _channel_for(self, ctx: Context, msg: PresentMsg) -> tuple[Channel, ChannelState]:
        """specs §6.1 #1-#5: signer address, state present, channel known and unsettled,
        signer a party."""
        rules.check_party_address(msg.signer, "signer")
        if msg.state is None:
            raise ErrMissingState(type(msg).__name__)
        channel = self.keeper.must_get_channel(ctx, msg.channel_id)
        if channel.status == SETTLED:
            raise ErrChannelSettled(msg.channel_id.hex())
        if msg.signer not in (channel.user, channel.host):
            raise ErrNotChannelParty(f"{msg.signer} on channel {msg.channel_id.hex()}")
        return channel, msg.state

    @staticmethod
    def _check_state_bounds(channel: Channel, state: ChannelState, channel_id: bytes) -> None:
        """specs §6.2, §6.3: fixed fields, then spent and call_count bounds."""
        rules.check_fixed_fields(channel.state, state, channel_id)
        rules.check_spent_within_escrow(state)
        rules.check_call_count_within_max(state)

    # --- §7.1 -------------------------------------------------------------------------------

    def challenge_channel(self, ctx: Context, msg: MsgChallengeChannel) -> None:
        """MsgChallengeChannel: open the window on a co-signed or the opening state (§7.1)."""
        channel, state = self._channel_for(ctx, msg)
        if channel.status != OPEN:
            raise ErrChallengeAlreadyOpen(msg.channel_id.hex())
        self._check_state_bounds(channel, state, msg.channel_id)
        rules.check_challenge_state_signatures(channel.state, state)
        self.keeper.begin_challenge(ctx, channel, state, msg.signer, TRIGGER_TX)

    # --- §7.2 -------------------------------------------------------------------------------

    def respond_challenge(self, ctx: Context, msg: MsgRespondChallenge) -> None:
        """MsgRespondChallenge: a strictly higher co-signed turn, inside the window (§7.2)."""
        channel, state = self._channel_for(ctx, msg)
        if channel.status != CHALLENGED or channel.challenge is None:
            raise ErrNoOpenChallenge(msg.channel_id.hex())
        rules.check_challenge_window_open(ctx.time_ms, channel.challenge)
        self._check_state_bounds(channel, state, msg.channel_id)
        rules.check_turn_is_higher(channel.state.turn_num, state.turn_num)
        rules.check_state_signatures(state)
        self.keeper.record_response(ctx, channel, state, msg.signer)

    # --- §7.3 -------------------------------------------------------------------------------

    def close_channel(self, ctx: Context, msg: MsgCloseChannel) -> None:
        """MsgCloseChannel: settle at once on a co-signed state, turn >= stored (§7.3)."""
        channel, state = self._channel_for(ctx, msg)
        if channel.status == CHALLENGED and channel.challenge is not None:
            rules.check_challenge_window_open(ctx.time_ms, channel.challenge)
        self._check_state_bounds(channel, state, msg.channel_id)
        rules.check_turn_not_stale(channel.state.turn_num, state.turn_num)
        rules.check_state_signatures(state)
        rules.check_close_consent(state, msg.signer, msg.counterparty_close_sig)
        self.keeper.close_channel(ctx, channel, state, msg.signer)
