"""The auction's boundaries and a lease's life through signed txs in blocks of a real app
(specs/compute_market.md §6, §8). The keeper-level tests (test_auction.py) cover the same
rules in more cases; these show that the app's block order (txs, then EndBlock) gives
them.
"""

from __future__ import annotations

from dait_chain.app.testkit import TestChain
from dait_chain.x.compute_market.types import (
    LeaseState,
    MsgCloseLease,
    MsgCreateBid,
    MsgWithdrawLease,
    OrderState,
)
from dait_chain.x.staking_tiers.types import MsgLock

from .chain import deploy_msg, ok, register_msg, start


def market(*providers: str) -> tuple[TestChain, int]:
    """Providers registered; the tenant's deployment 1 (ceiling 30 = W, so clock(k) = k)
    made in block h0, which is returned."""
    chain = start()
    for name in providers:
        ok(chain, chain.actors[name], register_msg(chain, name))
    ok(chain, chain.tenant, deploy_msg(chain, ceiling=30, duration=40))
    return chain, chain.app.height


def queries(chain: TestChain) -> object:
    return chain.app.module("compute_market").queries()


def order_state(chain: TestChain) -> OrderState:
    return queries(chain).order(chain.ctx(), 1).state  # type: ignore[attr-defined,no-any-return]


def test_bid_exactly_at_the_clock_settles_in_its_own_block() -> None:
    """A bid of 5 placed in block h0 + 5, where the clock is 5, wins in that block."""
    chain, h0 = market("p1")
    while chain.app.height < h0 + 4:
        chain.block()
    result = chain.block(chain.tx(chain.p1, MsgCreateBid(chain.p1.address, 1, 5)))
    assert chain.app.height == h0 + 5
    won = [e for e in result.end_events if e.type == "BidWon"]
    assert [(e.get("price_uDAIT"), e.get("clock_uDAIT")) for e in won] == [("5", "5")]


def test_bid_at_h0_plus_30_wins_and_at_h0_plus_31_is_refused() -> None:
    chain, h0 = market("p1", "p2")
    while chain.app.height < h0 + 29:
        chain.block()
    at_30 = chain.block(chain.tx(chain.p1, MsgCreateBid(chain.p1.address, 1, 30)))
    assert at_30.tx_results[0].ok and chain.app.height == h0 + 30
    assert [e.type for e in at_30.end_events if e.get("module") == "compute_market"][:2] == [
        "BidWon",
        "LeaseStarted",
    ]
    at_31 = chain.block(chain.tx(chain.p2, MsgCreateBid(chain.p2.address, 1, 30)))
    assert (at_31.tx_results[0].codespace, at_31.tx_results[0].code) == ("compute_market", 19)


def test_unfilled_order_closes_in_the_end_block_of_h0_plus_30() -> None:
    chain, h0 = market()
    while chain.app.height < h0 + 29:
        chain.block()
    assert order_state(chain) == OrderState.OPEN
    last = chain.block()
    assert order_state(chain) == OrderState.CLOSED
    assert [e.get("reason") for e in last.end_events if e.type == "OrderClosed"] == ["unfilled"]


def test_heavy_order_made_later_in_the_block_takes_the_single_slot() -> None:
    chain = start()
    ok(chain, chain.p1, register_msg(chain, "p1", capacity=1))
    ok(chain, chain.heavy, MsgLock(chain.heavy.address, 369_000_000))
    txs = [chain.tx(chain.tenant, deploy_msg(chain, ceiling=30))]
    txs.append(chain.tx(chain.heavy, deploy_msg(chain, "heavy", ceiling=30)))
    chain.block(*txs)
    _, seq = chain.account(chain.p1)
    chain.block(
        chain.tx(chain.p1, MsgCreateBid(chain.p1.address, 1, 10), sequence=seq),
        chain.tx(chain.p1, MsgCreateBid(chain.p1.address, 2, 10), sequence=seq + 1),
    )
    for _ in range(10):
        chain.block()
    q = queries(chain)
    assert q.order(chain.ctx(), 2).state == OrderState.ACTIVE  # type: ignore[attr-defined]
    assert q.order(chain.ctx(), 1).state == OrderState.OPEN  # type: ignore[attr-defined]
    assert chain.app.check_invariants() == []


def test_lease_life_withdraw_then_tenant_close() -> None:
    """Price 3 from h0 + 3; a withdraw 10 blocks in pays 30; a close 5 blocks later pays
    15 more and refunds 30 x 40 - 45 = 1155."""
    chain, h0 = market("p1")
    ok(chain, chain.p1, MsgCreateBid(chain.p1.address, 1, 3))
    while chain.app.height < h0 + 3:
        chain.block()
    lease = queries(chain).lease(chain.ctx(), 1)  # type: ignore[attr-defined]
    assert (lease.start_height, lease.host_uri) == (h0 + 3, "grpcs://p1.example:443")
    while chain.app.height < h0 + 12:
        chain.block()
    fee = chain.spec.auth_params.min_fee
    before = chain.balance(chain.p1)
    ok(chain, chain.p1, MsgWithdrawLease(chain.p1.address, 1))  # block h0 + 13
    assert chain.balance(chain.p1) == before - fee + 3 * 10
    while chain.app.height < h0 + 17:
        chain.block()
    tenant_before = chain.balance(chain.tenant)
    ok(chain, chain.tenant, MsgCloseLease(chain.tenant.address, 1))  # block h0 + 18
    assert chain.balance(chain.tenant) == tenant_before - fee + 30 * 40 - 3 * 15
    lease = queries(chain).lease(chain.ctx(), 1)  # type: ignore[attr-defined]
    assert (lease.state, lease.paid_uDAIT) == (LeaseState.CLOSED, 45)
    assert chain.app.check_invariants() == []
