"""x/compute_market invariants, Cosmos x/crisis style (specs/compute_market.md §16).

Each check reads the whole module state (they run every N blocks, not every block) and
returns (message, broken); the message names the first offending record.
"""

from __future__ import annotations

from collections.abc import Callable

from dait_chain.app.context import Context
from dait_chain.app.module import Invariant
from dait_chain.x.compute_market import keys
from dait_chain.x.compute_market.auction import auction_clock
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.types import (
    BidState,
    DeploymentState,
    LeaseState,
    OrderState,
)

Check = Callable[[Context], tuple[str, bool]]


def escrow_backed(keeper: Keeper) -> Check:
    """§16.1: the escrow account holds exactly the unpaid escrow of the open deployments."""

    def check(ctx: Context) -> tuple[str, bool]:
        owed = 0
        for d in keeper.deployments.values(ctx):
            if d.state != DeploymentState.ACTIVE and d.escrow_balance_uDAIT:
                return f"closed deployment {d.id} still holds escrow", True
            owed += d.escrow_balance_uDAIT
        held = keeper.bank.module_balance(ctx, keys.ESCROW_ACCOUNT)
        return f"escrow account holds {held}, deployments are owed {owed}", held != owed

    return check


def deposits_backed(keeper: Keeper) -> Check:
    """§16.1: the deposit account holds exactly the deposits of the open bids."""

    def check(ctx: Context) -> tuple[str, bool]:
        owed = sum(b.deposit_uDAIT for b in keeper.bids.values(ctx) if b.state == BidState.OPEN)
        held = keeper.bank.module_balance(ctx, keys.DEPOSIT_ACCOUNT)
        return f"deposit account holds {held}, open bids are owed {owed}", held != owed

    return check


def provider_within_capacity(keeper: Keeper) -> Check:
    """§16.2: no provider runs more leases than its capacity, and its counter equals its
    active leases."""

    def check(ctx: Context) -> tuple[str, bool]:
        running: dict[str, int] = {}
        for lease in keeper.leases.values(ctx):
            if lease.state == LeaseState.ACTIVE:
                running[lease.provider] = running.get(lease.provider, 0) + 1
        for p in keeper.providers.values(ctx):
            n = running.get(p.address, 0)
            if p.active_leases != n or n > p.capacity:
                return (
                    f"provider {p.address}: {n} active leases, counter {p.active_leases}, "
                    f"capacity {p.capacity}",
                    True,
                )
        return "", False

    return check


def one_lease_per_order(keeper: Keeper) -> Check:
    """§16.3: an order has at most one won (active) bid and at most one lease; the lease
    exists exactly for the orders that settled, carries its won bid's provider and price,
    and is active exactly while the order is."""

    def check(ctx: Context) -> tuple[str, bool]:
        for o in keeper.orders.values(ctx):
            active = [b for b in keeper.bids_of(ctx, o.deployment_id) if b.state == BidState.ACTIVE]
            lease = keeper.leases.get(ctx, o.deployment_id)
            if len(active) > 1:
                return f"order {o.deployment_id}: {len(active)} won bids", True
            if (o.settled_height != 0) != (lease is not None):
                return f"order {o.deployment_id}: settled and leased disagree", True
            order_active = o.state == OrderState.ACTIVE
            if order_active != (lease is not None and lease.state == LeaseState.ACTIVE):
                return f"order {o.deployment_id}: order and lease states disagree", True
            if order_active != (len(active) == 1):
                return f"order {o.deployment_id}: order and won bid disagree", True
            if lease is not None:
                won = keeper.bids.get(ctx, (o.deployment_id, lease.provider))
                if (
                    won is None
                    or won.price_uDAIT != lease.price_uDAIT
                    or won.state
                    not in (
                        BidState.ACTIVE,
                        BidState.CLOSED,
                    )
                ):
                    return f"lease {o.deployment_id} differs from its won bid", True
        return "", False

    return check


