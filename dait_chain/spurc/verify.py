"""verify_receipt: the tenant's checks of seed 002 §7, in order (specs/spurc.md "Check order").

    verify_receipt(headers, request_bytes, response_bytes, channel_state, view, now_ms=...)
        -> ChannelState | SpurcError          (seed 002 §9)
    verify_receipt_or_raise(...) -> ChannelState

The checks run in a fixed order and stop at the first failing rule, so a response gets
exactly one error: the first rule it breaks.

 0. the view matches the state it is for (caller precondition)    ErrTenantViewInconsistent
 1. framing (§1, §2): Content-Type; for a stream, the final frame  ErrHeaderMissing/Malformed,
                                                                   ErrStreamTruncated/Malformed
 2. version (§8), then the headers (§2)                            ErrUnsupportedVersion,
                                                                   ErrHeaderMissing/Malformed,
                                                                   ErrBadBase64url
 3. §7.1 decode the receipt                                        ErrReceiptDecode
 4. §7.2 channel_id (receipt, then header) is the open channel's  ErrChannelIdMismatch
    optional headers agree (call_seq, model_id)                    ErrHeaderMismatch
 5. §7.3 call_seq = last_seen + 1 (earlier: replay)                ErrCallSeqReplay,
                                                                   ErrCallSeqNotNext
 6. §7.4 sig_host verifies against tee_pubkey                      ErrBadHostSignature
 7. §7.5 the quote chains to a trusted root, binds tee_pubkey,     ErrQuoteMalformed,
    vouches for model_hash, which is the channel's model           ErrQuoteTypeUnsupported,
                                                                   ErrHeaderMismatch,
                                                                   ErrQuoteUntrusted,
                                                                   ErrQuoteReportDataMismatch,
                                                                   ErrModelHashNotAttested,
                                                                   ErrModelHashNotAgreed
 8. §7.6 request_hash                                              ErrRequestMalformed,
                                                                   ErrRequestHashMismatch
 9. §7.7 response_hash                                             ErrResponseMalformed,
                                                                   ErrResponseHashMismatch
10. §7.8 update, preconditions first: deadline, max_calls, rate    ErrPastDeadline,
    card, escrow, counters; then state n = apply_receipt           ErrMaxCallsExceeded,
                                                                   ErrPriceMismatch,
                                                                   ErrEscrowOverspent,
                                                                   ErrCounterOverflow
11. the host's provisional state n (X-DAIT-State) equals the       ErrStateDecode,
    recomputed state n and carries the host's signature            ErrHostStateMismatch,
                                                                   ErrBadHostStateSignature

last_seen is `channel_state.call_count`: call_seq starts at 1 and every accepted receipt is
last_seen + 1, so the count of accepted receipts is the last call_seq seen.

This is the order of reporting; the signature rules are evaluated last (specs/spurc.md
§7, "Evaluation order"), which reports the same error.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field

from dait_chain.codec.errors import CodecError
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.merkle import MerkleAccumulator
from dait_chain.spurc.attestation import (
    AttestedReport,
    QuoteCache,
    TrustPolicy,
    VerifierRegistry,
    check_measurement_vouches_for_model,
    check_report_data_binds_key,
    verify_quote,
)
from dait_chain.spurc.channel import (
    UPDATED_FIELD_NAMES,
    ChannelTerms,
    Frontier,
    append_receipt,
    updated_fields,
)
from dait_chain.spurc.errors import (
    ErrCallSeqNotNext,
    ErrCallSeqReplay,
    ErrChannelIdMismatch,
    ErrCounterOverflow,
    ErrEscrowOverspent,
    ErrHeaderMalformed,
    ErrHeaderMismatch,
    ErrHostStateMismatch,
    ErrMaxCallsExceeded,
    ErrModelHashNotAgreed,
    ErrPastDeadline,
    ErrPriceMismatch,
    ErrReceiptDecode,
    ErrRequestHashMismatch,
    ErrResponseHashMismatch,
    ErrStateDecode,
    ErrTenantViewInconsistent,
    SpurcError,
)
from dait_chain.spurc.frozen import slot_init
from dait_chain.spurc.headers import (
    H_CONTENT_TYPE,
    ContentKind,
    HeaderInput,
    HeaderMap,
    ResponseHeaders,
    header_map,
    parse_content_type,
    parse_response_headers,
)
from dait_chain.spurc.payload import (
    JsonValue,
    canonical_output,
    check_body_is_canonical_json,
    request_hash_of_body,
)
from dait_chain.spurc.signing import (
    check_receipt_signature,
    check_state_host_signature,
)
from dait_chain.spurc.sse import assemble_stream
from dait_chain.spurc.values import UINT64_MAX, ChannelState, Receipt


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the check order, as reports name it."""

    key: str
    section: str
    text: str


