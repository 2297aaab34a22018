"""spurc vectors: the tenant's verify_receipt, the host's state checks, cosigning.

specs/vectors.md "spurc". Seed 002 §9: "verifyReceipt(headers, requestBytes, responseBytes,
channelState) ... returns either an updated ChannelState or a typed error." Handlers:

- `spurc/verify_receipt`: one case per outcome (valid JSON and SSE responses, and each
  typed error of the check order), plus seeded honest calls. Inputs: `headers.json` (the
  HTTP head as [name, value] pairs), `request.bin` (the request body the tenant sent),
  `response.bin` (the response body), `channel_state.json` (state n-1 in SPUR-IC's
  diagnostic JSON: seed field names, hex bytes, decimal strings) and `view.json` (what
  the Python API takes beyond the seed's four arguments: agreed model hash and rate card,
  the receipts merkle frontier of state n-1, the trust policy, the quote types with a
  verifier, and the tenant's clock). Output `result.json`: {"state", "frontier"} (state n,
  provisional: sig_host set, sig_user empty) or {"error"}.
- `spurc/host_check_state`: the host's check of the state a request carries.
- `spurc/presentable`: whether a state may be presented on chain.
- `spurc/cosign`: the tenant's counter-signature.
- `spurc/open_state`: the turn-0 state.
- `spurc/session`: a tenant session transcript: responses in order, each accepted
  (cosigned state) or refused; after a fault the session refuses everything.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dait_chain.codec.jcs import canonicalize
from dait_chain.crypto.hashing import sha256
from dait_chain.errors import DaitError
from dait_chain.spurc.attestation import (
    Quote,
    SimVendor,
    TrustPolicy,
    VerifierRegistry,
    verify_sim_quote,
)
from dait_chain.spurc.channel import (
    ChannelTerms,
    Frontier,
    RateCard,
    apply_receipt,
    make_open_state,
)
from dait_chain.spurc.cosign import HostView, check_presentable, check_tenant_state, cosign
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.headers import ContentKind, QuoteType, SettleHint, build_response_headers
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.model import run_sim_model, sim_model_hash
from dait_chain.spurc.payload import InferRequest, canonical_output, request_hash
from dait_chain.spurc.session import TenantSession
from dait_chain.spurc.signing import sign_receipt, sign_state_as_host
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state, sim_policy
from dait_chain.spurc.sse import delta_event, headers_event, render_stream
from dait_chain.spurc.values import ChannelState, Receipt, diagnostic_json, from_diagnostic_json
from dait_chain.spurc.verify import TenantView, check_response
from dait_chain.vectors.case import CaseSpec, Handler, Outcome
from dait_chain.vectors.errors import ErrVectorFile
from dait_chain.vectors.files import (
    JsonObject,
    error_result,
    field,
    int_text,
    json_bytes,
    need,
    parse_hex,
    read_json,
    read_object,
)

SPEC = "specs/spurc.md"
T0 = 1_800_000_000_000
DEADLINE = T0 + 1_000_000_000
SEEDS = (1, 2, 3, 4, 5)
SEED_002_S7 = (
    "For every inbound response a tenant MUST: Parse X-DAIT-Receipt, decode protobuf. "
    "Reject if channel_id does not match the open channel. Reject if call_seq is not "
    "exactly last_seen + 1. Verify sig_host against tee_pubkey. Verify the TEE quote "
    "chains to a root the tenant trusts AND that the quote's report-data field hashes to "
    "tee_pubkey. Recompute request_hash ...; reject on mismatch. Recompute response_hash "
    "...; reject on mismatch. Update local ChannelState ... (seed 002 §7)"
)


# ---- the simulated channel ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """One response as the wire carries it, with the state it was made from."""

    headers: tuple[tuple[str, str], ...]
    request: bytes
    response: bytes
    base: ChannelState
    frontier: Frontier
    now_ms: int


class World:
    """A channel between the simulated user and host, advanced by honest calls."""

    def __init__(
        self,
        *,
        max_calls: int = 1000,
        escrow: int = 5_000_000,
        deadline: int = DEADLINE,
        rate_card: RateCard | None = None,
    ) -> None:
        self.identity: HostIdentity = (
            sim_host_identity("host")
            if rate_card is None
            else sim_host_identity("host", rate_card=rate_card)
        )
        self.user_key = account_privkey("user")
        self.state = sim_open_state(
            self.identity, max_calls=max_calls, deadline=deadline, escrow_amount=escrow
        )
        self.open_state = self.state
        self.frontier = Frontier.empty()

    def request(self, i: int) -> InferRequest:
        """The tenant's request i (as the reference tenant's tests phrase them)."""
        return InferRequest(f"prompt number {i}", {"max_tokens": 6}, f"nonce-{i}")

    def receipt(
        self, request: InferRequest, text: str, tokens: tuple[int, int], now: int
    ) -> Receipt:
        """Receipt n on the current state, priced by the rate card, signed by the TEE key."""
        tokens_in, tokens_out = tokens
        unsigned = Receipt(
            channel_id=self.state.channel_id,
            call_seq=self.state.call_count + 1,
            request_hash=request_hash(request),
            response_hash=sha256(canonical_output({"text": text})),
            model_hash=self.identity.terms.model_hash,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            price_uDAIT=self.identity.terms.rate_card.price(tokens_in, tokens_out),
            tee_quote=self.identity.quote,
            tee_pubkey=self.identity.tee_pubkey,
            timestamp=now,
        )
        return sign_receipt(unsigned, self.identity.tee_privkey)

    def host_state(self, receipt: Receipt) -> ChannelState:
        """Provisional state n for receipt n, host-signed."""
        state, _ = apply_receipt(self.state, receipt, self.frontier)
        return sign_state_as_host(state, self.identity.account_privkey)

    def honest(self, i: int, *, stream: bool = False) -> tuple[Call, Receipt, ChannelState, str]:
        """The honest response to request i on the current state."""
        request = self.request(i)
        output = run_sim_model(self.identity.model_id, request)
        now = T0 + 1000 * i
        receipt = self.receipt(request, output.text, (output.tokens_in, output.tokens_out), now)
        state = self.host_state(receipt)
        call = self.respond(request.encode(), receipt, state, output.pieces, stream=stream, now=now)
        return call, receipt, state, output.text

    def respond(
        self,
        request: bytes,
        receipt: Receipt,
        state: ChannelState,
        pieces: tuple[str, ...],
        *,
        stream: bool = False,
        now: int,
        edit_headers: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None,
        receipt_bytes: bytes | None = None,
        state_bytes: bytes | None = None,
    ) -> Call:
        """Frame a response as the reference host does (headers, JSON body or SSE)."""
        kind = ContentKind.SSE if stream else ContentKind.JSON
        hs = list(
            build_response_headers(
                channel_id=self.state.channel_id,
                receipt=receipt.encode() if receipt_bytes is None else receipt_bytes,
                state=state.encode() if state_bytes is None else state_bytes,
                content_kind=kind,
                quote_type=self.identity.quote_type,
                model_id=self.state.model_id,
                call_seq=receipt.call_seq,
                settle_hint=SettleHint.COOPERATIVE,
            )
        )
        if edit_headers is not None:
            hs = edit_headers(hs)
        if stream:
            frames = (*(delta_event(p) for p in pieces), headers_event(tuple(hs), final=True))
            body = render_stream(frames)
            head: tuple[tuple[str, str], ...] = (("Content-Type", ContentKind.SSE.value),)
        else:
            body = canonical_output({"text": "".join(pieces)})
            head = tuple(hs)
        return Call(head, request, body, self.state, self.frontier, now + 500)

    def advance(self, call_receipt: Receipt, provisional: ChannelState) -> None:
        """The tenant accepted: cosigned state n becomes the current state."""
        _, self.frontier = apply_receipt(self.state, call_receipt, self.frontier)
        self.state = cosign(provisional, self.user_key)

    def two_calls_in(self) -> World:
        for i in (1, 2):
            _, receipt, state, _ = self.honest(i)
            self.advance(receipt, state)
        return self


def set_header(
    name: str, value: str | None
) -> Callable[[list[tuple[str, str]]], list[tuple[str, str]]]:
    """A header edit: replace name's value (at the end), or drop it (None)."""

    def edit(hs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in hs if k.lower() != name.lower()]
        return kept if value is None else [*kept, (name, value)]

    return edit


