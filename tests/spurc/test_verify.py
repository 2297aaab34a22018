"""verify_receipt: the §7 checks, their order, the update and its boundaries
(seed 002 §7, §9; decisions.md SPUR-IC; specs/spurc.md "Check order")."""

from __future__ import annotations

import functools
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import TypedDict, Unpack

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.merkle import merkle_root
from dait_chain.crypto.secp256k1 import (
    DOMAIN_RECEIPT,
    DOMAIN_STATE,
    pubkey_from_privkey,
    sign_with_domain,
    verify_with_domain,
)
from dait_chain.spurc import errors as E
from dait_chain.spurc.attestation import SimVendor
from dait_chain.spurc.channel import ChannelTerms, Frontier, RateCard, apply_receipt
from dait_chain.spurc.headers import QuoteType
from dait_chain.spurc.session import PreparedRequest
from dait_chain.spurc.signing import check_state_host_signature
from dait_chain.spurc.simworld import account_privkey, sim_host_identity, sim_open_state
from dait_chain.spurc.values import ChannelState, Receipt
from dait_chain.spurc.verify import (
    RULES,
    check_before_deadline,
    check_price_follows_rate_card,
    check_response,
    check_within_escrow,
    check_within_max_calls,
    verify_receipt,
    verify_receipt_or_raise,
)

from .harness import DEADLINE, Pair, Response, b64, digest, forge, make_pair, set_header
from .strategies import receipts


def _pair_at_turn_2(tmp: Path) -> Pair:
    pair = make_pair(tmp)
    pair.roundtrip(1)
    pair.roundtrip(2)
    return pair


def test_valid_response_yields_the_provisional_state_n(tmp_path: Path) -> None:
    pair = _pair_at_turn_2(tmp_path)
    prev = pair.tenant.state
    prepared = pair.request(3)
    call = pair.serve(prepared)
    got = verify_receipt(
        call.reply.headers,
        prepared.body,
        call.reply.body,
        prev,
        pair.tenant.view,
        now_ms=pair.tick(),
    )
    assert isinstance(got, ChannelState)
    receipt = call.issued.receipt
    leaves = [r.encode() for r in pair.tenant.store.receipts()] + [receipt.encode()]
    # §7 last step, computed here from its definition.
    assert got.without_sigs() == replace(
        prev.without_sigs(),
        call_count=prev.call_count + 1,
        spent_amount=prev.spent_amount + receipt.price_uDAIT,
        receipts_merkle_root=merkle_root(leaves),
        turn_num=prev.turn_num + 1,
    )
    assert got.is_provisional
    check_state_host_signature(got)


def test_verify_receipt_returns_the_error_and_the_raising_variant_raises_it(
    tmp_path: Path,
) -> None:
    pair = _pair_at_turn_2(tmp_path)
    prepared = pair.request(3)
    call = pair.serve(prepared)
    resp = forge(pair, call, headers=set_header("X-DAIT-Version", "7"))
    got = verify_receipt(
        resp.headers,
        prepared.body,
        resp.body,
        pair.tenant.state,
        pair.tenant.view,
        now_ms=pair.tick(),
    )
    assert type(got) is E.ErrUnsupportedVersion
    with pytest.raises(E.ErrUnsupportedVersion):
        verify_receipt_or_raise(
            resp.headers,
            prepared.body,
            resp.body,
            pair.tenant.state,
            pair.tenant.view,
            now_ms=pair.tick(),
        )


def test_header_names_are_matched_case_insensitively_end_to_end(tmp_path: Path) -> None:
    pair = _pair_at_turn_2(tmp_path)
    prepared = pair.request(3)
    call = pair.serve(prepared)
    lowered = tuple((k.lower(), v) for k, v in call.reply.headers)
    state = pair.tenant.accept(prepared, lowered, call.reply.body, now_ms=pair.tick())
    assert state.turn_num == 3


