"""The ante handler: every check a tx passes before its messages run (specs/app.md "Ante").

The checks run in Cosmos's ante-decorator order, so that a tx breaking several rules is
refused for the same one a Cosmos chain would name:

1. decode           TxRaw, TxBody (each message by type URL), AuthInfo     sdk 2
2. validate basic   >= 1 message; exactly one signer and one signature      sdk 18, 15, 14, 4
                    every message routed; one signer field shared by all     sdk 6, 24, 7
                    SIGN_MODE_DIRECT; no fee payer or granter                sdk 37
3. timeout height   timeout_height = 0 or >= block height                   sdk 30
4. memo             at most max_memo_characters bytes                       sdk 12
5. fee              one uDAIT coin (or none), >= min_fee                     sdk 10, 13
                    the signer's account exists; it can pay                  sdk 9, 5
6. public key       given if the account has none; hashes to the signer      sdk 8
7. sequence         SignerInfo.sequence == account sequence                  sdk 32
8. signature        over SignDoc(chain id, account number)                   sdk 4
9. bump sequence

The fee is deducted at step 5, before the signature is checked; a tx failing any later
step is refused as a whole, so nothing of it remains (a failing ante changes nothing).
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.errors import (
    ErrInsufficientFee,
    ErrInsufficientFunds,
    ErrInvalidPubKey,
    ErrInvalidRequest,
    ErrInvalidSigner,
    ErrMemoTooLarge,
    ErrNoSignatures,
    ErrNotSupported,
    ErrTooManySignatures,
    ErrTxDecode,
    ErrTxTimeoutHeight,
    ErrUnauthorized,
    ErrUnknownAddress,
    ErrUnknownRequest,
    ErrWrongSequence,
)
from dait_chain.app.tx import PUBKEY_TYPE_URL, ParsedTx, parse_tx, sign_doc_bytes
from dait_chain.codec.errors import CodecError
from dait_chain.codec.tx import SignMode
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto import secp256k1
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.errors import CryptoError
from dait_chain.x.auth.address import check_address
from dait_chain.x.auth.keeper import FEE_COLLECTOR, AuthKeeper
from dait_chain.x.auth.types import BaseAccount
from dait_chain.x.bank.coins import DENOM, format_amount, parse_amount
from dait_chain.x.bank.keeper import BankKeeper


@dataclass(frozen=True, slots=True)
class Route:
    """Where a message type goes: its module, its handler, its signer field."""

    module: str
    handler: Callable[[Context, Any], None]
    signer_field: str


@dataclass(frozen=True, slots=True)
class AnteOutcome:
    """A tx that passed the ante handler: its signer and its routed messages."""

    signer: str
    msgs: tuple[tuple[ProtoValue, Route], ...]


def decode_step(tx_bytes: bytes) -> ParsedTx:
    """Step 1: strict decode; any codec refusal is the SDK's tx parse error."""
    try:
        return parse_tx(tx_bytes)
    except CodecError as exc:
        raise ErrTxDecode(f"{type(exc).__name__}: {exc.log}") from None


def validate_basic(
    tx: ParsedTx, routes: Mapping[type[Any], Route]
) -> tuple[str, tuple[tuple[ProtoValue, Route], ...]]:
    """Step 2: shape of the tx; returns the single signer and the routed messages."""
    msgs = tx.messages
    if not msgs:
        raise ErrInvalidRequest("must contain at least one message")
    signatures = tx.signatures
    signer_infos = tx.signers
    if not signatures:
        raise ErrNoSignatures("a tx needs one signature")
    if len(signatures) > 1 or len(signer_infos) > 1:
        raise ErrTooManySignatures("a DAIT tx has exactly one signer")
    if len(signer_infos) != 1:
        raise ErrUnauthorized("wrong number of signers; expected 1, got 0")
    routed: list[tuple[ProtoValue, Route]] = []
    signer = ""
    for i, msg in enumerate(msgs):
        route = routes.get(type(msg))
        if route is None:
            raise ErrUnknownRequest(f"unrecognized message type {msg.type_url()} at {i}")
        msg_signer = getattr(msg, route.signer_field)
        if i == 0:
            signer = msg_signer
        elif msg_signer != signer:
            raise ErrInvalidSigner(f"message {i} signer {msg_signer} != tx signer {signer}")
        routed.append((msg, route))
    check_address(signer, "signer")
    if signer_infos[0].mode != SignMode.SIGN_MODE_DIRECT:
        raise ErrNotSupported("only SIGN_MODE_DIRECT single signers are supported")
    if tx.fee_payer or tx.fee_granter:
        raise ErrNotSupported("fee payer and fee granter are not supported")
    return signer, tuple(routed)


def check_timeout_height(ctx: Context, tx: ParsedTx) -> None:
    """Step 3: a tx with timeout_height h is valid in blocks up to and including h."""
    timeout = tx.timeout_height
    if timeout and ctx.height > timeout:
        raise ErrTxTimeoutHeight(f"block height {ctx.height} > timeout height {timeout}")


