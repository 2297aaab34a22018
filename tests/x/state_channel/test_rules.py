"""The pure rule functions of x/state_channel (specs/state_channel.md §4-§10)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import bech32 as bip173
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.address import address_from_pubkey, encode_address
from dait_chain.crypto.secp256k1 import (
    CURVE_ORDER,
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    privkey_from_seed,
    pubkey_from_privkey,
    sign_with_domain,
)
from dait_chain.errors import DaitError
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel import rules
from dait_chain.x.state_channel.errors import (
    ErrCallCountExceedsMax,
    ErrChallengeWindowClosed,
    ErrEscrowTooSmall,
    ErrFixedFieldMismatch,
    ErrInvalidAddress,
    ErrInvalidCloseConsent,
    ErrInvalidDeadline,
    ErrInvalidHostSignature,
    ErrInvalidMaxCalls,
    ErrInvalidModelId,
    ErrInvalidUserSignature,
    ErrMissingHostSignature,
    ErrProvisionalState,
    ErrSelfChannel,
    ErrSpentExceedsEscrow,
    ErrStaleState,
    ErrTurnNotHigher,
)
from dait_chain.x.state_channel.params import default_params
from dait_chain.x.state_channel.types import Challenge, MsgOpenChannel

USER_KEY = privkey_from_seed(b"rules/user")
HOST_KEY = privkey_from_seed(b"rules/host")
OTHER_KEY = privkey_from_seed(b"rules/other")
USER = address_from_pubkey(pubkey_from_privkey(USER_KEY))
HOST = address_from_pubkey(pubkey_from_privkey(HOST_KEY))
OTHER = address_from_pubkey(pubkey_from_privkey(OTHER_KEY))
CHANNEL_ID = bytes(range(32))
# RFC 6962: the root of the empty tree is SHA-256 of the empty string.
EMPTY_TREE_ROOT = hashlib.sha256(b"").digest()


def _open_msg(**changes: object) -> MsgOpenChannel:
    base = MsgOpenChannel(
        user=USER,
        host=HOST,
        model_id="qwen2.5-32b-instruct",
        max_calls=10_000,
        deadline=1_700_086_400_000,
        escrow_uDAIT=5_000_000,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def _opening() -> ChannelState:
    return rules.opening_state(CHANNEL_ID, _open_msg())


def _state(turn: int, spent: int, calls: int) -> ChannelState:
    return replace(
        _opening(),
        turn_num=turn,
        spent_amount=spent,
        call_count=calls,
        receipts_merkle_root=hashlib.sha256(b"root %d" % turn).digest(),
    )


def _sign(state: ChannelState, key: bytes, domain: bytes = DOMAIN_STATE) -> bytes:
    # Seed 002 §6: sign(sha256(domain || canonical_state_minus_sigs)), written out here
    # rather than through dait_chain.spurc so the test states the scheme itself.
    unsigned = replace(state, sig_user=b"", sig_host=b"")
    return sign_with_domain(key, domain, unsigned.encode())


def _cosigned(state: ChannelState) -> ChannelState:
    return replace(state, sig_user=_sign(state, USER_KEY), sig_host=_sign(state, HOST_KEY))


def _raises(error: type[DaitError], fn: object, *args: object) -> None:
    with pytest.raises(error):
        fn(*args)  # type: ignore[operator]


# --- §4 channel id ------------------------------------------------------------------------


def _address_bytes(address: str) -> bytes:
    # An independent bech32 decode through the BIP-173 reference package.
    hrp, data = bip173.bech32_decode(address)
    assert hrp == "dait" and data is not None
    raw = bip173.convertbits(data, 5, 8, False)
    assert raw is not None
    return bytes(raw)


def test_channel_id_is_sha256_of_the_documented_preimage() -> None:
    """specs §4: sha256("DAIT-CHANNEL-v1\\0" || lp(chain_id) || lp(user) || lp(host) || u64be)."""
    chain_id = "dait-test-1"
    user_raw, host_raw = _address_bytes(USER), _address_bytes(HOST)
    preimage = (
        b"DAIT-CHANNEL-v1\x00"
        + bytes([len(chain_id)])
        + chain_id.encode()
        + bytes([20])
        + user_raw
        + bytes([20])
        + host_raw
        + (7).to_bytes(8, "big")
    )
    assert rules.derive_channel_id(chain_id, USER, HOST, 7) == hashlib.sha256(preimage).digest()


@given(
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([USER, HOST, OTHER]), st.integers(0, 3)),
    st.tuples(st.sampled_from(["a", "b"]), st.sampled_from([USER, HOST, OTHER]), st.integers(0, 3)),
)
def test_channel_ids_differ_when_chain_user_or_sequence_differ(
    a: tuple[str, str, int], b: tuple[str, str, int]
) -> None:
    """Invariant: distinct (chain_id, user, sequence) give distinct ids for one host."""
    id_a = rules.derive_channel_id(a[0], a[1], OTHER if a[1] != OTHER else HOST, a[2])
    id_b = rules.derive_channel_id(b[0], b[1], OTHER if b[1] != OTHER else HOST, b[2])
    assert (id_a == id_b) == (a == b)


def test_channel_id_depends_on_the_host() -> None:
    assert rules.derive_channel_id("c", USER, HOST, 0) != rules.derive_channel_id(
        "c", USER, OTHER, 0
    )


# --- §5 open ------------------------------------------------------------------------------


def test_party_address_must_be_canonical_20_byte_bech32() -> None:
    rules.check_party_address(USER, "user")
    _raises(ErrInvalidAddress, rules.check_party_address, "", "user")
    _raises(ErrInvalidAddress, rules.check_party_address, USER[:-1] + "q", "user")
    _raises(ErrInvalidAddress, rules.check_party_address, USER.upper(), "user")
    _raises(ErrInvalidAddress, rules.check_party_address, "cosmos1qqqqqqqqqq", "user")


def test_32_byte_address_cannot_be_a_party() -> None:
    """specs D2: no secp256k1 key hashes to a 32-byte address, so it could never sign."""
    _raises(ErrInvalidAddress, rules.check_party_address, encode_address(bytes(32)), "host")


def test_channel_with_oneself_is_rejected() -> None:
    _raises(ErrSelfChannel, rules.check_not_self_channel, USER, USER)
    rules.check_not_self_channel(USER, HOST)


@pytest.mark.parametrize("model_id", ["", "a" * 129, "qwen 2", "qwen\t2", "modèle", "a\x7f"])
def test_bad_model_id_is_rejected(model_id: str) -> None:
    _raises(ErrInvalidModelId, rules.check_model_id, model_id)


@pytest.mark.parametrize("model_id", ["qwen2.5-32b-instruct", "a", "~" * 128, "!"])
def test_model_id_of_printable_ascii_up_to_128_is_accepted(model_id: str) -> None:
    rules.check_model_id(model_id)


def test_max_calls_must_be_at_least_one() -> None:
    _raises(ErrInvalidMaxCalls, rules.check_max_calls_positive, 0)
    rules.check_max_calls_positive(1)


def test_escrow_below_min_is_rejected() -> None:
    params = default_params()
    _raises(ErrEscrowTooSmall, rules.check_escrow_at_least_min, 999, params)
    rules.check_escrow_at_least_min(1_000, params)


def test_deadline_must_be_after_block_time_and_within_max_duration() -> None:
    params = default_params()
    now = 1_700_000_000_000
    year = 365 * 24 * 3600 * 1000
    _raises(ErrInvalidDeadline, rules.check_deadline_in_range, now - 1, now, params)
    _raises(ErrInvalidDeadline, rules.check_deadline_in_range, now, now, params)
    rules.check_deadline_in_range(now + 1, now, params)
    rules.check_deadline_in_range(now + year, now, params)
    _raises(ErrInvalidDeadline, rules.check_deadline_in_range, now + year + 1, now, params)


def test_opening_state_is_turn_zero_with_nothing_spent_and_the_empty_root() -> None:
    """decisions.md: "Opening stores turn 0 on chain (spent 0)"; seed 002 §4 fields."""
    state = _opening()
    assert (state.turn_num, state.spent_amount, state.call_count) == (0, 0, 0)
    assert state.receipts_merkle_root == EMPTY_TREE_ROOT
    assert (state.sig_user, state.sig_host) == (b"", b"")
    assert (state.user_addr, state.host_addr, state.escrow_amount) == (USER, HOST, 5_000_000)


# --- §6.2 fixed fields --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("channel_id", bytes(32)),
        ("user_addr", OTHER),
        ("host_addr", OTHER),
        ("model_id", "llama-3-70b"),
        ("max_calls", 10_001),
        ("deadline", 1_700_086_400_001),
        ("escrow_amount", 5_000_001),
    ],
)
def test_state_with_a_changed_fixed_field_is_rejected(field: str, value: object) -> None:
    stored = _opening()
    presented = replace(_state(3, 30, 3), **{field: value})  # type: ignore[arg-type]
    with pytest.raises(ErrFixedFieldMismatch, match=field):
        rules.check_fixed_fields(stored, presented, CHANNEL_ID)


def test_state_of_another_channel_is_rejected_against_the_message_channel_id() -> None:
    stored = _opening()
    with pytest.raises(ErrFixedFieldMismatch, match="channel_id"):
        rules.check_fixed_fields(stored, _state(1, 1, 1), bytes(32))


def test_running_fields_may_change() -> None:
    rules.check_fixed_fields(_opening(), _state(9, 900, 9), CHANNEL_ID)


# --- §6.3 bounds --------------------------------------------------------------------------


def test_spent_above_escrow_is_rejected_and_equal_is_accepted() -> None:
    _raises(ErrSpentExceedsEscrow, rules.check_spent_within_escrow, _state(1, 5_000_001, 1))
    rules.check_spent_within_escrow(_state(1, 5_000_000, 1))


def test_call_count_above_max_calls_is_rejected_and_equal_is_accepted() -> None:
    _raises(ErrCallCountExceedsMax, rules.check_call_count_within_max, _state(1, 1, 10_001))
    rules.check_call_count_within_max(_state(1, 1, 10_000))


# --- §7 turns and windows -----------------------------------------------------------------


def test_response_with_equal_turn_is_rejected() -> None:
    _raises(ErrTurnNotHigher, rules.check_turn_is_higher, 5, 5)


def test_response_with_lower_turn_is_rejected() -> None:
    _raises(ErrTurnNotHigher, rules.check_turn_is_higher, 5, 4)


def test_response_with_higher_turn_is_accepted() -> None:
    rules.check_turn_is_higher(5, 6)


def test_close_below_stored_turn_is_stale_and_equal_turn_is_accepted() -> None:
    _raises(ErrStaleState, rules.check_turn_not_stale, 5, 4)
    rules.check_turn_not_stale(5, 5)
    rules.check_turn_not_stale(5, 6)


def test_challenge_window_is_half_open() -> None:
    """decisions.md: a window opened at t with length W accepts txs while time < t + W."""
    challenge = Challenge(HOST, 10, 1_000, 1_000 + 86_400_000, 0, HOST)
    end = 1_000 + 86_400_000
    rules.check_challenge_window_open(end - 1, challenge)
    _raises(ErrChallengeWindowClosed, rules.check_challenge_window_open, end, challenge)
    _raises(ErrChallengeWindowClosed, rules.check_challenge_window_open, end + 1, challenge)


def test_challenge_expiry_is_block_time_plus_window() -> None:
    assert rules.challenge_expiry(5, default_params()) == 5 + 86_400_000


# --- §6.4 signatures ----------------------------------------------------------------------


def test_cosigned_state_is_accepted() -> None:
    rules.check_state_signatures(_cosigned(_state(2, 20, 2)))


def test_provisional_state_is_rejected() -> None:
    """Seed 002 §4: a state with empty sig_user is provisional and cannot be presented."""
    state = _state(2, 20, 2)
    provisional = replace(state, sig_host=_sign(state, HOST_KEY))
    _raises(ErrProvisionalState, rules.check_state_signatures, provisional)


def test_state_without_host_signature_is_rejected() -> None:
    state = _state(2, 20, 2)
    _raises(
        ErrMissingHostSignature,
        rules.check_state_signatures,
        replace(state, sig_user=_sign(state, USER_KEY)),
    )


def test_swapped_signatures_are_rejected() -> None:
    good = _cosigned(_state(2, 20, 2))
    swapped = replace(good, sig_user=good.sig_host, sig_host=good.sig_user)
    _raises(ErrInvalidUserSignature, rules.check_state_signatures, swapped)


def test_user_signature_by_another_key_is_rejected() -> None:
    state = _state(2, 20, 2)
    forged = replace(_cosigned(state), sig_user=_sign(state, OTHER_KEY))
    _raises(ErrInvalidUserSignature, rules.check_state_signatures, forged)


def test_host_signature_by_another_key_is_rejected() -> None:
    state = _state(2, 20, 2)
    forged = replace(_cosigned(state), sig_host=_sign(state, OTHER_KEY))
    _raises(ErrInvalidHostSignature, rules.check_state_signatures, forged)


def test_signatures_of_another_state_do_not_carry_over() -> None:
    """A signature covers every field: reusing turn 2's signatures on a raised spent fails."""
    signed = _cosigned(_state(2, 20, 2))
    _raises(ErrInvalidUserSignature, rules.check_state_signatures, replace(signed, spent_amount=21))