# ---- the view and its JSON form -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ViewSpec:
    """What the tenant knows beyond the state (JSON form of verify.TenantView + clock)."""

    terms: ChannelTerms
    frontier: Frontier
    trusted_roots: tuple[bytes, ...]
    revoked_keys: tuple[bytes, ...] = ()
    quote_types: tuple[str, ...] = tuple(sorted(q.value for q in QuoteType))
    verifiers: tuple[str, ...] = tuple(sorted(q.value for q in QuoteType))
    now_ms: int = T0

    def to_json(self) -> JsonObject:
        card = self.terms.rate_card
        return {
            "model_hash": self.terms.model_hash.hex(),
            "rate_card": {
                "per_call_uDAIT": str(card.per_call_uDAIT),
                "per_token_in_uDAIT": str(card.per_token_in_uDAIT),
                "per_token_out_uDAIT": str(card.per_token_out_uDAIT),
            },
            "frontier": {
                "size": self.frontier.size,
                "nodes": [n.hex() for n in self.frontier.nodes],
            },
            "trusted_roots": [r.hex() for r in self.trusted_roots],
            "revoked_keys": [k.hex() for k in self.revoked_keys],
            "quote_types": list(self.quote_types),
            "verifiers": list(self.verifiers),
            "now_ms": str(self.now_ms),
        }


def _quote_types(obj: JsonObject, key: str) -> list[QuoteType]:
    out = []
    for value in field(obj, key, list, "view.json"):
        try:
            out.append(QuoteType(value))
        except ValueError:
            raise ErrVectorFile(f"view.json.{key}: unknown quote type {value!r}") from None
    return out


