"""Tx atomicity: a failing message keeps the fee and the sequence, nothing else
(specs/app.md §3.2)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.app.errors import ErrInsufficientFunds, ErrUnauthorized
from dait_chain.app.testkit import BASE_MODULES, TestChain
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.crypto.address import module_address
from dait_chain.x.auth.keeper import FEE_COLLECTOR

FEE = 1_000
BALANCE = 1_000_000


def changed_keys(before: list[tuple[bytes, bytes]], after: list[tuple[bytes, bytes]]) -> set[bytes]:
    a, b = dict(before), dict(after)
    return {k for k in a.keys() | b.keys() if a.get(k) != b.get(k)}


def store_key(chain: TestChain, collection: str, address: str) -> bytes:
    if collection == "balance":
        return chain.app.bank.balances.store_key(address)
    return chain.app.auth.accounts.store_key(address)


CHAIN = TestChain.start(modules=BASE_MODULES, users=("alice", "bob", "carol"), balance=BALANCE)


def fresh_chain() -> TestChain:
    chain = TestChain.start(modules=BASE_MODULES, users=("alice", "bob", "carol"), balance=BALANCE)
    assert chain.app.app_hash == CHAIN.app.app_hash
    return chain


@settings(max_examples=25)
@given(
    st.integers(1, 5),
    st.data(),
    st.sampled_from(["overdraw", "to-module"]),
)
def test_failing_message_at_any_position_leaves_only_fee_and_sequence(
    n: int, data: st.DataObject, failure: str
) -> None:
    """Whatever the position of the failing message among n, the tx's result is that
    message's error, its events are the ante's only, and the only keys that change are the
    signer's balance (by exactly the fee), the fee collector's balance and the signer's
    account (sequence + 1, public key stored)."""
    chain = fresh_chain()
    alice, bob = chain.alice, chain.bob
    bad_at = data.draw(st.integers(0, n - 1))
    msgs = []
    for i in range(n):
        if i != bad_at:
            msgs.append(MsgSend(alice.address, bob.address, (Coin("uDAIT", "7"),)))
        elif failure == "overdraw":
            msgs.append(MsgSend(alice.address, bob.address, (Coin("uDAIT", str(BALANCE)),)))
        else:
            to = module_address(FEE_COLLECTOR)
            msgs.append(MsgSend(alice.address, to, (Coin("uDAIT", "1"),)))
    before = chain.app.state_pairs()
    result = chain.block(chain.tx(alice, *msgs)).tx_results[0]
    error = ErrInsufficientFunds if failure == "overdraw" else ErrUnauthorized
    assert (result.codespace, result.code) == (error.codespace, error.code)
    assert [e.type for e in result.events] == [
        "coin_spent",
        "coin_received",
        "transfer",
        "tx",
        "tx",
        "tx",
    ]
    assert changed_keys(before, chain.app.state_pairs()) == {
        store_key(chain, "balance", alice.address),
        store_key(chain, "balance", module_address(FEE_COLLECTOR)),
        store_key(chain, "account", alice.address),
    }
    assert chain.balance(alice) == BALANCE - FEE
    assert chain.balance(bob) == BALANCE
    assert chain.account(alice) == (0, 1)


def test_all_messages_succeeding_keep_every_write_and_event() -> None:
    chain = fresh_chain()
    alice, bob, carol = chain.alice, chain.bob, chain.carol
    msgs = [
        MsgSend(alice.address, bob.address, (Coin("uDAIT", "3"),)),
        MsgSend(alice.address, carol.address, (Coin("uDAIT", "4"),)),
    ]
    result = chain.block(chain.tx(alice, *msgs)).tx_results[0]
    assert result.ok
    assert chain.balance(bob) == BALANCE + 3
    assert chain.balance(carol) == BALANCE + 4
    indexed = [e.get("msg_index") for e in result.events[6:]]
    assert indexed == ["0"] * 4 + ["1"] * 4


def test_failed_tx_does_not_affect_the_next_tx_in_the_block() -> None:
    chain = fresh_chain()
    alice, bob = chain.alice, chain.bob
    bad = chain.tx(alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", str(BALANCE)),)))
    good = chain.tx(bob, MsgSend(bob.address, alice.address, (Coin("uDAIT", "10"),)))
    results = chain.block(bad, good).tx_results
    assert [r.ok for r in results] == [False, True]
    assert chain.balance(alice) == BALANCE - FEE + 10


def test_tx_refused_in_the_ante_after_paying_leaves_nothing_for_the_next_tx() -> None:
    """The fee is moved before the signature is checked; a tx refused there leaves no
    write and no event, even though the next tx of the block runs in the same context
    (the app reuses one tx branch and event manager per block)."""
    chain = fresh_chain()
    alice, bob = chain.alice, chain.bob
    number, sequence = chain.account(alice)
    forged = chain.tx(  # signed for another account number: fails after the fee moved
        alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),)), account_number=number + 1
    )
    good = chain.tx(bob, MsgSend(bob.address, alice.address, (Coin("uDAIT", "10"),)))
    bad_result, good_result = chain.block(forged, good).tx_results
    assert (bad_result.codespace, bad_result.code, bad_result.events) == ("sdk", 4, ())
    assert good_result.ok
    assert chain.balance(alice) == BALANCE + 10
    assert chain.account(alice) == (number, sequence)
    spent = [e for e in good_result.events if e.type == "coin_spent"]
    assert [e.get("spender") for e in spent] == [bob.address, bob.address]