def test_signature_under_the_receipt_domain_is_rejected() -> None:
    """Seed 002 §6: the domain tag prevents re-binding a receipt signature to a state."""
    state = _state(2, 20, 2)
    wrong_domain = replace(_cosigned(state), sig_user=_sign(state, USER_KEY, DOMAIN_RECEIPT))
    _raises(ErrInvalidUserSignature, rules.check_state_signatures, wrong_domain)


def test_high_s_twin_of_a_valid_signature_is_rejected() -> None:
    """Cosmos refuses high-S; (r, n - s) verifies in plain ECDSA but must not pass here."""
    good = _cosigned(_state(2, 20, 2))
    r, s = good.sig_user[:32], int.from_bytes(good.sig_user[32:], "big")
    high_s = r + (CURVE_ORDER - s).to_bytes(32, "big")
    _raises(ErrInvalidUserSignature, rules.check_state_signatures, replace(good, sig_user=high_s))


def test_unsigned_opening_state_may_open_a_challenge() -> None:
    """decisions.md: "A dispute may present turn 0 or any state carrying both signatures"."""
    rules.check_challenge_state_signatures(_opening(), _opening())


def test_unsigned_state_other_than_the_opening_one_is_provisional() -> None:
    unsigned_spend = replace(_opening(), spent_amount=1)
    _raises(ErrProvisionalState, rules.check_challenge_state_signatures, _opening(), unsigned_spend)


