"""x/staking_tiers values: tiers, locks, unbonding entries and messages
(proto/dait/staking_tiers/v1)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.staking_tiers.v1 import staking_tiers_pb2 as pb
from dait_chain.pb.dait.staking_tiers.v1 import tx_pb2 as txpb


class Tier(enum.IntEnum):
    """Seed 000 "Stake": the User tier needs no lock; the Heavy tier is a 369 DAIT lock."""

    UNSPECIFIED = 0
    USER = 1
    HEAVY = 2


@dataclass(frozen=True, slots=True)
class Lock(ProtoValue):
    PROTO: ClassVar = pb.Lock
    owner: str = ""
    amount_uDAIT: int = 0


@dataclass(frozen=True, slots=True)
class UnbondingEntry(ProtoValue):
    PROTO: ClassVar = pb.UnbondingEntry
    id: int = 0
    owner: str = ""
    amount_uDAIT: int = 0
    creation_height: int = 0
    completion_time_ms: int = 0


@dataclass(frozen=True, slots=True)
class MsgLock(ProtoValue):
    PROTO: ClassVar = txpb.MsgLock
    SIGNER_FIELD: ClassVar[str] = "owner"
    owner: str = ""
    amount_uDAIT: int = 0


@dataclass(frozen=True, slots=True)
class MsgUnlock(ProtoValue):
    PROTO: ClassVar = txpb.MsgUnlock
    SIGNER_FIELD: ClassVar[str] = "owner"
    owner: str = ""
    amount_uDAIT: int = 0
