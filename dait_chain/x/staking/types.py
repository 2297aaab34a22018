"""x/staking values bound to proto/dait/staking/v1/{staking,tx}.proto."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.tx import Coin
from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.staking.v1 import staking_pb2, tx_pb2


@dataclass(frozen=True, slots=True)
class Validator(ProtoValue):
    """A validator: operator account address, consensus key, bonded tokens."""

    PROTO: ClassVar[type[Message]] = staking_pb2.Validator
    operator_address: str
    consensus_pubkey: bytes
    tokens: str


@dataclass(frozen=True, slots=True)
class Delegation(ProtoValue):
    """Tokens one delegator has bonded to one validator (genesis form)."""

    PROTO: ClassVar[type[Message]] = staking_pb2.Delegation
    delegator_address: str
    validator_address: str
    amount: str


@dataclass(frozen=True, slots=True)
class UnbondingEntry(ProtoValue):
    """Tokens on their way back to a delegator, paid at completion_time_ms."""

    PROTO: ClassVar[type[Message]] = staking_pb2.UnbondingEntry
    id: int
    delegator_address: str
    validator_address: str
    creation_height: int
    completion_time_ms: int
    amount: str


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """x/staking params."""

    PROTO: ClassVar[type[Message]] = staking_pb2.Params
    unbonding_time_ms: int
    max_validators: int


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """x/staking genesis."""

    PROTO: ClassVar[type[Message]] = staking_pb2.GenesisState
    params: Params | None
    validators: tuple[Validator, ...]
    delegations: tuple[Delegation, ...]
    unbonding_entries: tuple[UnbondingEntry, ...]
    next_unbonding_id: int


@dataclass(frozen=True, slots=True)
class MsgDelegate(ProtoValue):
    """Bond amount of the delegator's uDAIT to a validator."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgDelegate
    SIGNER_FIELD: ClassVar[str] = "delegator_address"
    delegator_address: str
    validator_address: str
    amount: Coin | None


@dataclass(frozen=True, slots=True)
class MsgUndelegate(ProtoValue):
    """Start unbonding amount from a validator."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgUndelegate
    SIGNER_FIELD: ClassVar[str] = "delegator_address"
    delegator_address: str
    validator_address: str
    amount: Coin | None


# Cosmos defaults: 21 days of unbonding, 100 active validators.
DEFAULT_PARAMS = Params(unbonding_time_ms=21 * 24 * 3600 * 1000, max_validators=100)
