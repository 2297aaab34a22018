"""Every refusal of x/state_channel, through a real signed tx in a block.

Each test triggers exactly one registered error and shows, by comparing the exported
state before and after, that only the fee and the sequence bump remain and that no event
but the ante's was emitted (specs/state_channel.md §14).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dait_chain.app.errors import ErrInsufficientFunds
from dait_chain.crypto.address import encode_address, module_address
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, privkey_from_seed, sign_with_domain
from dait_chain.errors import import_all_modules, registered_errors
from dait_chain.x.state_channel import errors as E
from dait_chain.x.state_channel.simulation import DEFAULT_FEE, open_msg
from dait_chain.x.state_channel.types import (
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)

from .scene import (
    ALICE,
    ANTE_EVENT_TYPES,
    DAY_MS,
    FUNDS,
    HANK,
    MALLORY,
    Scene,
    assert_refused_without_effect,
    body,
    cosign_both,
    expected_after_refusal,
    make_scene,
    sign_state,
)


@pytest.fixture
def scene() -> Scene:
    return make_scene()


def _open(scene: Scene, **changes: object) -> MsgOpenChannel:
    base = open_msg(ALICE, HANK, escrow=10_000, max_calls=10, deadline=scene.deadline)
    return replace(base, **changes)  # type: ignore[arg-type]


def _challenge(scene: Scene, state: object, signer: str = ALICE.address) -> MsgChallengeChannel:
    return MsgChallengeChannel(signer, scene.channel_id, state)  # type: ignore[arg-type]


def _challenged(scene: Scene, turn: int) -> None:
    """The host challenges with co-signed state `turn` (the calls are made first)."""
    scene.calls(max(0, turn - scene.offchain.user_latest.turn_num))
    result = scene.chain.block([(HANK, _challenge(scene, scene.state(turn), HANK.address))])
    assert result.tx_results[0].ok, result.tx_results[0].log


# --- MsgOpenChannel (specs §5) ------------------------------------------------------------


def test_open_with_invalid_host_address_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(
        scene, ALICE, _open(scene, host=HANK.address.upper()), E.ErrInvalidAddress
    )


def test_open_with_32_byte_host_address_is_rejected(scene: Scene) -> None:
    host = encode_address(bytes(range(32)))
    assert_refused_without_effect(scene, ALICE, _open(scene, host=host), E.ErrInvalidAddress)


def test_open_with_module_account_host_is_rejected(scene: Scene) -> None:
    host = module_address("fee_collector")
    assert_refused_without_effect(scene, ALICE, _open(scene, host=host), E.ErrInvalidAddress)


def test_open_with_oneself_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(scene, ALICE, _open(scene, host=ALICE.address), E.ErrSelfChannel)


def test_open_with_empty_model_id_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(scene, ALICE, _open(scene, model_id=""), E.ErrInvalidModelId)


def test_open_with_zero_max_calls_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(scene, ALICE, _open(scene, max_calls=0), E.ErrInvalidMaxCalls)


def test_open_with_escrow_below_min_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(scene, ALICE, _open(scene, escrow_uDAIT=999), E.ErrEscrowTooSmall)


def test_open_with_deadline_at_block_time_is_rejected(scene: Scene) -> None:
    at = scene.chain.time_ms + 999
    assert_refused_without_effect(
        scene, ALICE, _open(scene, deadline=at), E.ErrInvalidDeadline, time_ms=at
    )


def test_open_with_deadline_beyond_max_duration_is_rejected(scene: Scene) -> None:
    at = scene.chain.time_ms + 999
    too_far = at + 365 * DAY_MS + 1
    assert_refused_without_effect(
        scene, ALICE, _open(scene, deadline=too_far), E.ErrInvalidDeadline, time_ms=at
    )


def test_open_without_funds_for_the_escrow_is_rejected(scene: Scene) -> None:
    """x/bank refuses the escrow transfer: sdk ErrInsufficientFunds, nothing locked."""
    assert_refused_without_effect(
        scene, ALICE, _open(scene, escrow_uDAIT=FUNDS * 2), ErrInsufficientFunds
    )


# --- the channel (specs §6.1) -------------------------------------------------------------


def test_message_on_unknown_channel_is_rejected(scene: Scene) -> None:
    msg = MsgChallengeChannel(ALICE.address, bytes(32), scene.state(0))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrChannelNotFound)


def test_message_on_settled_channel_is_rejected(scene: Scene) -> None:
    state = scene.calls(2)
    consent = scene.consent(state, HANK)
    close = MsgCloseChannel(ALICE.address, scene.channel_id, state, consent)
    assert scene.chain.block([(ALICE, close)]).tx_results[0].ok
    assert_refused_without_effect(
        scene, HANK, _challenge(scene, state, HANK.address), E.ErrChannelSettled
    )


def test_challenge_by_a_third_party_is_rejected(scene: Scene) -> None:
    """Wrong signer: only the user or the host may act on a channel (specs D10)."""
    state = scene.calls(1)
    msg = _challenge(scene, state, MALLORY.address)
    assert_refused_without_effect(scene, MALLORY, msg, E.ErrNotChannelParty)


def test_message_without_state_is_rejected(scene: Scene) -> None:
    assert_refused_without_effect(scene, ALICE, _challenge(scene, None), E.ErrMissingState)


# --- the presented state (specs §6.2-§6.4) ------------------------------------------------


def test_state_with_changed_escrow_is_rejected_even_when_cosigned(scene: Scene) -> None:
    """Fixed field changed: both parties signed it, the chain still refuses it."""
    state = cosign_both(replace(scene.calls(1), escrow_amount=5_000_001))
    assert_refused_without_effect(scene, ALICE, _challenge(scene, state), E.ErrFixedFieldMismatch)


def test_state_of_another_channel_is_rejected(scene: Scene) -> None:
    other = replace(scene.calls(1), channel_id=bytes(32))
    assert_refused_without_effect(
        scene, ALICE, _challenge(scene, cosign_both(other)), E.ErrFixedFieldMismatch
    )


def test_state_spending_more_than_escrow_is_rejected(scene: Scene) -> None:
    state = cosign_both(replace(scene.calls(1), spent_amount=5_000_001))
    assert_refused_without_effect(
        scene, HANK, _challenge(scene, state, HANK.address), E.ErrSpentExceedsEscrow
    )


def test_state_with_more_calls_than_max_calls_is_rejected(scene: Scene) -> None:
    state = cosign_both(replace(scene.calls(1), call_count=101))
    assert_refused_without_effect(
        scene, HANK, _challenge(scene, state, HANK.address), E.ErrCallCountExceedsMax
    )


def test_provisional_state_is_rejected(scene: Scene) -> None:
    """Seed 002 §4: the host's provisional state (sig_host only) cannot be presented."""
    scene.calls(2)
    assert scene.offchain.call(scene.chain.time_ms, 3, 5, cosigned=False)
    provisional = scene.offchain.provisional
    assert provisional is not None and not provisional.sig_user and provisional.sig_host
    assert_refused_without_effect(
        scene, HANK, _challenge(scene, provisional, HANK.address), E.ErrProvisionalState
    )


