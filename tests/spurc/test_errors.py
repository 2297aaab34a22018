"""Every registered spurc error: a scenario that triggers exactly it, and no other, and
leaves the sessions' stored state unchanged (specs/spurc.md "Error codes").

Each case runs on a channel two honest calls in (tenant at turn 2, host holding cosigned
state 1 and the provisional state 2 it issued). `setup` builds the situation (the host may
serve a call there); the stores are snapshotted; `run` must raise the case's error; the
snapshots must be equal afterwards. A tenant refusal must also be in the offence log with
its code (seed 002 §7: "persist the offending receipt").
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypedDict, Unpack

import pytest

from dait_chain.codec.jcs import canonicalize
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, sign_with_domain
from dait_chain.errors import registered_errors
from dait_chain.spurc import errors as E
from dait_chain.spurc.attestation import Quote, SimVendor
from dait_chain.spurc.channel import Frontier, apply_receipt
from dait_chain.spurc.checker import CheckConfig, run_check
from dait_chain.spurc.cosign import check_presentable, cosign
from dait_chain.spurc.headers import (
    ContentKind,
    QuoteType,
    build_request_headers,
    build_response_headers,
)
from dait_chain.spurc.http_host import HostService, start_host
from dait_chain.spurc.model import sim_model_hash
from dait_chain.spurc.payload import InferRequest, parse_request, request_hash
from dait_chain.spurc.session import HostCall, PreparedRequest, TenantSession
from dait_chain.spurc.simworld import account_privkey, sim_vendor
from dait_chain.spurc.store import Role, SessionStore
from dait_chain.spurc.values import UINT64_MAX, ChannelState, Receipt
from dait_chain.spurc.verify import verify_receipt_or_raise

from .harness import (
    DEADLINE,
    Forgery,
    Pair,
    Response,
    b64,
    digest,
    forge,
    host_sign_state,
    make_pair,
    resign_receipt,
    set_header,
    snapshot,
)


class Ctx(TypedDict, total=False):
    """What a case's setup hands its run."""

    prepared: PreparedRequest
    call: HostCall
    second: TenantSession


@dataclass(frozen=True)
class Case:
    error: type[E.SpurcError]
    setup: Callable[[Pair], Ctx]
    run: Callable[[Pair, Ctx], object]
    tenant_offence: bool = False  # the tenant's accept() refused: an offence is logged
    max_calls: int = 1000


def served(pair: Pair) -> Ctx:
    """Request 3 prepared and served honestly by the host."""
    prepared = pair.request(3)
    return {"prepared": prepared, "call": pair.serve(prepared)}


def tenant_gets(
    make: Callable[[Pair, Ctx], Response], *, now: int | None = None
) -> Callable[[Pair, Ctx], object]:
    """The tenant accepts the response `make` builds from the honest call."""

    def run(pair: Pair, ctx: Ctx) -> object:
        resp = make(pair, ctx)
        prepared = ctx["prepared"]
        assert isinstance(prepared, PreparedRequest)
        return pair.tenant.accept(
            prepared, resp.headers, resp.body, now_ms=now if now is not None else pair.tick()
        )

    return run


def edit(**kw: Unpack[Forgery]) -> Callable[[Pair, Ctx], Response]:
    return lambda pair, ctx: forge(pair, ctx["call"], **kw)


def fabricate(
    pair: Pair,
    prepared: PreparedRequest,
    *,
    tokens_out: int = 6,
) -> Response:
    """A response to `prepared` built from scratch with the host's keys: receipt n on the
    tenant's current state (priced by the rate card), the state recomputed, host-signed."""
    base = pair.tenant.state
    body = canonicalize({"text": "fabricated output"})
    receipt = Receipt(
        channel_id=base.channel_id,
        call_seq=base.call_count + 1,
        request_hash=request_hash(parse_request(prepared.body)),
        response_hash=sha256(body),
        model_hash=pair.identity.terms.model_hash,
        tokens_in=3,
        tokens_out=tokens_out,
        price_uDAIT=pair.identity.terms.rate_card.price(3, tokens_out),
        tee_quote=pair.identity.quote,
        tee_pubkey=pair.identity.tee_pubkey,
        timestamp=pair.now,
    )
    receipt = resign_receipt(pair.identity, receipt)
    state, _ = apply_receipt(base, receipt, pair.tenant.frontier)
    headers = build_response_headers(
        channel_id=base.channel_id,
        receipt=receipt.encode(),
        state=host_sign_state(pair.identity, state).encode(),
        content_kind=ContentKind.JSON,
    )
    return Response(headers, body)


def prepared_only(pair: Pair) -> Ctx:
    return {"prepared": pair.request(3)}


