"""The rules of x/state_channel as pure functions (specs/state_channel.md §4-§10).

Nothing here reads or writes the store: each function takes the values it judges and
either returns or raises the registered error of the rule it implements. The msg server
and the EndBlocker call them in the order the spec gives; tests call them directly.
"""

from __future__ import annotations

from typing import Final

from dait_chain.crypto.address import (
    ACCOUNT_ADDRESS_SIZE,
    decode_address,
    encode_address,
)
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.merkle import EMPTY_ROOT
from dait_chain.crypto.secp256k1 import recover_pubkey_for_address
from dait_chain.math.ints import add_uint64, check_uint64
from dait_chain.spurc.signing import state_signing_payload, verify_state_signature
from dait_chain.spurc.values import ChannelState
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
from dait_chain.x.state_channel.keys import CHANNEL_ID_DOMAIN, DOMAIN_CLOSE
from dait_chain.x.state_channel.types import Challenge, MsgOpenChannel, Params

MAX_MODEL_ID_LENGTH: Final = 128

# The fields fixed at open, in the order specs §6.2 compares them.
FIXED_FIELDS: Final = (
    "channel_id",
    "user_addr",
    "host_addr",
    "model_id",
    "max_calls",
    "deadline",
    "escrow_amount",
)


# --- §4 channel id ------------------------------------------------------------------------


def _length_prefixed(data: bytes) -> bytes:
    if len(data) > 255:
        raise ValueError(f"{len(data)} bytes do not fit a one-byte length prefix")
    return bytes([len(data)]) + data


def derive_channel_id(chain_id: str, user: str, host: str, sequence: int) -> bytes:
    """sha256(tag || lp(chain_id) || lp(user bytes) || lp(host bytes) || u64be(seq)) (§4)."""
    check_uint64(sequence, "user channel sequence")
    return sha256(
        CHANNEL_ID_DOMAIN
        + _length_prefixed(chain_id.encode("utf-8"))
        + _length_prefixed(decode_address(user))
        + _length_prefixed(decode_address(host))
        + sequence.to_bytes(8, "big")
    )


# --- §5 open ------------------------------------------------------------------------------


def check_party_address(address: str, role: str) -> None:
    """A party is a canonical (lowercase) bech32 dait1 address of 20 bytes (§5, D2)."""
    try:
        raw = decode_address(address)
    except CryptoError as exc:
        raise ErrInvalidAddress(f"{role} {address!r}: {exc.log}") from exc
    if len(raw) != ACCOUNT_ADDRESS_SIZE:
        raise ErrInvalidAddress(f"{role} {address!r}: {len(raw)} bytes, want 20")
    if encode_address(raw) != address:
        raise ErrInvalidAddress(f"{role} {address!r}: not in canonical lowercase form")


def check_not_self_channel(user: str, host: str) -> None:
    """The user and the host of a channel differ (§5, D3)."""
    if user == host:
        raise ErrSelfChannel(user)


def check_model_id(model_id: str) -> None:
    """1..128 characters, each printable ASCII 0x21..0x7e (§5, D4)."""
    if not 1 <= len(model_id) <= MAX_MODEL_ID_LENGTH:
        raise ErrInvalidModelId(f"length {len(model_id)}")
    for ch in model_id:
        if not 0x21 <= ord(ch) <= 0x7E:
            raise ErrInvalidModelId(f"character U+{ord(ch):04X}")


def check_max_calls_positive(max_calls: int) -> None:
    """A channel allows at least one call (§5)."""
    if max_calls < 1:
        raise ErrInvalidMaxCalls(f"max_calls = {max_calls}")


def check_escrow_at_least_min(escrow: int, params: Params) -> None:
    """escrow >= min_escrow_uDAIT (§5, D6)."""
    if escrow < params.min_escrow_uDAIT:
        raise ErrEscrowTooSmall(f"{escrow} < {params.min_escrow_uDAIT}")


def check_deadline_in_range(deadline: int, block_time_ms: int, params: Params) -> None:
    """block_time < deadline <= block_time + max_channel_duration_ms (§5, D7)."""
    latest = add_uint64(block_time_ms, params.max_channel_duration_ms, "latest deadline")
    if deadline <= block_time_ms:
        raise ErrInvalidDeadline(f"deadline {deadline} <= block time {block_time_ms}")
    if deadline > latest:
        raise ErrInvalidDeadline(f"deadline {deadline} > block time + max duration {latest}")


def opening_state(channel_id: bytes, msg: MsgOpenChannel) -> ChannelState:
    """The turn-0 state stored at open: spent 0, no calls, the empty tree's root (§2, §5)."""
    return ChannelState(
        channel_id=channel_id,
        host_addr=msg.host,
        user_addr=msg.user,
        model_id=msg.model_id,
        max_calls=msg.max_calls,
        deadline=msg.deadline,
        escrow_amount=msg.escrow_uDAIT,
        spent_amount=0,
        call_count=0,
        receipts_merkle_root=EMPTY_ROOT,
        turn_num=0,
    )


# --- §6.2, §6.3 presented states ----------------------------------------------------------


def check_fixed_fields(stored: ChannelState, presented: ChannelState, channel_id: bytes) -> None:
    """Every field fixed at open equals the stored one; channel_id equals the message's (§6.2).

    The message's channel_id is compared first, so a state of another channel is refused
    here rather than acting on that channel.
    """
    if presented.channel_id != channel_id:
        raise ErrFixedFieldMismatch(
            f"channel_id {presented.channel_id.hex()} != {channel_id.hex()}"
        )
    for name in FIXED_FIELDS:
        want = getattr(stored, name)
        got = getattr(presented, name)
        if got != want:
            raise ErrFixedFieldMismatch(f"{name} {got!r} != {want!r}")


