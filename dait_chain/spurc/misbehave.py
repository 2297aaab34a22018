"""Faulty hosts: each mode breaks one rule, so a checker must report that rule's error.

The reference host serves honestly through HostSession (which persists what it issued);
a misbehaving host then alters the outgoing response. `EXPECTED_ERROR` names the error a
correct tenant reports for each mode: the conformance tests run every mode over HTTP and
require exactly that error.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, sign_with_domain
from dait_chain.spurc import errors as E
from dait_chain.spurc.attestation import SimVendor
from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.channel import Frontier
from dait_chain.spurc.headers import H_RECEIPT, H_VERSION, ContentKind
from dait_chain.spurc.host import (
    HostIdentity,
    Reply,
    finish_issue,
    json_reply,
    spurc_headers,
    sse_reply,
)
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.signing import sign_receipt, state_signing_payload
from dait_chain.spurc.simworld import ROGUE_VENDOR_SEED, account_privkey, sim_vendor
from dait_chain.spurc.sse import delta_event, render_stream
from dait_chain.spurc.values import ChannelState, Receipt

OTHER_MODEL_ID = "other-model-7b"


class Misbehave(StrEnum):
    """The faulty-host modes of `dait-sim spurc serve --misbehave` (specs/spurc.md §12)."""

    HONEST = "honest"
    DROP_RECEIPT = "drop-receipt"
    BAD_VERSION = "bad-version"
    PADDED_RECEIPT = "padded-receipt"
    TRUNCATE_STREAM = "truncate-stream"
    BAD_PROTOBUF = "bad-protobuf"
    WRONG_CHANNEL = "wrong-channel"
    SKIP_SEQ = "skip-seq"
    REPLAY = "replay"
    BAD_SIG = "bad-sig"
    BAD_QUOTE = "bad-quote"
    UNBOUND_KEY = "unbound-key"
    WRONG_MODEL = "wrong-model"
    SWAP_MODEL = "swap-model"
    BAD_REQUEST_HASH = "bad-request-hash"
    NON_CANONICAL_BODY = "non-canonical-body"
    TAMPER_BODY = "tamper-body"
    LATE = "late"
    IGNORE_MAX_CALLS = "ignore-max-calls"
    WRONG_PRICE = "wrong-price"
    OVERSPEND = "overspend"
    STALE_STATE = "stale-state"
    BAD_STATE_SIG = "bad-state-sig"


EXPECTED_ERROR: dict[Misbehave, type[E.SpurcError] | None] = {
    Misbehave.HONEST: None,
    Misbehave.DROP_RECEIPT: E.ErrHeaderMissing,
    Misbehave.BAD_VERSION: E.ErrUnsupportedVersion,
    Misbehave.PADDED_RECEIPT: E.ErrBadBase64url,
    Misbehave.TRUNCATE_STREAM: E.ErrStreamTruncated,
    Misbehave.BAD_PROTOBUF: E.ErrReceiptDecode,
    Misbehave.WRONG_CHANNEL: E.ErrChannelIdMismatch,
    Misbehave.SKIP_SEQ: E.ErrCallSeqNotNext,
    Misbehave.REPLAY: E.ErrCallSeqReplay,
    Misbehave.BAD_SIG: E.ErrBadHostSignature,
    Misbehave.BAD_QUOTE: E.ErrQuoteUntrusted,
    Misbehave.UNBOUND_KEY: E.ErrQuoteReportDataMismatch,
    Misbehave.WRONG_MODEL: E.ErrModelHashNotAttested,
    Misbehave.SWAP_MODEL: E.ErrModelHashNotAgreed,
    Misbehave.BAD_REQUEST_HASH: E.ErrRequestHashMismatch,
    Misbehave.NON_CANONICAL_BODY: E.ErrResponseMalformed,
    Misbehave.TAMPER_BODY: E.ErrResponseHashMismatch,
    Misbehave.LATE: E.ErrPastDeadline,
    Misbehave.IGNORE_MAX_CALLS: E.ErrMaxCallsExceeded,
    Misbehave.WRONG_PRICE: E.ErrPriceMismatch,
    Misbehave.OVERSPEND: E.ErrEscrowOverspent,
    Misbehave.STALE_STATE: E.ErrHostStateMismatch,
    Misbehave.BAD_STATE_SIG: E.ErrBadHostStateSignature,
}


@dataclass(frozen=True, slots=True)
class Served:
    """An honest call, as the tamperer sees it."""

    receipt: Receipt
    state: ChannelState  # provisional state n, host-signed
    base: ChannelState  # state n-1
    base_frontier: Frontier
    presented: ChannelState  # what the request carried
    pieces: tuple[str, ...]
    kind: ContentKind
    previous_receipt: Receipt | None  # receipt n-1 as served, for replays


def _resign(
    identity: HostIdentity, served: Served, receipt: Receipt
) -> tuple[Receipt, ChannelState]:
    """A re-signed altered receipt and the host-signed state it would produce."""
    issued = finish_issue(identity, served.base, served.base_frontier, receipt.without_sig())
    return issued.receipt, issued.state


def _rogue_vendor() -> SimVendor:
    return SimVendor.from_seed(ROGUE_VENDOR_SEED)


def tamper(mode: Misbehave, identity: HostIdentity, served: Served) -> Reply:
    """The response a host in `mode` sends instead of the honest one."""
    receipt, state = served.receipt, served.state
    pieces, kind = served.pieces, served.kind
    base_receipt = receipt.without_sig()
    match mode:
        case Misbehave.WRONG_CHANNEL:
            receipt, state = _resign(
                identity, served, replace(base_receipt, channel_id=sha256(receipt.channel_id))
            )
        case Misbehave.SKIP_SEQ:
            receipt, state = _resign(
                identity, served, replace(base_receipt, call_seq=receipt.call_seq + 1)
            )
        case Misbehave.REPLAY if served.previous_receipt is not None:
            receipt = served.previous_receipt
        case Misbehave.BAD_SIG:
            # A valid-looking signature by the right key over other bytes.
            other = sign_receipt(
                replace(base_receipt, timestamp=receipt.timestamp + 1), identity.tee_privkey
            )
            receipt = replace(receipt, sig_host=other.sig_host)
        case Misbehave.BAD_QUOTE:
            ak = _rogue_vendor().attestation_key(b"rogue-ak")
            quote = ak.quote(identity.quote_type, receipt.model_hash, receipt.tee_pubkey)
            receipt, state = _resign(identity, served, replace(base_receipt, tee_quote=quote))
        case Misbehave.UNBOUND_KEY:
            ak = sim_vendor().attestation_key(b"dait-sim/spurc/ak/unbound")
            quote = ak.quote(identity.quote_type, receipt.model_hash, b"\x02" + bytes(32))
            receipt, state = _resign(identity, served, replace(base_receipt, tee_quote=quote))
        case Misbehave.WRONG_MODEL:
            altered = replace(base_receipt, model_hash=sim_model_hash(OTHER_MODEL_ID))
            receipt, state = _resign(identity, served, altered)
        case Misbehave.SWAP_MODEL:
            other_model = sim_model_hash(OTHER_MODEL_ID)
            ak = sim_vendor().attestation_key(b"dait-sim/spurc/ak/swap")
            quote = ak.quote(identity.quote_type, other_model, receipt.tee_pubkey)
            altered = replace(base_receipt, model_hash=other_model, tee_quote=quote)
            receipt, state = _resign(identity, served, altered)
        case Misbehave.BAD_REQUEST_HASH:
            altered = replace(base_receipt, request_hash=sha256(b"another request"))
            receipt, state = _resign(identity, served, altered)
        case Misbehave.TAMPER_BODY:
            pieces = (*pieces, " (edited)")
        case Misbehave.LATE:
            receipt, state = _resign(
                identity, served, replace(base_receipt, timestamp=served.base.deadline)
            )
        case Misbehave.WRONG_PRICE:
            altered = replace(base_receipt, price_uDAIT=receipt.price_uDAIT + 1)
            receipt, state = _resign(identity, served, altered)
        case Misbehave.OVERSPEND:
            card = identity.terms.rate_card
            left = served.base.escrow_amount - served.base.spent_amount
            tokens_out = left // max(card.per_token_out_uDAIT, 1) + 1
            price = card.price(receipt.tokens_in, tokens_out)
            altered = replace(base_receipt, tokens_out=tokens_out, price_uDAIT=price)
            receipt = sign_receipt(altered, identity.tee_privkey)
        case Misbehave.STALE_STATE:
            state = served.presented
        case Misbehave.BAD_STATE_SIG:
            forged = sign_with_domain(
                account_privkey("mallory"), DOMAIN_STATE, state_signing_payload(state)
            )
            state = replace(state, sig_host=forged)
        case _:
            pass
    if mode is Misbehave.NON_CANONICAL_BODY:
        reply = json_reply(
            spurc_headers(identity, receipt, state, ContentKind.JSON), "".join(pieces)
        )
        return Reply(reply.status, reply.headers, reply.body.replace(b":", b": ", 1))
    if mode is Misbehave.TRUNCATE_STREAM:
        # The deltas go out; the connection is cut before the final frame.
        body = render_stream(tuple(delta_event(p) for p in pieces))
        return Reply(200, (("Content-Type", ContentKind.SSE.value),), body, cut=True)
    headers: list[tuple[str, str]] = list(spurc_headers(identity, receipt, state, kind))
    if mode is Misbehave.DROP_RECEIPT:
        headers = [h for h in headers if h[0] != H_RECEIPT]
    elif mode is Misbehave.BAD_VERSION:
        headers = [(k, "2" if k == H_VERSION else v) for k, v in headers]
    elif mode is Misbehave.PADDED_RECEIPT:
        headers = [(k, v + "=" if k == H_RECEIPT else v) for k, v in headers]
    elif mode is Misbehave.BAD_PROTOBUF:
        garbled = b64url_encode(receipt.encode() + b"\x00")
        headers = [(k, garbled if k == H_RECEIPT else v) for k, v in headers]
    if kind is ContentKind.SSE:
        return sse_reply(tuple(headers), pieces)
    return json_reply(tuple(headers), "".join(pieces))
