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

from binascii import b2a_base64
from collections.abc import Callable, Mapping, Sequence
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
from dait_chain.app.events import make_attribute, make_event
from dait_chain.app.tx import PUBKEY_TYPE_URL, TxView, read_tx, sign_doc_bytes
from dait_chain.codec.errors import CodecError
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto import secp256k1
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.errors import CryptoError
from dait_chain.errors import DaitError
from dait_chain.pb.dait.base.v1 import coin_pb2
from dait_chain.pb.dait.tx.v1 import tx_pb2
from dait_chain.x.auth.address import check_address
from dait_chain.x.auth.keeper import FEE_COLLECTOR, AuthKeeper
from dait_chain.x.auth.types import BaseAccount
from dait_chain.x.bank.coins import DENOM, format_amount, parse_amount
from dait_chain.x.bank.keeper import BankKeeper


@dataclass(frozen=True, slots=True)
class Route:
    """Where a message type goes: its module, its handler, its signer field, and its type
    URL (the "message" event's action)."""

    module: str
    handler: Callable[[Context, Any], None]
    signer_field: str
    type_url: str = ""


@dataclass(frozen=True, slots=True)
class AnteOutcome:
    """A tx that passed the ante handler: its signer and its routed messages."""

    signer: str
    msgs: tuple[tuple[ProtoValue, Route], ...]


def decode_step(tx_bytes: bytes) -> TxView:
    """Step 1: strict decode; any codec refusal is the SDK's tx parse error."""
    try:
        return read_tx(tx_bytes)
    except CodecError as exc:
        raise ErrTxDecode(f"{type(exc).__name__}: {exc.log}") from None


def validate_basic(
    tx: TxView, routes: Mapping[type[Any], Route]
) -> tuple[str, tuple[tuple[ProtoValue, Route], ...]]:
    """Step 2: shape of the tx; returns the single signer and the routed messages."""
    msgs = tx.messages
    if not msgs:
        raise ErrInvalidRequest("must contain at least one message")
    signatures = len(tx.signatures)
    signer_infos = len(tx.signer_infos)
    if not signatures:
        raise ErrNoSignatures("a tx needs one signature")
    if signatures > 1 or signer_infos > 1:
        raise ErrTooManySignatures("a DAIT tx has exactly one signer")
    if signer_infos != 1:
        raise ErrUnauthorized("wrong number of signers; expected 1, got 0")
    if len(msgs) == 1:
        # The common case, without the loop's bookkeeping.
        msg = msgs[0]
        route = routes.get(type(msg))
        if route is None:
            raise ErrUnknownRequest(f"unrecognized message type {msg.type_url()} at 0")
        signer = getattr(msg, route.signer_field)
        routed: tuple[tuple[ProtoValue, Route], ...] = ((msg, route),)
    else:
        signer, routed = _route_all(msgs, routes)
    check_address(signer, "signer")
    # An absent mode_info or single reads as mode 0, which is refused like any mode but
    # SIGN_MODE_DIRECT (undefined numbers were refused by the decoder).
    if tx.signer_infos[0].mode_info.single.mode != tx_pb2.SIGN_MODE_DIRECT:
        raise ErrNotSupported("only SIGN_MODE_DIRECT single signers are supported")
    fee = tx.fee
    if fee.payer or fee.granter:
        raise ErrNotSupported("fee payer and fee granter are not supported")
    return signer, routed


def _route_all(
    msgs: tuple[ProtoValue, ...], routes: Mapping[type[Any], Route]
) -> tuple[str, tuple[tuple[ProtoValue, Route], ...]]:
    """Each message's route, in order; every message must name the first one's signer."""
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
    return signer, tuple(routed)


def check_timeout_height(ctx: Context, timeout: int) -> None:
    """Step 3: a tx with timeout_height h is valid in blocks up to and including h."""
    if timeout and ctx.height > timeout:
        raise ErrTxTimeoutHeight(f"block height {ctx.height} > timeout height {timeout}")


def check_memo(memo: str, max_bytes: int) -> None:
    """Step 4: the memo's UTF-8 length (Go's len of a string) within the param."""
    # A UTF-8 character is at most 4 bytes, so a short memo needs no encoding.
    if len(memo) * 4 <= max_bytes:
        return
    size = len(memo.encode())
    if size > max_bytes:
        raise ErrMemoTooLarge(f"maximum number of characters is {max_bytes} but received {size}")