def test_state_without_host_signature_is_rejected(scene: Scene) -> None:
    state = replace(scene.calls(1), sig_host=b"")
    assert_refused_without_effect(scene, ALICE, _challenge(scene, state), E.ErrMissingHostSignature)


def test_forged_user_signature_is_rejected(scene: Scene) -> None:
    """Bad signature: mallory signs as the user."""
    state = scene.calls(1)
    forged = sign_state(state, ("sig_user", MALLORY.privkey))
    assert_refused_without_effect(
        scene, HANK, _challenge(scene, forged, HANK.address), E.ErrInvalidUserSignature
    )


def test_swapped_signatures_are_rejected(scene: Scene) -> None:
    state = scene.calls(1)
    swapped = replace(state, sig_user=state.sig_host, sig_host=state.sig_user)
    assert_refused_without_effect(
        scene, ALICE, _challenge(scene, swapped), E.ErrInvalidUserSignature
    )


def test_forged_host_signature_is_rejected(scene: Scene) -> None:
    state = scene.calls(1)
    key = privkey_from_seed(b"not the host")
    payload = replace(state, sig_user=b"", sig_host=b"").encode()
    forged = replace(state, sig_host=sign_with_domain(key, DOMAIN_STATE, payload))
    assert_refused_without_effect(
        scene, ALICE, _challenge(scene, forged), E.ErrInvalidHostSignature
    )