def test_receipt_bytes_that_are_not_canonical_fail_decoding(tmp_path: Path) -> None:
    pair = _pair_at_turn_2(tmp_path)
    prepared = pair.request(3)
    call = pair.serve(prepared)
    data = call.issued.receipt.encode()
    # Move field 2 (call_seq, 2 bytes after the 34-byte channel_id) to the end.
    swapped = data[:34] + data[36:] + data[34:36]
    resp = forge(pair, call, headers=set_header("X-DAIT-Receipt", b64(swapped)))
    with pytest.raises(E.ErrReceiptDecode):
        pair.tenant.accept(prepared, resp.headers, resp.body, now_ms=pair.tick())


# --- the order of the checks ------------------------------------------------------------------

ROGUE = SimVendor.from_seed(b"rogue")

# Faults in check order; each is independent of the others.
FAULTS = (
    "version",
    "channel",
    "call_seq",
    "sig",
    "quote",
    "request_hash",
    "response_hash",
    "late",
    "price",
    "host_state",
    "state_sig",
)
ERROR_OF = {
    "version": E.ErrUnsupportedVersion,
    "channel": E.ErrChannelIdMismatch,
    "call_seq": E.ErrCallSeqNotNext,
    "sig": E.ErrBadHostSignature,
    "quote": E.ErrQuoteUntrusted,
    "request_hash": E.ErrRequestHashMismatch,
    "response_hash": E.ErrResponseHashMismatch,
    "late": E.ErrPastDeadline,
    "price": E.ErrPriceMismatch,
    "host_state": E.ErrHostStateMismatch,
    "state_sig": E.ErrBadHostStateSignature,
}
# The rule (RULES key) each fault breaks.
RULE_OF = {
    "version": "headers",
    "channel": "channel",
    "call_seq": "call_seq",
    "sig": "sig_host",
    "quote": "quote",
    "request_hash": "request_hash",
    "response_hash": "response_hash",
    "late": "update",
    "price": "update",
    "host_state": "host_state",
    "state_sig": "host_state",
}


def _apply_faults(pair: Pair, faults: set[str]) -> tuple[PreparedRequest, Response]:
    prepared = pair.request(3)
    call = pair.serve(prepared)

    def edit_receipt(r: Receipt) -> Receipt:
        if "channel" in faults:
            r = replace(r, channel_id=digest("elsewhere"))
        if "call_seq" in faults:
            r = replace(r, call_seq=r.call_seq + 5)
        if "quote" in faults:
            ak = ROGUE.attestation_key(b"k")
            r = replace(r, tee_quote=ak.quote(QuoteType.TDX, r.model_hash, r.tee_pubkey))
        if "request_hash" in faults:
            r = replace(r, request_hash=digest("other"))
        if "price" in faults:
            r = replace(r, price_uDAIT=r.price_uDAIT + 3)
        if "sig" in faults:
            r = replace(r, timestamp=r.timestamp + 1)  # changed after signing
        return r

    receipt_faults = {"channel", "call_seq", "quote", "request_hash", "price", "sig"}
    resp = forge(
        pair,
        call,
        receipt=edit_receipt if faults & receipt_faults else None,
        resign="sig" not in faults,
        state=functools.partial(_edit_state, faults)
        if faults & {"host_state", "state_sig"}
        else None,
        text="altered output" if "response_hash" in faults else None,
        headers=set_header("X-DAIT-Version", "9") if "version" in faults else None,
    )
    return prepared, resp


def _edit_state(faults: set[str], state: ChannelState) -> ChannelState:
    if "host_state" in faults:
        state = replace(state, model_id="x")
    if "state_sig" in faults:
        # A valid low-S signature over the state's payload, by a key that is not the host's.
        payload = state.without_sigs().encode()
        state = replace(state, sig_host=sign_with_domain(OTHER_KEY, DOMAIN_STATE, payload))
    return state


OTHER_KEY = account_privkey("not the host")


