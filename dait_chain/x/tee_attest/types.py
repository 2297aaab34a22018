"""Values of x/tee_attest bound to proto/dait/tee_attest/v1/{tee_attest,tx}.proto."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.tee_attest.v1 import tee_attest_pb2 as pb
from dait_chain.pb.dait.tee_attest.v1 import tx_pb2
from dait_chain.x.tee_attest.params import Params


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """The module's whole state: its params."""

    PROTO: ClassVar[type[Message]] = pb.GenesisState
    params: Params


@dataclass(frozen=True, slots=True)
class MsgUpdateParams(ProtoValue):
    """Gov-only: replace the trust policy (root rotation, revocation)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgUpdateParams
    SIGNER_FIELD: ClassVar[str] = "authority"
    authority: str
    params: Params


@dataclass(frozen=True, slots=True)
class MsgUpdateParamsResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgUpdateParamsResponse


@dataclass(frozen=True, slots=True)
class QueryAttestResponse(ProtoValue):
    """The verdict on one receipt, and the first failed check's registered error."""

    PROTO: ClassVar[type[Message]] = pb.QueryAttestResponse
    attested: bool
    codespace: str = ""
    code: int = 0
    log: str = ""


__all__ = [
    "GenesisState",
    "MsgUpdateParams",
    "MsgUpdateParamsResponse",
    "Params",
    "QueryAttestResponse",
]
