"""Hypothesis strategies for SPUR-IC: receipts, channel states, and validly signed and
co-signed chains of states with the responses that produce them (seed 002 §3-§7).

    from dait_chain.testing.spurc import channel_sessions
    @given(channel_sessions())
    def test_my_sdk_accepts_every_honest_call(session):
        state = session.open_state
        for call in session.calls:
            state = my_verify_receipt(call.headers, call.request, call.response, state, ...)
            assert state == call.provisional

Keys come from drawn seeds (`privkey_from_seed`), quotes from the simulated vendor whose
root `sim_policy()` trusts (dait_chain.spurc.simworld), so everything generated verifies
under the reference's own `verify_receipt` with the session's `view`.
"""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from dait_chain.codec.jcs import canonicalize
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.merkle import EMPTY_ROOT
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.spurc.attestation import QuoteCache, simulated_registry
from dait_chain.spurc.channel import ChannelTerms, Frontier, RateCard, apply_receipt
from dait_chain.spurc.cosign import cosign
from dait_chain.spurc.headers import ContentKind, build_response_headers
from dait_chain.spurc.payload import InferRequest, canonical_output, request_hash
from dait_chain.spurc.signing import sign_receipt, sign_state_as_host
from dait_chain.spurc.simworld import sim_host_identity, sim_policy
from dait_chain.spurc.values import ChannelState, Receipt
from dait_chain.spurc.verify import TenantView
from dait_chain.testing.keys import addresses
from dait_chain.testing.messages import NO_SURROGATES

UINT64 = st.integers(0, 2**64 - 1)
HASH = st.binary(min_size=32, max_size=32)
SEEDS = st.binary(min_size=1, max_size=16)


def receipts() -> st.SearchStrategy[Receipt]:
    """Receipts with every field in its wire range, sig_host by a drawn TEE key over the
    receipt domain (seed 002 §6), so `check_receipt_signature` accepts each one."""

    @st.composite
    def build(draw: st.DrawFn) -> Receipt:
        tee = privkey_from_seed(draw(SEEDS))
        unsigned = Receipt(
            channel_id=draw(HASH),
            call_seq=draw(st.integers(1, 2**64 - 1)),
            request_hash=draw(HASH),
            response_hash=draw(HASH),
            model_hash=draw(HASH),
            tokens_in=draw(UINT64),
            tokens_out=draw(UINT64),
            price_uDAIT=draw(UINT64),
            tee_quote=draw(st.binary(max_size=64)),
            tee_pubkey=pubkey_from_privkey(tee),
            timestamp=draw(UINT64),
        )
        return sign_receipt(unsigned, tee)

    return build()


def channel_states() -> st.SearchStrategy[ChannelState]:
    """States with every field in its wire range (not necessarily reachable: use
    `channel_sessions` for states a channel can hold)."""
    sig = st.one_of(st.just(b""), st.binary(min_size=64, max_size=64))
    return st.builds(
        ChannelState,
        channel_id=HASH,
        host_addr=addresses(),
        user_addr=addresses(),
        model_id=st.text(
            st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=32
        ),
        max_calls=UINT64,
        deadline=UINT64,
        escrow_amount=UINT64,
        spent_amount=UINT64,
        call_count=UINT64,
        receipts_merkle_root=HASH,
        turn_num=UINT64,
        sig_user=sig,
        sig_host=sig,
    )


@dataclass(frozen=True, slots=True)
class Call:
    """One honest call: the response as it travels, and the states it produces."""

    headers: tuple[tuple[str, str], ...]
    request: bytes
    response: bytes
    now_ms: int
    receipt: Receipt
    provisional: ChannelState  # state n, host-signed (what verify_receipt returns)
    cosigned: ChannelState  # state n, counter-signed by the user


