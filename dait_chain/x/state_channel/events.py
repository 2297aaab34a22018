"""Event types and attribute keys of x/state_channel (specs/state_channel.md §15).

Attributes are emitted in the order of the tuples below; that order is part of the
contract (conformance vectors compare events attribute by attribute).
"""

from __future__ import annotations

from typing import Final

from dait_chain.app.events import Attribute, Event

EVENT_CHANNEL_OPENED: Final = "ChannelOpened"
EVENT_CHANNEL_CHALLENGED: Final = "ChannelChallenged"
EVENT_CHALLENGE_RESPONDED: Final = "ChallengeResponded"
EVENT_CHANNEL_CLOSED: Final = "ChannelClosed"
EVENT_CHANNEL_SETTLED: Final = "ChannelSettled"

ATTR_CHANNEL_ID: Final = "channel_id"  # 64-char lowercase hex, as X-DAIT-Channel-Id
ATTR_USER: Final = "user"
ATTR_HOST: Final = "host"
ATTR_MODEL_ID: Final = "model_id"
ATTR_MAX_CALLS: Final = "max_calls"
ATTR_DEADLINE: Final = "deadline"
ATTR_ESCROW: Final = "escrow_uDAIT"
ATTR_USER_SEQUENCE: Final = "user_sequence"
ATTR_CHALLENGER: Final = "challenger"
ATTR_TRIGGER: Final = "trigger"
ATTR_RESPONDER: Final = "responder"
ATTR_CLOSER: Final = "closer"
ATTR_TURN_NUM: Final = "turn_num"
ATTR_PREVIOUS_TURN_NUM: Final = "previous_turn_num"
ATTR_SPENT: Final = "spent_amount"
ATTR_CALL_COUNT: Final = "call_count"
ATTR_EXPIRES_AT: Final = "expires_at_ms"
ATTR_REASON: Final = "reason"
ATTR_PAID_HOST: Final = "paid_host_uDAIT"
ATTR_REFUNDED_USER: Final = "refunded_user_uDAIT"

# ChannelChallenged.trigger values.
TRIGGER_TX: Final = "tx"  # MsgChallengeChannel
TRIGGER_DEADLINE: Final = "deadline"  # the EndBlocker at the channel's deadline (specs §7.2)

# ChannelSettled.reason values.
REASON_COOPERATIVE: Final = "cooperative"
REASON_CHALLENGE_EXPIRED: Final = "challenge_expired"

CHANNEL_OPENED_ATTRS: Final = (
    ATTR_CHANNEL_ID,
    ATTR_USER,
    ATTR_HOST,
    ATTR_MODEL_ID,
    ATTR_MAX_CALLS,
    ATTR_DEADLINE,
    ATTR_ESCROW,
    ATTR_USER_SEQUENCE,
)
CHANNEL_CHALLENGED_ATTRS: Final = (
    ATTR_CHANNEL_ID,
    ATTR_CHALLENGER,
    ATTR_TRIGGER,
    ATTR_TURN_NUM,
    ATTR_SPENT,
    ATTR_CALL_COUNT,
    ATTR_EXPIRES_AT,
)
CHALLENGE_RESPONDED_ATTRS: Final = (
    ATTR_CHANNEL_ID,
    ATTR_RESPONDER,
    ATTR_PREVIOUS_TURN_NUM,
    ATTR_TURN_NUM,
    ATTR_SPENT,
    ATTR_CALL_COUNT,
    ATTR_EXPIRES_AT,
)
CHANNEL_CLOSED_ATTRS: Final = (
    ATTR_CHANNEL_ID,
    ATTR_CLOSER,
    ATTR_TURN_NUM,
    ATTR_SPENT,
    ATTR_CALL_COUNT,
)
CHANNEL_SETTLED_ATTRS: Final = (
    ATTR_CHANNEL_ID,
    ATTR_USER,
    ATTR_HOST,
    ATTR_REASON,
    ATTR_TURN_NUM,
    ATTR_PAID_HOST,
    ATTR_REFUNDED_USER,
)


def make_event(type_: str, pairs: tuple[tuple[str, str | int], ...]) -> Event:
    """An event with the attributes in the given order; ints in decimal (specs §15)."""
    return Event(
        type_,
        tuple(
            Attribute(key, value if isinstance(value, str) else str(value)) for key, value in pairs
        ),
    )
