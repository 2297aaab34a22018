"""DaitApp: genesis, block checks, export/import, sparse time, invariants, ABCI++ dispatch
(specs/app.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from dait_chain.app.abci import (
    ExtendVoteRequest,
    FinalizeBlockRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
    vote_extension_sign_bytes,
)
from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context
from dait_chain.app.errors import (
    ErrInvalidBlock,
    ErrInvalidGenesis,
    ErrVoteExtension,
)
from dait_chain.app.genesis import build_genesis
from dait_chain.app.module import Due, GenesisSection, Keepers, Module, MsgHandler
from dait_chain.app.testkit import BASE_MODULES, TestChain
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.store.collections import IntValue, Item, Schema
from dait_chain.store.commitment import app_hash_of

from .workload import make_blocks, run, workload_chain

# ---- genesis ------------------------------------------------------------------------------


def test_init_chain_returns_the_hash_of_the_genesis_pairs() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    assert chain.app.app_hash == app_hash_of(chain.app.state_pairs())
    assert chain.app.height == 0
    assert chain.app.time_ms == chain.spec.genesis_time_ms


@pytest.mark.parametrize(
    "change",
    [
        {"chain_id": ""},
        {"chain_id": 5},
        {"genesis_time_ms": "-1"},
        {"genesis_time_ms": "01"},
        {"genesis_time_ms": True},
        {"genesis_time_ms": str(1 << 64)},
        {"initial_height": "0"},
        {"bogus_module": {}},
        {"bank": []},
        {"bank": {"balances": [{"address": "dait1xyz", "amount": "5"}]}},
    ],
)
def test_invalid_genesis_is_refused_and_imports_nothing(change: Mapping[str, Any]) -> None:
    good = build_genesis(TestChain.start(modules=BASE_MODULES).spec)
    app = DaitApp(BASE_MODULES)
    with pytest.raises(ErrInvalidGenesis):
        app.init_chain({**good, **change})
    assert app.state_pairs() == []
    assert app.chain_id == ""


def test_second_init_chain_is_refused() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    before = chain.app.state_pairs()
    with pytest.raises(ErrInvalidGenesis):
        chain.app.init_chain(build_genesis(chain.spec))
    assert chain.app.state_pairs() == before


def test_missing_module_section_is_its_default_genesis() -> None:
    app = DaitApp(BASE_MODULES)
    app.init_chain({"chain_id": "c", "genesis_time_ms": 5, "initial_height": 10})
    assert app.height == 9
    assert app.time_ms == 5
    assert app.export_genesis()["auth"] == app.module("auth").default_genesis()


# ---- blocks -------------------------------------------------------------------------------


def test_block_before_init_chain_is_refused() -> None:
    with pytest.raises(ErrInvalidBlock):
        DaitApp(BASE_MODULES).finalize_block(FinalizeBlockRequest(1, 0, ""))


@pytest.mark.parametrize(("height", "dt"), [(-1, 999), (-2, 999), (0, -1)])
def test_block_out_of_sequence_is_refused_and_changes_nothing(height: int, dt: int) -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    chain.block()
    before = (chain.app.state_pairs(), chain.app.height, chain.app.time_ms)
    with pytest.raises(ErrInvalidBlock):
        chain.block(height=chain.app.height + 1 + height, time_ms=chain.app.time_ms + dt)
    assert (chain.app.state_pairs(), chain.app.height, chain.app.time_ms) == before


def test_block_with_the_same_time_as_the_last_is_accepted() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    chain.block(time_ms=chain.spec.genesis_time_ms)
    assert chain.app.height == 1


def test_idle_block_leaves_the_app_hash_unchanged() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    before = chain.app.app_hash
    assert chain.block().app_hash == before


def test_skipping_idle_heights_equals_running_them() -> None:
    """Sparse time: jumping over heights where nothing is due gives the same state as
    stepping through them one by one."""
    dense, sparse = TestChain.start(modules=BASE_MODULES), TestChain.start(modules=BASE_MODULES)
    assert sparse.app.next_due() == Due(height=100)
    for _ in range(99):
        dense.block()
    sparse.block(height=99, time_ms=sparse.time_of(99))
    assert sparse.app.app_hash == dense.app.app_hash
    assert dense.block().app_hash == sparse.block().app_hash  # height 100 allocates


def test_skipping_over_a_due_height_is_refused() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    before = chain.app.state_pairs()
    with pytest.raises(ErrInvalidBlock, match="100"):
        chain.block(height=101, time_ms=chain.time_of(101))
    assert chain.app.state_pairs() == before
    assert chain.app.height == 0


class Exploding(Module):
    """A module whose EndBlock fails after writing."""

    name = "exploding"

    def __init__(self) -> None:
        self.keeper = object()
        self.flag = Item(Schema("exploding"), 0, "flag", IntValue)

    def end_block(self, ctx: Context) -> None:
        self.flag.set(ctx, 1)
        raise RuntimeError("end block failed")


def test_failing_end_block_aborts_the_block_and_commits_nothing() -> None:
    chain = TestChain.start(modules=(*BASE_MODULES, lambda k: Exploding()))
    alice, bob = chain.alice, chain.bob
    tx = chain.tx(alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),)))
    before = (chain.app.state_pairs(), chain.app.height, chain.app.app_hash)
    with pytest.raises(RuntimeError):
        chain.block(tx)
    assert (chain.app.state_pairs(), chain.app.height, chain.app.app_hash) == before


# ---- export / import ----------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "export_at"), [(1, 3), (2, 11), (3, 17)])
def test_export_at_any_height_imports_to_the_same_hash_and_the_same_future(
    seed: int, export_at: int
) -> None:
    """Exporting at height H and importing the export into a fresh app gives the same app
    hash; feeding both apps the same later blocks gives the same results and hashes."""
    chain = workload_chain()
    blocks = make_blocks(chain, seed, 30)
    run(chain, blocks[:export_at])
    exported = chain.app.export_genesis()
    assert exported["initial_height"] == str(export_at + 1)
    twin = TestChain(DaitApp(BASE_MODULES), chain.spec, chain.actors)
    assert twin.app.init_chain(exported) == chain.app.app_hash
    assert twin.app.state_pairs() == chain.app.state_pairs()
    assert twin.app.export_genesis() == exported
    assert run(twin, blocks[export_at:]) == run(chain, blocks[export_at:])
    assert chain.app.check_invariants() == []


def test_workload_exercises_refusals_unbonding_and_allocation() -> None:
    chain = workload_chain()
    results = run(chain, make_blocks(chain, 1, 30))
    codes = {c for block in results for c in block[0]}
    assert ("", 0) in codes and ("sdk", 5) in codes
    assert any("rewards" in block[1] for block in results)
    assert any("complete_unbonding" in block[2] for block in results)
    assert chain.app.check_invariants() == []


# ---- invariants ---------------------------------------------------------------------------


def test_check_invariants_reports_a_broken_supply() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    assert chain.app.check_invariants() == []
    ctx = Context("x", 0, 0, "", chain.app.store)
    chain.app.bank.set_balance(ctx, chain.alice.address, 1)
    broken = chain.app.check_invariants()
    assert [(m, n) for m, n, _ in broken] == [("bank", "total-supply")]


# ---- ABCI++ -------------------------------------------------------------------------------


def test_prepare_proposal_keeps_mempool_order_within_max_bytes() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    txs = (b"a" * 10, b"b" * 10, b"c" * 10)
    req = PrepareProposalRequest(1, chain.time_of(1), chain.val0.address, txs, None, 25)
    assert chain.app.prepare_proposal(req) == txs[:2]
    assert chain.app.process_proposal(ProcessProposalRequest(1, 0, "", txs))


def test_without_an_extending_module_vote_extensions_are_empty() -> None:
    app = TestChain.start(modules=BASE_MODULES).app
    assert app.extend_vote(ExtendVoteRequest(1, 0, "v", ())) == b""
    assert app.verify_vote_extension(VerifyVoteExtensionRequest(1, "v", b""))
    assert not app.verify_vote_extension(VerifyVoteExtensionRequest(1, "v", b"x"))


def test_abci_plus_requests_for_a_committed_height_are_refused() -> None:
    chain = TestChain.start(modules=BASE_MODULES)
    chain.block()
    with pytest.raises(ErrVoteExtension):
        chain.app.extend_vote(ExtendVoteRequest(1, 0, "v", ()))
    with pytest.raises(ErrVoteExtension):
        chain.app.prepare_proposal(PrepareProposalRequest(1, 0, "", ()))


class Injector(Module):
    """Claims a leading b"INJECT" pseudo-tx, extends votes with the mempool size, and
    accepts only proposals that start with the injection."""

    name = "injector"

    def __init__(self) -> None:
        self.keeper = object()
        self.seen: list[tuple[bytes, ...]] = []

    def pre_block(self, ctx: Context, txs: tuple[bytes, ...]) -> int:
        self.seen.append(txs)
        return 1 if txs[:1] == (b"INJECT",) else 0

    def prepare_proposal(
        self, ctx: Context, req: PrepareProposalRequest, txs: tuple[bytes, ...]
    ) -> tuple[bytes, ...]:
        return (b"INJECT", *txs)

    def process_proposal(self, ctx: Context, req: ProcessProposalRequest) -> bool:
        return req.txs[:1] == (b"INJECT",)

    def extend_vote(self, ctx: Context, req: ExtendVoteRequest) -> bytes:
        return len(req.mempool).to_bytes(1, "big")

    def verify_vote_extension(self, ctx: Context, req: VerifyVoteExtensionRequest) -> bool:
        return len(req.vote_extension) == 1

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        return {}

    def default_genesis(self) -> GenesisSection:
        return {}


def injector_factory(keepers: Keepers) -> Module:
    return Injector()


def test_abci_plus_hooks_dispatch_to_the_implementing_module() -> None:
    chain = TestChain.start(modules=(*BASE_MODULES, injector_factory))
    app = chain.app
    alice, bob = chain.alice, chain.bob
    tx = chain.tx(alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),)))
    proposal = app.prepare_proposal(PrepareProposalRequest(1, chain.time_of(1), "", (tx,)))
    assert proposal == (b"INJECT", tx)
    assert app.process_proposal(ProcessProposalRequest(1, 0, "", proposal))
    assert not app.process_proposal(ProcessProposalRequest(1, 0, "", (tx,)))
    assert app.extend_vote(ExtendVoteRequest(1, 0, "v", (), (tx, tx))) == b"\x02"
    assert app.verify_vote_extension(VerifyVoteExtensionRequest(1, "v", b"\x02"))
    results = chain.block(*proposal).tx_results
    assert [(r.code, r.log) for r in results] == [(0, "injector pseudo-tx"), (0, "")]


def test_two_modules_extending_votes_is_a_wiring_error() -> None:
    class Other(Injector):
        name = "other"

    with pytest.raises(TypeError, match="extend_vote"):
        DaitApp((*BASE_MODULES, injector_factory, lambda k: Other()))


def test_vote_extension_sign_bytes_follow_canonical_vote_extension() -> None:
    # CanonicalVoteExtension{extension: "ab", height: 2, round: 0, chain_id: "c"}:
    # 0a 02 'a' 'b' | 11 + 8-byte little-endian 2 | (round 0 omitted) | 22 01 'c'
    body = b"\x0a\x02ab" + b"\x11" + (2).to_bytes(8, "little") + b"\x22\x01c"
    assert vote_extension_sign_bytes("c", 2, 0, b"ab") == bytes([len(body)]) + body
    assert vote_extension_sign_bytes("", 0, 0, b"") == b"\x00"
    negative = vote_extension_sign_bytes("", 0, -1, b"")
    assert negative == b"\x09\x19" + b"\xff" * 8
