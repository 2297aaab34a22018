"""x/auth values bound to proto/dait/auth/v1/auth.proto."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.auth.v1 import auth_pb2


@dataclass(frozen=True, slots=True)
class BaseAccount(ProtoValue):
    """A user account: address, public key once known, account number, sequence."""

    PROTO: ClassVar[type[Message]] = auth_pb2.BaseAccount
    address: str
    pub_key: bytes
    account_number: int
    sequence: int


@dataclass(frozen=True, slots=True)
class Params(ProtoValue):
    """x/auth params: the flat fee every tx pays at least, and the memo limit."""

    PROTO: ClassVar[type[Message]] = auth_pb2.Params
    min_fee: int
    max_memo_characters: int


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """x/auth genesis: params, accounts in address order, the next account number."""

    PROTO: ClassVar[type[Message]] = auth_pb2.GenesisState
    params: Params | None
    accounts: tuple[BaseAccount, ...]
    next_account_number: int


def is_plain_account(account: BaseAccount) -> bool:
    """Whether every field of account has exactly the type decoding gives (str, bytes,
    int), so that decoding its encoding gives back an equal account (a str round-trips
    through UTF-8; an out-of-range int or key size is refused by the encoder)."""
    return (
        type(account.address) is str
        and type(account.pub_key) is bytes
        and type(account.account_number) is int
        and type(account.sequence) is int
    )


# specs/app.md "x/auth": a flat fee of 0.001 DAIT per tx; Cosmos's default memo limit.
DEFAULT_PARAMS = Params(min_fee=1_000, max_memo_characters=256)