RULES: tuple[Rule, ...] = (
    Rule("framing", "§1-§2", "Content-Type is JSON or SSE; a stream is whole and canonical"),
    Rule("headers", "§2, §8", "X-DAIT-Version is 1; headers present and well-formed"),
    Rule("decode", "§7.1", "X-DAIT-Receipt decodes as a canonical Receipt"),
    Rule("channel", "§7.2", "channel_id is the open channel's; echoed headers agree"),
    Rule("call_seq", "§7.3", "call_seq is exactly last_seen + 1"),
    Rule("sig_host", "§7.4", "sig_host verifies against tee_pubkey"),
    Rule("quote", "§7.5", "quote chains to a trusted root, binds tee_pubkey, attests the model"),
    Rule("request_hash", "§7.6", "request_hash recomputed from the request sent"),
    Rule("response_hash", "§7.7", "response_hash recomputed from the body received"),
    Rule("update", "§7.8", "deadline, max_calls, rate card, escrow; state n computed"),
    Rule("host_state", "§7.8", "host's provisional state n equals ours and is host-signed"),
)


@dataclass(frozen=True, slots=True)
class TenantView:
    """What the tenant knows beyond the ChannelState, as explicit inputs of the check.

    * `terms`: the agreed model hash and rate card (channel.ChannelTerms).
    * `frontier`: the receipts merkle frontier of the state being extended (size =
      call_count, root = receipts_merkle_root), so the new root costs O(log n).
    * `policy`, `registry`: the trust policy and quote verifiers of §7 step 5.
    * `quote_cache`: an optional memo of quote verdicts; it changes cost, never verdicts
      (attestation.QuoteCache), and takes no part in the view's equality.
    """

    terms: ChannelTerms
    frontier: Frontier
    policy: TrustPolicy
    registry: VerifierRegistry
    quote_cache: QuoteCache | None = field(default=None, compare=False)

    def with_frontier(self, frontier: Frontier) -> TenantView:
        """The view for the next state."""
        return TenantView(self.terms, frontier, self.policy, self.registry, self.quote_cache)


@dataclass(frozen=True, slots=True)
class Verified:
    """A receipt that passed every check, with the state it produces.

    `state` is state n as the host signed it: sig_host present, sig_user empty
    (provisional until the tenant cosigns, cosign.py). `frontier` is its merkle frontier.
    """

    receipt: Receipt
    state: ChannelState
    frontier: Frontier
    headers: ResponseHeaders
    report: AttestedReport


# --- step 0: the caller's view ---------------------------------------------------------------


def check_view_matches_state(view: TenantView, state: ChannelState) -> None:
    """The view's merkle frontier is the one of `state` (size and root)."""
    _state_tree(view, state)


def _state_tree(view: TenantView, state: ChannelState) -> MerkleAccumulator:
    """check_view_matches_state, returning the receipts tree it restored from the view's
    frontier: the update (step 10) appends receipt n to it rather than restoring it again."""
    try:
        tree = view.frontier.accumulator()
        root = view.frontier.root()  # computed once per frontier (channel.Frontier)
    except CryptoError as exc:
        raise ErrTenantViewInconsistent(exc.log) from exc
    if view.frontier.size != state.call_count or root != state.receipts_merkle_root:
        raise ErrTenantViewInconsistent(
            f"frontier of {view.frontier.size} leaves, state has call_count {state.call_count}"
        )
    return tree


# --- steps 1-2: framing and headers ----------------------------------------------------------


_CONTENT_KINDS = {k.value: k for k in ContentKind}
_L_CONTENT_TYPE = H_CONTENT_TYPE.lower()


@slot_init
@dataclass(frozen=True, slots=True)
class Framed:
    """A response split into its authoritative headers and its model-output bytes."""

    kind: ContentKind
    headers: HeaderMap
    body: bytes  # the JSON body, or the raw stream
    stream_output: JsonValue  # the assembled output of a stream; None for JSON bodies


def frame_response(headers: HeaderInput, body: bytes) -> Framed:
    """§1-§2: pick the authoritative headers: the HTTP head for JSON, the final frame of a
    stream (only the last is authoritative)."""
    head = header_map(headers)
    # The usual Content-Type is exactly a media type: one lookup; parse_content_type
    # handles the rest (missing, case, parameters) and names the error.
    kind = _CONTENT_KINDS.get(head.index.get(_L_CONTENT_TYPE, ""))
    if kind is None:
        kind = parse_content_type(head)
    if kind is ContentKind.JSON:
        return Framed(kind, head, body, None)
    stream = assemble_stream(body)
    final = header_map(stream.headers)
    if final.get(H_CONTENT_TYPE) is not None and parse_content_type(final) is not kind:
        raise ErrHeaderMalformed("the final frame's Content-Type is not text/event-stream")
    return Framed(kind, final, body, stream.model_output())


