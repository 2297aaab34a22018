"""The block precheck (specs/app.md §3.4): decoding every tx and checking the signatures a
block's txs will need, in one pass before the block runs, changes no result."""

from __future__ import annotations

from typing import TypedDict, Unpack

import pytest

from dait_chain.app import app as app_module
from dait_chain.app.ante import BlockPrecheck, precheck_block
from dait_chain.app.context import ExecMode
from dait_chain.app.testkit import BASE_MODULES, TestChain, actor
from dait_chain.app.tx import read_tx, sign_doc_bytes
from dait_chain.codec.tx import Coin, MsgSend

USERS = ("alice", "bob", "carol")


def chain() -> TestChain:
    return TestChain.start(modules=BASE_MODULES, users=USERS, balance=10**9)


class _TxOptions(TypedDict, total=False):
    """The TestChain.tx options these tests set."""

    fee: int
    sequence: int
    account_number: int


def send(
    chain: TestChain, who: str, to: str, amount: int = 5, **options: Unpack[_TxOptions]
) -> bytes:
    a, b = chain.actors[who], chain.actors[to]
    return chain.tx(a, MsgSend(a.address, b.address, (Coin("uDAIT", str(amount)),)), **options)


def awkward_blocks(c: TestChain) -> list[tuple[bytes, ...]]:
    """Blocks whose txs defeat the precheck's guesses: several txs of one signer, the first
    failing in the ante or in its message; a duplicate tx; a wrong sequence; a signature
    for another account number; a key of another address; garbage bytes."""
    mallory = actor("mallory")
    first = send(c, "alice", "bob")
    return [
        (
            send(c, "alice", "bob", fee=10**12),  # cannot pay: sequence 0 not used
            first,  # sequence 0 again, now paying
            first,  # a duplicate: wrong sequence by then
            send(c, "alice", "carol", sequence=1),
            send(c, "bob", "alice", amount=10**12),  # fails in its message: fee, seq kept
            send(c, "bob", "carol", sequence=1),
            send(c, "carol", "bob", account_number=99),  # bad signature
            b"\x0a\x01",  # not a tx
        ),
        (
            send(c, "carol", "alice", sequence=0),
            c.tx(
                mallory,
                MsgSend(c.actors["carol"].address, mallory.address, (Coin("uDAIT", "1"),)),
                sequence=1,
            ),  # carol's sequence, mallory's key
            send(c, "alice", "bob", sequence=2),
            send(c, "alice", "bob", sequence=2),
        ),
    ]


def test_block_precheck_changes_no_result(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same blocks give the same results, events and app hashes with and without the
    precheck, also when its guesses about sequences and keys are wrong."""
    with_precheck = chain()
    blocks = awkward_blocks(with_precheck)
    expected = [with_precheck.block(*txs) for txs in blocks]
    assert any(r.ok for r in expected[0].tx_results)
    assert any(not r.ok for r in expected[0].tx_results)

    without = chain()
    monkeypatch.setattr(app_module, "precheck_block", lambda *args: None)
    assert [without.block(*txs) for txs in blocks] == expected


def test_precheck_decodes_each_tx_and_checks_the_signatures_it_can_predict() -> None:
    c = chain()
    alice = c.actors["alice"]
    txs = (send(c, "alice", "bob"), send(c, "alice", "bob", sequence=1), b"\xff")
    precheck = precheck_block(c.app.query_context(ExecMode.TX), txs, c.app.routes, c.app.auth)
    assert set(precheck.views) == set(txs[:2])  # the garbage is left to the ante
    number, _ = c.account(alice)
    for tx in txs[:2]:
        view = read_tx(tx)
        doc = sign_doc_bytes(view.body_bytes, view.auth_info_bytes, c.spec.chain_id, number)
        assert precheck.verified(alice.pubkey, doc, view.signatures[0]) is True


def test_ante_takes_the_signature_result_from_the_precheck() -> None:
    """The ante asks the precheck before verifying: a recorded result is the result (the
    precheck records only what secp256k1.verify returned for the same inputs)."""
    c = chain()
    alice = c.actors["alice"]
    tx = send(c, "alice", "bob")
    view = read_tx(tx)
    number, _ = c.account(alice)
    doc = sign_doc_bytes(view.body_bytes, view.auth_info_bytes, c.spec.chain_id, number)
    planted = BlockPrecheck()
    planted.record(alice.pubkey, doc, view.signatures[0], False)
    ctx = c.app.query_context(ExecMode.TX)
    result = c.app.deliver_tx(ctx, tx, planted)
    assert (result.codespace, result.code) == ("sdk", 4)
    assert c.app.deliver_tx(c.app.query_context(ExecMode.TX), tx).ok