def test_close_never_accepts_the_unsigned_opening_state() -> None:
    _raises(ErrProvisionalState, rules.check_state_signatures, _opening())


# --- §10 settlement -----------------------------------------------------------------------


@given(st.integers(1, 2**64 - 1).flatmap(lambda e: st.tuples(st.just(e), st.integers(0, e))))
def test_settlement_pays_spent_to_host_and_the_rest_to_user(escrow_spent: tuple[int, int]) -> None:
    """Invariant: host gets spent, user gets escrow - spent, together exactly escrow."""
    escrow, spent = escrow_spent
    state = replace(_opening(), escrow_amount=escrow, spent_amount=spent)
    host, user = rules.settlement_amounts(state)
    assert host == spent
    assert host + user == escrow


# --- §7.3 close consent -------------------------------------------------------------------


def _close_sig(state: ChannelState, key: bytes) -> bytes:
    # specs §7.3: sign(sha256("DAIT-CLOSE-v1\0" || canonical_state_minus_sigs)).
    unsigned = replace(state, sig_user=b"", sig_host=b"")
    return sign_with_domain(key, b"DAIT-CLOSE-v1\x00", unsigned.encode())


def test_close_by_user_needs_the_hosts_close_signature() -> None:
    state = _cosigned(_state(4, 40, 4))
    rules.check_close_consent(state, USER, _close_sig(state, HOST_KEY))
    _raises(ErrInvalidCloseConsent, rules.check_close_consent, state, USER, b"")
    _raises(
        ErrInvalidCloseConsent, rules.check_close_consent, state, USER, _close_sig(state, USER_KEY)
    )


def test_close_by_host_needs_the_users_close_signature() -> None:
    state = _cosigned(_state(4, 40, 4))
    rules.check_close_consent(state, HOST, _close_sig(state, USER_KEY))
    _raises(
        ErrInvalidCloseConsent, rules.check_close_consent, state, HOST, _close_sig(state, HOST_KEY)
    )


def test_state_cosignature_is_not_a_close_consent() -> None:
    """The close domain differs from the state domain: sig_host on a state cannot close it."""
    state = _cosigned(_state(4, 40, 4))
    _raises(ErrInvalidCloseConsent, rules.check_close_consent, state, USER, state.sig_host)


def test_close_consent_covers_the_exact_state() -> None:
    older = _cosigned(_state(3, 30, 3))
    newer = _cosigned(_state(4, 40, 4))
    consent_for_newer = _close_sig(newer, HOST_KEY)
    _raises(ErrInvalidCloseConsent, rules.check_close_consent, older, USER, consent_for_newer)
