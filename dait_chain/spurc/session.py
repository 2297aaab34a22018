"""Tenant and host sessions over durable stores (seed 002 §7; decisions.md SPUR-IC;
specs/spurc.md "Sessions").

TenantSession: prepares each request with its latest cosigned state, checks each response
with verify.check_response, cosigns state n, and commits receipt n with cosigned state n
in one transaction before the signed state can leave the process. A refused response is
persisted with its error and stops the session (seed 002 §7: "Any failed step is a
non-recoverable fault"); the evidence for MsgChallengeChannel stays exportable.

HostSession: checks the state each request carries (cosign.check_tenant_state), runs the
model, issues receipt n with its signed provisional state n, and commits the cosigned
state it received and the one it issued in one transaction before replying.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.secp256k1 import pubkey_from_privkey
from dait_chain.spurc.attestation import QuoteCache, TrustPolicy, VerifierRegistry
from dait_chain.spurc.b64 import b64url_decode
from dait_chain.spurc.channel import ChannelTerms, Frontier, check_open_state
from dait_chain.spurc.cosign import (
    HostView,
    TenantStateVerdict,
    check_presentable,
    check_tenant_state,
    cosign,
)
from dait_chain.spurc.errors import (
    ErrChannelIdMismatch,
    ErrSessionFaulted,
    ErrSignerNotParty,
    ErrStoreCorrupt,
    SpurcError,
)
from dait_chain.spurc.headers import (
    H_RECEIPT,
    ContentKind,
    HeaderInput,
    build_request_headers,
    header_map,
    parse_request_headers,
)
from dait_chain.spurc.host import (
    HostIdentity,
    Issued,
    Reply,
    issue,
    json_reply,
    spurc_headers,
    sse_reply,
)
from dait_chain.spurc.model import run_sim_model
from dait_chain.spurc.payload import InferRequest, JsonValue, parse_request
from dait_chain.spurc.signing import Signer
from dait_chain.spurc.store import Durability, IssuedRow, Role, SessionStore
from dait_chain.spurc.values import ChannelState
from dait_chain.spurc.verify import (
    TenantView,
    Verified,
    check_response,
    decode_state,
    frame_response,
)


def _headers_list(headers: HeaderInput) -> tuple[tuple[str, str], ...]:
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return tuple((str(k), str(v)) for k, v in pairs)


def _offending_receipt(headers: HeaderInput, body: bytes) -> bytes | None:
    """The receipt bytes a refused response carried, if it carried any readable one."""
    try:
        value = frame_response(headers, body).headers.get(H_RECEIPT)
        return None if value is None else b64url_decode(value)
    except SpurcError:
        return None


@dataclass(frozen=True, slots=True)
class PreparedRequest:
    """A request ready to send: its headers (with the latest state) and JCS body."""

    headers: tuple[tuple[str, str], ...]
    body: bytes
    base_turn: int  # the turn of the state it carries


# --- tenant -----------------------------------------------------------------------------------


class TenantSession:
    """The tenant's side of one channel, durable across crashes."""

    def __init__(
        self,
        store: SessionStore,
        user_privkey: bytes,
        policy: TrustPolicy,
        registry: VerifierRegistry,
        quote_cache: QuoteCache | None,
    ) -> None:
        self.store = store
        self._user = Signer.of(user_privkey)
        cp = store.checkpoint()
        self._state = cp.state
        self._view = TenantView(store.terms(), cp.frontier, policy, registry, quote_cache)
        self._faulted = bool(store.offences())

    @staticmethod
    def _check_user_key(state: ChannelState, user_privkey: bytes) -> None:
        if address_from_pubkey(pubkey_from_privkey(user_privkey)) != state.user_addr:
            raise ErrSignerNotParty(f"key is not the user's address {state.user_addr}")

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        open_state: ChannelState,
        terms: ChannelTerms,
        user_privkey: bytes,
        policy: TrustPolicy,
        registry: VerifierRegistry,
        quote_cache: QuoteCache | None = None,
        durability: Durability = Durability.FULL,
    ) -> TenantSession:
        """Start the session of a channel opened with `open_state` (turn 0)."""
        check_open_state(open_state)
        cls._check_user_key(open_state, user_privkey)
        store = SessionStore.create(path, Role.TENANT, open_state, terms, durability)
        return cls(store, user_privkey, policy, registry, quote_cache)

    @classmethod
    def resume(
        cls,
        path: Path,
        *,
        user_privkey: bytes,
        policy: TrustPolicy,
        registry: VerifierRegistry,
        quote_cache: QuoteCache | None = None,
        durability: Durability = Durability.FULL,
    ) -> TenantSession:
        """Reopen after an exit or a crash; the checkpoint must be presentable."""
        store = SessionStore.open(path, Role.TENANT, durability)
        try:
            cls._check_user_key(store.open_state, user_privkey)
            check_presentable(store.checkpoint().state)
        except SpurcError as exc:
            store.close()
            if isinstance(exc, ErrSignerNotParty):
                raise
            raise ErrStoreCorrupt(f"checkpoint: {exc.log}") from exc
        return cls(store, user_privkey, policy, registry, quote_cache)

    def close(self) -> None:
        """Close the store's connection."""
        self.store.close()

    @property
    def state(self) -> ChannelState:
        """The latest cosigned state (turn 0 before the first call)."""
        return self._state

    @property
    def frontier(self) -> Frontier:
        """The receipts merkle frontier of the latest cosigned state."""
        return self._view.frontier

    @property
    def view(self) -> TenantView:
        """The TenantView the next response is checked with."""
        return self._view

    @property
    def faulted(self) -> bool:
        """A response was refused: the session only exports evidence now."""
        return self._faulted

    def prepare(self, prompt: str, params: dict[str, JsonValue], nonce: str) -> PreparedRequest:
        """The next request: the body, and the latest state in X-DAIT-State."""
        if self._faulted:
            raise ErrSessionFaulted(f"{len(self.store.offences())} offence(s) recorded")
        body = InferRequest(prompt, params, nonce).encode()
        headers = build_request_headers(
            channel_id=self._state.channel_id, state=self._state.encode()
        )
        return PreparedRequest(headers, body, self._state.turn_num)

    def accept(
        self,
        prepared: PreparedRequest,
        response_headers: HeaderInput,
        response_body: bytes,
        *,
        now_ms: int,
        trace: list[str] | None = None,
    ) -> ChannelState:
        """Check a response (verify.check_response), cosign state n, commit it with receipt
        n; return cosigned state n. On refusal, persist the offence, stop, re-raise.
        `trace` receives the key of each rule passed (verify.RULES)."""
        if self._faulted:
            raise ErrSessionFaulted("the session stopped at an earlier fault")
        try:
            verified = check_response(
                response_headers,
                prepared.body,
                response_body,
                self._state,
                self._view,
                now_ms=now_ms,
                trace=trace,
            )
        except SpurcError as exc:
            self._record(exc, prepared, response_headers, response_body, now_ms)
            raise
        return self._commit(verified)

    def _commit(self, verified: Verified) -> ChannelState:
        cosigned = cosign(verified.state, self._user)
        self.store.commit_cosigned(
            verified.receipt, cosigned, verified.frontier, prev_turn=self._state.turn_num
        )
        self._state = cosigned
        self._view = self._view.with_frontier(verified.frontier)
        return cosigned

    def _record(
        self,
        exc: SpurcError,
        prepared: PreparedRequest,
        headers: HeaderInput,
        body: bytes,
        now_ms: int,
    ) -> None:
        self.store.record_offence(
            exc,
            at_turn=self._state.turn_num,
            now_ms=now_ms,
            receipt=_offending_receipt(headers, body),
            headers=_headers_list(headers),
            request=prepared.body,
            response=body,
        )
        self._faulted = True

    def dispute_evidence(self) -> ChannelState:
        """The highest cosigned state, for MsgChallengeChannel (turn 0 if none yet).
        A provisional state is never exported (cosign.check_presentable)."""
        state = self.store.checkpoint().state
        check_presentable(state)
        return state


