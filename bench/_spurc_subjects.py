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
from dait_chain.spurc.headers import HeaderInput
from dait_chain.spurc.host import Issued
from dait_chain.spurc.session import HostCall, HostSession, PreparedRequest, TenantSession
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state, sim_policy
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import ChannelState
from dait_chain.spurc.verify import TenantView, verify_receipt

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
class Case:
    """Receipt n of an honest channel as verify_receipt meets it: the response, the request
    it answers, and the tenant's state and view before it (whose quote cache is the
    session's, warm once the channel is recorded)."""

    headers: HeaderInput
    request: bytes
    body: bytes
    state: ChannelState
    view: TenantView
    issued: Issued  # the host's receipt n and provisional state n


def recorded_cases(calls: int) -> list[Case]:
    """The `calls` receipts of an honest channel, each with the tenant's state before it
    (recorded in a temporary directory, removed on return)."""
    with tempfile.TemporaryDirectory() as tmp:
        open_state, log = record_channel(Path(tmp), calls)
        replayer = tenant(Path(tmp) / "t.sqlite", open_state, Durability.PROCESS)
        cases = []
        for i, (prepared, call) in enumerate(log, start=1):
            reply = call.reply
            cases.append(
                Case(
                    reply.headers,
                    prepared.body,
                    reply.body,
                    replayer.state,
                    replayer.view,
                    call.issued,
                )
            )
            replayer.accept(prepared, reply.headers, reply.body, now_ms=T0 + i)
        replayer.close()
    return cases


# A verification as verify_with_domain takes it: (pubkey, domain, payload, signature).
Verification = tuple[bytes, bytes, bytes, bytes]


@dataclass(frozen=True, slots=True)
class Verifications:
    """The four signature verifications of one receipt whose quote is not cached."""

    receipt: Verification  # sig_host on the receipt (seed 002 §7 step 4)
    certificate: Verification  # the vendor root's signature on the attestation key
    quote: Verification  # the attestation key's signature on the quote body
    state: Verification  # sig_host on the provisional state (the cosign protocol)


def verifications(issued: Issued) -> Verifications:
    """What verify_receipt verifies for `issued`, with payloads encoded here (not cut from
    the wire, as verify_receipt does: the baseline is the verification alone)."""
    receipt, state = issued.receipt, issued.state
    quote = SimQuoteBody.decode(Quote.decode(receipt.tee_quote).body)
    cert = quote.ak_cert
    host_pub = pubkey_from_privkey(sim_host_identity().account_privkey)
    return Verifications(
        (receipt.tee_pubkey, DOMAIN_RECEIPT, receipt.without_sig().encode(), receipt.sig_host),
        (
            cert.root_pubkey,
            DOMAIN_SIM_AK_CERT,
            replace(cert, sig_root=b"").encode(),
            cert.sig_root,
        ),
        (
            cert.attestation_pubkey,
            DOMAIN_SIM_QUOTE,
            replace(quote, sig_ak=b"").encode(),
            quote.sig_ak,
        ),
        (host_pub, DOMAIN_STATE, state.without_sigs().encode(), state.sig_host),
    )


def _not_cached(view: TenantView) -> TenantView:
    """`view` with a quote cache that keeps nothing: every call misses and verifies the
    quote, as the first receipt of a session does."""
    return replace(view, quote_cache=QuoteCache(size=0))


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
    """The subjects on one receipt, verified again on every call."""
    case = recorded_cases(4)[3]
    # The replayer's session warmed its quote cache: a session sees the same quote on
    # every receipt.
    cold_view, warm_view = _not_cached(case.view), case.view
    v = verifications(case.issued)

    def cold() -> object:
        return verify_receipt(
            case.headers, case.request, case.body, case.state, cold_view, now_ms=T0 + 11
        )

    def warm() -> object:
        return verify_receipt(
            case.headers, case.request, case.body, case.state, warm_view, now_ms=T0 + 11
        )

    def host_signatures() -> None:
        verify_with_domain(*v.receipt)
        verify_with_domain(*v.state)

    def issue_three() -> None:
        # The issue's "host signature and quote": seed §7 steps 4-5.
        verify_with_domain(*v.receipt)
        verify_with_domain(*v.certificate)
        verify_with_domain(*v.quote)

    def all_four() -> None:
        issue_three()
        verify_with_domain(*v.state)

    return VerifySubjects(cold, warm, host_signatures, issue_three, all_four, case.issued.state)