def fabricated(**kw: int) -> Callable[[Pair, Ctx], Response]:
    return lambda pair, ctx: fabricate(pair, ctx["prepared"], **kw)


# --- host-side request builders ----------------------------------------------------------------


def host_gets_state(make: Callable[[Pair], ChannelState]) -> Callable[[Pair, Ctx], object]:
    """The host handles request 3 carrying the state `make` returns."""

    def run(pair: Pair, ctx: Ctx) -> object:
        state = make(pair)
        headers = build_request_headers(channel_id=state.channel_id, state=state.encode())
        body = InferRequest("p", {}, "n").encode()
        return pair.host.handle(headers, body, now_ms=pair.tick(), stream=False)

    return run


def nothing(pair: Pair) -> Ctx:
    return {}


def rogue_quote(pair: Pair) -> bytes:
    ak = SimVendor.from_seed(b"some other vendor").attestation_key(b"ak")
    return ak.quote(QuoteType.TDX, pair.identity.terms.model_hash, pair.identity.tee_pubkey)


def quote_for(pair: Pair, *, model: bytes | None = None, key: bytes | None = None) -> bytes:
    ak = sim_vendor().attestation_key(b"test-ak")
    return ak.quote(
        QuoteType.TDX,
        model if model is not None else pair.identity.terms.model_hash,
        key if key is not None else pair.identity.tee_pubkey,
    )


def stale_checkpoint_conflict_setup(pair: Pair) -> Ctx:
    """A second tenant session on the same store, then the first one moves on."""
    second = TenantSession.resume(
        pair.tmp / "tenant.sqlite",
        user_privkey=account_privkey("user"),
        policy=pair.tenant.view.policy,
        registry=pair.tenant.view.registry,
    )
    pair.roundtrip(3)
    prepared = second.prepare("late writer", {}, "w")
    call = pair.host.handle(prepared.headers, prepared.body, now_ms=pair.tick(), stream=False)
    return {"second": second, "prepared": prepared, "call": call}


def run_conflict(pair: Pair, ctx: Ctx) -> object:
    second = ctx["second"]
    assert isinstance(second, TenantSession)
    call = ctx["call"]
    return second.accept(ctx["prepared"], call.reply.headers, call.reply.body, now_ms=pair.tick())


def corrupt_copy_and_open(pair: Pair, ctx: Ctx) -> object:
    copy = pair.tmp / "corrupt.sqlite"
    src = sqlite3.connect(str(pair.tmp / "tenant.sqlite"))
    dst = sqlite3.connect(str(copy))
    src.backup(dst)
    src.close()
    dst.execute("UPDATE receipts SET receipt = receipt || x'00' WHERE call_seq = 1")
    dst.commit()
    dst.close()
    return SessionStore.open(copy, Role.TENANT)


def peer_refused(pair: Pair, ctx: Ctx) -> object:
    running = start_host(HostService(pair.identity, pair.tmp / "http", clock_ms=lambda: pair.now))
    (pair.tmp / "http").mkdir(exist_ok=True)
    try:
        base = CheckConfig(
            running.url, calls=1, nonce=7, deadline_ms=DEADLINE, store_path=pair.tmp / "a.sqlite"
        )
        run_check(base, lambda: pair.now)
        again = replace(
            base, escrow_amount=base.escrow_amount + 1, store_path=pair.tmp / "b.sqlite"
        )
        return run_check(again, lambda: pair.now)
    finally:
        running.stop()


def invalid_open(pair: Pair, ctx: Ctx) -> object:
    bad = replace(pair.open_state, spent_amount=5)
    try:
        return TenantSession.create(
            pair.tmp / "never.sqlite",
            open_state=bad,
            terms=pair.identity.terms,
            user_privkey=account_privkey("user"),
            policy=pair.tenant.view.policy,
            registry=pair.tenant.view.registry,
        )
    finally:
        assert not (pair.tmp / "never.sqlite").exists()


def faulted_then_prepare(pair: Pair, ctx: Ctx) -> object:
    prepared = ctx["prepared"]
    with pytest.raises(E.ErrHeaderMissing):
        pair.tenant.accept(prepared, (), b"", now_ms=pair.tick())
    return pair.tenant.prepare("after the fault", {}, "z")


