"""x/bank: balances, supply, MsgSend, module accounts (specs/bank.md)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.app.context import Context
from dait_chain.app.errors import (
    ErrInsufficientFunds,
    ErrInvalidAddress,
    ErrInvalidCoins,
    ErrInvalidGenesis,
    ErrUnauthorized,
)
from dait_chain.app.testkit import BASE_MODULES, TestChain
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.crypto.address import encode_address, module_address
from dait_chain.errors import DaitError
from dait_chain.store.kv import CacheKV
from dait_chain.x.bank.coins import MAX_AMOUNT, coin, format_amount, parse_amount, parse_coin
from dait_chain.x.bank.errors import ErrNoPermission, ErrSupplyOverflow, ErrUnknownModuleAccount
from dait_chain.x.bank.genesis import parse_genesis
from dait_chain.x.bank.invariants import total_supply

FEE = 1_000
BALANCE = 1_000_000


@pytest.fixture
def chain() -> TestChain:
    return TestChain.start(modules=BASE_MODULES, users=("alice", "bob"), balance=BALANCE)


def branch(chain: TestChain) -> Context:
    return Context(chain.app.chain_id, 1, 0, "", CacheKV(chain.app.store))


def assert_keeper_refuses(chain: TestChain, error: type[DaitError], call: Any) -> None:
    """The keeper call raises exactly `error` and its context's store saw no write."""
    ctx = branch(chain)
    with pytest.raises(error):
        call(ctx)
    assert isinstance(ctx.store, CacheKV) and ctx.store.dirty_count() == 0
    assert ctx.events.events == ()


def send_result(chain: TestChain, msg: MsgSend) -> tuple[str, int]:
    before = chain.balance(chain.bob)
    result = chain.block(chain.tx(chain.alice, msg)).tx_results[0]
    if not result.ok:
        assert chain.balance(chain.bob) == before
        assert chain.balance(chain.alice) == BALANCE - FEE  # only the fee left
    return result.codespace, result.code


# ---- MsgSend ------------------------------------------------------------------------------


def test_send_moves_the_amount_and_emits_cosmos_events(chain: TestChain) -> None:
    msg = MsgSend(chain.alice.address, chain.bob.address, (coin(250),))
    res = chain.block(chain.tx(chain.alice, msg)).tx_results[0]
    assert res.ok
    assert chain.balance(chain.alice) == BALANCE - 250 - FEE
    assert chain.balance(chain.bob) == BALANCE + 250
    transfer = [e.as_dict() for e in res.events if e.type == "transfer"][-1]
    assert transfer == {
        "recipient": chain.bob.address,
        "sender": chain.alice.address,
        "amount": "250uDAIT",
        "msg_index": "0",
    }


def test_send_to_a_new_address_creates_its_account_with_the_next_number(chain: TestChain) -> None:
    newcomer = encode_address(bytes(20))
    before = chain.app.auth.next_account_number.peek(chain.ctx())
    msg = MsgSend(chain.alice.address, newcomer, (coin(1),))
    assert chain.block(chain.tx(chain.alice, msg)).tx_results[0].ok
    acc = chain.app.auth.account(chain.ctx(), newcomer)
    assert acc is not None and acc.account_number == before


def test_sending_more_than_the_balance_is_insufficient_funds(chain: TestChain) -> None:
    msg = MsgSend(chain.alice.address, chain.bob.address, (coin(BALANCE),))
    assert send_result(chain, msg) == (ErrInsufficientFunds.codespace, ErrInsufficientFunds.code)


@pytest.mark.parametrize(
    "coins",
    [
        (),
        (Coin("uDAIT", "0"),),
        (Coin("uDAIT", "007"),),
        (Coin("uDAIT", "-5"),),
        (Coin("uDAIT", "1.5"),),
        (Coin("uatom", "5"),),
        (Coin("uDAIT", "1"), Coin("uDAIT", "2")),
        (Coin("uDAIT", str(MAX_AMOUNT + 1)),),
    ],
)
def test_send_of_invalid_coins_is_refused(chain: TestChain, coins: tuple[Coin, ...]) -> None:
    msg = MsgSend(chain.alice.address, chain.bob.address, coins)
    assert send_result(chain, msg) == (ErrInvalidCoins.codespace, ErrInvalidCoins.code)


@pytest.mark.parametrize(
    "to", ["", "dait1xyz", encode_address(bytes(20), "cosmos"), encode_address(bytes(20)).upper()]
)
def test_send_to_an_invalid_address_is_refused(chain: TestChain, to: str) -> None:
    msg = MsgSend(chain.alice.address, to, (coin(1),))
    assert send_result(chain, msg) == (ErrInvalidAddress.codespace, ErrInvalidAddress.code)


def test_send_to_a_module_account_is_unauthorized(chain: TestChain) -> None:
    msg = MsgSend(chain.alice.address, module_address("bonded_tokens_pool"), (coin(1),))
    assert send_result(chain, msg) == (ErrUnauthorized.codespace, ErrUnauthorized.code)


# ---- keeper -------------------------------------------------------------------------------


def test_keeper_refuses_overdraw_without_writing(chain: TestChain) -> None:
    bank = chain.app.bank
    assert_keeper_refuses(
        chain,
        ErrInsufficientFunds,
        lambda ctx: bank.send(ctx, chain.alice.address, chain.bob.address, BALANCE + 1),
    )


