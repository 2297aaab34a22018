"""Sessions and the cosign protocol (decisions.md SPUR-IC; specs/spurc.md "Cosign
protocol", "Sessions")."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.crypto.merkle import EMPTY_ROOT, merkle_root
from dait_chain.spurc.attestation import simulated_registry
from dait_chain.spurc.cosign import (
    HostView,
    TenantStateVerdict,
    check_presentable,
    check_tenant_state,
)
from dait_chain.spurc.errors import ErrStateProvisional
from dait_chain.spurc.session import HostSession, TenantSession
from dait_chain.spurc.signing import check_state_host_signature, check_state_user_signature
from dait_chain.spurc.simworld import account_privkey, sim_policy
from dait_chain.spurc.store import Durability

from .harness import make_pair


@given(st.lists(st.booleans(), min_size=1, max_size=10))
def test_n_honest_calls_spend_the_sum_of_prices_under_the_merkle_root_of_the_receipts(
    streams: list[bool],
) -> None:
    """After N honest calls (each JSON or streamed): call_count = turn_num = N,
    spent_amount = sum of the receipts' prices, receipts_merkle_root = merkle_root over the
    N receipts' canonical encodings (sig_host included), and the tenant and host agree on
    state n at every step."""
    with tempfile.TemporaryDirectory() as tmp:
        pair = make_pair(Path(tmp))
        receipts = []
        for i, stream in enumerate(streams, start=1):
            prepared = pair.request(i)
            call = pair.serve(prepared, stream=stream)
            state = pair.tenant.accept(
                prepared, call.reply.headers, call.reply.body, now_ms=pair.tick()
            )
            receipts.append(call.issued.receipt)
            # Agreement on state n: the host's provisional state is the tenant's, unsigned
            # by the user; the host's checkpoint is the tenant's previous cosigned state.
            assert replace(state, sig_user=b"") == call.issued.state
            assert pair.host.latest_cosigned() == call.presented
        n = len(streams)
        assert (state.call_count, state.turn_num) == (n, n)
        assert state.spent_amount == sum(r.price_uDAIT for r in receipts)
        assert state.receipts_merkle_root == merkle_root([r.encode() for r in receipts])
        assert state.receipts_merkle_root != merkle_root(
            [r.without_sig().encode() for r in receipts]
        )
        assert pair.tenant.store.receipts() == tuple(receipts)
        pair.tenant.close()
        pair.host.close()


def test_turn_0_is_the_open_state(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    s = pair.tenant.state
    assert (s.turn_num, s.call_count, s.spent_amount, s.receipts_merkle_root) == (
        0,
        0,
        0,
        EMPTY_ROOT,
    )
    assert (s.sig_user, s.sig_host) == (b"", b"")
    check_presentable(s)
    assert pair.tenant.dispute_evidence() == s == pair.host.dispute_evidence()


def test_dispute_evidence_is_the_highest_cosigned_state_with_both_signatures(
    tmp_path: Path,
) -> None:
    pair = make_pair(tmp_path)
    for i in range(1, 4):
        pair.roundtrip(i)
    evidence = pair.tenant.dispute_evidence()
    assert evidence.turn_num == 3
    check_state_host_signature(evidence)
    check_state_user_signature(evidence)
    # The host learns cosigned state 3 only with request 4.
    assert pair.host.dispute_evidence().turn_num == 2
    pair.roundtrip(4)
    assert pair.host.dispute_evidence().turn_num == 3


def test_a_provisional_state_is_never_presentable(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    prepared = pair.request(1)
    call = pair.serve(prepared)
    with pytest.raises(ErrStateProvisional):
        check_presentable(call.issued.state)


def test_host_advances_on_the_cosigned_state_it_issued(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.roundtrip(1)
    issued = pair.host.store.issued()
    assert issued is not None
    view = HostView(pair.host.latest_cosigned(), issued.state)
    assert check_tenant_state(pair.tenant.state, view) is TenantStateVerdict.ADVANCE


def test_host_serves_the_same_call_again_when_the_tenant_never_cosigned(tmp_path: Path) -> None:
    """The tenant loses response 2 (a crash before its commit): it sends state 1 again, the
    host abandons provisional state 2 and issues call_seq 2 anew."""
    pair = make_pair(tmp_path)
    pair.roundtrip(1)
    lost = pair.serve(pair.request(2))
    state = pair.roundtrip(2)
    assert state.call_count == 2
    assert [seq for seq, _ in pair.host.store.abandoned()] == [2]
    assert pair.host.store.abandoned()[0][1] == lost.issued.receipt
    assert pair.tenant.store.receipts()[-1] != lost.issued.receipt
    pair.roundtrip(3)
    assert [r.call_seq for r in pair.host.store.receipts()] == [1, 2]


def test_sessions_resume_after_close(tmp_path: Path) -> None:
    pair = make_pair(tmp_path)
    pair.roundtrip(1)
    pair.roundtrip(2)
    pair.tenant.close()
    pair.host.close()
    pair.tenant = TenantSession.resume(
        tmp_path / "tenant.sqlite",
        user_privkey=account_privkey("user"),
        policy=sim_policy(),
        registry=simulated_registry(),
    )
    pair.host = HostSession.resume(tmp_path / "host.sqlite", identity=pair.identity)
    assert pair.roundtrip(3).turn_num == 3
    assert [r.call_seq for r in pair.tenant.store.receipts()] == [1, 2, 3]


def test_stores_default_to_full_durability_in_wal_mode(tmp_path: Path) -> None:
    """Durability.FULL (the default): WAL journal, synchronous=FULL (2), so a commit is on
    disk before it returns; PROCESS: synchronous=NORMAL (1)."""
    (tmp_path / "full").mkdir()
    (tmp_path / "process").mkdir()
    full = make_pair(tmp_path / "full", durability=Durability.FULL)
    conn = full.tenant.store.connection
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    process = make_pair(tmp_path / "process")
    assert process.host.store.connection.execute("PRAGMA synchronous").fetchone()[0] == 1
    default = TenantSession.create.__kwdefaults__
    assert default is not None and default["durability"] is Durability.FULL
