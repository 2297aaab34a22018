"""x/distribution values bound to proto/dait/distribution/v1/distribution.proto."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.distribution.v1 import distribution_pb2


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """x/distribution params."""

    PROTO: ClassVar[type[Message]] = distribution_pb2.Params
    community_tax: str
    block_reward: int
    allocation_interval_blocks: int


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """x/distribution genesis."""

    PROTO: ClassVar[type[Message]] = distribution_pb2.GenesisState
    params: Params | None
    community_pool: str


# specs/distribution.md "Params": Cosmos's default community tax (2%), 1 DAIT minted per
# block, rewards allocated every 100 blocks (~100 s) so that idle blocks cost nothing.
DEFAULT_PARAMS = Params(
    community_tax="0.020000000000000000",
    block_reward=1_000_000,
    allocation_interval_blocks=100,
)