CASES: tuple[Case, ...] = (
    Case(
        E.ErrHeaderMissing,
        served,
        tenant_gets(edit(headers=set_header("X-DAIT-Receipt", None))),
        True,
    ),
    Case(
        E.ErrHeaderMalformed,
        served,
        tenant_gets(
            edit(
                headers=lambda hs: [
                    (k, v.upper() if k == "X-DAIT-Channel-Id" else v) for k, v in hs
                ]
            )
        ),
        True,
    ),
    Case(
        E.ErrBadBase64url,
        served,
        tenant_gets(
            edit(headers=lambda hs: [(k, v + "=" if k == "X-DAIT-Receipt" else v) for k, v in hs])
        ),
        True,
    ),
    Case(
        E.ErrUnsupportedVersion,
        served,
        tenant_gets(edit(headers=set_header("X-DAIT-Version", "2"))),
        True,
    ),
    Case(
        E.ErrStreamMalformed,
        served,
        tenant_gets(edit(stream=True, body=lambda b: b + b'event: delta\ndata: "late"\n\n')),
        True,
    ),
    Case(
        E.ErrStreamTruncated,
        served,
        tenant_gets(edit(stream=True, body=lambda b: b[: b.index(b"event: dait-final")])),
        True,
    ),
    Case(
        E.ErrReceiptDecode,
        served,
        tenant_gets(
            lambda p, c: forge(
                p,
                c["call"],
                headers=set_header(
                    "X-DAIT-Receipt", b64(c["call"].issued.receipt.encode() + b"\x00")
                ),
            )
        ),
        True,
    ),
    Case(
        E.ErrChannelIdMismatch,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, channel_id=digest("other channel")))),
        True,
    ),
    Case(
        E.ErrHeaderMismatch,
        served,
        tenant_gets(edit(headers=set_header("X-DAIT-Call-Seq", "99"))),
        True,
    ),
    Case(
        E.ErrCallSeqReplay,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, call_seq=r.call_seq - 1))),
        True,
    ),
    Case(
        E.ErrCallSeqNotNext,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, call_seq=r.call_seq + 1))),
        True,
    ),
    Case(
        E.ErrBadHostSignature,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, timestamp=r.timestamp + 1), resign=False)),
        True,
    ),
    Case(
        E.ErrQuoteMalformed,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, tee_quote=b"\xff\xff"))),
        True,
    ),
    Case(
        E.ErrQuoteTypeUnsupported,
        served,
        tenant_gets(
            lambda p, c: forge(
                p,
                c["call"],
                receipt=lambda r: replace(
                    r, tee_quote=Quote("sgx", Quote.decode(r.tee_quote).body).encode()
                ),
            )
        ),
        True,
    ),
    Case(
        E.ErrQuoteUntrusted,
        served,
        tenant_gets(
            lambda p, c: forge(p, c["call"], receipt=lambda r: replace(r, tee_quote=rogue_quote(p)))
        ),
        True,
    ),
    Case(
        E.ErrQuoteReportDataMismatch,
        served,
        tenant_gets(
            lambda p, c: forge(
                p,
                c["call"],
                receipt=lambda r: replace(r, tee_quote=quote_for(p, key=b"\x03" + bytes(32))),
            )
        ),
        True,
    ),
    Case(
        E.ErrModelHashNotAttested,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, model_hash=sim_model_hash("other")))),
        True,
    ),
    Case(
        E.ErrModelHashNotAgreed,
        served,
        tenant_gets(
            lambda p, c: forge(
                p,
                c["call"],
                receipt=lambda r: replace(
                    r,
                    model_hash=sim_model_hash("other"),
                    tee_quote=quote_for(p, model=sim_model_hash("other")),
                ),
            )
        ),
        True,
    ),
    Case(
        E.ErrRequestMalformed,
        served,
        lambda p, c: p.tenant.accept(
            replace(c["prepared"], body=b"{}"),
            c["call"].reply.headers,
            c["call"].reply.body,
            now_ms=p.tick(),
        ),
        True,
    ),
    Case(
        E.ErrRequestHashMismatch,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, request_hash=digest("another request")))),
        True,
    ),
    Case(
        E.ErrResponseMalformed,
        served,
        tenant_gets(edit(body=lambda b: b.replace(b":", b": ", 1))),
        True,
    ),
    Case(E.ErrResponseHashMismatch, served, tenant_gets(edit(text="a different output")), True),
    Case(E.ErrPastDeadline, served, tenant_gets(edit(), now=DEADLINE), True),
    Case(E.ErrMaxCallsExceeded, prepared_only, tenant_gets(fabricated()), True, max_calls=2),
    Case(
        E.ErrPriceMismatch,
        served,
        tenant_gets(edit(receipt=lambda r: replace(r, price_uDAIT=r.price_uDAIT + 1))),
        True,
    ),
    Case(E.ErrEscrowOverspent, prepared_only, tenant_gets(fabricated(tokens_out=10_000_000)), True),
    Case(
        E.ErrCounterOverflow,
        prepared_only,
        lambda p, c: verify_receipt_or_raise(
            fabricate(p, c["prepared"]).headers,
            c["prepared"].body,
            fabricate(p, c["prepared"]).body,
            replace(p.tenant.state, turn_num=UINT64_MAX),
            p.tenant.view,
            now_ms=p.tick(),
        ),
    ),
    Case(
        E.ErrStateDecode,
        served,
        tenant_gets(edit(headers=set_header("X-DAIT-State", b64(b"\x00garbage")))),
        True,
    ),
    Case(
        E.ErrHostStateMismatch,
        served,
        tenant_gets(edit(state=lambda s: replace(s, spent_amount=s.spent_amount + 1))),
        True,
    ),
    Case(
        E.ErrBadHostStateSignature,
        served,
        tenant_gets(
            edit(
                state=lambda s: replace(
                    s,
                    sig_host=sign_with_domain(
                        account_privkey("mallory"), DOMAIN_STATE, s.without_sigs().encode()
                    ),
                )
            )
        ),
        True,
    ),
    Case(
        E.ErrStateNotCosigned,
        nothing,
        host_gets_state(lambda p: replace(p.tenant.state, sig_user=b"")),
    ),
    Case(
        E.ErrBadUserStateSignature,
        nothing,
        host_gets_state(
            lambda p: replace(
                p.tenant.state,
                sig_user=sign_with_domain(
                    account_privkey("mallory"), DOMAIN_STATE, p.tenant.state.without_sigs().encode()
                ),
            )
        ),
    ),
    Case(E.ErrStaleState, nothing, host_gets_state(lambda p: p.open_state)),
    Case(
        E.ErrCosignedStateMismatch,
        nothing,
        host_gets_state(
            lambda p: cosign(
                host_sign_state(
                    p.identity,
                    replace(
                        p.tenant.state.without_sigs(), spent_amount=p.tenant.state.spent_amount - 1
                    ),
                ),
                account_privkey("user"),
            )
        ),
    ),
    Case(E.ErrStateProvisional, served, lambda p, c: check_presentable(c["call"].issued.state)),
    Case(
        E.ErrSignerNotParty,
        served,
        lambda p, c: cosign(c["call"].issued.state, account_privkey("mallory")),
    ),
    Case(E.ErrInvalidOpenState, nothing, invalid_open),
    Case(
        E.ErrTenantViewInconsistent,
        served,
        lambda p, c: verify_receipt_or_raise(
            c["call"].reply.headers,
            c["prepared"].body,
            c["call"].reply.body,
            p.tenant.state,
            p.tenant.view.with_frontier(Frontier.empty()),
            now_ms=p.tick(),
        ),
    ),
    Case(E.ErrSessionFaulted, prepared_only, faulted_then_prepare),
    Case(
        E.ErrStoreMismatch,
        nothing,
        lambda p, c: SessionStore.open(p.tmp / "tenant.sqlite", Role.HOST),
    ),
    Case(E.ErrStoreCorrupt, nothing, corrupt_copy_and_open),
    Case(E.ErrStoreConflict, stale_checkpoint_conflict_setup, run_conflict),
    Case(
        E.ErrUnknownChannel,
        nothing,
        lambda p, c: HostService(p.identity, p.tmp).infer(
            list(build_request_headers(channel_id=digest("nowhere"), state=p.open_state.encode())),
            b"{}",
            False,
        ),
    ),
    Case(
        E.ErrTransport,
        nothing,
        lambda p, c: run_check(CheckConfig("http://127.0.0.1:9", timeout_s=2.0), lambda: p.now),
    ),
    Case(E.ErrPeerRefused, nothing, peer_refused),
)