def _hex_list(obj: JsonObject, key: str, what: str) -> list[bytes]:
    return [parse_hex(v, f"{what}.{key}") for v in field(obj, key, list, what)]


def read_frontier(obj: object, what: str) -> Frontier:
    if not isinstance(obj, dict):
        raise ErrVectorFile(f"{what}: expected an object")
    size = field(obj, "size", int, what)
    return Frontier(size, tuple(_hex_list(obj, "nodes", what)))


def read_view(obj: JsonObject) -> tuple[TenantView, int]:
    """The TenantView and the clock of a view.json object."""
    card = field(obj, "rate_card", dict, "view.json")
    rate = RateCard(
        *(
            int_text(field(card, k, str, "view.json.rate_card"), k)
            for k in ("per_call_uDAIT", "per_token_in_uDAIT", "per_token_out_uDAIT")
        )
    )
    terms = ChannelTerms(parse_hex(field(obj, "model_hash", str, "view.json"), "model_hash"), rate)
    policy = TrustPolicy.of(
        _hex_list(obj, "trusted_roots", "view.json"),
        _hex_list(obj, "revoked_keys", "view.json"),
        _quote_types(obj, "quote_types"),
    )
    registry = VerifierRegistry(
        tuple((q, verify_sim_quote) for q in sorted(_quote_types(obj, "verifiers")))
    )
    frontier = read_frontier(field(obj, "frontier", dict, "view.json"), "view.json.frontier")
    now = int_text(field(obj, "now_ms", str, "view.json"), "now_ms")
    return TenantView(terms, frontier, policy, registry), now


def state_json(state: ChannelState) -> JsonObject:
    """A ChannelState in SPUR-IC's diagnostic JSON (seed names, hex, decimal strings)."""
    return dict(diagnostic_json(state))


def read_state(value: object, what: str) -> ChannelState:
    try:
        return from_diagnostic_json(ChannelState, value)
    except DaitError as exc:
        raise ErrVectorFile(f"{what}: {exc.log}") from None


def frontier_json(frontier: Frontier) -> JsonObject:
    return {"size": frontier.size, "nodes": [n.hex() for n in frontier.nodes]}


def read_headers(files: Mapping[str, bytes]) -> list[tuple[str, str]]:
    value = read_json(files, "headers.json")
    if not isinstance(value, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, str) for x in p) for p in value
    ):
        raise ErrVectorFile("headers.json: expected a list of [name, value] strings")
    return [(p[0], p[1]) for p in value]


# ---- spurc/verify_receipt -------------------------------------------------------------------


def run_verify(inputs: Mapping[str, bytes]) -> Outcome:
    """verify_receipt(headers, request, response, channel_state, view) -> state n or error."""
    headers = read_headers(inputs)
    state = read_state(read_json(inputs, "channel_state.json"), "channel_state.json")
    view, now = read_view(read_object(inputs, "view.json"))
    try:
        verified = check_response(
            headers,
            need(inputs, "request.bin"),
            need(inputs, "response.bin"),
            state,
            view,
            now_ms=now,
        )
        result: JsonObject = {
            "state": state_json(verified.state),
            "frontier": frontier_json(verified.frontier),
        }
    except SpurcError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def _verify_spec(
    name: str,
    suite: str,
    what: str,
    call: Call,
    view: ViewSpec,
    *,
    state: ChannelState | None = None,
    rule: str = SEED_002_S7,
    source: str = f'{SPEC} "Check order"',
) -> CaseSpec:
    return CaseSpec(
        suite=suite,
        name=name,
        description=what,
        rule=rule,
        source=source,
        inputs={
            "headers.json": json_bytes([list(p) for p in call.headers]),
            "request.bin": call.request,
            "response.bin": call.response,
            "channel_state.json": json_bytes(state_json(call.base if state is None else state)),
            "view.json": json_bytes(view.to_json()),
        },
    )


def _view(world: World, call: Call, **changes: Any) -> ViewSpec:
    base = ViewSpec(
        world.identity.terms, call.frontier, sim_policy().trusted_roots, now_ms=call.now_ms
    )
    return replace(base, **changes)


def _forged(
    world: World,
    i: int,
    edit: Callable[[Receipt], Receipt],
    *,
    resign: bool = True,
    text: str | None = None,
    **respond: Any,
) -> Call:
    """Call i with its receipt edited (re-signed unless resign=False) and state n recomputed."""
    request = world.request(i)
    output = run_sim_model(world.identity.model_id, request)
    now = T0 + 1000 * i
    receipt = edit(world.receipt(request, output.text, (output.tokens_in, output.tokens_out), now))
    if resign:
        receipt = sign_receipt(replace(receipt, sig_host=b""), world.identity.tee_privkey)
    state = world.host_state(receipt)
    pieces = (text,) if text is not None else output.pieces
    return world.respond(request.encode(), receipt, state, pieces, now=now, **respond)


def _quote(
    quote_type: QuoteType, model: bytes, key: bytes, *, vendor: SimVendor | None = None
) -> bytes:
    from dait_chain.spurc.simworld import sim_vendor

    ak = (vendor or sim_vendor()).attestation_key(b"dait-sim/spurc/ak/host")
    return ak.quote(quote_type, model, key)


