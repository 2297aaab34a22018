"""Registered errors of the `state_channel` codespace (specs/state_channel.md §14).

Codes are published: never renumber, only append. Each message checks its rules in the
order of specs/state_channel.md §5-§7, and the first rule broken names the error.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class StateChannelError(DaitError, codespace="state_channel"):
    """Family of every refusal raised by x/state_channel."""


# --- stateless message checks (specs §5.1) ------------------------------------------------


class ErrInvalidAddress(
    StateChannelError, code=2, description="address is not a valid bech32 dait1 account address"
):
    pass


class ErrSelfChannel(StateChannelError, code=3, description="user and host must differ"):
    pass


class ErrInvalidModelId(
    StateChannelError,
    code=4,
    description="model_id must be 1 to 128 printable ASCII characters without spaces",
):
    pass


class ErrInvalidMaxCalls(StateChannelError, code=5, description="max_calls must be at least 1"):
    pass


class ErrEscrowTooSmall(
    StateChannelError, code=6, description="escrow is below the min_escrow_uDAIT param"
):
    pass


class ErrInvalidDeadline(
    StateChannelError,
    code=7,
    description="deadline must be after the block time and within max_channel_duration_ms",
):
    pass


# --- the channel (specs §6) ---------------------------------------------------------------


class ErrChannelNotFound(StateChannelError, code=8, description="unknown channel"):
    pass


class ErrChannelSettled(StateChannelError, code=9, description="channel already settled"):
    pass


class ErrNotChannelParty(
    StateChannelError, code=10, description="signer is neither the channel's user nor its host"
):
    pass


# --- the presented state (specs §6.2) -----------------------------------------------------


class ErrMissingState(StateChannelError, code=11, description="message carries no state"):
    pass


class ErrFixedFieldMismatch(
    StateChannelError, code=12, description="state does not match the fields fixed at open"
):
    pass


class ErrSpentExceedsEscrow(
    StateChannelError, code=13, description="spent_amount exceeds escrow_amount"
):
    pass


class ErrCallCountExceedsMax(
    StateChannelError, code=14, description="call_count exceeds max_calls"
):
    pass


class ErrProvisionalState(
    StateChannelError,
    code=15,
    description="state lacks the user's signature (provisional); only co-signed states count",
):
    pass


class ErrMissingHostSignature(StateChannelError, code=16, description="state lacks sig_host"):
    pass


class ErrInvalidUserSignature(
    StateChannelError, code=17, description="sig_user is not the channel user's signature"
):
    pass


class ErrInvalidHostSignature(
    StateChannelError, code=18, description="sig_host is not the channel host's signature"
):
    pass


# --- turns and windows (specs §6.3, §7) ---------------------------------------------------


class ErrStaleState(
    StateChannelError, code=19, description="turn_num is below the turn stored on chain"
):
    pass


class ErrTurnNotHigher(
    StateChannelError,
    code=20,
    description="turn_num is not higher than the highest state presented",
):
    pass


class ErrChallengeAlreadyOpen(
    StateChannelError, code=21, description="a challenge is already open; respond to it instead"
):
    pass


class ErrNoOpenChallenge(StateChannelError, code=22, description="no open challenge to respond to"):
    pass


class ErrChallengeWindowClosed(
    StateChannelError, code=23, description="the challenge window has expired"
):
    pass


# --- params and genesis (specs §9, §11) ---------------------------------------------------


class ErrInvalidParams(StateChannelError, code=24, description="invalid state_channel params"):
    pass


class ErrInvalidGenesis(StateChannelError, code=25, description="invalid state_channel genesis"):
    pass


class ErrInvalidCloseConsent(
    StateChannelError,
    code=26,
    description="close needs the counterparty's DAIT-CLOSE-v1 signature over the state",
):
    pass