def test_every_registered_spurc_error_has_a_case() -> None:
    registered = {e.name for e in registered_errors() if e.codespace == "spurc"}
    covered = {c.error.__name__ for c in CASES}
    assert registered == covered
    assert len(CASES) == len(covered)


@pytest.mark.parametrize("case", CASES, ids=[c.error.__name__ for c in CASES])
def test_error_is_triggered_alone_and_changes_no_stored_state(case: Case, tmp_path: Path) -> None:
    pair = make_pair(tmp_path, max_calls=case.max_calls)
    pair.roundtrip(1)
    pair.roundtrip(2)
    ctx = case.setup(pair)
    before_tenant = snapshot(pair.tenant.store)
    before_host = snapshot(pair.host.store)
    offences_before = len(pair.tenant.store.offences())
    with pytest.raises(E.SpurcError) as info:
        case.run(pair, ctx)
    assert type(info.value) is case.error, f"got {type(info.value).__name__}: {info.value.log}"
    assert snapshot(pair.tenant.store) == before_tenant
    assert snapshot(pair.host.store) == before_host
    offences = pair.tenant.store.offences()
    if case.tenant_offence:
        assert len(offences) == offences_before + 1
        assert (offences[-1].codespace, offences[-1].code) == ("spurc", case.error.code)
    elif case.error is not E.ErrSessionFaulted:
        assert len(offences) == offences_before
