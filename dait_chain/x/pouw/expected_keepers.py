"""What x/pouw needs from other modules (Cosmos expected_keepers.go).

x/pouw holds no bank keeper: credits are soulbound by construction (seed 003: "no bank
seam exists by construction"), so nothing in this module can move coins.
"""

from __future__ import annotations

from typing import Protocol

from dait_chain.app.context import Context
from dait_chain.spurc.values import ChannelState, Receipt


class ActiveValidator(Protocol):
    """A member of the active set as x/staking reports it."""

    @property
    def operator(self) -> str: ...

    @property
    def consensus_pubkey(self) -> bytes: ...

    @property
    def power(self) -> int: ...


class StakingKeeper(Protocol):
    """The active set (power descending, then address bytes) and validator lookup."""

    def validator_set(self, ctx: Context) -> tuple[ActiveValidator, ...]: ...

    def validator(self, ctx: Context, operator: str) -> object | None: ...


class ChannelRecord(Protocol):
    """A state-channel record: its stored state names the host and the model."""

    @property
    def state(self) -> ChannelState: ...


class ChannelKeeper(Protocol):
    """x/state_channel's channel lookup (channels are kept after settlement)."""

    def get_channel(self, ctx: Context, channel_id: bytes) -> ChannelRecord | None: ...


class TeeAttestKeeper(Protocol):
    """x/tee_attest's verdict on one SPUR-IC receipt."""

    def is_attested(self, ctx: Context, receipt: Receipt) -> bool: ...