# --- host ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HostCall:
    """What the host did for one request (for logs and misbehaving test hosts)."""

    reply: Reply
    issued: Issued
    base: ChannelState  # the state n-1 the call extended
    presented: ChannelState  # the state the request carried
    output_pieces: tuple[str, ...]
    kind: ContentKind


class HostSession:
    """The host's side of one channel, durable across crashes."""

    def __init__(self, store: SessionStore, identity: HostIdentity) -> None:
        self.store = store
        self.identity = identity
        self._lock = threading.Lock()

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        open_state: ChannelState,
        identity: HostIdentity,
        durability: Durability = Durability.FULL,
    ) -> HostSession:
        """Start serving a channel opened with `open_state` (turn 0)."""
        check_open_state(open_state)
        if open_state.host_addr != identity.host_addr:
            raise ErrSignerNotParty(f"open state names host {open_state.host_addr}")
        store = SessionStore.create(path, Role.HOST, open_state, identity.terms, durability)
        return cls(store, identity)

    @classmethod
    def resume(
        cls, path: Path, *, identity: HostIdentity, durability: Durability = Durability.FULL
    ) -> HostSession:
        """Reopen after an exit or a crash."""
        store = SessionStore.open(path, Role.HOST, durability)
        try:
            check_presentable(store.checkpoint().state)
        except SpurcError as exc:
            store.close()
            raise ErrStoreCorrupt(f"checkpoint: {exc.log}") from exc
        return cls(store, identity)

    def close(self) -> None:
        """Close the store's connection."""
        self.store.close()

    @property
    def channel_id(self) -> bytes:
        """The id of the channel this session serves."""
        return self.store.open_state.channel_id

    def latest_cosigned(self) -> ChannelState:
        """The highest state the tenant cosigned and sent (turn 0 before that)."""
        return self.store.checkpoint().state

    def dispute_evidence(self) -> ChannelState:
        """The highest cosigned state the host received (turn 0 if none)."""
        state = self.store.checkpoint().state
        check_presentable(state)
        return state

    def handle(self, headers: HeaderInput, body: bytes, *, now_ms: int, stream: bool) -> HostCall:
        """Serve one request, or raise the SpurcError that refuses it (persisted)."""
        with self._lock:
            cp = self.store.checkpoint()
            try:
                return self._handle(headers, body, now_ms=now_ms, stream=stream)
            except SpurcError as exc:
                self.store.record_offence(
                    exc,
                    at_turn=cp.state.turn_num,
                    now_ms=now_ms,
                    receipt=None,
                    headers=_headers_list(headers),
                    request=body,
                    response=b"",
                )
                raise

    def _handle(self, headers: HeaderInput, body: bytes, *, now_ms: int, stream: bool) -> HostCall:
        parsed = parse_request_headers(header_map(headers))
        if parsed.channel_id != self.channel_id:
            raise ErrChannelIdMismatch(f"request for {parsed.channel_id.hex()}")
        presented = decode_state(parsed.state)
        cp = self.store.checkpoint()
        outstanding = self.store.issued()
        verdict = check_tenant_state(
            presented, HostView(cp.state, None if outstanding is None else outstanding.state)
        )
        request = parse_request(body)
        if verdict is TenantStateVerdict.ADVANCE:
            assert outstanding is not None  # ADVANCE means the issued state was matched
            base, base_frontier = presented, outstanding.frontier
            cosigned = (outstanding.receipt, presented, outstanding.frontier)
        else:
            base, base_frontier, cosigned = cp.state, cp.frontier, None
        output = run_sim_model(self.identity.model_id, request)
        try:
            issued = issue(self.identity, base, base_frontier, request, output, now_ms=now_ms)
        except SpurcError:
            # Keep what the tenant cosigned even when this call cannot be served.
            self.store.host_commit(
                prev_turn=cp.state.turn_num,
                cosigned=cosigned,
                abandon=cosigned is None,
                issue=None,
            )
            raise
        self.store.host_commit(
            prev_turn=cp.state.turn_num,
            cosigned=cosigned,
            abandon=cosigned is None,
            issue=IssuedRow(issued.receipt, issued.state, issued.frontier),
        )
        kind = ContentKind.SSE if stream else ContentKind.JSON
        spurc = spurc_headers(self.identity, issued.receipt, issued.state, kind)
        reply = sse_reply(spurc, output.pieces) if stream else json_reply(spurc, output.text)
        return HostCall(reply, issued, base, presented, output.pieces, kind)
