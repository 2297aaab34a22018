"""x/distribution: minted rewards and fees, split by power, conserved (specs/distribution.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import NOTHING_DUE, Due
from dait_chain.app.testkit import BASE_MODULES, TestChain
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.x.auth.keeper import FEE_COLLECTOR
from dait_chain.x.distribution.errors import ErrAllocationExceedsPool, ErrUnknownRewardRecipient
from dait_chain.x.distribution.keeper import MODULE_NAME
from dait_chain.x.distribution.types import Params
from dait_chain.x.staking.keeper import ValidatorPower

TEN18 = 10**18
REWARD = 1_000_000
INTERVAL = 10


def start(
    validators: Sequence[tuple[str, int]], reward: int = REWARD, tax: str = "0.02"
) -> TestChain:
    return TestChain.start(
        modules=BASE_MODULES,
        users=("alice", "bob"),
        validators=tuple(validators),
        distribution_params=Params(tax, reward, INTERVAL),
    )


def run_to(chain: TestChain, height: int, *first_txs: bytes) -> Any:
    res = chain.block(*first_txs)
    while chain.app.height < height:
        res = chain.block()
    return res


def rewards_of(res: Any) -> dict[str, int]:
    out = {}
    for e in res.begin_events:
        if e.type == "rewards":
            out[e.get("validator")] = int(e.get("amount").removesuffix("uDAIT"))
    return out


def test_three_equal_validators_split_as_cosmos_allocate_tokens() -> None:
    """Derivation (Cosmos AllocateTokens with 18-decimal truncation):
    total = 10 blocks x 1,000,000 minted + one 1,000 fee = 10,001,000
    pool = total x (1 - 0.02) = 9,800,980 (exact)
    share = 1/3 truncated to 18 decimals = 0.333333333333333333
    reward = pool x share truncated to 18 decimals, paid truncated to an integer: 3,266,993
    community pool = total - 3 x 3,266,993 = 200,021."""
    chain = start([("v1", 1_000_000), ("v2", 1_000_000), ("v3", 1_000_000)])
    alice, bob = chain.alice, chain.bob
    tx = chain.tx(alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),)))
    res = run_to(chain, INTERVAL, tx)
    share_raw = TEN18 // 3
    pool = 9_800_980
    reward = (pool * TEN18 * share_raw // TEN18) // TEN18
    assert reward == 3_266_993
    assert rewards_of(res) == {chain.actors[v].address: reward for v in ("v1", "v2", "v3")}
    ctx = chain.ctx()
    distribution = chain.app.keepers.distribution
    assert distribution.community_pool(ctx) == 10_001_000 - 3 * reward == 200_021
    assert chain.app.bank.module_balance(ctx, FEE_COLLECTOR) == 0
    assert chain.balance(chain.v1) == reward
    assert chain.app.check_invariants() == []


def test_unequal_powers_split_proportionally() -> None:
    chain = start([("v1", 30_000_000), ("v2", 10_000_000)])
    res = run_to(chain, INTERVAL)
    # pool = 10,000,000 x 0.98 = 9,800,000; shares 0.75 and 0.25
    assert rewards_of(res) == {chain.v1.address: 7_350_000, chain.v2.address: 2_450_000}
    assert chain.app.keepers.distribution.community_pool(chain.ctx()) == 200_000


def test_nothing_is_allocated_between_interval_heights() -> None:
    chain = start([("v1", 1_000_000)])
    supply = chain.app.bank.supply(chain.ctx())
    res = run_to(chain, INTERVAL - 1)
    assert res.begin_events == ()
    assert chain.app.bank.supply(chain.ctx()) == supply
    assert chain.app.next_due() == Due(height=INTERVAL)


def test_without_voting_power_everything_goes_to_the_community_pool() -> None:
    chain = start([("v1", 999_999)])  # tokens below one unit of power
    res = run_to(chain, INTERVAL)
    assert rewards_of(res) == {}
    assert chain.app.keepers.distribution.community_pool(chain.ctx()) == INTERVAL * REWARD


def test_without_reward_or_fees_nothing_is_due() -> None:
    chain = start([("v1", 1_000_000)], reward=0)
    assert chain.app.next_due() == NOTHING_DUE
    alice, bob = chain.alice, chain.bob
    chain.block(chain.tx(alice, MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),))))
    assert chain.app.next_due() == Due(height=INTERVAL)
    res = run_to(chain, INTERVAL)
    assert rewards_of(res) == {chain.v1.address: 980}


@settings(max_examples=12)
@given(
    st.lists(st.integers(1, 5_000_000), min_size=1, max_size=4),
    st.lists(st.integers(0, 3), min_size=2 * INTERVAL, max_size=2 * INTERVAL),
    st.sampled_from(["0", "0.02", "0.333333333333333333", "1"]),
)
def test_no_udait_is_created_or_lost_beyond_the_minted_reward(
    bonds: list[int], fees_per_block: list[int], tax: str
) -> None:
    """Over two allocation intervals with random validators, fees and tax, the supply grows
    by exactly the minted rewards, and every minted or collected uDAIT is either paid to an
    operator or held in the community pool (which the distribution account holds)."""
    chain = start([(f"v{i}", b) for i, b in enumerate(bonds)], tax=tax)
    alice, bob = chain.alice, chain.bob
    supply0 = chain.app.bank.supply(chain.ctx())
    operators = [chain.actors[f"v{i}"].address for i in range(len(bonds))]
    fees = 0
    paid = 0
    for n in fees_per_block:
        txs: list[bytes] = []
        for _ in range(n):
            fee = 1_000 + len(txs)
            msg = MsgSend(alice.address, bob.address, (Coin("uDAIT", "1"),))
            number, seq = chain.account(alice)
            txs.append(
                chain.tx(alice, msg, fee=fee, sequence=seq + len(txs), account_number=number)
            )
            fees += fee
        paid += sum(rewards_of(chain.block(*txs)).values())
    ctx = chain.ctx()
    minted = 2 * INTERVAL * REWARD
    assert chain.app.bank.supply(ctx) == supply0 + minted
    pool = chain.app.keepers.distribution.community_pool(ctx)
    assert paid + pool == minted + fees - chain.app.bank.module_balance(ctx, FEE_COLLECTOR)
    assert sum(chain.balance(o) for o in operators) == paid
    assert chain.app.check_invariants() == []


# ---- allocator override -------------------------------------------------------------------


def all_to_first(ctx: Context, pool: LegacyDec, vals: tuple[ValidatorPower, ...]) -> Any:
    return [(vals[0].operator, pool)]


def test_replaced_allocator_decides_the_split() -> None:
    chain = start([("v1", 2_000_000), ("v2", 1_000_000)])
    chain.app.keepers.distribution.set_allocator(all_to_first)
    res = run_to(chain, INTERVAL)
    assert rewards_of(res) == {chain.v1.address: 9_800_000}
    assert chain.app.keepers.distribution.community_pool(chain.ctx()) == 200_000


@pytest.mark.parametrize(
    ("allocator", "error"),
    [
        (
            lambda ctx, pool, vals: [(vals[0].operator, pool.add(LegacyDec.smallest()))],
            ErrAllocationExceedsPool,
        ),
        (
            lambda ctx, pool, vals: [(vals[0].operator, LegacyDec.from_int(-1))],
            ErrAllocationExceedsPool,
        ),
        (lambda ctx, pool, vals: [(chain_outsider(), pool)], ErrUnknownRewardRecipient),
    ],
)
def test_allocator_that_breaks_conservation_aborts_the_block(
    allocator: Any, error: type[DaitError]
) -> None:
    chain = start([("v1", 2_000_000)])
    run_to(chain, INTERVAL - 1)
    chain.app.keepers.distribution.set_allocator(allocator)
    before = (chain.app.state_pairs(), chain.app.height)
    with pytest.raises(error):
        chain.block()
    assert (chain.app.state_pairs(), chain.app.height) == before


def chain_outsider() -> str:
    from dait_chain.app.testkit import actor

    return actor("outsider").address


# ---- genesis ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "section",
    [
        {
            "params": {
                "community_tax": "1.5",
                "block_reward": "1",
                "allocation_interval_blocks": "1",
            }
        },
        {"params": {"community_tax": "-0.1", "allocation_interval_blocks": "1"}},
        {"params": {"community_tax": "abc", "allocation_interval_blocks": "1"}},
        {"params": {"community_tax": "0.1", "allocation_interval_blocks": "0"}},
        {"community_pool": "5"},
        {"community_pool": "x"},
    ],
)
def test_invalid_distribution_genesis_is_refused(section: dict[str, Any]) -> None:
    chain = start([("v1", 1_000_000)])
    genesis = chain.app.export_genesis()
    genesis[MODULE_NAME] = section
    app = DaitApp(BASE_MODULES)
    with pytest.raises(ErrInvalidGenesis):
        app.init_chain(genesis)
    assert app.state_pairs() == []


def test_community_tax_is_stored_in_canonical_form() -> None:
    chain = start([("v1", 1_000_000)], tax="0.5")
    params = chain.app.export_genesis()[MODULE_NAME]["params"]
    assert params["community_tax"] == "0.500000000000000000"