def lease_price_within_clock(keeper: Keeper) -> Check:
    """§16.4: lease price <= the clock at settlement <= the ceiling, and the recorded
    clock is the clock of the settlement height."""

    def check(ctx: Context) -> tuple[str, bool]:
        for lease in keeper.leases.values(ctx):
            o = keeper.get_order(ctx, lease.deployment_id)
            d = keeper.get_deployment(ctx, lease.deployment_id)
            ceiling = d.job.price_ceiling_uDAIT
            window = o.last_height - o.opened_height
            k = min(o.settled_height - o.opened_height, window)
            expected = auction_clock(ceiling, k, window)
            if not lease.price_uDAIT <= o.settled_clock_uDAIT <= ceiling:
                return (
                    f"lease {lease.deployment_id}: price {lease.price_uDAIT}, clock "
                    f"{o.settled_clock_uDAIT}, ceiling {ceiling}",
                    True,
                )
            if o.settled_clock_uDAIT != expected or lease.start_height != o.settled_height:
                return f"lease {lease.deployment_id}: clock or start height misrecorded", True
        return "", False

    return check


def lease_paid_as_settled(keeper: Keeper) -> Check:
    """§16.5: a lease has been paid price x settled blocks, never past its end, and its
    deployment's balance is the deposit minus that."""

    def check(ctx: Context) -> tuple[str, bool]:
        for lease in keeper.leases.values(ctx):
            blocks = lease.settled_height - lease.start_height
            if not 0 <= blocks <= lease.end_height - lease.start_height:
                return f"lease {lease.deployment_id}: settled outside its term", True
            if lease.paid_uDAIT != lease.price_uDAIT * blocks:
                return f"lease {lease.deployment_id}: paid {lease.paid_uDAIT}", True
            d = keeper.get_deployment(ctx, lease.deployment_id)
            if (
                lease.state == LeaseState.ACTIVE
                and d.escrow_balance_uDAIT != d.escrow_uDAIT - lease.paid_uDAIT
            ):
                return f"deployment {d.id}: balance disagrees with its lease payments", True
        return "", False

    return check


def open_orders_indexed(keeper: Keeper) -> Check:
    """§16.6: the order-check schedule holds exactly the open orders, each at its next
    check height, no later than its last chance; the rank index holds exactly the open
    bids, and each open order counts them."""

    def check(ctx: Context) -> tuple[str, bool]:
        scheduled = {key: due for due, key in keeper.order_checks.iterate(ctx)}
        for o in keeper.orders.values(ctx):
            if o.state == OrderState.OPEN:
                if scheduled.pop(o.deployment_id, None) != o.next_check_height:
                    return f"open order {o.deployment_id} not scheduled as recorded", True
                if o.next_check_height > o.last_height:
                    return f"open order {o.deployment_id} checked past its last chance", True
                ranked = sum(1 for _ in keeper.open_bids_ranked(ctx, o.deployment_id))
                if ranked != o.open_bids:
                    return f"order {o.deployment_id}: {ranked} ranked, {o.open_bids} counted", True
        if scheduled:
            return f"schedule holds non-open orders {sorted(scheduled)}", True
        open_bids = sum(1 for b in keeper.bids.values(ctx) if b.state == BidState.OPEN)
        ranked_total = sum(1 for _ in keeper.open_bid_rank.iterate(ctx))
        if open_bids != ranked_total:
            return f"{open_bids} open bids, {ranked_total} ranked", True
        return "", False

    return check


def next_work_exact(keeper: Keeper) -> Check:
    """§16.7: `next_work` is the earliest due of the two schedules (absent when both are
    empty), so an idle EndBlocker that reads only it skips nothing."""

    def check(ctx: Context) -> tuple[str, bool]:
        dues = [
            d
            for d in (keeper.order_checks.next_due(ctx), keeper.lease_ends.next_due(ctx))
            if d is not None
        ]
        expected = min(dues) if dues else None
        stored = keeper.next_work.get(ctx)
        return f"next_work {stored}, schedules say {expected}", stored != expected

    return check


def invariants(keeper: Keeper) -> tuple[Invariant, ...]:
    """Every x/compute_market invariant."""
    m = keys.MODULE_NAME
    return (
        Invariant(m, "escrow-backed", escrow_backed(keeper)),
        Invariant(m, "deposits-backed", deposits_backed(keeper)),
        Invariant(m, "provider-within-capacity", provider_within_capacity(keeper)),
        Invariant(m, "one-lease-per-order", one_lease_per_order(keeper)),
        Invariant(m, "lease-price-within-clock", lease_price_within_clock(keeper)),
        Invariant(m, "lease-paid-as-settled", lease_paid_as_settled(keeper)),
        Invariant(m, "open-orders-indexed", open_orders_indexed(keeper)),
        Invariant(m, "next-work-exact", next_work_exact(keeper)),
    )