@pytest.mark.parametrize("amount", [-1, MAX_AMOUNT + 1])
def test_keeper_refuses_amounts_outside_sdk_int(chain: TestChain, amount: int) -> None:
    bank = chain.app.bank
    assert_keeper_refuses(
        chain,
        ErrInvalidCoins,
        lambda ctx: bank.send(ctx, chain.alice.address, chain.bob.address, amount),
    )


def test_unknown_module_account_is_refused(chain: TestChain) -> None:
    bank = chain.app.bank
    assert_keeper_refuses(
        chain,
        ErrUnknownModuleAccount,
        lambda ctx: bank.send_to_module(ctx, chain.alice.address, "nowhere", 1),
    )


def test_mint_and_burn_need_the_permission(chain: TestChain) -> None:
    bank = chain.app.bank
    assert_keeper_refuses(chain, ErrNoPermission, lambda ctx: bank.mint(ctx, "fee_collector", 1))
    assert_keeper_refuses(chain, ErrNoPermission, lambda ctx: bank.burn(ctx, "distribution", 1))


def test_mint_beyond_the_sdk_int_bound_overflows_the_supply(chain: TestChain) -> None:
    bank = chain.app.bank
    room = MAX_AMOUNT - bank.supply(chain.ctx())
    ctx = branch(chain)
    bank.mint(ctx, "distribution", room)
    assert bank.supply(ctx) == MAX_AMOUNT
    assert_keeper_refuses(
        chain, ErrSupplyOverflow, lambda c: bank.mint(c, "distribution", room + 1)
    )


def test_mint_and_burn_change_supply_and_balance_together(chain: TestChain) -> None:
    bank = chain.app.bank
    ctx = branch(chain)
    supply = bank.supply(ctx)
    bank.mint(ctx, "distribution", 500)
    bank.send_module_to_module(ctx, "distribution", "bonded_tokens_pool", 200)
    bank.burn(ctx, "bonded_tokens_pool", 150)
    assert bank.supply(ctx) == supply + 350
    assert bank.module_balance(ctx, "distribution") == 300
    assert total_supply(bank, ctx)[1] is False
    assert [e.type for e in ctx.events.events][:2] == ["coin_received", "coinbase"]


def test_zero_amount_moves_nothing_and_emits_nothing(chain: TestChain) -> None:
    ctx = branch(chain)
    chain.app.bank.send(ctx, chain.alice.address, chain.bob.address, 0)
    chain.app.bank.mint(ctx, "distribution", 0)
    chain.app.bank.burn(ctx, "bonded_tokens_pool", 0)
    assert ctx.events.events == ()
    assert isinstance(ctx.store, CacheKV) and ctx.store.dirty_count() == 0


def test_emptied_balance_is_deleted(chain: TestChain) -> None:
    ctx = branch(chain)
    chain.app.bank.send(ctx, chain.alice.address, chain.bob.address, BALANCE)
    assert chain.app.bank.balances.get(ctx, chain.alice.address) is None


@settings(max_examples=30)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["send", "mint", "burn", "to_module"]), st.integers(0, 2 * BALANCE)
        ),
        max_size=25,
    )
)
def test_sum_of_balances_equals_supply_after_any_operations(ops: list[tuple[str, int]]) -> None:
    """Whatever sends, mints, burns and module transfers succeed or fail, the sum of every
    balance equals the supply (Cosmos bank TotalSupply invariant)."""
    chain = TestChain.start(modules=BASE_MODULES, users=("alice", "bob"), balance=BALANCE)
    bank = chain.app.bank
    ctx = branch(chain)
    for op, amount in ops:
        step, write = ctx.branch()
        try:
            if op == "send":
                bank.send(step, chain.alice.address, chain.bob.address, amount)
            elif op == "mint":
                bank.mint(step, "distribution", amount)
            elif op == "burn":
                bank.burn(step, "not_bonded_tokens_pool", amount)
            else:
                bank.send_to_module(step, chain.bob.address, "not_bonded_tokens_pool", amount)
        except DaitError:
            continue
        write()
    message, broken = total_supply(bank, ctx)
    assert not broken, message


# ---- coins --------------------------------------------------------------------------------


def test_coin_helpers() -> None:
    assert parse_amount("0") == 0
    assert parse_coin(Coin("uDAIT", "0"), positive=False) == 0
    assert format_amount(12) == "12uDAIT"
    assert coin(3) == Coin("uDAIT", "3")
    with pytest.raises(ErrInvalidCoins):
        parse_coin(None)
    with pytest.raises(ErrInvalidCoins):
        coin(True)


# ---- genesis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "section",
    [
        {"balances": [{"address": "dait1bad", "amount": "1"}]},
        {"balances": [{"address": module_address("x"), "amount": "01"}]},
        {"balances": [{"address": module_address("x"), "amount": "0"}]},
        {
            "balances": [
                {"address": module_address("x"), "amount": "1"},
                {"address": module_address("x"), "amount": "2"},
            ]
        },
        {"balances": [{"address": module_address("x"), "amount": "1"}], "supply": "2"},
        {
            "balances": [
                {"address": module_address("x"), "amount": str(MAX_AMOUNT)},
                {"address": module_address("y"), "amount": "1"},
            ]
        },
        {"balances": [], "extra": 1},
    ],
)
def test_invalid_bank_genesis_is_refused(section: dict[str, Any]) -> None:
    with pytest.raises(ErrInvalidGenesis):
        parse_genesis(section)


def test_bank_genesis_without_supply_takes_the_sum() -> None:
    pairs, total = parse_genesis({"balances": [{"address": module_address("x"), "amount": "4"}]})
    assert total == 4 and pairs == [(module_address("x"), 4)]
