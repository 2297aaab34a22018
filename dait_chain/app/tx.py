"""Building, signing and decoding txs (specs/app.md "Transactions").

A DAIT tx has exactly one signer. It is signed SIGN_MODE_DIRECT, as Cosmos does: the
signature is secp256k1 over sha256 of the canonical SignDoc{body_bytes, auth_info_bytes,
chain_id, account_number}. The chain id and the account number are not in the tx, only
in what is signed, so a tx for another chain or account fails signature verification.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

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
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto import secp256k1

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
    """
    out = bytearray()
    for tag, data in ((0x0A, body_bytes), (0x12, auth_info_bytes), (0x1A, chain_id.encode())):
        if data:
            out.append(tag)
            out += _uvarint(len(data))
            out += data
    if account_number:
        out.append(0x20)
        out += _uvarint(account_number)
    return bytes(out)


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


__all__ = ["DENOM", "DecodedTx", "build_tx", "decode_tx", "sign_doc_bytes"]
