"""Building, signing and decoding txs (specs/app.md "Transactions").

A DAIT tx has exactly one signer. It is signed SIGN_MODE_DIRECT, as Cosmos does: the
signature is secp256k1 over sha256 of the canonical SignDoc{body_bytes, auth_info_bytes,
chain_id, account_number}. The chain id and the account number are not in the tx, only
in what is signed, so a tx for another chain or account fails signature verification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from dait_chain.codec import strict
from dait_chain.codec.tx import (
    AuthInfo,
    Coin,
    Fee,
    ModeInfo,
    ModeInfoSingle,
    PubKey,
    SignerInfo,
    SignMode,
    TxBody,
    TxRaw,
)
from dait_chain.codec.value import ProtoValue, unpack_any, value_class
from dait_chain.crypto import secp256k1
from dait_chain.pb.dait.crypto.secp256k1.v1 import keys_pb2
from dait_chain.pb.dait.tx.v1 import tx_pb2

DENOM = "uDAIT"


@dataclass(frozen=True, slots=True)
class DecodedTx:
    """A tx strictly decoded from its bytes, with the bytes its signature covers."""

    raw: TxRaw
    body: TxBody
    auth_info: AuthInfo


def sign_doc_bytes(
    body_bytes: bytes, auth_info_bytes: bytes, chain_id: str, account_number: int
) -> bytes:
    """The canonical SignDoc bytes that SIGN_MODE_DIRECT signs.

    Written field by field (the same bytes as `SignDoc(...).encode()`, which the tests
    check): it runs once per tx, and the generic encoder's conversion is most of its cost.
    Proto3 omits empty fields; the field headers are cached (the same lengths, chain id
    and account numbers recur on every tx).
    """
    return b"".join(
        (
            _len_header(0x0A, len(body_bytes)) if body_bytes else b"",
            body_bytes,
            _len_header(0x12, len(auth_info_bytes)) if auth_info_bytes else b"",
            auth_info_bytes,
            _chain_id_field(chain_id),
            _number_field(account_number),
        )
    )


@lru_cache(maxsize=1 << 10)
def _len_header(tag: int, size: int) -> bytes:
    """A length-delimited field's tag byte and uvarint length."""
    return bytes((tag,)) + _uvarint(size)


def _len_field(tag: int, data: bytes) -> bytes:
    """A length-delimited field (tag byte, uvarint length, data); nothing when data is
    empty (proto3 omits defaults)."""
    if not data:
        return b""
    return _len_header(tag, len(data)) + data


@lru_cache(maxsize=16)
def _chain_id_field(chain_id: str) -> bytes:
    # The same chain id is signed in every tx of a chain.
    return _len_field(0x1A, chain_id.encode())


@lru_cache(maxsize=1 << 12)
def _number_field(account_number: int) -> bytes:
    # An account signs all its txs with its one account number.
    return b"\x20" + _uvarint(account_number) if account_number else b""


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def build_tx(
    msgs: Sequence[ProtoValue],
    signer_privkey: bytes,
    chain_id: str,
    account_number: int,
    sequence: int,
    fee: int,
    *,
    memo: str = "",
    timeout_height: int = 0,
    include_pubkey: bool = True,
    gas_limit: int = 0,
) -> bytes:
    """A signed tx's bytes: msgs signed by one key, paying `fee` uDAIT.

    include_pubkey puts the signer's public key in SignerInfo (needed on an account's first
    tx; Cosmos wallets always include it).
    """
    body_bytes = TxBody(tuple(msgs), memo, timeout_height).encode()
    pubkey = secp256k1.pubkey_from_privkey(signer_privkey)
    signer = SignerInfo(
        PubKey(pubkey) if include_pubkey else None,
        ModeInfo(ModeInfoSingle(SignMode.SIGN_MODE_DIRECT)),
        sequence,
    )
    fee_coins = (Coin(DENOM, str(fee)),) if fee else ()
    auth_info_bytes = AuthInfo((signer,), Fee(fee_coins, gas_limit)).encode()
    signature = secp256k1.sign(
        signer_privkey, sign_doc_bytes(body_bytes, auth_info_bytes, chain_id, account_number)
    )
    return TxRaw(body_bytes, auth_info_bytes, (signature,)).encode()


def decode_tx(tx_bytes: bytes) -> DecodedTx:
    """Strictly decode TxRaw, then its body (each message Any by its type URL) and auth info.

    Raises the codec's registered errors on any malformed or non-canonical bytes.
    """
    raw = TxRaw.decode(tx_bytes)
    body = TxBody.decode(raw.body_bytes)
    auth_info = AuthInfo.decode(raw.auth_info_bytes)
    return DecodedTx(raw, body, auth_info)


@dataclass(frozen=True, slots=True)
class ParsedSigner:
    """One SignerInfo as the ante handler reads it."""

    public_key_type: str  # the Any's type URL, "" when no key is carried
    public_key: bytes  # the PubKey's key bytes when public_key_type is PUBKEY_TYPE_URL
    mode: int | None  # ModeInfo.Single.mode; None when mode_info or single is absent
    sequence: int