def fee_amount(fee: Sequence[coin_pb2.Coin]) -> int:
    """The uDAIT amount of a tx's fee: no coin is 0; otherwise exactly one uDAIT coin."""
    if not fee:
        return 0
    coin = fee[0]
    if len(fee) != 1 or coin.denom != DENOM:
        raise ErrInsufficientFee(f"fee must be one {DENOM} coin")
    return parse_amount(coin.amount, "fee")


def deduct_fee(
    ctx: Context, auth: AuthKeeper, bank: BankKeeper, signer: str, fee: int, min_fee: int
) -> BaseAccount:
    """Step 5: the fee covers min_fee, the account exists and pays it to fee_collector.
    Returns the signer's account."""
    if fee < min_fee:
        raise ErrInsufficientFee(f"got {format_amount(fee)}, required {format_amount(min_fee)}")
    account = auth.account(ctx, signer)
    if account is None:
        raise ErrUnknownAddress(f"fee payer address: {signer} does not exist")
    coins = format_amount(fee)
    if fee:
        try:
            bank.send_to_module(ctx, signer, FEE_COLLECTOR, fee)
        except ErrInsufficientFunds:
            # Refused before it wrote anything; the ante's own wording (Cosmos
            # DeductFees), without reading the balance twice on every tx.
            have = bank.balance(ctx, signer)
            raise ErrInsufficientFunds(
                f"insufficient funds to pay fees; {format_amount(have)} < {coins}"
            ) from None
    ctx.events.emit_flat(("tx", "fee", coins, "fee_payer", signer))
    return account


def set_pub_key(account: BaseAccount, key: tuple[str, bytes]) -> bytes:
    """Step 6: the key that must verify the signature: the account's, or the one the tx
    carries (recorded on the account's first tx, in step 9). A carried key other than the
    stored one must hash to the signer. key is (type URL, key bytes) of the SignerInfo."""
    key_type, carried = key
    if not key_type:
        if not account.pub_key:
            raise ErrInvalidPubKey(f"pubkey on account {account.address} is not set")
        return account.pub_key
    if key_type != PUBKEY_TYPE_URL:
        raise ErrInvalidPubKey(f"unsupported key type {key_type}")
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
    ctx: Context,
    auth: AuthKeeper,
    tx: TxView,
    account: BaseAccount,
    pub_key: bytes,
    precheck: BlockPrecheck | None = None,
) -> None:
    """Steps 7-9: sequence, SIGN_MODE_DIRECT signature, then the account is stored with its
    sequence bumped (and its public key, on first use).

    A wrong chain id or account number changes the signed bytes, so it shows as a failed
    signature (sdk 4), as Cosmos reports it.
    """
    given = tx.signer_infos[0].sequence
    sequence = account.sequence
    if given != sequence:
        raise ErrWrongSequence(f"account sequence mismatch, expected {sequence}, got {given}")
    number = account.account_number
    doc = sign_doc_bytes(tx.body_bytes, tx.auth_info_bytes, ctx.chain_id, number)
    signature = tx.signatures[0]
    ok = None if precheck is None else precheck.verified(pub_key, doc, signature)
    if ok is None:
        try:
            ok = secp256k1.verify(pub_key, doc, signature)
        except CryptoError as exc:
            raise ErrUnauthorized(f"malformed signature: {exc.log}") from None
    if not ok:
        raise ErrUnauthorized(
            f"signature verification failed; please verify account number "
            f"({number}), sequence ({sequence}) and chain-id ({ctx.chain_id})"
        )
    address = account.address
    # Unique to this tx, so built directly rather than through the event cache.
    events = ctx.events
    acc_seq = make_attribute("acc_seq", f"{address}/{sequence}")
    events.emit_event(make_event("tx", (acc_seq,)))
    signature_b64 = make_attribute("signature", b2a_base64(signature, newline=False).decode())
    events.emit_event(make_event("tx", (signature_b64,)))
    auth.set_account(ctx, BaseAccount(address, pub_key, number, sequence + 1))


def ante(
    ctx: Context,
    tx_bytes: bytes,
    routes: Mapping[type[Any], Route],
    auth: AuthKeeper,
    bank: BankKeeper,
    precheck: BlockPrecheck | None = None,
) -> AnteOutcome:
    """Run every ante step on ctx (a branch the caller writes only if this returns).

    precheck, if given, holds what a pass over the whole block computed beforehand (see
    `precheck_block`): the tx's decoding and signature checks, both pure functions of their
    inputs, so using them changes no result.
    """
    tx = None if precheck is None else precheck.views.get(tx_bytes)
    if tx is None:
        tx = decode_step(tx_bytes)
    signer, msgs = validate_basic(tx, routes)
    body = tx.body
    check_timeout_height(ctx, body.timeout_height)
    params = auth.get_params(ctx)  # read once: no step before the fee writes state
    check_memo(body.memo, params.max_memo_characters)
    fee = fee_amount(tx.fee.amount)
    account = deduct_fee(ctx, auth, bank, signer, fee, params.min_fee)
    pub_key = set_pub_key(account, tx.keys[0])
    verify_signature(ctx, auth, tx, account, pub_key, precheck)
    return AnteOutcome(signer, msgs)