# --- steps 3-5 -------------------------------------------------------------------------------


def decode_receipt(data: bytes) -> Receipt:
    """§7.1: parse X-DAIT-Receipt, decode the strict protobuf."""
    try:
        return Receipt.decode(data)
    except CodecError as exc:
        raise ErrReceiptDecode(exc.log) from exc


def check_channel_id_matches(
    header_channel_id: bytes, receipt: Receipt, state: ChannelState
) -> None:
    """§7.2: the receipt's channel_id, and the X-DAIT-Channel-Id header, are the open channel's."""
    if receipt.channel_id != state.channel_id:
        raise ErrChannelIdMismatch(f"receipt {receipt.channel_id.hex()}")
    if header_channel_id != state.channel_id:
        raise ErrChannelIdMismatch(f"header {header_channel_id.hex()}")


def check_optional_headers_agree(
    parsed: ResponseHeaders, receipt: Receipt, state: ChannelState
) -> None:
    """Optional headers echo the receipt and channel (seed 002 §2); a disagreeing echo is
    refused, since a log reader would be misled by it."""
    if parsed.call_seq is not None and parsed.call_seq != receipt.call_seq:
        raise ErrHeaderMismatch(f"X-DAIT-Call-Seq {parsed.call_seq} != {receipt.call_seq}")
    if parsed.model_id is not None and parsed.model_id != state.model_id:
        raise ErrHeaderMismatch(f"X-DAIT-Model-Id {parsed.model_id!r} != {state.model_id!r}")


def check_call_seq_is_next(receipt: Receipt, last_seen: int) -> None:
    """§7.3: call_seq is exactly last_seen + 1; an earlier one is a replay."""
    if receipt.call_seq <= last_seen:
        raise ErrCallSeqReplay(f"call_seq {receipt.call_seq}, last seen {last_seen}")
    if receipt.call_seq != last_seen + 1:
        raise ErrCallSeqNotNext(f"call_seq {receipt.call_seq}, want {last_seen + 1}")


# --- step 7 ----------------------------------------------------------------------------------


def check_quote(receipt: Receipt, parsed: ResponseHeaders, view: TenantView) -> AttestedReport:
    """§7.5: the quote chains to a trusted root and its report data is sha256(tee_pubkey);
    then (decisions.md) its measurement is the receipt's model_hash, and that is the
    channel's agreed model."""
    if view.quote_cache is not None:
        report = view.quote_cache.verify(receipt.tee_quote, view.policy, view.registry)
    else:
        report = verify_quote(receipt.tee_quote, view.policy, view.registry)
    if parsed.quote_type is not None and parsed.quote_type is not report.quote_type:
        raise ErrHeaderMismatch(
            f"X-DAIT-Tee-Quote-Type {parsed.quote_type.value} != {report.quote_type.value}"
        )
    check_report_data_binds_key(report, receipt.tee_pubkey)
    check_measurement_vouches_for_model(report, receipt.model_hash)
    check_model_is_agreed(receipt, view.terms)
    return report


def check_model_is_agreed(receipt: Receipt, terms: ChannelTerms) -> None:
    """The receipt's model_hash is the weights hash agreed for the channel's model_id."""
    if receipt.model_hash != terms.model_hash:
        raise ErrModelHashNotAgreed(
            f"model_hash {receipt.model_hash.hex()} != agreed {terms.model_hash.hex()}"
        )


# --- steps 8-9 -------------------------------------------------------------------------------


def check_request_hash(receipt: Receipt, request_bytes: bytes) -> None:
    """§7.6: request_hash = sha256(JCS({"prompt", "params", "nonce"})) of the request sent."""
    want = request_hash_of_body(request_bytes)
    if receipt.request_hash != want:
        raise ErrRequestHashMismatch(f"receipt {receipt.request_hash.hex()}, want {want.hex()}")


def output_bytes(framed: Framed) -> bytes:
    """JCS(model_output) of the response: the canonical JSON body, or the assembled stream."""
    if framed.kind is ContentKind.JSON:
        check_body_is_canonical_json(framed.body)
        return framed.body
    return canonical_output(framed.stream_output)


