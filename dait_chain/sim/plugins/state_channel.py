"""Scenario actions for x/state_channel and off-chain SPUR-IC sessions.

specs/harness.md "Actions": open_channel, session, close_channel, challenge_channel,
respond_challenge. A channel is named in the scenario (`name: c1`); its id is read from the
ChannelOpened event of the open tx. A `session` runs N SPUR-IC calls off-chain between the
channel's tenant and host (x/state_channel.simulation.OffChainChannel: the host issues
receipt n and provisional state n, the tenant counter-signs it), and later actions present
the co-signed states it produced: `latest` (the presenter's latest: the tenant's newest
co-signed state, the host's newest delivered one), `opening` (turn 0), or a turn number.

Names already registered (by x/state_channel's own simulation.py) are left to it.
"""

from __future__ import annotations

from dait_chain.app.abci import TxResult
from dait_chain.sim.actions import ActionContext, Actor, get_action, register_action
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel import events as ev
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.keys import MODULE_NAME
from dait_chain.x.state_channel.simulation import (
    DEFAULT_MODEL_ID,
    OffChainChannel,
    Party,
    close_consent,
)
from dait_chain.x.state_channel.types import (
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)

CHANNEL = "channel"  # (CHANNEL, name) -> ChannelRef


class ChannelRef:
    """A scenario channel: its parties, and (once opened) its id and off-chain session."""

    __slots__ = ("channel_id", "host", "model_id", "offchain", "user")

    def __init__(self, user: Actor, host: Actor, model_id: str) -> None:
        self.user = user
        self.host = host
        self.model_id = model_id
        self.channel_id: bytes | None = None
        self.offchain: OffChainChannel | None = None


def _keeper(ctx: ActionContext) -> Keeper:
    return ctx.keeper(MODULE_NAME, Keeper)


def _opened(ctx: ActionContext, name: str) -> ChannelRef:
    ref = ctx.recall(CHANNEL, name, "channel")
    assert isinstance(ref, ChannelRef)
    if ref.channel_id is None:
        raise ctx.fail(f"channel {name!r} was not opened (its open tx failed)", "channel")
    return ref


def _party(actor: Actor) -> Party:
    return Party(actor.name, actor.privkey, actor.address)


def compile_open_channel(ctx: ActionContext) -> None:
    """open_channel {name, user, host, escrow, max_calls=10000, deadline=24h (after the
    block), model_id}: MsgOpenChannel; the channel id comes from its ChannelOpened event."""
    name = ctx.str_arg("name")
    user = ctx.actor_arg("user")
    host = ctx.actor_arg("host")
    escrow = ctx.amount_arg("escrow")
    max_calls = ctx.int_arg("max_calls", 10_000, low=1)
    deadline = ctx.time_ms + ctx.duration_arg("deadline", 86_400_000)
    model_id = ctx.str_arg("model_id", DEFAULT_MODEL_ID)
    ref = ChannelRef(user, host, model_id)
    ctx.remember(CHANNEL, name, ref)

    def record_id(result: TxResult) -> None:
        for event in result.events:
            if event.type == ev.EVENT_CHANNEL_OPENED:
                ref.channel_id = bytes.fromhex(event.get(ev.ATTR_CHANNEL_ID) or "")
                return

    msg = MsgOpenChannel(user.address, host.address, model_id, max_calls, deadline, escrow)
    ctx.submit(user, msg, after=record_id)


def compile_session(ctx: ActionContext) -> None:
    """session {channel, calls, tokens_in=100, tokens_out=200, deliver=true}: N SPUR-IC
    calls off-chain at the block's time; deliver ships the tenant's last co-signed state to
    the host (as the next request would), so the host can present it too. No tx."""
    ref = _opened(ctx, ctx.str_arg("channel"))
    calls = ctx.int_arg("calls", low=1, high=1_000_000)
    tokens_in = ctx.int_arg("tokens_in", 100)
    tokens_out = ctx.int_arg("tokens_out", 200)
    deliver = ctx.bool_arg("deliver", True)
    if ref.offchain is None:
        assert ref.channel_id is not None
        record = _keeper(ctx).get_channel(ctx.query(), ref.channel_id)
        if record is None:
            raise ctx.fail("the channel is not on chain", "channel")
        identity = sim_host_identity(ref.host.key_seed, model_id=ref.model_id)
        if identity.host_addr != ref.host.address:
            raise ctx.fail(f"host {ref.host.name!r} has no SPUR-IC identity for its key")
        ref.offchain = OffChainChannel(record.state, _party(ref.user), identity)
    for i in range(calls):
        if not ref.offchain.call(ctx.time_ms + i, tokens_in, tokens_out):
            raise ctx.fail(f"the host refused call {ref.offchain.calls} (escrow, calls, deadline)")
    if deliver:
        ref.offchain.deliver()