@dataclass(frozen=True, slots=True)
class ParsedTx:
    """A tx strictly decoded for the ante handler: the same rules and the same accepted
    bytes as `decode_tx`, read straight from the protobuf messages (no dataclass tree)."""

    body_bytes: bytes
    auth_info_bytes: bytes
    signatures: tuple[bytes, ...]
    messages: tuple[ProtoValue, ...]
    memo: str
    timeout_height: int
    signers: tuple[ParsedSigner, ...]
    fee: tuple[tuple[str, str], ...]  # (denom, amount) of each fee coin
    fee_payer: str
    fee_granter: str


PUBKEY_TYPE_URL = PubKey.type_url()


class TxView(NamedTuple):
    """A tx strictly decoded for the ante handler: the protobuf messages as parsed, the
    messages as values, each signer's carried key, and the fields the ante reads, each
    read from the parsed messages once (every read of a sub-message or repeated field
    builds a new wrapper object). `parse_tx` and the ante handler both start from it, so
    they accept the same bytes."""

    raw: tx_pb2.TxRaw
    body: tx_pb2.TxBody
    auth_info: tx_pb2.AuthInfo
    messages: tuple[ProtoValue, ...]
    # per SignerInfo: (the key Any's type URL, the PubKey's key bytes when it is one);
    # ("", b"") when no key is carried
    keys: tuple[tuple[str, bytes], ...]
    body_bytes: bytes
    auth_info_bytes: bytes
    signatures: tuple[bytes, ...]
    signer_infos: tuple[tx_pb2.SignerInfo, ...]
    fee: tx_pb2.Fee


_NO_KEY = ("", b"")


# An account carries the same public key on each of its txs: decoding the Any's bytes is
# a pure function of them, so the key bytes are cached (errors are raised, not cached).
@lru_cache(maxsize=1 << 12)
def _pubkey_bytes(value: bytes) -> bytes:
    return strict.decode(keys_pb2.PubKey, value).key


def _carried_key(info: tx_pb2.SignerInfo) -> tuple[str, bytes]:
    if not info.HasField("public_key"):
        return _NO_KEY
    key_any = info.public_key
    key_type = key_any.type_url
    if key_type == PUBKEY_TYPE_URL:
        return key_type, _pubkey_bytes(key_any.value)
    # any other registered type decodes strictly (and the ante refuses it); an
    # unregistered one is a parse error, as in decode_tx
    value_class(key_type).decode(key_any.value)
    return key_type, b""


def read_tx(tx_bytes: bytes) -> TxView:
    """Strictly decode a tx for the ante handler (specs/app.md §3.1, "decode"): TxRaw,
    TxBody (each message Any by its type URL), AuthInfo, each carried public key.

    Raises the codec's registered errors on exactly the bytes `decode_tx` refuses.
    """
    raw = strict.decode(tx_pb2.TxRaw, tx_bytes)
    body_bytes = raw.body_bytes
    auth_info_bytes = raw.auth_info_bytes
    body = strict.decode(tx_pb2.TxBody, body_bytes)
    # The messages are resolved before AuthInfo is decoded, as TxBody.decode does: a tx
    # with a bad message and a bad AuthInfo gets the message's error on both paths.
    messages = tuple(map(unpack_any, body.messages))
    auth = strict.decode(tx_pb2.AuthInfo, auth_info_bytes)
    infos = tuple(auth.signer_infos)
    keys = tuple(map(_carried_key, infos))
    return TxView(
        raw,
        body,
        auth,
        messages,
        keys,
        body_bytes,
        auth_info_bytes,
        tuple(raw.signatures),
        infos,
        auth.fee,
    )


def _parsed_signer(info: tx_pb2.SignerInfo, key: tuple[str, bytes]) -> ParsedSigner:
    mode = None
    if info.HasField("mode_info") and info.mode_info.HasField("single"):
        mode = info.mode_info.single.mode
    return ParsedSigner(key[0], key[1], mode, info.sequence)


def parse_tx(tx_bytes: bytes) -> ParsedTx:
    """Strictly decode a tx for the ante handler (specs/app.md §3.1, "decode").

    Raises the codec's registered errors on exactly the bytes `decode_tx` refuses.
    """
    view = read_tx(tx_bytes)
    body = view.body
    signers = tuple(map(_parsed_signer, view.signer_infos, view.keys))
    fee = view.fee
    return ParsedTx(
        view.body_bytes,
        view.auth_info_bytes,
        view.signatures,
        view.messages,
        body.memo,
        body.timeout_height,
        signers,
        tuple((c.denom, c.amount) for c in fee.amount),
        fee.payer,
        fee.granter,
    )


__all__ = [
    "DENOM",
    "PUBKEY_TYPE_URL",
    "DecodedTx",
    "ParsedSigner",
    "ParsedTx",
    "TxView",
    "build_tx",
    "decode_tx",
    "parse_tx",
    "read_tx",
    "sign_doc_bytes",
]