@dataclass(frozen=True, slots=True)
class ChannelSession:
    """A channel's opening state, the keys of its parties, and its honest calls."""

    open_state: ChannelState
    user_privkey: bytes
    host_privkey: bytes
    terms: ChannelTerms
    calls: tuple[Call, ...]

    def view(self, after: int = 0) -> TenantView:
        """The tenant's view of the state after `after` calls (trust policy: the simulated
        vendor's root; every quote type verified by the simulated verifier)."""
        frontier = Frontier.empty()
        for call in self.calls[:after]:
            frontier = _append(frontier, call.receipt)
        return TenantView(self.terms, frontier, sim_policy(), simulated_registry(), QuoteCache())

    def state(self, after: int) -> ChannelState:
        """The cosigned state after `after` calls (the opening state for 0)."""
        return self.open_state if after == 0 else self.calls[after - 1].cosigned


def _append(frontier: Frontier, receipt: Receipt) -> Frontier:
    acc = frontier.accumulator()
    acc.append(receipt.encode())
    return Frontier.of(acc)


T0 = 1_800_000_000_000


def channel_sessions(max_calls: int = 4) -> st.SearchStrategy[ChannelSession]:
    """An opened channel between drawn parties and up to `max_calls` honest calls: each
    receipt signed by the host's TEE key with a vendor quote, each provisional state
    host-signed, each cosigned by the user (DAIT-STATE-v1), framed as a JSON response."""

    @st.composite
    def build(draw: st.DrawFn) -> ChannelSession:
        host_name = draw(st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8))
        card = RateCard(*(draw(st.integers(0, 1000)) for _ in range(3)))
        identity = sim_host_identity(f"host-{host_name}", rate_card=card)
        user_key = privkey_from_seed(draw(SEEDS))
        user_addr = address_from_pubkey(pubkey_from_privkey(user_key))
        if user_addr == identity.host_addr:
            user_key = privkey_from_seed(b"another user")
            user_addr = address_from_pubkey(pubkey_from_privkey(user_key))
        n_calls = draw(st.integers(0, max_calls))
        escrow = draw(st.integers(10**9, 10**12))
        state = ChannelState(
            channel_id=draw(HASH),
            host_addr=identity.host_addr,
            user_addr=user_addr,
            model_id=identity.model_id,
            max_calls=draw(st.integers(max(n_calls, 1), 10_000)),
            deadline=T0 + 10**9,
            escrow_amount=escrow,
            spent_amount=0,
            call_count=0,
            receipts_merkle_root=EMPTY_ROOT,
            turn_num=0,
        )
        opening = state
        frontier = Frontier.empty()
        calls: list[Call] = []
        for i in range(n_calls):
            request = InferRequest(
                draw(st.text(max_size=20)), {"max_tokens": draw(st.integers(1, 64))}, f"n{i}"
            )
            text = draw(st.text(st.characters(exclude_categories=NO_SURROGATES), max_size=30))
            tokens_in, tokens_out = draw(st.integers(0, 500)), draw(st.integers(0, 500))
            now = T0 + 1000 * (i + 1)
            receipt = sign_receipt(
                Receipt(
                    channel_id=state.channel_id,
                    call_seq=i + 1,
                    request_hash=request_hash(request),
                    response_hash=sha256(canonical_output({"text": text})),
                    model_hash=identity.terms.model_hash,
                    tokens_in=tokens_in,
                    tokens_out=tokens_out,
                    price_uDAIT=card.price(tokens_in, tokens_out),
                    tee_quote=identity.quote,
                    tee_pubkey=identity.tee_pubkey,
                    timestamp=now,
                ),
                identity.tee_privkey,
            )
            next_state, frontier = apply_receipt(state, receipt, frontier)
            provisional = sign_state_as_host(next_state, identity.account_privkey)
            headers = build_response_headers(
                channel_id=state.channel_id,
                receipt=receipt.encode(),
                state=provisional.encode(),
                content_kind=ContentKind.JSON,
                quote_type=identity.quote_type,
                model_id=state.model_id,
                call_seq=receipt.call_seq,
            )
            calls.append(
                Call(
                    headers,
                    request.encode(),
                    canonicalize({"text": text}),
                    now,
                    receipt,
                    provisional,
                    cosign(provisional, user_key),
                )
            )
            state = calls[-1].cosigned
        return ChannelSession(
            opening, user_key, identity.account_privkey, identity.terms, tuple(calls)
        )

    return build()


__all__ = ["Call", "ChannelSession", "channel_sessions", "channel_states", "receipts"]