def verify_cases() -> Iterator[CaseSpec]:
    """Valid responses, then one case per typed error in check order."""
    src = f'{SPEC} "Check order"'
    # valid
    w = World()
    call, _, _, _ = w.honest(1)
    yield _verify_spec(
        "first_call",
        "valid",
        "call 1 on the opening state (turn 0, empty tree)",
        call,
        _view(w, call),
    )
    w = World().two_calls_in()
    call, _, _, _ = w.honest(3)
    yield _verify_spec(
        "json_body", "valid", "call 3 on cosigned state 2, JSON body", call, _view(w, call)
    )
    call, _, _, _ = w.honest(3, stream=True)
    yield _verify_spec(
        "sse_stream",
        "valid",
        "call 3 streamed: delta frames and the final dait-final frame",
        call,
        _view(w, call),
    )
    w3 = World().two_calls_in()
    honest, receipt3, state3, text3 = w3.honest(3)

    def refused(name: str, what: str, call: Call, **view: Any) -> CaseSpec:
        return _verify_spec(name, "refused", what, call, _view(w3, call, **view))

    def edited_call(**kw: Any) -> Call:
        return w3.respond(honest.request, receipt3, state3, (text3,), now=T0 + 3000, **kw)

    # framing and headers (seed 002 §1, §2, §8)
    yield refused(
        "header_missing",
        "X-DAIT-Receipt absent",
        edited_call(edit_headers=set_header("X-DAIT-Receipt", None)),
    )
    yield refused(
        "header_malformed_channel_id",
        "X-DAIT-Channel-Id in upper case",
        edited_call(
            edit_headers=lambda hs: [
                (k, v.upper() if k == "X-DAIT-Channel-Id" else v) for k, v in hs
            ]
        ),
    )
    yield refused(
        "header_duplicated",
        "X-DAIT-State twice",
        edited_call(edit_headers=lambda hs: [*hs, ("x-dait-state", dict(hs)["X-DAIT-State"])]),
    )
    yield refused(
        "content_type_unknown",
        "Content-Type text/plain",
        edited_call(edit_headers=set_header("Content-Type", "text/plain")),
    )
    yield refused(
        "bad_base64url",
        "X-DAIT-Receipt with '=' padding",
        edited_call(
            edit_headers=lambda hs: [(k, v + "=" if k == "X-DAIT-Receipt" else v) for k, v in hs]
        ),
    )
    yield refused(
        "unsupported_version",
        "X-DAIT-Version 2",
        edited_call(edit_headers=set_header("X-DAIT-Version", "2")),
    )
    stream_call = w3.respond(honest.request, receipt3, state3, (text3,), now=T0 + 3000, stream=True)
    yield refused(
        "stream_malformed",
        "a delta frame after the final frame",
        replace(stream_call, response=stream_call.response + b'event: delta\ndata: "late"\n\n'),
    )
    yield refused(
        "stream_truncated",
        "the stream cut before its final frame",
        replace(
            stream_call,
            response=stream_call.response[: stream_call.response.index(b"event: dait-final")],
        ),
    )
    # §7.1 decode
    yield refused(
        "receipt_decode",
        "X-DAIT-Receipt bytes with a trailing 0x00",
        edited_call(receipt_bytes=receipt3.encode() + b"\x00"),
    )
    # §7.2 channel
    other = sha256(b"another channel")
    yield refused(
        "channel_id_mismatch_receipt",
        "the receipt names another channel",
        _forged(w3, 3, lambda r: replace(r, channel_id=other)),
    )
    yield refused(
        "channel_id_mismatch_header",
        "X-DAIT-Channel-Id names another channel",
        edited_call(edit_headers=set_header("X-DAIT-Channel-Id", other.hex())),
    )
    yield refused(
        "header_mismatch_call_seq",
        "X-DAIT-Call-Seq 99 for call 3",
        edited_call(edit_headers=set_header("X-DAIT-Call-Seq", "99")),
    )
    yield refused(
        "header_mismatch_model_id",
        "X-DAIT-Model-Id names another model",
        edited_call(edit_headers=set_header("X-DAIT-Model-Id", "llama-3-8b")),
    )
    # §7.3 call_seq
    yield refused(
        "call_seq_replay",
        "call_seq 2 again",
        _forged(
            w3,
            3,
            lambda r: replace(r, call_seq=2),
            edit_headers=set_header("X-DAIT-Call-Seq", None),
        ),
    )
    yield refused(
        "call_seq_not_next",
        "call_seq 4 (3 skipped)",
        _forged(
            w3,
            3,
            lambda r: replace(r, call_seq=4),
            edit_headers=set_header("X-DAIT-Call-Seq", None),
        ),
    )
    # §7.4 sig_host
    yield refused(
        "bad_host_signature",
        "timestamp changed after signing",
        _forged(w3, 3, lambda r: replace(r, timestamp=r.timestamp + 1), resign=False),
    )
    yield refused(
        "empty_host_signature",
        "sig_host empty",
        _forged(w3, 3, lambda r: replace(r, sig_host=b""), resign=False),
    )
    # §7.5 quote
    model = w3.identity.terms.model_hash
    tee = w3.identity.tee_pubkey
    yield refused(
        "quote_malformed",
        "tee_quote is not a Quote",
        _forged(w3, 3, lambda r: replace(r, tee_quote=b"\xff\xff")),
    )
    yield refused(
        "quote_type_unknown",
        "quote type sgx",
        _forged(
            w3,
            3,
            lambda r: replace(r, tee_quote=Quote("sgx", Quote.decode(r.tee_quote).body).encode()),
        ),
    )
    yield refused(
        "quote_type_not_in_policy",
        "the policy accepts only nras-jwt",
        honest,
        quote_types=("nras-jwt",),
    )
    yield refused(
        "quote_type_no_verifier", "no verifier for tdx", honest, verifiers=("nras-jwt", "sev-snp")
    )
    yield refused(
        "quote_type_header_mismatch",
        "X-DAIT-Tee-Quote-Type sev-snp for a tdx quote",
        edited_call(edit_headers=set_header("X-DAIT-Tee-Quote-Type", "sev-snp")),
    )
    rogue = SimVendor.from_seed(b"some other vendor")
    yield refused(
        "quote_untrusted_root",
        "a quote from a vendor root the tenant does not trust",
        _forged(
            w3, 3, lambda r: replace(r, tee_quote=_quote(QuoteType.TDX, model, tee, vendor=rogue))
        ),
    )
    yield refused(
        "quote_root_revoked",
        "the vendor root is revoked by the policy",
        honest,
        revoked_keys=tuple(sim_policy().trusted_roots),
    )
    yield refused(
        "quote_report_data_mismatch",
        "the quote binds another TEE key",
        _forged(
            w3, 3, lambda r: replace(r, tee_quote=_quote(QuoteType.TDX, model, b"\x03" + bytes(32)))
        ),
    )
    yield refused(
        "model_hash_not_attested",
        "model_hash is not the quote's measurement",
        _forged(w3, 3, lambda r: replace(r, model_hash=sim_model_hash("other"))),
    )
    yield refused(
        "model_hash_not_agreed",
        "an attested model other than the agreed one",
        _forged(
            w3,
            3,
            lambda r: replace(
                r,
                model_hash=sim_model_hash("other"),
                tee_quote=_quote(QuoteType.TDX, sim_model_hash("other"), tee),
            ),
        ),
    )
    # §7.6, §7.7
    yield refused(
        "request_malformed",
        "the request sent was {} (not a SPUR-IC request object)",
        replace(honest, request=b"{}"),
    )
    yield refused(
        "request_hash_mismatch",
        "the receipt hashes another request",
        replace(honest, request=w3.request(4).encode()),
    )
    yield refused(
        "response_malformed",
        "the JSON body is not in JCS form",
        replace(honest, response=b'{ "text": ' + canonicalize(text3) + b" }"),
    )
    yield refused(
        "response_hash_mismatch",
        "the body carries another output",
        replace(honest, response=canonical_output({"text": text3 + "!"})),
    )
    # §7.8 update preconditions
    yield refused(
        "past_deadline_clock", "the tenant's clock is at the deadline", honest, now_ms=DEADLINE
    )
    yield refused(
        "past_deadline_timestamp",
        "the receipt's timestamp is at the deadline",
        _forged(w3, 3, lambda r: replace(r, timestamp=DEADLINE)),
    )
    yield refused(
        "price_mismatch",
        "price_uDAIT one above the rate card",
        _forged(w3, 3, lambda r: replace(r, price_uDAIT=r.price_uDAIT + 1)),
    )
    small = World(max_calls=2).two_calls_in()
    yield _verify_spec(
        "max_calls_exceeded",
        "refused",
        "call 3 on a channel of max_calls 2",
        _forged(small, 3, lambda r: r),
        _view(small, _forged(small, 3, lambda r: r)),
        source=src,
    )
    probe = World().two_calls_in()
    _, probe_receipt, _, _ = probe.honest(3)
    poor = World(escrow=probe.state.spent_amount + probe_receipt.price_uDAIT - 1).two_calls_in()
    yield _verify_spec(
        "escrow_overspent",
        "refused",
        "call 3 would spend one uDAIT more than the escrow",
        _forged(poor, 3, lambda r: r),
        _view(poor, _forged(poor, 3, lambda r: r)),
        source=src,
    )
    top = World().two_calls_in()
    top.state = replace(top.state, turn_num=(1 << 64) - 1, sig_user=b"", sig_host=b"")
    top_request = top.request(3)
    top_output = run_sim_model(top.identity.model_id, top_request)
    top_receipt = top.receipt(
        top_request, top_output.text, (top_output.tokens_in, top_output.tokens_out), T0 + 3000
    )
    top_call = top.respond(
        top_request.encode(), top_receipt, top.state, top_output.pieces, now=T0 + 3000
    )
    yield _verify_spec(
        "counter_overflow",
        "refused",
        "turn_num at 2^64 - 1: the next turn overflows",
        top_call,
        _view(top, top_call),
        source=src,
    )
    # host's provisional state (decisions.md SPUR-IC)
    yield refused(
        "state_decode", "X-DAIT-State is not a ChannelState", edited_call(state_bytes=b"\x08")
    )
    wrong = sign_state_as_host(
        replace(state3, spent_amount=state3.spent_amount + 1, sig_host=b""),
        w3.identity.account_privkey,
    )
    yield refused(
        "host_state_mismatch",
        "the host's state n spends one uDAIT more",
        edited_call(state_bytes=wrong.encode()),
    )
    with_user = replace(state3, sig_user=state3.sig_host)
    yield refused(
        "host_state_carries_sig_user",
        "a provisional state n that carries a sig_user",
        edited_call(state_bytes=with_user.encode()),
    )
    yield refused(
        "bad_host_state_signature",
        "state n signed by another key",
        edited_call(state_bytes=_resigned_by(state3, account_privkey("user")).encode()),
    )
    # the caller's precondition
    yield refused(
        "view_inconsistent",
        "a frontier of 1 leaf for a state of call_count 2",
        honest,
        frontier=Frontier(1, honest.frontier.nodes[:1]),
    )
    # seeded honest calls
    for seed in SEEDS:
        rng = random.Random(f"dait-vectors/spurc/{seed}")
        world = World()
        calls = rng.randint(1, 6)
        for i in range(1, calls):
            _, r, s, _ = world.honest(i)
            world.advance(r, s)
        call, _, _, _ = world.honest(calls, stream=rng.random() < 0.5)
        yield _verify_spec(
            f"seed_{seed}", "seeded", f"honest call {calls} (seed {seed})", call, _view(world, call)
        )


