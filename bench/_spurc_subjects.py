"""The SPUR-IC channels and verify_receipt subjects that bench/test_bench_spurc.py times and
bench/count_instructions.py counts, built in one place so that both measure the same calls.

Not a test file; imported as the top-level module `_spurc_subjects` (see `_ratio`).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from dait_chain.crypto.secp256k1 import (
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    pubkey_from_privkey,
    verify_with_domain,
)
from dait_chain.spurc.attestation import (
    DOMAIN_SIM_AK_CERT,
    DOMAIN_SIM_QUOTE,
    Quote,
    QuoteCache,
    SimQuoteBody,
    simulated_registry,
)
from dait_chain.spurc.session import HostCall, HostSession, PreparedRequest, TenantSession
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state, sim_policy
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import ChannelState
from dait_chain.spurc.verify import verify_receipt

T0 = 1_800_000_000_000


def tenant(path: Path, open_state: ChannelState, durability: Durability) -> TenantSession:
    """A tenant session of the simulated world's user on `open_state`, its store at `path`."""
    return TenantSession.create(
        path,
        open_state=open_state,
        terms=sim_host_identity().terms,
        user_privkey=account_privkey("user"),
        policy=sim_policy(),
        registry=simulated_registry(),
        quote_cache=QuoteCache(),
        durability=durability,
    )


def record_channel(
    tmp: Path, calls: int
) -> tuple[ChannelState, list[tuple[PreparedRequest, HostCall]]]:
    """An honest channel of `calls` calls: turn 0 and each (request, host call)."""
    identity = sim_host_identity()
    open_state = sim_open_state(
        identity, deadline=T0 + 10**9, max_calls=10**6, escrow_amount=10**12
    )
    session = tenant(tmp / "record-t.sqlite", open_state, Durability.PROCESS)
    host = HostSession.create(
        tmp / "record-h.sqlite",
        open_state=open_state,
        identity=identity,
        durability=Durability.PROCESS,
    )
    log = []
    for i in range(1, calls + 1):
        prepared = session.prepare(f"benchmark prompt {i}", {"max_tokens": 16}, f"b-{i}")
        call = host.handle(prepared.headers, prepared.body, now_ms=T0 + i, stream=False)
        session.accept(prepared, call.reply.headers, call.reply.body, now_ms=T0 + i)
        log.append((prepared, call))
    session.close()
    host.close()
    return open_state, log


@dataclass(frozen=True, slots=True)
class VerifySubjects:
    """verify_receipt on the 4th receipt of an honest channel, and the signature
    verifications it is compared with (each a call that takes no argument)."""

    cold: Callable[[], object]  # the quote not cached: the first receipt of a session
    warm: Callable[[], object]  # the quote cache warm: every later receipt
    host_signatures: Callable[[], None]  # the 2 verifications the warm path performs
    issue_three: Callable[[], None]  # the issue's "host signature and quote"
    all_four: Callable[[], None]  # the 4 verifications the cold path performs
    host_state: ChannelState  # what cold() and warm() return


def verify_subjects() -> VerifySubjects:
    """The subjects, on a channel recorded in a temporary directory (removed on return)."""
    with tempfile.TemporaryDirectory() as tmp:
        open_state, log = record_channel(Path(tmp), 4)
        replayer = tenant(Path(tmp) / "t.sqlite", open_state, Durability.PROCESS)
        for i, (prepared, call) in enumerate(log[:3], start=1):
            replayer.accept(prepared, call.reply.headers, call.reply.body, now_ms=T0 + i)
        prepared, call = log[3]
        state, warm_view = replayer.state, replayer.view
        replayer.close()
    headers, body, request = call.reply.headers, call.reply.body, prepared.body
    receipt, host_state = call.issued.receipt, call.issued.state
    # A quote cache that keeps nothing: every call misses and verifies the quote, as the
    # first receipt of a session does. The replayer's session warmed its own cache: a
    # session sees the same quote on every receipt.
    cold_view = replace(warm_view, quote_cache=QuoteCache(size=0))

    def cold() -> object:
        return verify_receipt(headers, request, body, state, cold_view, now_ms=T0 + 11)

    def warm() -> object:
        return verify_receipt(headers, request, body, state, warm_view, now_ms=T0 + 11)

    quote = SimQuoteBody.decode(Quote.decode(receipt.tee_quote).body)
    cert = quote.ak_cert
    cert_payload = replace(cert, sig_root=b"").encode()
    quote_payload = replace(quote, sig_ak=b"").encode()
    receipt_payload = receipt.without_sig().encode()
    host_pub = pubkey_from_privkey(sim_host_identity().account_privkey)
    state_payload = host_state.without_sigs().encode()

    def host_signatures() -> None:
        # Per receipt: sig_host on the receipt (§7 step 4) and on the provisional state
        # the cosign protocol returns with it.
        verify_with_domain(receipt.tee_pubkey, DOMAIN_RECEIPT, receipt_payload, receipt.sig_host)
        verify_with_domain(host_pub, DOMAIN_STATE, state_payload, host_state.sig_host)

    def issue_three() -> None:
        # The issue's "host signature and quote": seed §7 steps 4-5, the receipt's
        # signature and the quote's two (the root's certificate, the attestation key's
        # signature over the quote).
        verify_with_domain(receipt.tee_pubkey, DOMAIN_RECEIPT, receipt_payload, receipt.sig_host)
        verify_with_domain(cert.root_pubkey, DOMAIN_SIM_AK_CERT, cert_payload, cert.sig_root)
        verify_with_domain(cert.attestation_pubkey, DOMAIN_SIM_QUOTE, quote_payload, quote.sig_ak)

    def all_four() -> None:
        # Everything verify_receipt verifies when the quote is not cached.
        issue_three()
        verify_with_domain(host_pub, DOMAIN_STATE, state_payload, host_state.sig_host)

    return VerifySubjects(cold, warm, host_signatures, issue_three, all_four, host_state)