class BlockPrecheck:
    """A block's txs decoded, and their signatures checked, in one pass before it runs.

    Both are pure functions of their inputs (the tx bytes; a public key, the signed bytes
    and a signature), so the ante may take them from here instead of computing them again:
    no result changes. What the pass saves is locality: run back to back, the signature
    checks keep libsecp256k1's precomputed tables in the CPU caches, which the Python work
    of executing a tx between two checks evicts (about a fifth of a check's cost).
    """

    __slots__ = ("_signatures", "views")

    def __init__(self) -> None:
        self.views: dict[bytes, TxView] = {}
        self._signatures: dict[tuple[bytes, bytes, bytes], bool] = {}

    def verified(self, pub_key: bytes, doc: bytes, signature: bytes) -> bool | None:
        """The result of secp256k1.verify(pub_key, doc, signature) if the pass ran it."""
        return self._signatures.get((pub_key, doc, signature))

    def record(self, pub_key: bytes, doc: bytes, signature: bytes, ok: bool) -> None:
        """Remember a check's result."""
        self._signatures[(pub_key, doc, signature)] = ok


def precheck_block(
    ctx: Context, txs: Sequence[bytes], routes: Mapping[type[Any], Route], auth: AuthKeeper
) -> BlockPrecheck:
    """Decode every tx, then check the signature of each one that looks valid against the
    state at ctx (the block's start), predicting sequences of signers with several txs.

    A guess that turns out wrong (an earlier tx of the block failed, a rule the pass does
    not look at refuses the tx) only means the ante checks that signature itself; a tx
    that fails to decode is left to the ante, which reports the error.
    """
    precheck = BlockPrecheck()
    views = precheck.views
    for tx_bytes in txs:
        try:
            views[tx_bytes] = read_tx(tx_bytes)
        except CodecError:
            continue
    sequences: dict[str, int] = {}
    expected: list[tuple[bytes, bytes, bytes]] = []
    for view in views.values():
        try:
            signed = _expected_signature(ctx, view, routes, auth, sequences)
        except DaitError:
            continue  # the ante meets the same input and refuses the tx
        if signed is not None:
            expected.append(signed)
    # The checks themselves in a row, with nothing in between.
    verify = secp256k1.verify
    for pub_key, doc, signature in expected:
        try:
            ok = verify(pub_key, doc, signature)
        except CryptoError:
            continue  # malformed: the ante refuses it with the same error
        precheck.record(pub_key, doc, signature, ok)
    return precheck


def _expected_signature(
    ctx: Context,
    tx: TxView,
    routes: Mapping[type[Any], Route],
    auth: AuthKeeper,
    sequences: dict[str, int],
) -> tuple[bytes, bytes, bytes] | None:
    """(public key, SignDoc bytes, signature) the ante would check for tx, if the signer's
    account does not change before it but for its own txs' sequence bumps; None when the
    ante would refuse the tx before checking a signature."""
    if not tx.messages or len(tx.signatures) != 1 or len(tx.signer_infos) != 1:
        return None
    msg = tx.messages[0]
    route = routes.get(type(msg))
    if route is None:
        return None
    signer = getattr(msg, route.signer_field)
    account = auth.account(ctx, signer) if type(signer) is str else None
    if account is None:
        return None
    sequence = sequences.get(signer, account.sequence)
    if tx.signer_infos[0].sequence != sequence:
        return None
    sequences[signer] = sequence + 1
    key_type, pub_key = tx.keys[0]
    if not key_type:
        pub_key = account.pub_key
    elif key_type != PUBKEY_TYPE_URL or (
        pub_key != account.pub_key and address_from_pubkey(pub_key) != signer
    ):
        return None
    if not pub_key:
        return None
    doc = sign_doc_bytes(tx.body_bytes, tx.auth_info_bytes, ctx.chain_id, account.account_number)
    return pub_key, doc, tx.signatures[0]


__all__ = ["AnteOutcome", "BlockPrecheck", "Route", "ante", "precheck_block"]