@given(st.sets(st.sampled_from(FAULTS), min_size=1))
def test_the_first_failing_rule_in_check_order_is_the_one_reported(faults: set[str]) -> None:
    """For any set of independent faults, the error reported is that of the fault whose
    check comes first in the documented order (exactly one error per response), and the
    rules reported passed are exactly those before it, in order (what the checker counts),
    whatever order the checks are evaluated in."""
    pair = _shared_pair()
    # The host serves request 3 again for each example (it abandons its previous answer);
    # verify_receipt is a pure function of its inputs, so examples do not interact.
    prepared, resp = _apply_faults(pair, faults)
    now = DEADLINE if "late" in faults else pair.tick()
    got = verify_receipt(
        resp.headers, prepared.body, resp.body, pair.tenant.state, pair.tenant.view, now_ms=now
    )
    first = next(f for f in FAULTS if f in faults)
    assert type(got) is ERROR_OF[first], f"{faults}: {got!r}"
    trace: list[str] = []
    with pytest.raises(ERROR_OF[first]):
        check_response(
            resp.headers,
            prepared.body,
            resp.body,
            pair.tenant.state,
            pair.tenant.view,
            now_ms=now,
            trace=trace,
        )
    keys = [r.key for r in RULES]
    assert trace == keys[: keys.index(RULE_OF[first])]


def test_a_valid_response_passes_every_rule_in_order(tmp_path: Path) -> None:
    pair = _pair_at_turn_2(tmp_path)
    prepared = pair.request(3)
    call = pair.serve(prepared)
    trace: list[str] = []
    check_response(
        call.reply.headers,
        prepared.body,
        call.reply.body,
        pair.tenant.state,
        pair.tenant.view,
        now_ms=pair.tick(),
        trace=trace,
    )
    assert trace == [r.key for r in RULES]


@functools.cache
def _shared_pair() -> Pair:
    return _pair_at_turn_2(Path(tempfile.mkdtemp(prefix="spurc-order-")))


def test_rules_table_lists_the_check_order() -> None:
    assert [r.key for r in RULES] == [
        "framing",
        "headers",
        "decode",
        "channel",
        "call_seq",
        "sig_host",
        "quote",
        "request_hash",
        "response_hash",
        "update",
        "host_state",
    ]


# --- boundaries of the update's preconditions (decisions.md) --------------------------------------


class _StateInts(TypedDict, total=False):
    """ChannelState's int fields."""

    max_calls: int
    deadline: int
    escrow_amount: int
    spent_amount: int
    call_count: int
    turn_num: int


class _ReceiptInts(TypedDict, total=False):
    """Receipt's int fields."""

    call_seq: int
    tokens_in: int
    tokens_out: int
    price_uDAIT: int
    timestamp: int


def _state(**kw: Unpack[_StateInts]) -> ChannelState:
    base = ChannelState(b"\x00" * 32, "h", "u", "m", 10, 1000, 100, 0, 0, b"\x00" * 32, 0)
    return replace(base, **kw)


def _receipt(**kw: Unpack[_ReceiptInts]) -> Receipt:
    base = Receipt(
        b"\x00" * 32, 1, b"\x00" * 32, b"\x00" * 32, b"\x00" * 32, 0, 0, 0, b"", b"\x02" * 33, 0
    )
    return replace(base, **kw)


@pytest.mark.parametrize(("now", "ok"), [(999, True), (1000, False), (1001, False)])
def test_deadline_window_is_half_open_by_the_tenants_clock(now: int, ok: bool) -> None:
    if ok:
        check_before_deadline(_receipt(timestamp=0), _state(deadline=1000), now)
    else:
        with pytest.raises(E.ErrPastDeadline):
            check_before_deadline(_receipt(timestamp=0), _state(deadline=1000), now)


@pytest.mark.parametrize(("stamp", "ok"), [(999, True), (1000, False), (1001, False)])
def test_deadline_window_is_half_open_by_the_receipt_timestamp(stamp: int, ok: bool) -> None:
    if ok:
        check_before_deadline(_receipt(timestamp=stamp), _state(deadline=1000), 0)
    else:
        with pytest.raises(E.ErrPastDeadline):
            check_before_deadline(_receipt(timestamp=stamp), _state(deadline=1000), 0)