def _resigned_by(state: ChannelState, privkey: bytes) -> ChannelState:
    """state with sig_host by another key (the user's): a forged host signature."""
    from dait_chain.crypto.secp256k1 import DOMAIN_STATE, sign_with_domain

    sig = sign_with_domain(privkey, DOMAIN_STATE, state.without_sigs().encode())
    return replace(state, sig_host=sig)


# ---- spurc/host_check_state, presentable, cosign, open_state -------------------------------


def run_host_check(inputs: Mapping[str, bytes]) -> Outcome:
    """check_tenant_state(presented, HostView(latest_cosigned, issued)) -> verdict or error."""
    obj = read_object(inputs, "input.json")
    presented = read_state(field(obj, "presented", dict, "input.json"), "presented")
    latest = read_state(field(obj, "latest_cosigned", dict, "input.json"), "latest_cosigned")
    issued_obj = obj.get("issued")
    issued = None if issued_obj is None else read_state(issued_obj, "issued")
    try:
        result: JsonObject = {
            "verdict": check_tenant_state(presented, HostView(latest, issued)).value
        }
    except SpurcError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def _host_check_spec(
    name: str, what: str, presented: ChannelState, latest: ChannelState, issued: ChannelState | None
) -> CaseSpec:
    return CaseSpec(
        "cases",
        name,
        what,
        "The host returns, with receipt n, its signed provisional state n (empty sig_user); "
        "the tenant recomputes state n itself, requires equality, counter-signs, and ships it "
        "in X-DAIT-State on the next request. (decisions.md SPUR-IC)",
        f'{SPEC} "Cosign protocol"',
        {
            "input.json": json_bytes(
                {
                    "presented": state_json(presented),
                    "latest_cosigned": state_json(latest),
                    "issued": None if issued is None else state_json(issued),
                }
            )
        },
    )


