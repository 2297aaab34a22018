"""Window boundaries (specs/state_channel.md §9), at end - 1, end and end + 1.

decisions.md: "a window that opens at ... time t with length W accepts actions in blocks
with ... time < t + W. The first block at or past the end is late for txs, and its
EndBlocker does the settlement (txs run before EndBlock, as in FinalizeBlock)."
"""

from __future__ import annotations

import pytest

from dait_chain.crypto.address import module_address
from dait_chain.x.state_channel import errors as E
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgRespondChallenge,
)

from .scene import ALICE, HANK, Scene, make_scene

W = 86_400_000  # decisions.md: the 24 h challenge window, in ms of block time


def _challenge_at_turn(scene: Scene, turn: int) -> int:
    """The user challenges with co-signed state `turn`; returns the challenge block time."""
    scene.calls(turn)
    msg = MsgChallengeChannel(ALICE.address, scene.channel_id, scene.state(turn))
    outcome = scene.chain.block([(ALICE, msg)])
    assert outcome.tx_results[0].ok, outcome.tx_results[0].log
    return outcome.block.time_ms


# --- the challenge window -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-1, True), (0, False), (1, False)],
    ids=["expiry-1", "expiry", "expiry+1"],
)
def test_response_is_accepted_only_before_the_expiry(offset: int, accepted: bool) -> None:
    """The host answers a stale challenge (turn 1) with turn 3 at expiry - 1, expiry, +1."""
    scene = make_scene()
    t = _challenge_at_turn(scene, 1)
    scene.calls(2)
    scene.offchain.deliver()
    response = MsgRespondChallenge(HANK.address, scene.channel_id, scene.state(3))
    outcome = scene.chain.block([(HANK, response)], time_ms=t + W + offset)
    result = outcome.tx_results[0]
    if accepted:
        assert result.ok, result.log
        assert scene.record().status == CHALLENGED
        assert scene.record().state.turn_num == 3
        assert not scene.events(outcome, "ChannelSettled")
    else:
        assert (result.codespace, result.code) == ("state_channel", E.ErrChallengeWindowClosed.code)
        # ... and this same block settles on the stored turn 1.
        [settled] = scene.events(outcome, "ChannelSettled")
        assert settled.get("turn_num") == "1"
        assert scene.record().status == SETTLED


@pytest.mark.parametrize(
    ("offset", "settles"),
    [(-1, False), (0, True), (1, True)],
    ids=["expiry-1", "expiry", "expiry+1"],
)
def test_endblocker_settles_in_the_first_block_at_or_past_the_expiry(
    offset: int, settles: bool
) -> None:
    scene = make_scene()
    t = _challenge_at_turn(scene, 2)
    outcome = scene.chain.block([], time_ms=t + W + offset)
    assert bool(scene.events(outcome, "ChannelSettled")) == settles
    assert (scene.record().status == SETTLED) == settles


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [(-1, True), (0, False), (1, False)],
    ids=["expiry-1", "expiry", "expiry+1"],
)
def test_cooperative_close_during_a_challenge_is_accepted_only_before_the_expiry(
    offset: int, accepted: bool
) -> None:
    scene = make_scene()
    t = _challenge_at_turn(scene, 1)
    state = scene.calls(1)
    close = MsgCloseChannel(ALICE.address, scene.channel_id, state, scene.consent(state, HANK))
    outcome = scene.chain.block([(ALICE, close)], time_ms=t + W + offset)
    result = outcome.tx_results[0]
    settlement = scene.record().settlement
    assert settlement is not None  # settled either way: by the close, or by the EndBlocker
    if accepted:
        assert result.ok, result.log
        assert settlement.turn_num == 2
    else:
        assert result.code == E.ErrChallengeWindowClosed.code
        assert settlement.turn_num == 1


def test_response_does_not_extend_the_window() -> None:
    """decisions.md: a response "does not extend the window"."""
    scene = make_scene()
    t = _challenge_at_turn(scene, 1)
    scene.calls(1)
    scene.chain.block(
        [(HANK, MsgRespondChallenge(HANK.address, scene.channel_id, scene.state(2)))],
        time_ms=t + W - 10,
    )
    challenge = scene.record().challenge
    assert challenge is not None and challenge.expires_at_ms == t + W
    scene.chain.block([], time_ms=t + W)
    assert scene.record().status == SETTLED


# --- the channel deadline -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "challenged"),
    [(-1, False), (0, True), (1, True)],
    ids=["deadline-1", "deadline", "deadline+1"],
)
def test_chain_challenges_an_open_channel_from_its_deadline(offset: int, challenged: bool) -> None:
    """decisions.md: "At the channel's deadline, if it is still open, the chain itself opens
    a challenge on the stored state"; its window runs from that block's time (specs D8)."""
    scene = make_scene()
    at = scene.deadline + offset
    outcome = scene.chain.block([], time_ms=at)
    record = scene.record()
    if not challenged:
        assert record.status == OPEN and not scene.events(outcome, "ChannelChallenged")
        return
    [event] = scene.events(outcome, "ChannelChallenged")
    assert event.get("trigger") == "deadline"
    assert event.get("challenger") == module_address("state_channel")
    assert event.get("turn_num") == "0"
    assert event.get("expires_at_ms") == str(at + W)
    assert record.status == CHALLENGED
    assert record.challenge is not None and record.challenge.expires_at_ms == at + W


def test_host_answers_the_deadline_challenge_and_is_paid() -> None:
    scene = make_scene()
    latest = scene.calls(4)
    scene.chain.block([], time_ms=scene.deadline)
    scene.chain.block(
        [(HANK, MsgRespondChallenge(HANK.address, scene.channel_id, latest))],
        time_ms=scene.deadline + W - 1,
    )
    scene.chain.block([], time_ms=scene.deadline + W)
    settlement = scene.record().settlement
    assert settlement is not None
    assert settlement.paid_host_uDAIT == latest.spent_amount


def test_party_challenge_in_the_deadline_block_replaces_the_chains() -> None:
    """specs D9: txs run before the EndBlocker; a challenge in the deadline block is the
    party's, and the chain opens no second one."""
    scene = make_scene()
    state = scene.calls(2)
    outcome = scene.chain.block(
        [(HANK, MsgChallengeChannel(HANK.address, scene.channel_id, state))],
        time_ms=scene.deadline,
    )
    [event] = scene.events(outcome, "ChannelChallenged")
    assert (event.get("trigger"), event.get("challenger")) == ("tx", HANK.address)
    # The EndBlocker of later blocks does not challenge again.
    outcome = scene.chain.block([], time_ms=scene.deadline + 1)
    assert not scene.events(outcome, "ChannelChallenged")


def test_cooperative_close_at_the_deadline_block_settles() -> None:
    scene = make_scene()
    state = scene.calls(2)
    close = MsgCloseChannel(ALICE.address, scene.channel_id, state, scene.consent(state, HANK))
    outcome = scene.chain.block([(ALICE, close)], time_ms=scene.deadline)
    assert outcome.tx_results[0].ok
    assert not scene.events(outcome, "ChannelChallenged")
    assert scene.record().status == SETTLED