@pytest.mark.parametrize(("count", "ok"), [(8, True), (9, True), (10, False)])
def test_call_count_may_reach_max_calls_but_not_pass_it(count: int, ok: bool) -> None:
    if ok:
        check_within_max_calls(_state(max_calls=10, call_count=count))
    else:
        with pytest.raises(E.ErrMaxCallsExceeded):
            check_within_max_calls(_state(max_calls=10, call_count=count))


@pytest.mark.parametrize(("price", "ok"), [(39, True), (40, True), (41, False)])
def test_spent_may_reach_the_escrow_but_not_pass_it(price: int, ok: bool) -> None:
    state = _state(escrow_amount=100, spent_amount=60)
    if ok:
        check_within_escrow(_receipt(price_uDAIT=price), state)
    else:
        with pytest.raises(E.ErrEscrowOverspent):
            check_within_escrow(_receipt(price_uDAIT=price), state)


@given(
    st.integers(0, 10**6),
    st.integers(0, 10**6),
    st.integers(0, 1000),
    st.integers(0, 100),
    st.integers(0, 100),
)
def test_price_must_equal_the_rate_card(
    tin: int, tout: int, call: int, per_in: int, per_out: int
) -> None:
    """price_uDAIT is accepted iff it equals per_call + tin*per_in + tout*per_out."""
    terms = ChannelTerms(b"\x00" * 32, RateCard(call, per_in, per_out))
    want = call + tin * per_in + tout * per_out
    check_price_follows_rate_card(_receipt(tokens_in=tin, tokens_out=tout, price_uDAIT=want), terms)
    with pytest.raises(E.ErrPriceMismatch):
        check_price_follows_rate_card(
            _receipt(tokens_in=tin, tokens_out=tout, price_uDAIT=want + 1), terms
        )


def test_exact_escrow_spend_is_accepted_end_to_end(tmp_path: Path) -> None:
    # Call 1: tokens_in = 3 ("prompt number 1"), tokens_out = 6 (max_tokens):
    # price = 10 + 3*1 + 6*2 = 25 with the default rate card.
    pair = make_pair(tmp_path, escrow=25)
    state = pair.roundtrip(1)
    assert (state.spent_amount, state.escrow_amount) == (25, 25)


def test_signatures_on_the_result_use_their_domains(tmp_path: Path) -> None:
    pair = _pair_at_turn_2(tmp_path)
    state = pair.tenant.state
    receipt = pair.tenant.store.receipts()[-1]
    assert verify_with_domain(
        receipt.tee_pubkey, DOMAIN_RECEIPT, receipt.without_sig().encode(), receipt.sig_host
    )
    user_pub = pubkey_from_privkey(account_privkey("user"))
    assert verify_with_domain(user_pub, DOMAIN_STATE, state.without_sigs().encode(), state.sig_user)


@given(st.lists(receipts, min_size=1, max_size=5))
def test_update_counts_the_call_adds_the_price_and_appends_the_signed_receipt(
    chain: list[Receipt],
) -> None:
    """Seed 002 §7 last step, state by state from turn 0; the root is recomputed from all
    leaves (crypto.merkle.merkle_root, not the accumulator the update extends)."""
    state = sim_open_state(sim_host_identity())
    frontier = Frontier.empty()
    for n, receipt in enumerate(chain, start=1):
        prev = state
        state, frontier = apply_receipt(prev, receipt, frontier)
        assert state == replace(
            prev,
            call_count=n,
            spent_amount=sum(r.price_uDAIT for r in chain[:n]),
            receipts_merkle_root=merkle_root([r.encode() for r in chain[:n]]),
            turn_num=n,
        )
        # The frontier's kept root is the one a fresh copy computes from its nodes.
        fresh = Frontier(frontier.size, frontier.nodes)
        assert frontier == fresh and frontier.size == n
        assert frontier.root() == fresh.root() == state.receipts_merkle_root