def host_check_cases() -> Iterator[CaseSpec]:
    """Advance, retry, and each refusal of the host's check."""
    w = World().two_calls_in()
    latest = w.state
    _, _, provisional, _ = w.honest(3)
    cosigned = cosign(provisional, w.user_key)
    yield _host_check_spec(
        "advance", "the issued state n, now cosigned", cosigned, latest, provisional
    )
    yield _host_check_spec(
        "retry",
        "exactly the latest cosigned state (the tenant never cosigned n)",
        latest,
        latest,
        provisional,
    )
    yield _host_check_spec(
        "not_cosigned", "the issued state n back without sig_user", provisional, latest, provisional
    )
    forged = replace(
        cosigned, sig_user=_resigned_by(provisional, account_privkey("mallory")).sig_host
    )
    yield _host_check_spec(
        "bad_user_signature", "state n with a sig_user by another key", forged, latest, provisional
    )
    changed = replace(cosigned, spent_amount=cosigned.spent_amount - 1)
    yield _host_check_spec(
        "cosigned_differs", "state n cosigned with one field changed", changed, latest, provisional
    )
    w1 = World()
    _, r1, p1, _ = w1.honest(1)
    w1.advance(r1, p1)
    yield _host_check_spec(
        "stale", "cosigned state 1 when the latest is 2", w1.state, latest, provisional
    )
    yield _host_check_spec(
        "neither",
        "a state of turn 5 that the host never issued",
        replace(latest, turn_num=5),
        latest,
        None,
    )


