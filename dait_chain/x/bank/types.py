"""x/bank values bound to proto/dait/bank/v1/bank.proto (MsgSend is in dait_chain.codec.tx)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.bank.v1 import bank_pb2


@dataclass(frozen=True, slots=True)
class Balance(ProtoValue):
    """The uDAIT held by one address."""

    PROTO: ClassVar[type[Message]] = bank_pb2.Balance
    address: str
    amount: str


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """x/bank genesis: non-zero balances in address order, and the supply."""

    PROTO: ClassVar[type[Message]] = bank_pb2.GenesisState
    balances: tuple[Balance, ...]
    supply: str
