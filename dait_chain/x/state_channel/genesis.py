"""Genesis import and export of x/state_channel (specs/state_channel.md §16).

The genesis lists the params, every channel (sorted by id) and every user sequence
(sorted by user). The party index, the schedule and the settled count are derived data: import
rebuilds them, export leaves them out, so export -> import -> export is the identity and
the imported store is byte-identical to the exporting one.
"""

from __future__ import annotations

import itertools

from dait_chain.app.context import Context
from dait_chain.crypto.merkle import HASH_SIZE
from dait_chain.errors import DaitError
from dait_chain.x.state_channel import params as params_mod
from dait_chain.x.state_channel import rules
from dait_chain.x.state_channel.errors import ErrInvalidGenesis
from dait_chain.x.state_channel.keeper import Keeper, scheduled_due
from dait_chain.x.state_channel.keys import CHANNEL_ID_SIZE
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    Channel,
    GenesisState,
    UserSequence,
)


def default_genesis() -> GenesisState:
    """A fresh chain: default params, no channels."""
    return GenesisState(params=params_mod.default_params())


def _validate_channel(chain_id: str, channel: Channel) -> None:
    state = channel.state
    cid = state.channel_id.hex()
    if len(state.channel_id) != CHANNEL_ID_SIZE or len(state.receipts_merkle_root) != HASH_SIZE:
        raise ErrInvalidGenesis(f"channel {cid}: bad id or root length")
    try:
        rules.check_party_address(state.user_addr, "user")
        rules.check_party_address(state.host_addr, "host")
        rules.check_not_self_channel(state.user_addr, state.host_addr)
        rules.check_model_id(state.model_id)
        rules.check_max_calls_positive(state.max_calls)
        rules.check_spent_within_escrow(state)
        rules.check_call_count_within_max(state)
    except DaitError as exc:
        raise ErrInvalidGenesis(f"channel {cid}: {exc.log}") from exc
    derived = rules.derive_channel_id(
        chain_id, state.user_addr, state.host_addr, channel.user_sequence
    )
    if derived != state.channel_id:
        raise ErrInvalidGenesis(f"channel {cid}: id is not the specs §4 derivation")
    if channel.status == OPEN:
        ok = channel.challenge is None and channel.settlement is None
    elif channel.status == CHALLENGED:
        ok = channel.challenge is not None and channel.settlement is None
    elif channel.status == SETTLED:
        s = channel.settlement
        ok = (
            s is not None
            and s.paid_host_uDAIT == state.spent_amount
            and s.paid_host_uDAIT + s.refunded_user_uDAIT == state.escrow_amount
            and s.turn_num == state.turn_num
        )
    else:
        ok = False
    if not ok:
        raise ErrInvalidGenesis(f"channel {cid}: status {channel.status.name} inconsistent")


def validate_genesis(gs: GenesisState, chain_id: str) -> None:
    """Refuse an invalid genesis (specs §16): params out of range as ErrInvalidParams, as
    Cosmos's ValidateGenesis returns Params.Validate()'s error (D15); anything else
    inconsistent as ErrInvalidGenesis."""
    params_mod.validate(gs.params)
    ids = [c.channel_id for c in gs.channels]
    if any(a >= b for a, b in itertools.pairwise(ids)):
        raise ErrInvalidGenesis("channels not strictly sorted by channel_id")
    users = [s.user for s in gs.sequences]
    if any(a >= b for a, b in itertools.pairwise(users)):
        raise ErrInvalidGenesis("sequences not strictly sorted by user")
    next_seq = {s.user: s.next_sequence for s in gs.sequences}
    for channel in gs.channels:
        _validate_channel(chain_id, channel)
        if next_seq.get(channel.user, 0) <= channel.user_sequence:
            raise ErrInvalidGenesis(
                f"user {channel.user}: next_sequence not above channel sequence "
                f"{channel.user_sequence}"
            )


def init_genesis(ctx: Context, keeper: Keeper, gs: GenesisState) -> None:
    """Validate and write the genesis; rebuild the index, schedule and settled count."""
    validate_genesis(gs, ctx.chain_id)
    keeper.params.set(ctx, gs.params)
    settled = 0
    for channel in gs.channels:
        keeper.channels.set(ctx, channel.channel_id, channel)
        keeper.by_party.add(ctx, (channel.user, channel.channel_id))
        keeper.by_party.add(ctx, (channel.host, channel.channel_id))
        due = scheduled_due(channel)
        if due is not None:
            keeper.schedule.add(ctx, due, channel.channel_id)
        settled += channel.status == SETTLED
    for seq in gs.sequences:
        keeper.user_sequences.set(ctx, seq.user, seq.next_sequence)
    keeper.settled_count.set(ctx, settled)
    keeper.refresh_next_due(ctx)


def export_genesis(ctx: Context, keeper: Keeper) -> GenesisState:
    """The module's state as a genesis (channels and sequences in key order)."""
    return GenesisState(
        params=keeper.get_params(ctx),
        channels=tuple(keeper.iterate_channels(ctx)),
        sequences=tuple(
            UserSequence(user=user, next_sequence=seq)
            for user, seq in keeper.user_sequences.iterate(ctx)
        ),
    )
