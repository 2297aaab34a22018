"""The reverse Dutch auction at its boundaries (specs/compute_market.md §6, §7).

With price_ceiling = W = 30 the clock at h0 + k is floor(30k/30) = k, so a bid at price p
is reached exactly at h0 + p: the expected heights below follow from that by hand.
"""

from __future__ import annotations

from dait_chain.x.compute_market.errors import (
    ErrBidExists,
    ErrOrderNotOpen,
    ErrTooManyBids,
)
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    BidState,
    LeaseState,
    MsgUpdateProvider,
    OrderCloseReason,
    OrderState,
)
from dait_chain.x.staking_tiers.types import Tier

from .market import Market, address

W = 30
HEAVY_LOCK = 369_000_000


def tenant(m: Market, name: str = "tenant", heavy: bool = False) -> str:
    who = address(name)
    m.fund(who, 1_000_000_000)
    if heavy:
        m.tx(lambda c: m.tiers.lock(c, who, HEAVY_LOCK))
    return who


def order_state(m: Market, deployment_id: int) -> OrderState:
    return m.keeper.get_order(m.ctx(), deployment_id).state


def test_bid_exactly_at_the_clock_wins_at_that_height_not_before() -> None:
    m = Market()
    p = m.register("p1")
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(p, d, 10) is None
    m.run_to(h0 + 10)  # EndBlockers h0 .. h0+9 ran: clocks 0..9 < 10
    assert order_state(m, d) == OrderState.OPEN
    m.end_block()  # h0 + 10: clock = 10 = price
    order = m.keeper.get_order(m.ctx(), d)
    assert (order.state, order.settled_height, order.settled_clock_uDAIT) == (
        OrderState.ACTIVE,
        h0 + 10,
        10,
    )
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.price_uDAIT, lease.start_height, lease.provider) == (10, h0 + 10, p)


def test_bid_at_the_ceiling_settles_at_the_last_chance() -> None:
    m = Market()
    p = m.register("p1")
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(p, d, 30) is None
    m.run_to(h0 + W)
    assert order_state(m, d) == OrderState.OPEN
    m.end_block()
    assert m.keeper.get_order(m.ctx(), d).settled_height == h0 + W


def test_bid_is_accepted_in_the_deployment_block_and_at_h0_plus_30() -> None:
    """decisions.md: bids are accepted from the deployment's own block on; the EndBlocker
    of h0 + W is the last chance, so a bid in block h0 + 30 can still win."""
    m = Market()
    p1, p2 = m.register("p1"), m.register("p2")
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(p1, d, 30) is None  # block h0 itself
    m.run_to(h0 + W)
    assert m.bid(p2, d, 29) is None  # block h0 + 30, before its EndBlocker
    m.end_block()
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.provider, lease.price_uDAIT, lease.start_height) == (p2, 29, h0 + W)


def test_bid_at_h0_plus_31_is_refused_because_the_order_closed() -> None:
    m = Market()
    p = m.register("p1")
    h0 = m.height
    owner = tenant(m)
    before = m.balance(owner)
    d = m.deploy(owner, ceiling=30)
    m.run_to(h0 + W + 1)
    order = m.keeper.get_order(m.ctx(), d)
    assert (order.state, order.close_reason, order.closed_height) == (
        OrderState.CLOSED,
        OrderCloseReason.UNFILLED,
        h0 + W,
    )
    assert m.balance(owner) == before  # the escrow came back whole
    assert isinstance(m.bid(p, d, 1), ErrOrderNotOpen)


def test_tie_on_price_and_height_goes_to_the_smaller_provider_address() -> None:
    m = Market()
    a, b = m.register("alpha"), m.register("bravo")
    small, large = sorted([a, b])
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(large, d, 12) is None
    assert m.bid(small, d, 12) is None
    m.run_to(h0 + 13)
    assert m.keeper.get_lease(m.ctx(), d).provider == small
    assert m.keeper.get_bid(m.ctx(), d, large).state == BidState.LOST


def test_tie_on_price_goes_to_the_earlier_bid_whatever_the_address() -> None:
    m = Market()
    a, b = m.register("alpha"), m.register("bravo")
    small, large = sorted([a, b])
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(large, d, 12) is None
    m.end_block()
    assert m.bid(small, d, 12) is None
    m.run_to(h0 + 13)
    assert m.keeper.get_lease(m.ctx(), d).provider == large