def check_response_hash(receipt: Receipt, framed: Framed) -> None:
    """§7.7: response_hash = sha256(JCS(model_output)) of the body received."""
    want = sha256(output_bytes(framed))
    if receipt.response_hash != want:
        raise ErrResponseHashMismatch(f"receipt {receipt.response_hash.hex()}, want {want.hex()}")


# --- step 10: the update's preconditions --------------------------------------------------------


def check_before_deadline(receipt: Receipt, state: ChannelState, now_ms: int) -> None:
    """decisions.md: refuse a receipt arriving at or after the deadline (half-open window:
    the channel serves while time < deadline), by the tenant's clock or the receipt's own
    timestamp."""
    if now_ms >= state.deadline:
        raise ErrPastDeadline(f"now {now_ms} >= deadline {state.deadline}")
    if receipt.timestamp >= state.deadline:
        raise ErrPastDeadline(f"timestamp {receipt.timestamp} >= deadline {state.deadline}")


def check_within_max_calls(state: ChannelState) -> None:
    """decisions.md: call_count + 1 <= max_calls."""
    if state.call_count + 1 > state.max_calls:
        raise ErrMaxCallsExceeded(f"call {state.call_count + 1} of max {state.max_calls}")


def check_price_follows_rate_card(receipt: Receipt, terms: ChannelTerms) -> None:
    """price_uDAIT is the agreed rate card's price of (tokens_in, tokens_out)."""
    want = terms.rate_card.price(receipt.tokens_in, receipt.tokens_out)
    if receipt.price_uDAIT != want:
        raise ErrPriceMismatch(
            f"price {receipt.price_uDAIT} for {receipt.tokens_in}/{receipt.tokens_out} tokens,"
            f" rate card says {want}"
        )


def check_within_escrow(receipt: Receipt, state: ChannelState) -> None:
    """decisions.md: spent_amount + price_uDAIT <= escrow_amount."""
    total = state.spent_amount + receipt.price_uDAIT
    if total > state.escrow_amount:
        raise ErrEscrowOverspent(f"spent would be {total}, escrow {state.escrow_amount}")


def check_counters_fit(state: ChannelState) -> None:
    """turn_num + 1 fits uint64 (call_count and spent are bounded by max_calls and escrow)."""
    if state.turn_num + 1 > UINT64_MAX:
        raise ErrCounterOverflow(f"turn_num {state.turn_num}")


# Every ChannelState field but the two signatures, as one tuple (a cheap comparison).
_state_body = operator.attrgetter(*UPDATED_FIELD_NAMES)


# --- step 11 ----------------------------------------------------------------------------------


def decode_state(data: bytes) -> ChannelState:
    """Parse X-DAIT-State: the strict protobuf of a ChannelState."""
    try:
        return ChannelState.decode(data)
    except CodecError as exc:
        raise ErrStateDecode(exc.log) from exc


def check_host_state_is_update(host_state: ChannelState, want: tuple[object, ...]) -> None:
    """decisions.md SPUR-IC: the host's provisional state n equals the tenant's
    recomputation (both signature fields aside: the host signs, the user has not yet).
    `want`: the fields of state n as channel.updated_fields gives them, so the tenant's
    copy of state n is never built."""
    got = _state_body(host_state)
    if got != want:
        differing = [
            name for name, g, w in zip(UPDATED_FIELD_NAMES, got, want, strict=True) if g != w
        ]
        raise ErrHostStateMismatch(f"fields {differing} differ at turn {want[-1]}")
    if host_state.sig_user:
        raise ErrHostStateMismatch("a provisional state carries no sig_user")


# --- the whole check ----------------------------------------------------------------------------


def check_response(
    headers: HeaderInput,
    request_bytes: bytes,
    response_bytes: bytes,
    channel_state: ChannelState,
    view: TenantView,
    *,
    now_ms: int,
    trace: list[str] | None = None,
) -> Verified:
    """Run every check in order; return the verified receipt and state n, or raise the
    error of the first failing rule (module docstring). `trace`, if given, receives the
    key of each rule (RULES) as it passes."""
    passed = trace.append if trace is not None else _ignore
    receipt, host_state, tree, parsed, report = _checks(
        headers, request_bytes, response_bytes, channel_state, view, now_ms, passed
    )
    # The host's state n passed rule 11: its root is the root of `tree`, extended.
    frontier = Frontier.of(tree, host_state.receipts_merkle_root)
    return Verified(receipt, host_state, frontier, parsed, report)