def check_memo(tx: ParsedTx, max_bytes: int) -> None:
    """Step 4: the memo's UTF-8 length (Go's len of a string) within the param."""
    size = len(tx.memo.encode())
    if size > max_bytes:
        raise ErrMemoTooLarge(f"maximum number of characters is {max_bytes} but received {size}")


def fee_amount(fee: tuple[tuple[str, str], ...]) -> int:
    """The uDAIT amount of a tx's fee: no coin is 0; otherwise exactly one uDAIT coin."""
    if not fee:
        return 0
    if len(fee) != 1 or fee[0][0] != DENOM:
        raise ErrInsufficientFee(f"fee must be one {DENOM} coin")
    return parse_amount(fee[0][1], "fee")


def deduct_fee(
    ctx: Context, auth: AuthKeeper, bank: BankKeeper, signer: str, fee: int
) -> BaseAccount:
    """Step 5: the fee covers min_fee, the account exists and pays it to fee_collector.
    Returns the signer's account."""
    min_fee = auth.get_params(ctx).min_fee
    if fee < min_fee:
        raise ErrInsufficientFee(f"got {format_amount(fee)}, required {format_amount(min_fee)}")
    account = auth.account(ctx, signer)
    if account is None:
        raise ErrUnknownAddress(f"fee payer address: {signer} does not exist")
    if fee:
        have = bank.balance(ctx, signer)
        if have < fee:
            raise ErrInsufficientFunds(
                f"insufficient funds to pay fees; {format_amount(have)} < {format_amount(fee)}"
            )
        bank.send_to_module(ctx, signer, FEE_COLLECTOR, fee)
    ctx.events.emit("tx", fee=format_amount(fee), fee_payer=signer)
    return account


def set_pub_key(ctx: Context, account: BaseAccount, tx: ParsedTx) -> bytes:
    """Step 6: the key that must verify the signature: the account's, or the one the tx
    carries (recorded on the account's first tx, in step 9). A carried key other than the
    stored one must hash to the signer."""
    signer = tx.signers[0]
    if not signer.public_key_type:
        if not account.pub_key:
            raise ErrInvalidPubKey(f"pubkey on account {account.address} is not set")
        return account.pub_key
    if signer.public_key_type != PUBKEY_TYPE_URL:
        raise ErrInvalidPubKey(f"unsupported key type {signer.public_key_type}")
    carried = signer.public_key
    if carried == account.pub_key:
        return carried  # checked against the address when it was stored
    try:
        derived = address_from_pubkey(carried)
    except CryptoError as exc:
        raise ErrInvalidPubKey(exc.log) from None
    if derived != account.address:
        raise ErrInvalidPubKey(f"pubKey does not match signer address {account.address}")
    return carried


def verify_signature(
    ctx: Context, auth: AuthKeeper, tx: ParsedTx, account: BaseAccount, pub_key: bytes
) -> None:
    """Steps 7-9: sequence, SIGN_MODE_DIRECT signature, then the account is stored with its
    sequence bumped (and its public key, on first use).

    A wrong chain id or account number changes the signed bytes, so it shows as a failed
    signature (sdk 4), as Cosmos reports it.
    """
    given = tx.signers[0].sequence
    if given != account.sequence:
        raise ErrWrongSequence(
            f"account sequence mismatch, expected {account.sequence}, got {given}"
        )
    doc = sign_doc_bytes(tx.body_bytes, tx.auth_info_bytes, ctx.chain_id, account.account_number)
    signature = tx.signatures[0]
    try:
        ok = secp256k1.verify(pub_key, doc, signature)
    except CryptoError as exc:
        raise ErrUnauthorized(f"malformed signature: {exc.log}") from None
    if not ok:
        raise ErrUnauthorized(
            f"signature verification failed; please verify account number "
            f"({account.account_number}), sequence ({account.sequence}) and chain-id "
            f"({ctx.chain_id})"
        )
    ctx.events.emit("tx", acc_seq=f"{account.address}/{account.sequence}")
    ctx.events.emit("tx", signature=base64.b64encode(signature).decode())
    auth.set_account(
        ctx, BaseAccount(account.address, pub_key, account.account_number, account.sequence + 1)
    )


def ante(
    ctx: Context,
    tx_bytes: bytes,
    routes: Mapping[type[Any], Route],
    auth: AuthKeeper,
    bank: BankKeeper,
) -> AnteOutcome:
    """Run every ante step on ctx (a branch the caller writes only if this returns)."""
    tx = decode_step(tx_bytes)
    signer, msgs = validate_basic(tx, routes)
    check_timeout_height(ctx, tx)
    check_memo(tx, auth.get_params(ctx).max_memo_characters)
    account = deduct_fee(ctx, auth, bank, signer, fee_amount(tx.fee))
    pub_key = set_pub_key(ctx, account, tx)
    verify_signature(ctx, auth, tx, account, pub_key)
    return AnteOutcome(signer, msgs)


__all__ = ["AnteOutcome", "Route", "ante"]
