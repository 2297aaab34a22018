"""Test harness: a tenant and a host session on one channel, and a response forger.

The forger builds faulty responses directly from keys and values (not through
dait_chain.spurc.misbehave), so the tests of the checks do not depend on the fault
injector the HTTP host uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict

from dait_chain.codec.jcs import canonicalize
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import DOMAIN_RECEIPT, DOMAIN_STATE, sign_with_domain
from dait_chain.spurc.attestation import QuoteCache, simulated_registry
from dait_chain.spurc.b64 import b64url_encode
from dait_chain.spurc.channel import RateCard, apply_receipt
from dait_chain.spurc.headers import ContentKind, build_response_headers
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.payload import JsonValue
from dait_chain.spurc.session import HostCall, HostSession, PreparedRequest, TenantSession
from dait_chain.spurc.simworld import (
    DEFAULT_RATE_CARD,
    account_privkey,
    sim_host_identity,
    sim_open_state,
    sim_policy,
)
from dait_chain.spurc.sse import delta_event, headers_event, render_stream
from dait_chain.spurc.store import Durability, SessionStore
from dait_chain.spurc.values import ChannelState, Receipt

T0 = 1_800_000_000_000
DEADLINE = T0 + 1_000_000_000


@dataclass
class Pair:
    """A tenant and a host session on the same channel, on a fixed timeline."""

    tenant: TenantSession
    host: HostSession
    identity: HostIdentity
    open_state: ChannelState
    tmp: Path
    now: int = T0

    def tick(self) -> int:
        self.now += 1000
        return self.now

    def request(self, i: int, **params: JsonValue) -> PreparedRequest:
        return self.tenant.prepare(f"prompt number {i}", {"max_tokens": 6, **params}, f"nonce-{i}")

    def serve(self, prepared: PreparedRequest, *, stream: bool = False) -> HostCall:
        return self.host.handle(prepared.headers, prepared.body, now_ms=self.tick(), stream=stream)

    def roundtrip(self, i: int, *, stream: bool = False) -> ChannelState:
        prepared = self.request(i)
        call = self.serve(prepared, stream=stream)
        return self.tenant.accept(prepared, call.reply.headers, call.reply.body, now_ms=self.tick())


def make_pair(
    tmp: Path,
    *,
    max_calls: int = 1000,
    escrow: int = 5_000_000,
    deadline: int = DEADLINE,
    rate_card: RateCard = DEFAULT_RATE_CARD,
    name: str = "host",
    durability: Durability = Durability.PROCESS,
) -> Pair:
    """A fresh channel. Tests use PROCESS durability (no fsync per commit) for speed; the
    crash test runs the default, FULL."""
    identity = sim_host_identity(name, rate_card=rate_card)
    open_state = sim_open_state(
        identity, max_calls=max_calls, deadline=deadline, escrow_amount=escrow
    )
    tenant = TenantSession.create(
        tmp / "tenant.sqlite",
        open_state=open_state,
        terms=identity.terms,
        user_privkey=account_privkey("user"),
        policy=sim_policy(),
        registry=simulated_registry(),
        quote_cache=QuoteCache(),
        durability=durability,
    )
    host = HostSession.create(
        tmp / "host.sqlite", open_state=open_state, identity=identity, durability=durability
    )
    return Pair(tenant, host, identity, open_state, tmp)


def snapshot(store: SessionStore) -> tuple[object, ...]:
    """Everything a session stores about the channel's progress (not the offence log)."""
    cp = store.checkpoint()
    issued = store.issued()
    return (
        cp.state.encode(),
        cp.frontier.encode(),
        store.receipt_rows(),
        None if issued is None else (issued.receipt.encode(), issued.state.encode()),
        tuple((seq, r.encode()) for seq, r in store.abandoned()),
    )


# --- forging responses ---------------------------------------------------------------------


def resign_receipt(identity: HostIdentity, receipt: Receipt) -> Receipt:
    """Sign `receipt` with the host's TEE key, computed here from the seed-002 §6 formula."""
    payload = replace(receipt, sig_host=b"").encode()
    return replace(
        receipt, sig_host=sign_with_domain(identity.tee_privkey, DOMAIN_RECEIPT, payload)
    )


def host_sign_state(identity: HostIdentity, state: ChannelState) -> ChannelState:
    payload = replace(state, sig_user=b"", sig_host=b"").encode()
    sig = sign_with_domain(identity.account_privkey, DOMAIN_STATE, payload)
    return replace(state, sig_host=sig)


@dataclass(frozen=True)
class Response:
    headers: tuple[tuple[str, str], ...]
    body: bytes


class Forgery(TypedDict, total=False):
    """forge's keyword arguments, for helpers that pass them on (`**kw: Unpack[Forgery]`)."""

    receipt: Callable[[Receipt], Receipt] | None
    resign: bool
    state: Callable[[ChannelState], ChannelState] | None
    restate: bool
    text: str | None
    stream: bool
    headers: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None
    body: Callable[[bytes], bytes] | None


def forge(
    pair: Pair,
    call: HostCall,
    *,
    receipt: Callable[[Receipt], Receipt] | None = None,
    resign: bool = True,
    state: Callable[[ChannelState], ChannelState] | None = None,
    restate: bool = True,
    text: str | None = None,
    stream: bool = False,
    headers: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None,
    body: Callable[[bytes], bytes] | None = None,
) -> Response:
    """An altered version of an honest `call`'s response.

    `receipt` edits the receipt (re-signed unless resign=False); the provisional state is
    then recomputed from state n-1 and host-signed (unless restate=False); `state` edits
    that state afterwards (not re-signed); `text` replaces the output; `headers` and
    `body` edit the final headers and bytes.
    """
    r = call.issued.receipt
    if receipt is not None:
        r = receipt(r)
        if resign:
            r = resign_receipt(pair.identity, r)
    st = call.issued.state
    if receipt is not None and restate:
        # After handle() the host's checkpoint is state n-1, the base of the call.
        computed, _ = apply_receipt(call.base, r, pair.host.store.checkpoint().frontier)
        st = host_sign_state(pair.identity, computed)
    if state is not None:
        st = state(st)
    out_text = text if text is not None else "".join(call.output_pieces)
    kind = ContentKind.SSE if stream else ContentKind.JSON
    hs = list(
        build_response_headers(
            channel_id=pair.open_state.channel_id,
            receipt=r.encode(),
            state=st.encode(),
            content_kind=kind,
            quote_type=pair.identity.quote_type,
            model_id=pair.open_state.model_id,
            call_seq=r.call_seq,
        )
    )
    if headers is not None:
        hs = headers(hs)
    if stream:
        events = (delta_event(out_text), headers_event(tuple(hs), final=True))
        data = render_stream(events)
        http_headers: tuple[tuple[str, str], ...] = (("Content-Type", ContentKind.SSE.value),)
    else:
        data = canonicalize({"text": out_text})
        http_headers = tuple(hs)
    if body is not None:
        data = body(data)
    return Response(http_headers, data)


def set_header(
    name: str, value: str | None
) -> Callable[[list[tuple[str, str]]], list[tuple[str, str]]]:
    """A header edit: replace `name`'s value, or drop it (None)."""

    def edit(hs: list[tuple[str, str]]) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in hs if k.lower() != name.lower()]
        return kept if value is None else [*kept, (name, value)]

    return edit


def b64(data: bytes) -> str:
    return b64url_encode(data)


def digest(tag: str) -> bytes:
    return sha256(tag.encode())
