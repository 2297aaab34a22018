"""Leases: lazy per-block payment, withdraw, tenant close, expiry (specs/compute_market.md §8).

decisions.md: "A lease pays its price per block from the deployment escrow to the
provider, settled lazily (on withdraw or close), for `duration_blocks`."
Expected amounts are price x blocks, with the blocks counted by hand in each test.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.x.compute_market.types import (
    BidState,
    DeploymentState,
    LeaseCloseReason,
    LeaseState,
    OrderCloseReason,
    OrderState,
)

from .market import Market, address


def leased(price: int = 7, duration: int = 20, ceiling: int = 30) -> tuple[Market, str, str, int]:
    """A lease at `price` starting at h0 + price (ceiling = W = 30, so clock(k) = k)."""
    m = Market()
    p = m.register("p1")
    owner = address("tenant")
    m.fund(owner, 10_000_000)
    d = m.deploy(owner, ceiling=ceiling, duration=duration)
    assert m.bid(p, d, price) is None
    m.run_to(m.keeper.get_order(m.ctx(), d).opened_height + price + 1)
    assert m.keeper.get_lease(m.ctx(), d).state == LeaseState.ACTIVE
    return m, owner, p, d


def test_withdraw_pays_price_times_blocks_since_the_last_settlement() -> None:
    m, _, p, d = leased(price=7)
    start = m.keeper.get_lease(m.ctx(), d).start_height
    m.run_to(start + 5)
    before = m.balance(p)
    m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
    assert m.balance(p) == before + 7 * 5
    m.run_to(start + 8)
    m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
    assert m.balance(p) == before + 7 * 8
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.settled_height, lease.paid_uDAIT) == (start + 8, 56)


def test_second_withdraw_in_the_same_block_pays_nothing() -> None:
    m, _, p, d = leased()
    m.end_block()
    m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
    before = m.balance(p)
    events = m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
    assert m.balance(p) == before
    paid = [e.as_dict() for e in events if e.type == "LeasePaid"]
    assert [(x["amount_uDAIT"], x["blocks"]) for x in paid] == [("0", "0")]


def test_lease_expires_at_start_plus_duration_paying_the_rest_and_refunding() -> None:
    """Escrow 30 x 20 = 600 (ceiling x duration); the lease costs 7 x 20 = 140; the tenant
    gets 460 back when the EndBlocker of start + 20 closes it."""
    m, owner, p, d = leased(price=7, duration=20)
    start = m.keeper.get_lease(m.ctx(), d).start_height
    m.run_to(start + 3)
    m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
    owner_before, provider_before = m.balance(owner), m.balance(p)
    m.run_to(start + 20)
    assert m.keeper.get_lease(m.ctx(), d).state == LeaseState.ACTIVE
    m.end_block()
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.state, lease.close_reason, lease.closed_height) == (
        LeaseState.CLOSED,
        LeaseCloseReason.EXPIRED,
        start + 20,
    )
    assert lease.paid_uDAIT == 140
    assert m.balance(p) == provider_before + 7 * 17
    assert m.balance(owner) == owner_before + 600 - 140
    assert m.keeper.get_provider(m.ctx(), p).active_leases == 0
    dep = m.keeper.get_deployment(m.ctx(), d)
    assert (dep.state, dep.escrow_balance_uDAIT) == (DeploymentState.CLOSED, 0)
    order = m.keeper.get_order(m.ctx(), d)
    assert (order.state, order.close_reason) == (OrderState.CLOSED, OrderCloseReason.LEASE_CLOSED)
    assert m.keeper.get_bid(m.ctx(), d, p).state == BidState.CLOSED
    assert m.broken_invariants() == []


def test_tenant_close_pays_through_its_block_and_refunds_the_rest() -> None:
    m, owner, p, d = leased(price=7, duration=20)
    start = m.keeper.get_lease(m.ctx(), d).start_height
    m.run_to(start + 4)
    owner_before, provider_before = m.balance(owner), m.balance(p)
    events = m.tx(lambda c: m.keeper.close_lease(c, owner, d))
    assert m.balance(p) == provider_before + 7 * 4
    assert m.balance(owner) == owner_before + 600 - 28
    closed = [e for e in events if e.get("module") == "compute_market"]
    assert [e.type for e in closed] == [
        "LeasePaid",
        "LeaseClosed",
        "BidClosed",
        "OrderClosed",
        "DeploymentClosed",
    ]
    assert closed[1].as_dict()["reason"] == "tenant_closed"
    assert closed[4].as_dict()["refund_uDAIT"] == "572"
    # The lease-end schedule entry went with it: nothing is due at start + 20.
    assert m.keeper.next_due_height(m.ctx()) is None
    m.run_to(start + 25)
    assert m.keeper.get_lease(m.ctx(), d).closed_height == start + 4


def test_capacity_is_freed_when_a_lease_ends() -> None:
    m, _, p, d = leased(price=3, duration=2)
    m.run_to(m.keeper.get_lease(m.ctx(), d).end_height + 1)
    assert m.keeper.get_provider(m.ctx(), p).active_leases == 0


def test_unfilled_order_refunds_the_whole_escrow_and_closes_its_bids() -> None:
    m = Market()
    p = m.register("p1", capacity=0)
    owner = address("tenant")
    m.fund(owner, 10_000_000)
    before = m.balance(owner)
    h0 = m.height
    d = m.deploy(owner, ceiling=30, duration=10)
    assert m.bid(p, d, 5) is None
    m.run_to(h0 + 31)
    assert m.balance(owner) == before
    assert m.keeper.get_bid(m.ctx(), d, p).state == BidState.CLOSED
    closed = m.events_of("OrderClosed")
    assert [(x["deployment_id"], x["reason"]) for x in closed] == [(str(d), "unfilled")]


@given(
    price=st.integers(1, 30),
    duration=st.integers(1, 40),
    withdraws=st.lists(st.integers(0, 45), max_size=5),
    close_at=st.one_of(st.none(), st.integers(1, 45)),
)
def test_provider_plus_refund_always_equals_the_escrow(
    price: int, duration: int, withdraws: list[int], close_at: int | None
) -> None:
    """Whatever the withdraw and close times, once the lease is over the provider received
    price x (blocks served) and the tenant got back escrow minus that, to the uDAIT."""
    m, owner, p, d = leased(price=price, duration=duration)
    start = m.keeper.get_lease(m.ctx(), d).start_height
    owner_before, provider_before = m.balance(owner), m.balance(p)
    stop = start + duration if close_at is None else min(start + close_at, start + duration)
    for h in range(start + 1, start + duration + 2):
        m.run_to(h)
        lease = m.keeper.get_lease(m.ctx(), d)
        if lease.state != LeaseState.ACTIVE:
            continue
        if h - start in withdraws:
            m.tx(lambda c: m.keeper.withdraw_lease(c, p, d))
        if close_at is not None and h == start + close_at:
            m.tx(lambda c: m.keeper.close_lease(c, owner, d))
    m.run_to(start + duration + 2)
    served = stop - start
    assert m.balance(p) - provider_before == price * served
    assert m.balance(owner) - owner_before == 30 * duration - price * served
    assert m.broken_invariants() == []
