"""x/compute_market values: state records and messages (proto/dait/compute_market/v1).

Each class is a frozen dataclass bound to its protobuf message, with the proto's field
names, so `encode()`/`decode()` give the canonical wire form and `to_json()` the JSON one.
Collections are tuples. Amounts are uint64 uDAIT.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.compute_market.v1 import compute_market_pb2 as pb
from dait_chain.pb.dait.compute_market.v1 import tx_pb2 as txpb
from dait_chain.x.staking_tiers.types import Tier

# --- enums ------------------------------------------------------------------------------


class DeploymentState(enum.IntEnum):
    UNSPECIFIED = 0
    ACTIVE = 1
    CLOSED = 2


class OrderState(enum.IntEnum):
    UNSPECIFIED = 0
    OPEN = 1
    ACTIVE = 2
    CLOSED = 3


class OrderCloseReason(enum.IntEnum):
    UNSPECIFIED = 0
    UNFILLED = 1
    CANCELED = 2
    LEASE_CLOSED = 3


class BidState(enum.IntEnum):
    UNSPECIFIED = 0
    OPEN = 1
    ACTIVE = 2
    LOST = 3
    CLOSED = 4


class LeaseState(enum.IntEnum):
    UNSPECIFIED = 0
    ACTIVE = 1
    CLOSED = 2


class LeaseCloseReason(enum.IntEnum):
    UNSPECIFIED = 0
    EXPIRED = 1
    TENANT_CLOSED = 2


# --- shared parts -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Attribute(ProtoValue):
    PROTO: ClassVar = pb.Attribute
    key: str = ""
    value: str = ""


@dataclass(frozen=True, slots=True)
class OrderedAttribute(ProtoValue):
    PROTO: ClassVar = pb.OrderedAttribute
    key: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class JobSpec(ProtoValue):
    """The SDL's `job` section (seed 000 "Minimal SDL")."""

    PROTO: ClassVar = pb.JobSpec
    model: str = ""
    attributes: tuple[Attribute, ...] = ()
    replayable: bool = False
    price_ceiling_uDAIT: int = 0
    duration_blocks: int = 0


# --- state ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Provider(ProtoValue):
    PROTO: ClassVar = pb.Provider
    address: str = ""
    host_uri: str = ""
    tee_pubkey: bytes = b""
    capacity: int = 0
    attributes: tuple[Attribute, ...] = ()
    active_leases: int = 0
    registered_height: int = 0


@dataclass(frozen=True, slots=True)
class Deployment(ProtoValue):
    PROTO: ClassVar = pb.Deployment
    id: int = 0
    owner: str = ""
    job: JobSpec = JobSpec()
    escrow_uDAIT: int = 0
    escrow_balance_uDAIT: int = 0
    tier: Tier = Tier.UNSPECIFIED
    created_height: int = 0
    state: DeploymentState = DeploymentState.UNSPECIFIED


@dataclass(frozen=True, slots=True)
class Order(ProtoValue):
    PROTO: ClassVar = pb.Order
    deployment_id: int = 0
    owner: str = ""
    state: OrderState = OrderState.UNSPECIFIED
    opened_height: int = 0
    last_height: int = 0
    next_check_height: int = 0
    open_bids: int = 0
    settled_height: int = 0
    settled_clock_uDAIT: int = 0
    close_reason: OrderCloseReason = OrderCloseReason.UNSPECIFIED
    closed_height: int = 0


@dataclass(frozen=True, slots=True)
class Bid(ProtoValue):
    PROTO: ClassVar = pb.Bid
    deployment_id: int = 0
    provider: str = ""
    price_uDAIT: int = 0
    created_height: int = 0
    state: BidState = BidState.UNSPECIFIED
    deposit_uDAIT: int = 0
    closed_height: int = 0


@dataclass(frozen=True, slots=True)
class Lease(ProtoValue):
    PROTO: ClassVar = pb.Lease
    deployment_id: int = 0
    owner: str = ""
    provider: str = ""
    price_uDAIT: int = 0
    start_height: int = 0
    end_height: int = 0
    settled_height: int = 0
    paid_uDAIT: int = 0
    state: LeaseState = LeaseState.UNSPECIFIED
    close_reason: LeaseCloseReason = LeaseCloseReason.UNSPECIFIED
    closed_height: int = 0
    host_uri: str = ""
    tee_pubkey: bytes = b""
    model: str = ""
    replayable: bool = False


# --- messages (the first field is the signer) --------------------------------------------


@dataclass(frozen=True, slots=True)
class MsgRegisterProvider(ProtoValue):
    PROTO: ClassVar = txpb.MsgRegisterProvider
    SIGNER_FIELD: ClassVar[str] = "provider"
    provider: str = ""
    host_uri: str = ""
    tee_pubkey: bytes = b""
    capacity: int = 0
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class MsgUpdateProvider(ProtoValue):
    PROTO: ClassVar = txpb.MsgUpdateProvider
    SIGNER_FIELD: ClassVar[str] = "provider"
    provider: str = ""
    host_uri: str = ""
    tee_pubkey: bytes = b""
    capacity: int = 0
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class MsgCreateDeployment(ProtoValue):
    PROTO: ClassVar = txpb.MsgCreateDeployment
    SIGNER_FIELD: ClassVar[str] = "owner"
    owner: str = ""
    job: JobSpec = JobSpec()
    escrow_uDAIT: int = 0


@dataclass(frozen=True, slots=True)
class MsgCloseDeployment(ProtoValue):
    PROTO: ClassVar = txpb.MsgCloseDeployment
    SIGNER_FIELD: ClassVar[str] = "owner"
    owner: str = ""
    deployment_id: int = 0


@dataclass(frozen=True, slots=True)
class MsgCreateBid(ProtoValue):
    PROTO: ClassVar = txpb.MsgCreateBid
    SIGNER_FIELD: ClassVar[str] = "provider"
    provider: str = ""
    deployment_id: int = 0
    price_uDAIT: int = 0


@dataclass(frozen=True, slots=True)
class MsgCloseBid(ProtoValue):
    PROTO: ClassVar = txpb.MsgCloseBid
    SIGNER_FIELD: ClassVar[str] = "provider"
    provider: str = ""
    deployment_id: int = 0


@dataclass(frozen=True, slots=True)
class MsgWithdrawLease(ProtoValue):
    PROTO: ClassVar = txpb.MsgWithdrawLease
    SIGNER_FIELD: ClassVar[str] = "provider"
    provider: str = ""
    deployment_id: int = 0


@dataclass(frozen=True, slots=True)
class MsgCloseLease(ProtoValue):
    PROTO: ClassVar = txpb.MsgCloseLease
    SIGNER_FIELD: ClassVar[str] = "owner"
    owner: str = ""
    deployment_id: int = 0
