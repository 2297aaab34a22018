"""The tx envelope and bank MsgSend as proto-bound values (specs/codec.md §6).

The envelope keeps cosmos.tx.v1beta1's field numbers (proto/dait/tx/v1/tx.proto). A tx is
built bottom up: the messages go into a TxBody, the signers and the fee into an AuthInfo;
both are encoded canonically and the bytes go into the SignDoc (what SIGN_MODE_DIRECT
signs) and the TxRaw (what is broadcast). The app (dait_chain/app) owns the signing and
ante rules; this module only fixes the shapes and their canonical bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.bank.v1 import tx_pb2 as bank_tx_pb2
from dait_chain.pb.dait.base.v1 import coin_pb2
from dait_chain.pb.dait.crypto.secp256k1.v1 import keys_pb2
from dait_chain.pb.dait.tx.v1 import tx_pb2


class SignMode(IntEnum):
    """dait.tx.v1.SignMode (numbers as in cosmos.tx.signing.v1beta1)."""

    SIGN_MODE_UNSPECIFIED = 0
    SIGN_MODE_DIRECT = 1


@dataclass(frozen=True, slots=True)
class Coin(ProtoValue):
    """An amount of one denomination. `amount` is a decimal string on the wire, as Cosmos
    carries sdk.Int (specs/codec.md §6); validating it is the bank module's job."""

    PROTO: ClassVar[type[Message]] = coin_pb2.Coin
    denom: str
    amount: str


@dataclass(frozen=True, slots=True)
class PubKey(ProtoValue):
    """A compressed secp256k1 public key (33 bytes); type URL /dait.crypto.secp256k1.v1.PubKey."""

    PROTO: ClassVar[type[Message]] = keys_pb2.PubKey
    key: bytes


@dataclass(frozen=True, slots=True)
class TxBody(ProtoValue):
    """The messages of a tx (each packed in an Any) and its tx-wide options."""

    PROTO: ClassVar[type[Message]] = tx_pb2.TxBody
    messages: tuple[ProtoValue, ...]
    memo: str = ""
    timeout_height: int = 0


@dataclass(frozen=True, slots=True)
class ModeInfoSingle(ProtoValue):
    """ModeInfo.Single: the sign mode of a single signer."""

    PROTO: ClassVar[type[Message]] = tx_pb2.ModeInfo.Single
    mode: SignMode


@dataclass(frozen=True, slots=True)
class ModeInfo(ProtoValue):
    """How a signer signed (DAIT has single signers only)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.ModeInfo
    single: ModeInfoSingle | None


@dataclass(frozen=True, slots=True)
class SignerInfo(ProtoValue):
    """One signer: its public key (an Any; absent once the chain knows the account's
    key), its sign mode and its account sequence."""

    PROTO: ClassVar[type[Message]] = tx_pb2.SignerInfo
    public_key: ProtoValue | None
    mode_info: ModeInfo | None
    sequence: int


@dataclass(frozen=True, slots=True)
class Fee(ProtoValue):
    """The fee paid and the gas limit."""

    PROTO: ClassVar[type[Message]] = tx_pb2.Fee
    amount: tuple[Coin, ...]
    gas_limit: int
    payer: str = ""
    granter: str = ""


@dataclass(frozen=True, slots=True)
class AuthInfo(ProtoValue):
    """The signers and the fee of a tx."""

    PROTO: ClassVar[type[Message]] = tx_pb2.AuthInfo
    signer_infos: tuple[SignerInfo, ...]
    fee: Fee | None


@dataclass(frozen=True, slots=True)
class TxRaw(ProtoValue):
    """A tx as broadcast: the canonical body and auth-info bytes, and one signature per
    signer (64-byte r||s)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.TxRaw
    body_bytes: bytes
    auth_info_bytes: bytes
    signatures: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class SignDoc(ProtoValue):
    """What SIGN_MODE_DIRECT signs: sha256 of this value's canonical encoding."""

    PROTO: ClassVar[type[Message]] = tx_pb2.SignDoc
    body_bytes: bytes
    auth_info_bytes: bytes
    chain_id: str
    account_number: int


@dataclass(frozen=True, slots=True)
class MsgSend(ProtoValue):
    """bank MsgSend: move `amount` from `from_address` to `to_address`."""

    PROTO: ClassVar[type[Message]] = bank_tx_pb2.MsgSend
    from_address: str
    to_address: str
    amount: tuple[Coin, ...]