def test_lowest_price_wins_over_an_earlier_higher_bid_once_both_are_reached() -> None:
    """The clock reaches 8 at h0 + 8, long before 20: the later, cheaper bid wins there."""
    m = Market()
    a, b = m.register("alpha"), m.register("bravo")
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(a, d, 20) is None
    m.end_block()
    assert m.bid(b, d, 8) is None
    m.run_to(h0 + 9)
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.provider, lease.price_uDAIT, lease.start_height) == (b, 8, h0 + 8)


def _two_orders_due_together(heavy_second: bool) -> tuple[Market, int, int, str]:
    """Two tenants deploy in the same block (normal first, so lower id), one provider with
    one slot bids 15 on both: both orders are reached at h0 + 15."""
    m = Market()
    p = m.register("p1", capacity=1)
    normal = tenant(m, "normal")
    other = tenant(m, "heavy", heavy=heavy_second)
    d_normal = m.deploy(normal, ceiling=30)
    d_other = m.deploy(other, ceiling=30)
    assert m.bid(p, d_normal, 15) is None
    assert m.bid(p, d_other, 15) is None
    return m, d_normal, d_other, p


def test_heavy_order_takes_the_single_slot_from_an_earlier_normal_order() -> None:
    """decisions.md: orders settling in one EndBlocker are matched Heavy first."""
    m, d_normal, d_heavy, _ = _two_orders_due_together(heavy_second=True)
    assert m.keeper.get_deployment(m.ctx(), d_heavy).tier == Tier.HEAVY
    assert d_normal < d_heavy
    h0 = m.height
    m.run_to(h0 + 16)
    assert order_state(m, d_heavy) == OrderState.ACTIVE
    assert order_state(m, d_normal) == OrderState.OPEN  # waits for capacity
    m.run_to(h0 + W + 1)
    assert order_state(m, d_normal) == OrderState.CLOSED


def test_tier_is_fixed_at_deployment_creation() -> None:
    """Unlocking after creating the deployment does not demote the order (specs §11 D3)."""
    m, d_normal, d_heavy, _ = _two_orders_due_together(heavy_second=True)
    heavy = address("heavy")
    m.tx(lambda c: m.tiers.unlock(c, heavy, HEAVY_LOCK))
    assert m.tiers.tier(m.ctx(), heavy) == Tier.USER
    m.run_to(m.height + 16)
    assert order_state(m, d_heavy) == OrderState.ACTIVE
    assert order_state(m, d_normal) == OrderState.OPEN


def test_without_heavy_the_lower_deployment_id_takes_the_slot() -> None:
    m, d_normal, d_other, _ = _two_orders_due_together(heavy_second=False)
    m.run_to(m.height + 16)
    assert order_state(m, d_normal) == OrderState.ACTIVE
    assert order_state(m, d_other) == OrderState.OPEN


def test_earlier_creation_height_wins_among_normal_orders_due_together() -> None:
    m = Market()
    p = m.register("p1", capacity=1)
    t1, t2 = tenant(m, "t1"), tenant(m, "t2")
    h0 = m.height
    d1 = m.deploy(t1, ceiling=30)  # reached at h0 + 16 by a bid of 16
    m.end_block()
    d2 = m.deploy(t2, ceiling=30)  # reached at h0 + 1 + 15 by a bid of 15
    assert m.bid(p, d2, 15) is None
    assert m.bid(p, d1, 16) is None
    m.run_to(h0 + 17)
    assert order_state(m, d1) == OrderState.ACTIVE
    assert order_state(m, d2) == OrderState.OPEN


def test_order_waits_for_capacity_and_settles_the_block_a_lease_ends() -> None:
    """A priced-in bid whose provider is full does not settle; the order is looked at
    every block and settles at the EndBlocker where the lease ends (lease ends go first)."""
    m = Market()
    p = m.register("p1", capacity=1)
    h0 = m.height
    first = m.deploy(tenant(m, "t1"), ceiling=30, duration=5)
    assert m.bid(p, first, 1) is None  # reached at h0 + 1, lease h0+1 .. h0+6
    second = m.deploy(tenant(m, "t2"), ceiling=30)
    assert m.bid(p, second, 2) is None  # reached at h0 + 2 but p is full
    m.run_to(h0 + 6)
    assert order_state(m, second) == OrderState.OPEN
    m.end_block()  # h0 + 6: the first lease ends, the second order takes the slot
    assert m.keeper.get_lease(m.ctx(), first).state == LeaseState.CLOSED
    lease = m.keeper.get_lease(m.ctx(), second)
    assert (lease.start_height, lease.price_uDAIT) == (h0 + 6, 2)
    assert m.keeper.get_order(m.ctx(), second).settled_clock_uDAIT == 6


