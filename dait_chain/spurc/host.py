"""The host's side of a call: issue receipt n and provisional state n, frame the response.

Pure functions of their inputs (the clock is `now_ms`); the durable host session
(session.py) calls them under its lock and persists what they return.
"""

from __future__ import annotations

from dataclasses import dataclass

from dait_chain.crypto.hashing import sha256
from dait_chain.spurc.channel import ChannelTerms, Frontier, apply_receipt
from dait_chain.spurc.errors import ErrEscrowOverspent, ErrMaxCallsExceeded, ErrPastDeadline
from dait_chain.spurc.headers import ContentKind, QuoteType, SettleHint, build_response_headers
from dait_chain.spurc.model import SimOutput
from dait_chain.spurc.payload import InferRequest, canonical_output, request_hash
from dait_chain.spurc.signing import Signer, sign_receipt, sign_state_as_host
from dait_chain.spurc.sse import delta_event, headers_event, render_stream
from dait_chain.spurc.values import ChannelState, Receipt


@dataclass(frozen=True, slots=True)
class HostIdentity:
    """A host's keys and offer: account key (states), TEE key (receipts), its quote."""

    account: Signer
    tee: Signer
    quote: bytes  # binds tee_pubkey, vouches for terms.model_hash
    quote_type: QuoteType
    model_id: str
    terms: ChannelTerms

    @property
    def account_privkey(self) -> bytes:
        """The account key (signs states)."""
        return self.account.privkey

    @property
    def tee_privkey(self) -> bytes:
        """The TEE-bound key (signs receipts)."""
        return self.tee.privkey

    @property
    def host_addr(self) -> str:
        """The bech32 address of the account key: the ChannelState host_addr."""
        return self.account.address

    @property
    def tee_pubkey(self) -> bytes:
        """The TEE-bound key that signs receipts (Receipt.tee_pubkey)."""
        return self.tee.pubkey


@dataclass(frozen=True, slots=True)
class Issued:
    """Receipt n and the host-signed provisional state n it produces."""

    receipt: Receipt
    state: ChannelState
    frontier: Frontier


def check_host_can_serve(base: ChannelState, now_ms: int) -> None:
    """The host's own limits before running a call: before the deadline, below max_calls."""
    if now_ms >= base.deadline:
        raise ErrPastDeadline(f"now {now_ms} >= deadline {base.deadline}")
    if base.call_count + 1 > base.max_calls:
        raise ErrMaxCallsExceeded(f"call {base.call_count + 1} of max {base.max_calls}")


def issue(
    identity: HostIdentity,
    base: ChannelState,
    base_frontier: Frontier,
    request: InferRequest,
    output: SimOutput,
    *,
    now_ms: int,
) -> Issued:
    """Receipt n for `request` answered by `output`, and state n from state n-1 `base`.

    Refuses (the tenant would) a call past the deadline, beyond max_calls, or whose price
    overspends the escrow.
    """
    check_host_can_serve(base, now_ms)
    price = identity.terms.rate_card.price(output.tokens_in, output.tokens_out)
    if base.spent_amount + price > base.escrow_amount:
        raise ErrEscrowOverspent(f"price {price}, {base.escrow_amount - base.spent_amount} left")
    receipt = Receipt(
        channel_id=base.channel_id,
        call_seq=base.call_count + 1,
        request_hash=request_hash(request),
        response_hash=sha256(canonical_output({"text": output.text})),
        model_hash=identity.terms.model_hash,
        tokens_in=output.tokens_in,
        tokens_out=output.tokens_out,
        price_uDAIT=price,
        tee_quote=identity.quote,
        tee_pubkey=identity.tee_pubkey,
        timestamp=now_ms,
    )
    return finish_issue(identity, base, base_frontier, receipt)


def finish_issue(
    identity: HostIdentity, base: ChannelState, base_frontier: Frontier, receipt: Receipt
) -> Issued:
    """Sign `receipt`, apply it to `base` and sign the provisional state."""
    signed = sign_receipt(receipt, identity.tee)
    state, frontier = apply_receipt(base, signed, base_frontier)
    return Issued(signed, sign_state_as_host(state, identity.account), frontier)


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP response: status, headers, body. `cut`: the connection drops after the
    body, before the stream's end (a faulty host; see misbehave.py)."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    cut: bool = False


def spurc_headers(
    identity: HostIdentity, receipt: Receipt, state: ChannelState, kind: ContentKind
) -> tuple[tuple[str, str], ...]:
    """Required and optional headers of seed 002 §2 for one response."""
    return build_response_headers(
        channel_id=receipt.channel_id,
        receipt=receipt.encode(),
        state=state.encode(),
        content_kind=kind,
        quote_type=identity.quote_type,
        model_id=state.model_id,
        call_seq=receipt.call_seq,
        settle_hint=SettleHint.COOPERATIVE,
    )


def json_reply(headers: tuple[tuple[str, str], ...], text: str) -> Reply:
    """A JSON response: the SPUR-IC headers on the HTTP head, the JCS body {"text": ...}."""
    return Reply(200, headers, canonical_output({"text": text}))


def sse_reply(headers: tuple[tuple[str, str], ...], pieces: tuple[str, ...]) -> Reply:
    """A stream: one delta frame per piece, then the final frame with the headers (§1).

    The HTTP head carries only Content-Type: the headers are known once the output is,
    which for a real model is after the last delta.
    """
    events = (*(delta_event(p) for p in pieces), headers_event(headers, final=True))
    return Reply(200, (("Content-Type", ContentKind.SSE.value),), render_stream(events))
