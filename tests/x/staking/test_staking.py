"""x/staking: delegation, unbonding, voting power, active set, genesis (specs/staking.md)."""

from __future__ import annotations

from typing import Any

import pytest

from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInsufficientFunds, ErrInvalidCoins, ErrInvalidGenesis
from dait_chain.app.module import Due
from dait_chain.app.testkit import BASE_MODULES, TestChain, actor
from dait_chain.codec.tx import Coin
from dait_chain.crypto.address import module_address
from dait_chain.errors import DaitError
from dait_chain.x.auth.keeper import FEE_COLLECTOR
from dait_chain.x.staking.errors import (
    ErrNoDelegation,
    ErrNotEnoughDelegationShares,
    ErrNoValidatorFound,
)
from dait_chain.x.staking.keeper import BONDED_POOL, NOT_BONDED_POOL, voting_power
from dait_chain.x.staking.types import MsgDelegate, MsgUndelegate
from dait_chain.x.staking.types import Params as StakingParams

UNBONDING = 10_000
FEE = 1_000
BALANCE = 10**12


@pytest.fixture
def chain() -> TestChain:
    return TestChain.start(
        modules=BASE_MODULES,
        users=("alice",),
        balance=BALANCE,
        validators=(("val0", 5_000_000), ("val1", 2_500_000)),
        staking_params=StakingParams(unbonding_time_ms=UNBONDING, max_validators=10),
    )


def udait(amount: int) -> Coin:
    return Coin("uDAIT", str(amount))


def run(chain: TestChain, msg: Any) -> tuple[str, int]:
    result = chain.block(chain.tx(chain.alice, msg)).tx_results[0]
    return result.codespace, result.code


def code(error: type[DaitError]) -> tuple[str, int]:
    return error.codespace, error.code


def test_voting_power_is_tokens_over_ten_to_the_sixth() -> None:
    assert [voting_power(t) for t in (0, 999_999, 1_000_000, 2_999_999)] == [0, 0, 1, 2]


def test_delegate_moves_tokens_to_the_bonded_pool_and_raises_power(chain: TestChain) -> None:
    staking = chain.app.keepers.staking
    val0 = chain.val0.address
    assert run(chain, MsgDelegate(chain.alice.address, val0, udait(3_000_000))) == ("", 0)
    ctx = chain.ctx()
    assert staking.tokens(ctx, val0) == 8_000_000
    assert staking.delegation(ctx, chain.alice.address, val0) == 3_000_000
    assert chain.app.bank.module_balance(ctx, BONDED_POOL) == 10_500_000
    assert chain.balance(chain.alice) == BALANCE - 3_000_000 - FEE
    assert [(v.operator, v.power) for v in chain.app.validators()] == [
        (val0, 8),
        (chain.val1.address, 2),
    ]


def test_undelegation_pays_back_in_the_first_block_at_its_completion_time(
    chain: TestChain,
) -> None:
    alice, val0 = chain.alice.address, chain.val0.address
    run(chain, MsgDelegate(alice, val0, udait(3_000_000)))
    res = chain.block(chain.tx(chain.alice, MsgUndelegate(alice, val0, udait(1_000_000))))
    assert res.tx_results[0].ok
    completion = chain.app.time_ms + UNBONDING
    unbond = next(e.as_dict() for e in res.tx_results[0].events if e.type == "unbond")
    assert unbond["completion_time"] == str(completion)
    assert chain.app.next_due() == Due(height=100, time_ms=completion)
    ctx = chain.ctx()
    assert chain.app.keepers.staking.tokens(ctx, val0) == 7_000_000
    assert chain.app.bank.module_balance(ctx, NOT_BONDED_POOL) == 1_000_000
    before = chain.balance(chain.alice)
    chain.block(time_ms=completion - 1)
    assert chain.balance(chain.alice) == before
    done = chain.block(time_ms=completion)
    assert chain.balance(chain.alice) == before + 1_000_000
    assert [e.type for e in done.end_events][-1] == "complete_unbonding"
    assert chain.app.bank.module_balance(chain.ctx(), NOT_BONDED_POOL) == 0
    chain.block(time_ms=completion + 1)
    assert chain.balance(chain.alice) == before + 1_000_000
    assert chain.app.next_due().time_ms is None
    assert chain.app.check_invariants() == []


def test_undelegating_everything_removes_the_delegation(chain: TestChain) -> None:
    alice, val1 = chain.alice.address, chain.val1.address
    run(chain, MsgDelegate(alice, val1, udait(10)))
    assert run(chain, MsgUndelegate(alice, val1, udait(10))) == ("", 0)
    staking = chain.app.keepers.staking
    assert staking.delegations.get(chain.ctx(), (alice, val1)) is None


