"""x/compute_market read-only queries (specs/compute_market.md §15).

Seed 000: "dait-cli auction watch <deployment_id>" watches the auction settle; the
`auction_clock` query is what it polls.
"""

from __future__ import annotations

from dataclasses import dataclass

from dait_chain.app.context import Context
from dait_chain.x.compute_market.auction import BidCandidate, auction_clock
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Bid,
    Deployment,
    Lease,
    LeaseState,
    Order,
    OrderState,
    Provider,
)


@dataclass(frozen=True, slots=True)
class AuctionClockView:
    """An order's auction as of the EndBlocker of `height` (§15)."""

    deployment_id: int
    height: int
    state: OrderState
    opened_height: int
    last_height: int
    k: int  # height - opened_height, capped at the window
    clock_uDAIT: int  # floor(price_ceiling * k / W)
    price_ceiling_uDAIT: int
    open_bids: int
    best_bid: BidCandidate | None  # the cheapest open bid in the seed's order
    next_check_height: int  # 0 once the order is no longer open


class Queries:
    """The module's query service (Cosmos grpc_query.go)."""

    def __init__(self, keeper: Keeper) -> None:
        self.keeper = keeper

    def params(self, ctx: Context) -> Params:
        """The current params."""
        return self.keeper.get_params(ctx)

    def provider(self, ctx: Context, address: str) -> Provider:
        """A provider (ErrProviderNotFound if unknown)."""
        return self.keeper.get_provider(ctx, address)

    def providers(self, ctx: Context) -> tuple[Provider, ...]:
        """Every provider, by address."""
        return tuple(self.keeper.providers.values(ctx))

    def deployment(self, ctx: Context, deployment_id: int) -> Deployment:
        """A deployment (ErrDeploymentNotFound if unknown)."""
        return self.keeper.get_deployment(ctx, deployment_id)

    def order(self, ctx: Context, deployment_id: int) -> Order:
        """An order (ErrDeploymentNotFound if unknown)."""
        return self.keeper.get_order(ctx, deployment_id)

    def orders(self, ctx: Context, state: OrderState | None = None) -> tuple[Order, ...]:
        """Every order (or those in `state`), by deployment id. Open orders are read from
        the order-check index, so listing them costs O(open orders)."""
        if state == OrderState.OPEN:
            ids = sorted(key for _, key in self.keeper.order_checks.iterate(ctx))
            return tuple(self.keeper.get_order(ctx, i) for i in ids)
        return tuple(o for o in self.keeper.orders.values(ctx) if state is None or o.state == state)

    def bids(self, ctx: Context, deployment_id: int) -> tuple[Bid, ...]:
        """Every bid on an order, by provider address."""
        return tuple(self.keeper.bids_of(ctx, deployment_id))

    def bid(self, ctx: Context, deployment_id: int, provider: str) -> Bid:
        """One bid (ErrBidNotFound if unknown)."""
        return self.keeper.get_bid(ctx, deployment_id, provider)

    def lease(self, ctx: Context, deployment_id: int) -> Lease:
        """A lease (ErrLeaseNotFound if unknown). It carries the host's gRPC endpoint and
        TEE public key (seed 000 "Send work and pay")."""
        return self.keeper.get_lease(ctx, deployment_id)

    def leases(
        self, ctx: Context, provider: str | None = None, state: LeaseState | None = None
    ) -> tuple[Lease, ...]:
        """Leases, optionally of one provider and/or in one state, by deployment id."""
        return tuple(
            lease
            for lease in self.keeper.leases.values(ctx)
            if (provider is None or lease.provider == provider)
            and (state is None or lease.state == state)
        )

    def lease_due(self, ctx: Context, deployment_id: int) -> int:
        """What a withdraw in this block would pay the provider (§8.2)."""
        lease = self.keeper.get_lease(ctx, deployment_id)
        if lease.state != LeaseState.ACTIVE:
            return 0
        upto = min(ctx.height, lease.end_height)
        return lease.price_uDAIT * (upto - lease.settled_height)

    def auction_clock(self, ctx: Context, deployment_id: int) -> AuctionClockView:
        """The order's clock at the EndBlocker of ctx.height and its best open bid (§6.2)."""
        order = self.keeper.get_order(ctx, deployment_id)
        deployment = self.keeper.get_deployment(ctx, deployment_id)
        window = order.last_height - order.opened_height
        height = ctx.height
        if order.state != OrderState.OPEN and order.settled_height:
            height = order.settled_height
        elif order.state != OrderState.OPEN:
            height = order.closed_height
        k = max(0, min(height - order.opened_height, window))
        ceiling = deployment.job.price_ceiling_uDAIT
        return AuctionClockView(
            deployment_id=deployment_id,
            height=height,
            state=order.state,
            opened_height=order.opened_height,
            last_height=order.last_height,
            k=k,
            clock_uDAIT=auction_clock(ceiling, k, window),
            price_ceiling_uDAIT=ceiling,
            open_bids=order.open_bids,
            best_bid=next(self.keeper.open_bids_ranked(ctx, deployment_id), None),
            next_check_height=order.next_check_height if order.state == OrderState.OPEN else 0,
        )