def _checks(
    headers: HeaderInput,
    request_bytes: bytes,
    response_bytes: bytes,
    channel_state: ChannelState,
    view: TenantView,
    now_ms: int,
    passed: Callable[[str], None],
) -> tuple[Receipt, ChannelState, MerkleAccumulator, ResponseHeaders, AttestedReport]:
    """check_response's checks, returning the parts of Verified (verify_receipt needs
    only the state, and builds nothing else).

    Rules are reported in their order, but the signature rules are evaluated last
    (specs/spurc.md §7, "Evaluation order"): rules 8 to 11 but the state's signature
    first, keeping their first error, then the quote and sig_host (rules 7, 6), then the
    state's signature; the kept error is raised only if rules 6 and 7 pass. So the
    verifications run back to back after all the parsing, and the error is that of the
    first failing rule, as if checked in order.
    """
    tree = _state_tree(view, channel_state)  # check_view_matches_state
    framed = frame_response(headers, response_bytes)
    passed("framing")
    parsed = parse_response_headers(framed.headers)
    passed("headers")
    receipt = decode_receipt(parsed.receipt)
    passed("decode")
    check_channel_id_matches(parsed.channel_id, receipt, channel_state)
    check_optional_headers_agree(parsed, receipt, channel_state)
    passed("channel")
    check_call_seq_is_next(receipt, channel_state.call_count)
    passed("call_seq")
    later: list[str] = []  # rules 8-10 passed, reported once rules 6 and 7 have passed
    host_state = _unsigned_rules(
        receipt, parsed, framed, request_bytes, channel_state, view, tree, now_ms, later.append
    )
    report = _signature_rules(receipt, parsed, view, passed)
    for key in later:
        passed(key)
    if isinstance(host_state, SpurcError):
        raise host_state
    check_state_host_signature(host_state, parsed.state)
    passed("host_state")
    return receipt, host_state, tree, parsed, report


def _unsigned_rules(
    receipt: Receipt,
    parsed: ResponseHeaders,
    framed: Framed,
    request_bytes: bytes,
    channel_state: ChannelState,
    view: TenantView,
    tree: MerkleAccumulator,
    now_ms: int,
    passed: Callable[[str], None],
) -> ChannelState | SpurcError:
    """Rules 8 to 11 but the state's signature: the host's state n, or the first error
    (returned, for _checks to raise after rules 6 and 7)."""
    try:
        check_request_hash(receipt, request_bytes)
        passed("request_hash")
        check_response_hash(receipt, framed)
        passed("response_hash")
        check_before_deadline(receipt, channel_state, now_ms)
        check_within_max_calls(channel_state)
        check_price_follows_rate_card(receipt, view.terms)
        check_within_escrow(receipt, channel_state)
        check_counters_fit(channel_state)
        # State n (channel.apply_receipt), as its fields: the host's decoded state n is
        # the value returned, so the tenant's own copy is never built.
        root = append_receipt(tree, receipt, parsed.receipt)
        state_n = updated_fields(channel_state, receipt, root)
        passed("update")
        host_state = decode_state(parsed.state)
        check_host_state_is_update(host_state, state_n)
    except SpurcError as exc:
        return exc
    return host_state


def _signature_rules(
    receipt: Receipt, parsed: ResponseHeaders, view: TenantView, passed: Callable[[str], None]
) -> AttestedReport:
    """Rules 6 (sig_host) and 7 (quote), reported in that order. The quote is evaluated
    first, so that its parsing precedes the verifications (its own, then sig_host's)."""
    try:
        report: AttestedReport | SpurcError = check_quote(receipt, parsed, view)
    except SpurcError as exc:
        report = exc
    check_receipt_signature(receipt, parsed.receipt)
    passed("sig_host")
    if isinstance(report, SpurcError):
        raise report
    passed("quote")
    return report


def _ignore(_key: str) -> None:
    return None


def verify_receipt_or_raise(
    headers: HeaderInput,
    request_bytes: bytes,
    response_bytes: bytes,
    channel_state: ChannelState,
    view: TenantView,
    *,
    now_ms: int,
) -> ChannelState:
    """Seed 002 §9, raising: the updated state n (provisional: sig_host set, sig_user
    empty) or the SpurcError of the first failing rule."""
    return _checks(headers, request_bytes, response_bytes, channel_state, view, now_ms, _ignore)[1]


def verify_receipt(
    headers: HeaderInput,
    request_bytes: bytes,
    response_bytes: bytes,
    channel_state: ChannelState,
    view: TenantView,
    *,
    now_ms: int,
) -> ChannelState | SpurcError:
    """Seed 002 §9: "returns either an updated ChannelState or a typed error"."""
    try:
        return verify_receipt_or_raise(
            headers, request_bytes, response_bytes, channel_state, view, now_ms=now_ms
        )
    except SpurcError as exc:
        return exc
