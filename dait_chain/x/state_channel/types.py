"""Values of x/state_channel: messages, state records, params, genesis, queries.

specs/state_channel.md §3, §5-§7, §11, §13, §16. Each is a frozen dataclass bound to its
generated proto (proto/dait/state_channel/v1/). The co-signed `ChannelState` is SPUR-IC's
value (dait_chain.spurc; seed 002 §4), reused as is.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.state_channel.v1 import state_channel_pb2 as pb
from dait_chain.pb.dait.state_channel.v1 import tx_pb2
from dait_chain.spurc.values import ChannelState


class ChannelStatus(IntEnum):
    """dait.state_channel.v1.ChannelStatus (specs §3)."""

    CHANNEL_STATUS_UNSPECIFIED = 0
    CHANNEL_STATUS_OPEN = 1
    CHANNEL_STATUS_CHALLENGED = 2
    CHANNEL_STATUS_SETTLED = 3


class SettleReason(IntEnum):
    """dait.state_channel.v1.SettleReason (specs §10)."""

    SETTLE_REASON_UNSPECIFIED = 0
    SETTLE_REASON_COOPERATIVE = 1
    SETTLE_REASON_CHALLENGE_EXPIRED = 2


OPEN = ChannelStatus.CHANNEL_STATUS_OPEN
CHALLENGED = ChannelStatus.CHANNEL_STATUS_CHALLENGED
SETTLED = ChannelStatus.CHANNEL_STATUS_SETTLED
COOPERATIVE = SettleReason.SETTLE_REASON_COOPERATIVE
CHALLENGE_EXPIRED = SettleReason.SETTLE_REASON_CHALLENGE_EXPIRED


# --- state (specs §3, §11) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """The module parameters (specs §11)."""

    PROTO: ClassVar[type[Message]] = pb.Params
    challenge_window_ms: int
    min_escrow_uDAIT: int
    max_channel_duration_ms: int


@dataclass(frozen=True, slots=True)
class Challenge(ProtoValue):
    """A dispute window (specs §7.1, §8.1)."""

    PROTO: ClassVar[type[Message]] = pb.Challenge
    challenger: str
    opened_height: int
    opened_time_ms: int
    expires_at_ms: int
    responses: int
    last_presenter: str


@dataclass(frozen=True, slots=True)
class Settlement(ProtoValue):
    """How a channel was paid out (specs §10)."""

    PROTO: ClassVar[type[Message]] = pb.Settlement
    height: int
    time_ms: int
    reason: SettleReason
    turn_num: int
    paid_host_uDAIT: int
    refunded_user_uDAIT: int


@dataclass(frozen=True, slots=True)
class Channel(ProtoValue):
    """One channel's record: the stored state, its status and its dispute history (§3)."""

    PROTO: ClassVar[type[Message]] = pb.Channel
    state: ChannelState
    status: ChannelStatus
    user_sequence: int
    opened_height: int
    opened_time_ms: int
    challenge: Challenge | None = None
    settlement: Settlement | None = None

    @property
    def channel_id(self) -> bytes:
        return self.state.channel_id

    @property
    def user(self) -> str:
        return self.state.user_addr

    @property
    def host(self) -> str:
        return self.state.host_addr

    @property
    def escrow(self) -> int:
        return self.state.escrow_amount


@dataclass(frozen=True, slots=True)
class UserSequence(ProtoValue):
    """How many channels a user has opened (specs §4)."""

    PROTO: ClassVar[type[Message]] = pb.UserSequence
    user: str
    next_sequence: int


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """The module's whole state (specs §16)."""

    PROTO: ClassVar[type[Message]] = pb.GenesisState
    params: Params
    channels: tuple[Channel, ...] = ()
    sequences: tuple[UserSequence, ...] = ()


# --- messages (specs §5-§7) ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MsgOpenChannel(ProtoValue):
    """Open a channel and lock escrow (specs §5)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgOpenChannel
    SIGNER_FIELD: ClassVar[str] = "user"
    user: str
    host: str
    model_id: str
    max_calls: int
    deadline: int
    escrow_uDAIT: int


@dataclass(frozen=True, slots=True)
class MsgCloseChannel(ProtoValue):
    """Cooperative close with a state both parties signed (specs §7.3)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgCloseChannel
    SIGNER_FIELD: ClassVar[str] = "signer"
    signer: str
    channel_id: bytes
    state: ChannelState | None
    counterparty_close_sig: bytes = b""


@dataclass(frozen=True, slots=True)
class MsgChallengeChannel(ProtoValue):
    """Open a dispute with a co-signed state or the opening state (specs §7.1)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgChallengeChannel
    SIGNER_FIELD: ClassVar[str] = "signer"
    signer: str
    channel_id: bytes
    state: ChannelState | None


@dataclass(frozen=True, slots=True)
class MsgRespondChallenge(ProtoValue):
    """Present a strictly higher co-signed state during the window (specs §7.2)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgRespondChallenge
    SIGNER_FIELD: ClassVar[str] = "signer"
    signer: str
    channel_id: bytes
    state: ChannelState | None


PresentMsg = MsgCloseChannel | MsgChallengeChannel | MsgRespondChallenge


# --- queries (specs §13) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryParamsRequest(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryParamsRequest


@dataclass(frozen=True, slots=True)
class QueryParamsResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryParamsResponse
    params: Params


@dataclass(frozen=True, slots=True)
class QueryChannelRequest(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChannelRequest
    channel_id: bytes


@dataclass(frozen=True, slots=True)
class QueryChannelResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChannelResponse
    channel: Channel


@dataclass(frozen=True, slots=True)
class QueryChannelsByPartyRequest(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChannelsByPartyRequest
    address: str
    start_after: bytes = b""
    limit: int = 0


@dataclass(frozen=True, slots=True)
class QueryChannelsByPartyResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChannelsByPartyResponse
    channels: tuple[Channel, ...] = ()


@dataclass(frozen=True, slots=True)
class QueryChallengesDueRequest(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChallengesDueRequest
    upto_time_ms: int
    limit: int = 0


@dataclass(frozen=True, slots=True)
class DueItem(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.DueItem
    due_time_ms: int
    channel_id: bytes
    status: ChannelStatus


@dataclass(frozen=True, slots=True)
class QueryChallengesDueResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = pb.QueryChallengesDueResponse
    items: tuple[DueItem, ...] = ()