# --- turns and windows (specs §7, §9) -----------------------------------------------------


def test_response_with_equal_turn_is_rejected(scene: Scene) -> None:
    _challenged(scene, 3)
    msg = MsgRespondChallenge(ALICE.address, scene.channel_id, scene.state(3))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrTurnNotHigher)


def test_response_with_stale_turn_is_rejected(scene: Scene) -> None:
    _challenged(scene, 3)
    msg = MsgRespondChallenge(ALICE.address, scene.channel_id, scene.state(2))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrTurnNotHigher)


def test_close_below_the_stored_turn_is_rejected(scene: Scene) -> None:
    _challenged(scene, 3)
    old = scene.state(2)
    msg = MsgCloseChannel(ALICE.address, scene.channel_id, old, scene.consent(old, HANK))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrStaleState)


def test_second_challenge_is_rejected(scene: Scene) -> None:
    _challenged(scene, 1)
    assert_refused_without_effect(
        scene, ALICE, _challenge(scene, scene.state(1)), E.ErrChallengeAlreadyOpen
    )


def test_response_without_a_challenge_is_rejected(scene: Scene) -> None:
    msg = MsgRespondChallenge(ALICE.address, scene.channel_id, scene.calls(1))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrNoOpenChallenge)


def test_late_response_is_rejected(scene: Scene) -> None:
    """A response in the block whose time equals the expiry is late (decisions.md), and
    that block's EndBlocker settles. The store is compared with a twin chain that ran the
    same history and an empty block at the expiry: the late tx adds only fee and sequence."""
    twin = make_scene()
    for s in (scene, twin):
        _challenged(s, 1)
        s.calls(1)
    challenge = scene.record().challenge
    assert challenge is not None
    msg = MsgRespondChallenge(ALICE.address, scene.channel_id, scene.state(2))
    outcome = scene.chain.block([(ALICE, msg)], time_ms=challenge.expires_at_ms)
    twin_outcome = twin.chain.block([], time_ms=challenge.expires_at_ms)
    result = outcome.tx_results[0]
    error = E.ErrChallengeWindowClosed
    assert (result.codespace, result.code) == (error.codespace, error.code), result.log
    assert {e.type for e in result.events} <= ANTE_EVENT_TYPES
    assert outcome.result.end_events == twin_outcome.result.end_events
    expected = expected_after_refusal(twin.chain.app.export_genesis(), ALICE, DEFAULT_FEE)
    assert body(scene.chain.app.export_genesis()) == body(expected)
    # The EndBlocker settled on the stored turn 1: the late turn 2 left no trace.
    settlement = scene.record().settlement
    assert settlement is not None and settlement.turn_num == 1


def test_close_without_the_counterpartys_consent_is_rejected(scene: Scene) -> None:
    state = scene.calls(2)
    msg = MsgCloseChannel(ALICE.address, scene.channel_id, state, b"")
    assert_refused_without_effect(scene, ALICE, msg, E.ErrInvalidCloseConsent)


def test_close_with_ones_own_consent_is_rejected(scene: Scene) -> None:
    state = scene.calls(2)
    msg = MsgCloseChannel(ALICE.address, scene.channel_id, state, scene.consent(state, ALICE))
    assert_refused_without_effect(scene, ALICE, msg, E.ErrInvalidCloseConsent)


# --- the registry -------------------------------------------------------------------------


def test_every_state_channel_error_is_registered_with_a_stable_code() -> None:
    import_all_modules()
    mine = [e for e in registered_errors() if e.codespace == "state_channel"]
    assert [e.code for e in mine] == list(range(2, 2 + len(mine)))
    assert {e.name for e in mine} == {name for name in dir(E) if name.startswith("Err")}