def check_spent_within_escrow(state: ChannelState) -> None:
    """spent_amount <= escrow_amount (§6.3)."""
    if state.spent_amount > state.escrow_amount:
        raise ErrSpentExceedsEscrow(f"{state.spent_amount} > {state.escrow_amount}")


def check_call_count_within_max(state: ChannelState) -> None:
    """call_count <= max_calls (§6.3)."""
    if state.call_count > state.max_calls:
        raise ErrCallCountExceedsMax(f"{state.call_count} > {state.max_calls}")


# --- §7 turns and windows -----------------------------------------------------------------


def check_turn_is_higher(stored_turn: int, presented_turn: int) -> None:
    """A response must carry a strictly higher turn_num (§7.2); an equal turn loses."""
    if presented_turn <= stored_turn:
        raise ErrTurnNotHigher(f"turn {presented_turn} <= {stored_turn}")


def check_turn_not_stale(stored_turn: int, presented_turn: int) -> None:
    """A cooperative close needs turn_num >= the stored turn (§7.3)."""
    if presented_turn < stored_turn:
        raise ErrStaleState(f"turn {presented_turn} < {stored_turn}")


def is_window_open(block_time_ms: int, expires_at_ms: int) -> bool:
    """The half-open window [opened, expires_at) holds block_time (§9)."""
    return block_time_ms < expires_at_ms


def check_challenge_window_open(block_time_ms: int, challenge: Challenge) -> None:
    """A tx on a challenged channel runs only while block_time < expires_at_ms (§9)."""
    if not is_window_open(block_time_ms, challenge.expires_at_ms):
        raise ErrChallengeWindowClosed(
            f"block time {block_time_ms} >= expires_at {challenge.expires_at_ms}"
        )


def challenge_expiry(block_time_ms: int, params: Params) -> int:
    """expires_at = opened_time + challenge_window_ms, uint64-checked (§7.1, §8.1)."""
    return add_uint64(block_time_ms, params.challenge_window_ms, "challenge expiry")


# --- §6.4 signatures ----------------------------------------------------------------------


def _signature_verifies(address: str, state: ChannelState, signature: bytes) -> bool:
    try:
        return verify_state_signature(address, state, signature)
    except CryptoError:
        # A malformed signature (range, high-S) is refused like a wrong one (§6.4).
        return False


def check_state_signatures(state: ChannelState) -> None:
    """Both parties signed the state over the DAIT-STATE-v1 domain (§6.4).

    The keys are recovered from the 64-byte signatures and matched to user_addr and
    host_addr (decisions.md). An empty sig_user is a provisional state, never accepted.
    """
    if not state.sig_user:
        raise ErrProvisionalState(f"turn {state.turn_num}")
    if not state.sig_host:
        raise ErrMissingHostSignature(f"turn {state.turn_num}")
    if not _signature_verifies(state.user_addr, state, state.sig_user):
        raise ErrInvalidUserSignature(f"turn {state.turn_num}, user {state.user_addr}")
    if not _signature_verifies(state.host_addr, state, state.sig_host):
        raise ErrInvalidHostSignature(f"turn {state.turn_num}, host {state.host_addr}")


def is_opening_state(stored: ChannelState, presented: ChannelState) -> bool:
    """The presented state is the unsigned turn-0 state the chain stored at open (§6.4)."""
    return (
        stored.turn_num == 0 and not stored.sig_user and not stored.sig_host and presented == stored
    )


def check_challenge_state_signatures(stored: ChannelState, presented: ChannelState) -> None:
    """A challenge may present the stored opening state unsigned, else a co-signed state
    (decisions.md: "A dispute may present turn 0 or any state carrying both signatures")."""
    if is_opening_state(stored, presented):
        return
    check_state_signatures(presented)


def close_consent_message(state: ChannelState) -> bytes:
    """The bytes a close consent signs: "DAIT-CLOSE-v1\\x00" || canonical_state_minus_sigs
    (specs §7.3); the signature is over their sha256."""
    return DOMAIN_CLOSE + state_signing_payload(state)


def counterparty_of(state: ChannelState, signer: str) -> str:
    """The party of the channel that is not `signer` (signer is the user or the host)."""
    return state.host_addr if signer == state.user_addr else state.user_addr


def check_close_consent(state: ChannelState, signer: str, close_sig: bytes) -> None:
    """The counterparty of the closer consented to close on exactly this state (§7.3, D17).

    A co-signed state proves only that both parties reached that turn; an old one closed at
    once would cut the other party out of its window. The consent signature, under its own
    domain, is the "isFinal" of Nitro and Perun in a schema that has no such field.
    """
    counterparty = counterparty_of(state, signer)
    if not close_sig:
        raise ErrInvalidCloseConsent(f"no close signature from {counterparty}")
    try:
        recover_pubkey_for_address(close_consent_message(state), close_sig, counterparty)
    except CryptoError as exc:
        raise ErrInvalidCloseConsent(f"{counterparty}: {exc.log}") from exc


# --- §10 settlement -----------------------------------------------------------------------


def settlement_amounts(state: ChannelState) -> tuple[int, int]:
    """(paid to the host, refunded to the user) = (spent, escrow - spent) (§10)."""
    check_spent_within_escrow(state)
    return state.spent_amount, state.escrow_amount - state.spent_amount