def _state_arg(ctx: ActionContext, ref: ChannelRef, presenter: str) -> ChannelState:
    """The state an action presents: latest (the presenter's), opening, or a turn."""
    choice = ctx.arg("state", "latest")
    session = ref.offchain
    if choice == "opening" or (session is None and choice == "latest"):
        if session is not None:
            return session.cosigned[0]
        assert ref.channel_id is not None
        record = _keeper(ctx).get_channel(ctx.query(), ref.channel_id)
        if record is None:
            raise ctx.fail("the channel is not on chain", "channel")
        return record.state
    if session is None:
        raise ctx.fail("no session ran on this channel", "state")
    if choice == "latest":
        return session.user_latest if presenter == "user" else session.host_latest
    if (
        isinstance(choice, int)
        and not isinstance(choice, bool)
        and 0 <= choice < len(session.cosigned)
    ):
        return session.cosigned[choice]
    raise ctx.fail(
        f"state: {choice!r} is not latest, opening or a co-signed turn "
        f"(0..{len(session.cosigned) - 1})",
        "state",
    )


def _presenter(ctx: ActionContext, ref: ChannelRef) -> tuple[str, Actor]:
    by = ctx.str_arg("by", "user")
    if by not in ("user", "host"):
        raise ctx.fail(f"by: {by!r} is neither user nor host", "by")
    return by, ref.user if by == "user" else ref.host


def compile_close_channel(ctx: ActionContext) -> None:
    """close_channel {channel, by=user, state=latest}: cooperative MsgCloseChannel carrying
    the counterparty's DAIT-CLOSE-v1 consent on the presented state."""
    ref = _opened(ctx, ctx.str_arg("channel"))
    by, signer = _presenter(ctx, ref)
    state = _state_arg(ctx, ref, by)
    other = ref.host if by == "user" else ref.user
    assert ref.channel_id is not None
    consent = close_consent(state, other.privkey)
    ctx.submit(signer, MsgCloseChannel(signer.address, ref.channel_id, state, consent))


def compile_challenge_channel(ctx: ActionContext) -> None:
    """challenge_channel {channel, by=user, state=latest}: MsgChallengeChannel."""
    ref = _opened(ctx, ctx.str_arg("channel"))
    by, signer = _presenter(ctx, ref)
    state = _state_arg(ctx, ref, by)
    assert ref.channel_id is not None
    ctx.submit(signer, MsgChallengeChannel(signer.address, ref.channel_id, state))


def compile_respond_challenge(ctx: ActionContext) -> None:
    """respond_challenge {channel, by=host, state=latest}: MsgRespondChallenge."""
    ref = _opened(ctx, ctx.str_arg("channel"))
    by = ctx.str_arg("by", "host")
    if by not in ("user", "host"):
        raise ctx.fail(f"by: {by!r} is neither user nor host", "by")
    signer = ref.user if by == "user" else ref.host
    state = _state_arg(ctx, ref, by)
    assert ref.channel_id is not None
    ctx.submit(signer, MsgRespondChallenge(signer.address, ref.channel_id, state))


_ACTIONS = (
    ("open_channel", compile_open_channel, "open_channel {name, user, host, escrow, ...}"),
    ("session", compile_session, "session {channel, calls, tokens_in, tokens_out}: off-chain"),
    ("close_channel", compile_close_channel, "close_channel {channel, by, state}: cooperative"),
    ("challenge_channel", compile_challenge_channel, "challenge_channel {channel, by, state}"),
    ("respond_challenge", compile_respond_challenge, "respond_challenge {channel, by, state}"),
)

for _name, _compiler, _summary in _ACTIONS:
    if get_action(_name) is None:
        register_action(_name, _compiler, module=MODULE_NAME, summary=_summary)