def test_delegation_to_an_unknown_validator_is_refused(chain: TestChain) -> None:
    before = chain.app.state_pairs()
    msg = MsgDelegate(chain.alice.address, actor("nobody").address, udait(5))
    assert run(chain, msg) == code(ErrNoValidatorFound)
    assert chain.balance(chain.alice) == BALANCE - FEE
    after = dict(chain.app.state_pairs())
    changed = {k for k in after.keys() | dict(before).keys() if after.get(k) != dict(before).get(k)}
    assert changed == {
        chain.app.bank.balances.store_key(chain.alice.address),
        chain.app.bank.balances.store_key(module_address(FEE_COLLECTOR)),
        chain.app.auth.accounts.store_key(chain.alice.address),
    }


def test_undelegation_without_a_delegation_is_refused(chain: TestChain) -> None:
    assert run(chain, MsgUndelegate(chain.alice.address, chain.val0.address, udait(1))) == code(
        ErrNoDelegation
    )
    assert chain.app.keepers.staking.tokens(chain.ctx(), chain.val0.address) == 5_000_000


def test_undelegating_more_than_delegated_is_refused(chain: TestChain) -> None:
    alice, val0 = chain.alice.address, chain.val0.address
    run(chain, MsgDelegate(alice, val0, udait(100)))
    assert run(chain, MsgUndelegate(alice, val0, udait(101))) == code(ErrNotEnoughDelegationShares)
    assert chain.app.keepers.staking.delegation(chain.ctx(), alice, val0) == 100


def test_delegating_more_than_the_balance_is_insufficient_funds(chain: TestChain) -> None:
    msg = MsgDelegate(chain.alice.address, chain.val0.address, udait(BALANCE))
    assert run(chain, msg) == code(ErrInsufficientFunds)


@pytest.mark.parametrize("amount", [Coin("uDAIT", "0"), Coin("stake", "5"), None])
def test_delegating_invalid_coins_is_refused(chain: TestChain, amount: Coin | None) -> None:
    msg = MsgDelegate(chain.alice.address, chain.val0.address, amount)
    assert run(chain, msg) == code(ErrInvalidCoins)


def test_active_set_orders_by_power_then_address_and_truncates() -> None:
    names = ("v_a", "v_b", "v_c", "v_d")
    chain = TestChain.start(
        modules=BASE_MODULES,
        users=("alice",),
        validators=tuple((n, 3_000_000 if n != "v_d" else 999_999) for n in names),
        staking_params=StakingParams(unbonding_time_ms=UNBONDING, max_validators=2),
    )
    from dait_chain.crypto.address import decode_address

    equal = sorted((chain.actors[n].address for n in names[:3]), key=decode_address)
    assert [v.operator for v in chain.app.validators()] == equal[:2]
    assert all(v.power == 3 for v in chain.app.validators())


# ---- genesis ------------------------------------------------------------------------------


def staking_section(chain: TestChain) -> dict[str, Any]:
    section: dict[str, Any] = chain.app.export_genesis()["staking"]
    return section


@pytest.mark.parametrize(
    "mutate",
    [
        lambda s: s["params"].update(unbonding_time_ms="0"),
        lambda s: s["params"].update(max_validators=0),
        lambda s: s["validators"].append(dict(s["validators"][0])),
        lambda s: s["validators"][0].update(tokens="1"),
        lambda s: s["validators"][0].update(consensus_pubkey="AAAA"),
        lambda s: s["validators"][1].update(
            consensus_pubkey=s["validators"][0]["consensus_pubkey"]
        ),
        lambda s: s["delegations"].append(dict(s["delegations"][0])),
        lambda s: s["delegations"][0].update(validator_address=actor("x").address),
        lambda s: s["delegations"][0].update(amount="0"),
        lambda s: s.update(
            unbonding_entries=[
                {
                    "id": "0",
                    "delegator_address": actor("x").address,
                    "validator_address": actor("y").address,
                    "amount": "1",
                }
            ]
        ),
    ],
)
def test_inconsistent_staking_genesis_is_refused(chain: TestChain, mutate: Any) -> None:
    genesis = chain.app.export_genesis()
    mutate(genesis["staking"])
    app = DaitApp(BASE_MODULES)
    with pytest.raises(ErrInvalidGenesis):
        app.init_chain(genesis)
    assert app.state_pairs() == []


def test_bonded_pool_must_hold_the_bonded_tokens(chain: TestChain) -> None:
    genesis = chain.app.export_genesis()
    genesis["staking"]["validators"][0]["tokens"] = "6000000"
    genesis["staking"]["delegations"][0]["amount"] = "6000000"
    with pytest.raises(ErrInvalidGenesis, match="bonded_tokens_pool"):
        DaitApp(BASE_MODULES).init_chain(genesis)


def test_unbonding_entries_survive_export_and_import(chain: TestChain) -> None:
    alice, val0 = chain.alice.address, chain.val0.address
    run(chain, MsgDelegate(alice, val0, udait(500)))
    run(chain, MsgUndelegate(alice, val0, udait(200)))
    exported = chain.app.export_genesis()
    assert len(exported["staking"]["unbonding_entries"]) == 1
    twin = DaitApp(BASE_MODULES)
    assert twin.init_chain(exported) == chain.app.app_hash
    assert twin.next_due() == chain.app.next_due()