def run_presentable(inputs: Mapping[str, bytes]) -> Outcome:
    """check_presentable(state) -> {"presentable": true} or error."""
    state = read_state(read_json(inputs, "state.json"), "state.json")
    try:
        check_presentable(state)
        result: JsonObject = {"presentable": True}
    except SpurcError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def presentable_cases() -> Iterator[CaseSpec]:
    """Turn 0, a cosigned state, and the refusals."""
    rule = (
        "A state with sig_user.len === 0 is provisional. The user MUST counter-sign before the "
        "state can be presented in a dispute. (seed 002 §4)"
    )
    w = World().two_calls_in()
    _, _, provisional, _ = w.honest(3)
    cases = [
        ("opening_state", "turn 0 as the chain stored it", w.open_state),
        ("cosigned", "cosigned state 2", w.state),
        ("provisional", "provisional state 3 (no sig_user)", provisional),
        (
            "bad_host_signature",
            "cosigned state 2 with sig_host by the user",
            replace(w.state, sig_host=w.state.sig_user),
        ),
        (
            "bad_user_signature",
            "cosigned state 2 with sig_user by the host",
            replace(w.state, sig_user=w.state.sig_host),
        ),
    ]
    for name, what, state in cases:
        yield CaseSpec(
            "cases",
            name,
            what,
            rule,
            f'{SPEC} "Cosign protocol"',
            {"state.json": json_bytes(state_json(state))},
        )


def run_cosign(inputs: Mapping[str, bytes]) -> Outcome:
    """cosign(provisional, user_privkey) -> the cosigned state or error."""
    obj = read_object(inputs, "input.json")
    state = read_state(field(obj, "state", dict, "input.json"), "state")
    key = parse_hex(field(obj, "user_privkey", str, "input.json"), "user_privkey")
    try:
        result: JsonObject = {"state": state_json(cosign(state, key))}
    except SpurcError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def cosign_cases() -> Iterator[CaseSpec]:
    """The tenant's counter-signature, and its refusals."""
    rule = (
        'User cosign: sig_user = secp256k1.sign(sha256("DAIT-STATE-v1\\x00" || '
        "canonical_state_minus_sigs)) (seed 002 §6)"
    )
    w = World().two_calls_in()
    _, _, provisional, _ = w.honest(3)
    for name, what, state, key in (
        ("provisional", "the user cosigns provisional state 3", provisional, w.user_key),
        ("already_cosigned", "a state that already carries sig_user", w.state, w.user_key),
        (
            "wrong_key",
            "a key that is not the user's address",
            provisional,
            account_privkey("mallory"),
        ),
    ):
        yield CaseSpec(
            "cases",
            name,
            what,
            rule,
            f'{SPEC} "Signatures"',
            {"input.json": json_bytes({"state": state_json(state), "user_privkey": key.hex()})},
        )


def run_open_state(inputs: Mapping[str, bytes]) -> Outcome:
    """make_open_state(fields) -> the turn-0 state, or ErrInvalidOpenState."""
    obj = read_object(inputs, "input.json")
    try:
        state = make_open_state(
            channel_id=parse_hex(field(obj, "channel_id", str, "input.json"), "channel_id"),
            host_addr=field(obj, "host_addr", str, "input.json"),
            user_addr=field(obj, "user_addr", str, "input.json"),
            model_id=field(obj, "model_id", str, "input.json"),
            max_calls=int_text(field(obj, "max_calls", str, "input.json"), "max_calls"),
            deadline=int_text(field(obj, "deadline", str, "input.json"), "deadline"),
            escrow_amount=int_text(field(obj, "escrow_amount", str, "input.json"), "escrow_amount"),
        )
        result: JsonObject = {"state": state_json(state)}
    except SpurcError as exc:
        result = error_result(exc)
    return Outcome({"result.json": json_bytes(result)})


def open_state_cases() -> Iterator[CaseSpec]:
    """A valid turn 0 and the refusals."""
    rule = "turn_num: number; // 0 = initial state at open; ++ each cosign (seed 002 §4)"
    w = World()
    base = {
        k: v
        for k, v in state_json(w.open_state).items()
        if k
        in (
            "channel_id",
            "host_addr",
            "user_addr",
            "model_id",
            "max_calls",
            "deadline",
            "escrow_amount",
        )
    }
    for name, what, changes in (
        ("valid", "the opening state of the simulated channel", {}),
        ("host_is_user", "host and user are the same address", {"host_addr": base["user_addr"]}),
        ("zero_max_calls", "max_calls 0", {"max_calls": "0"}),
        ("bad_address", "user_addr is not an address", {"user_addr": "dait1nope"}),
        ("empty_model", "an empty model_id", {"model_id": ""}),
    ):
        yield CaseSpec(
            "cases",
            name,
            what,
            rule,
            f'{SPEC} "Channel state"',
            {"input.json": json_bytes({**base, **changes})},
        )


# ---- spurc/session ---------------------------------------------------------------------------