def test_full_provider_is_skipped_for_the_next_bid_in_rank() -> None:
    m = Market()
    busy = m.register("busy", capacity=0)
    free = m.register("free", capacity=1)
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(busy, d, 5) is None
    assert m.bid(free, d, 9) is None
    m.run_to(h0 + 10)
    lease = m.keeper.get_lease(m.ctx(), d)
    assert (lease.provider, lease.start_height) == (free, h0 + 9)
    assert m.keeper.get_bid(m.ctx(), d, busy).state == BidState.LOST


def test_provider_that_no_longer_matches_is_skipped_at_settlement() -> None:
    m = Market()
    p = m.register("p1", gpu_class="hopper")
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(p, d, 5) is None
    old = m.keeper.get_provider(m.ctx(), p)
    downgrade = MsgUpdateProvider(
        provider=p,
        host_uri=old.host_uri,
        tee_pubkey=old.tee_pubkey,
        capacity=old.capacity,
        attributes=(Attribute("gpu_class", "ampere"), Attribute("region", "na-east")),
    )
    m.tx(lambda c: m.keeper.update_provider(c, downgrade))
    m.run_to(h0 + W + 1)
    assert m.keeper.get_order(m.ctx(), d).close_reason == OrderCloseReason.UNFILLED


def test_bid_cap_admits_n_and_refuses_n_plus_one() -> None:
    """Akash checked `>` and let N + 1 bids in (anchors.md). With max_bids_per_order = 3:
    bids 1..3 are accepted (N - 1 and N), the 4th (N + 1) is refused."""
    m = Market(params=Params(max_bids_per_order=3))
    providers = [m.register(f"p{i}") for i in range(5)]
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(providers[0], d, 30) is None
    assert m.bid(providers[1], d, 30) is None  # N - 1 = 2 open
    assert m.bid(providers[2], d, 30) is None  # N = 3 open
    assert isinstance(m.bid(providers[3], d, 30), ErrTooManyBids)
    assert m.keeper.get_order(m.ctx(), d).open_bids == 3


def test_closed_bids_do_not_count_toward_the_cap() -> None:
    """Akash support#413: closed bids counted toward the cap. Here a closed bid frees its
    slot, but its provider cannot bid again on the same order."""
    m = Market(params=Params(max_bids_per_order=2))
    p0, p1, p2 = (m.register(f"p{i}") for i in range(3))
    d = m.deploy(tenant(m), ceiling=30)
    assert m.bid(p0, d, 30) is None
    assert m.bid(p1, d, 30) is None
    assert isinstance(m.bid(p2, d, 30), ErrTooManyBids)
    m.tx(lambda c: m.keeper.close_bid(c, p0, d))
    assert m.bid(p2, d, 30) is None
    assert isinstance(m.bid(p0, d, 20), ErrBidExists)


def test_losing_bids_close_and_every_deposit_returns() -> None:
    m = Market()
    deposit = m.params.bid_deposit_uDAIT
    ps = [m.register(f"p{i}") for i in range(3)]
    h0 = m.height
    d = m.deploy(tenant(m), ceiling=30)
    before = {p: m.balance(p) for p in ps}
    for i, p in enumerate(ps):
        assert m.bid(p, d, 10 + i) is None
        assert m.balance(p) == before[p] - deposit
    m.run_to(h0 + 11)
    assert [m.keeper.get_bid(m.ctx(), d, p).state for p in ps] == [
        BidState.ACTIVE,
        BidState.LOST,
        BidState.LOST,
    ]
    assert all(m.balance(p) == before[p] for p in ps)
    assert m.bank.module_balance(m.ctx(), "compute_market_deposits") == 0
    assert m.broken_invariants() == []


def test_settlement_events_name_winner_lease_and_losers_in_order() -> None:
    m = Market()
    a, b = m.register("alpha"), m.register("bravo")
    h0 = m.height
    owner = tenant(m)
    d = m.deploy(owner, ceiling=30, duration=100)
    assert m.bid(a, d, 7) is None
    assert m.bid(b, d, 9) is None
    m.run_to(h0 + 7)
    events = [e for e in m.end_block() if e.get("module") == "compute_market"]
    assert [e.type for e in events] == ["BidWon", "LeaseStarted", "BidClosed"]
    won, started, lost = events
    assert [(x.key, x.value) for x in won.attributes] == [
        ("module", "compute_market"),
        ("action", "bid-won"),
        ("owner", owner),
        ("deployment_id", str(d)),
        ("provider", a),
        ("price_uDAIT", "7"),
        ("clock_uDAIT", "7"),
    ]
    assert started.as_dict()["end_height"] == str(h0 + 7 + 100)
    assert (lost.get("provider"), lost.get("reason")) == (b, "lost")