def run_session(inputs: Mapping[str, bytes]) -> Outcome:
    """A tenant session over the steps: each prepares its request, accepts the response
    (cosigned state n) or refuses it; a refusal faults the session for good."""
    obj = read_object(inputs, "input.json")
    open_state = read_state(field(obj, "open_state", dict, "input.json"), "open_state")
    view, _ = read_view(field(obj, "view", dict, "input.json"))
    key = parse_hex(field(obj, "user_privkey", str, "input.json"), "user_privkey")
    results: list[JsonObject] = []
    with tempfile.TemporaryDirectory(prefix="dait-vectors-") as tmp:
        session = TenantSession.create(
            Path(tmp) / "tenant.sqlite",
            open_state=open_state,
            terms=view.terms,
            user_privkey=key,
            policy=view.policy,
            registry=view.registry,
        )
        try:
            for i, step in enumerate(field(obj, "steps", list, "input.json")):
                what = f"input.json.steps[{i}]"
                if not isinstance(step, dict):
                    raise ErrVectorFile(f"{what}: expected an object")
                try:
                    prepared = session.prepare(
                        field(step, "prompt", str, what),
                        field(step, "params", dict, what),
                        field(step, "nonce", str, what),
                    )
                    headers = [(p[0], p[1]) for p in field(step, "headers", list, what)]
                    body = parse_hex(field(step, "response", str, what), f"{what}.response")
                    state = session.accept(
                        prepared,
                        headers,
                        body,
                        now_ms=int_text(field(step, "now_ms", str, what), "now_ms"),
                    )
                    results.append({"state": state_json(state)})
                except SpurcError as exc:
                    results.append(error_result(exc))
            evidence = session.dispute_evidence()
        finally:
            session.close()
    return Outcome(
        {"result.json": json_bytes({"steps": results, "dispute_evidence": state_json(evidence)})}
    )


def session_cases() -> Iterator[CaseSpec]:
    """Honest calls, a fault, and the session refusing to go on."""
    rule = (
        "Any failed step is a non-recoverable fault. The tenant SHOULD checkpoint the last "
        "good state, persist the offending receipt, and initiate a dispute via "
        "MsgChallengeChannel. (seed 002 §7)"
    )
    w = World()
    open_state = w.open_state
    steps: list[JsonObject] = []
    for i in (1, 2, 3):
        call, receipt, state, _ = w.honest(i, stream=i == 2)
        request = w.request(i)
        response = call.response if i != 3 else canonical_output({"text": "tampered"})
        steps.append(
            {
                "prompt": request.prompt,
                "params": request.params,
                "nonce": request.nonce,
                "headers": [list(p) for p in call.headers],
                "response": response.hex(),
                "now_ms": str(call.now_ms),
            }
        )
        if i != 3:
            w.advance(receipt, state)
    steps.append(dict(steps[-1]))
    view = _view(w, Call((), b"", b"", open_state, Frontier.empty(), T0))
    yield CaseSpec(
        "transcripts",
        "fault_then_refuse",
        "two honest calls (JSON, SSE), a tampered body, then any further step",
        rule,
        f'{SPEC} "Sessions"',
        {
            "input.json": json_bytes(
                {
                    "open_state": state_json(open_state),
                    "view": replace(view, frontier=Frontier.empty()).to_json(),
                    "user_privkey": w.user_key.hex(),
                    "steps": steps,
                }
            )
        },
    )


HANDLERS = (
    Handler(
        "spurc",
        "verify_receipt",
        "seed 002 §9 verifyReceipt: one case per outcome",
        verify_cases,
        run_verify,
        {
            "headers.json": "[[name, value]] the response head",
            "request.bin": "request body sent",
            "response.bin": "response body received",
            "channel_state.json": "state n-1 (diagnostic JSON)",
            "view.json": "terms, frontier, trust policy, verifiers, now_ms",
            "result.json": "{state, frontier} or {error}",
        },
    ),
    Handler(
        "spurc",
        "host_check_state",
        "the host's check of X-DAIT-State on a request",
        host_check_cases,
        run_host_check,
        {
            "input.json": "{presented, latest_cosigned, issued}",
            "result.json": "{verdict} or {error}",
        },
    ),
    Handler(
        "spurc",
        "presentable",
        "whether a state may be presented on chain",
        presentable_cases,
        run_presentable,
        {"state.json": "a ChannelState", "result.json": "{presentable} or {error}"},
    ),
    Handler(
        "spurc",
        "cosign",
        "the tenant's counter-signature",
        cosign_cases,
        run_cosign,
        {"input.json": "{state, user_privkey}", "result.json": "{state} or {error}"},
    ),
    Handler(
        "spurc",
        "open_state",
        "the turn-0 state",
        open_state_cases,
        run_open_state,
        {"input.json": "the fixed fields", "result.json": "{state} or {error}"},
    ),
    Handler(
        "spurc",
        "session",
        "tenant session transcripts",
        session_cases,
        run_session,
        {
            "input.json": "{open_state, view, user_privkey, steps}",
            "result.json": "{steps, dispute_evidence}",
        },
    ),
)
