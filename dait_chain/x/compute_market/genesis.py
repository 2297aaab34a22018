"""x/compute_market genesis: validate, import, export (specs/compute_market.md §12).

The genesis section holds the records; the indexes (open-bid rank, order checks, lease
ends) are derived from them on import, so an export imported into a fresh app recreates
exactly the same store.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dait_chain.app.context import Context
from dait_chain.codec.errors import CodecError
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import validate_address
from dait_chain.errors import DaitError
from dait_chain.pb.dait.compute_market.v1 import compute_market_pb2 as pb
from dait_chain.x.compute_market.errors import ErrInvalidGenesis
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.params import Params, default_params
from dait_chain.x.compute_market.types import (
    Bid,
    BidState,
    Deployment,
    DeploymentState,
    Lease,
    LeaseState,
    Order,
    OrderState,
    Provider,
)


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """The module's whole state (proto dait.compute_market.v1.GenesisState)."""

    PROTO: ClassVar = pb.GenesisState
    params: Params = field(default_factory=Params)
    providers: tuple[Provider, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    orders: tuple[Order, ...] = ()
    bids: tuple[Bid, ...] = ()
    leases: tuple[Lease, ...] = ()
    next_deployment_id: int = 1


def default_genesis() -> dict[str, Any]:
    """Default params, no records, ids from 1."""
    return GenesisState(params=default_params()).to_json()


def _fail(detail: str) -> ErrInvalidGenesis:
    return ErrInvalidGenesis(f"compute_market: {detail}")


def _strictly_sorted(name: str, keys: list[Any]) -> None:
    for a, b in itertools.pairwise(keys):
        if not a < b:
            raise _fail(f"{name} not sorted or not unique at {b!r}")


def validate_genesis(state: GenesisState) -> None:
    """Params valid (else ErrInvalidParams); records sorted and unique, referring to each
    other consistently, with the derived counters (open bids, active leases, escrow
    balance) matching the records (§12)."""
    state.params.validate()  # ErrInvalidParams names the field
    _strictly_sorted("providers", [p.address for p in state.providers])
    _strictly_sorted("deployments", [d.id for d in state.deployments])
    _strictly_sorted("orders", [o.deployment_id for o in state.orders])
    _strictly_sorted("bids", [(b.deployment_id, b.provider) for b in state.bids])
    _strictly_sorted("leases", [lease.deployment_id for lease in state.leases])
    providers = {p.address: p for p in state.providers}
    deployments = {d.id: d for d in state.deployments}
    orders = {o.deployment_id: o for o in state.orders}
    for address in providers:
        _check_address(address)
    for d in state.deployments:
        _check_address(d.owner)
        if not 1 <= d.id < state.next_deployment_id:
            raise _fail(f"deployment id {d.id} outside 1..next_deployment_id-1")
        if d.id not in orders:
            raise _fail(f"deployment {d.id} has no order")
        if d.escrow_balance_uDAIT > d.escrow_uDAIT:
            raise _fail(f"deployment {d.id}: escrow balance above the deposit")
    if set(orders) != set(deployments):
        raise _fail("orders and deployments differ")
    leased = {lease.deployment_id for lease in state.leases}
    open_bids: dict[int, int] = {}
    for b in state.bids:
        if b.provider not in providers or b.deployment_id not in orders:
            raise _fail(f"bid {b.deployment_id}/{b.provider} refers to nothing")
        if b.state == BidState.OPEN:
            if orders[b.deployment_id].state != OrderState.OPEN:
                raise _fail(f"open bid {b.deployment_id}/{b.provider} on a non-open order")
            open_bids[b.deployment_id] = open_bids.get(b.deployment_id, 0) + 1
    for o in state.orders:
        if o.open_bids != open_bids.get(o.deployment_id, 0):
            raise _fail(f"order {o.deployment_id}: open_bids disagrees with its bids")
        if o.state == OrderState.OPEN and not (
            o.opened_height < o.last_height and o.next_check_height <= o.last_height
        ):
            raise _fail(f"order {o.deployment_id}: inconsistent heights")
        if o.state == OrderState.OPEN and (
            deployments[o.deployment_id].state != DeploymentState.ACTIVE
            or o.deployment_id in leased
        ):
            raise _fail(f"order {o.deployment_id}: open with a lease or a closed deployment")
    active: dict[str, int] = {}
    for lease in state.leases:
        if lease.deployment_id not in orders or lease.provider not in providers:
            raise _fail(f"lease {lease.deployment_id} refers to nothing")
        if lease.state == LeaseState.ACTIVE:
            active[lease.provider] = active.get(lease.provider, 0) + 1
    for p in state.providers:
        if p.active_leases != active.get(p.address, 0) or p.active_leases > p.capacity:
            raise _fail(f"provider {p.address}: active_leases disagrees with its leases")


def _check_address(address: str) -> None:
    try:
        validate_address(address)
    except DaitError as exc:
        raise _fail(f"{address!r}: {exc.log}") from None


def parse_genesis(data: dict[str, Any]) -> GenesisState:
    """The section as a value; ErrInvalidGenesis on malformed or inconsistent content."""
    try:
        state = GenesisState.from_json(data)
    except CodecError as exc:
        raise _fail(exc.log) from None
    validate_genesis(state)
    return state


def init_genesis(keeper: Keeper, ctx: Context, data: dict[str, Any]) -> None:
    """Validate the section, then write it."""
    write_genesis(keeper, ctx, parse_genesis(data))


def write_genesis(keeper: Keeper, ctx: Context, state: GenesisState) -> None:
    """Write a validated state's records and rebuild the indexes from them."""
    keeper.params.set(ctx, state.params)
    for p in state.providers:
        keeper.providers.set(ctx, p.address, p)
    for d in state.deployments:
        keeper.deployments.set(ctx, d.id, d)
    for o in state.orders:
        keeper.orders.set(ctx, o.deployment_id, o)
        if o.state == OrderState.OPEN:
            keeper.order_checks.add(ctx, o.next_check_height, o.deployment_id)
    for b in state.bids:
        keeper.bids.set(ctx, (b.deployment_id, b.provider), b)
        if b.state == BidState.OPEN:
            keeper.open_bid_rank.add(
                ctx, (b.deployment_id, (b.price_uDAIT, b.created_height, b.provider))
            )
    for lease in state.leases:
        keeper.leases.set(ctx, lease.deployment_id, lease)
        if lease.state == LeaseState.ACTIVE:
            keeper.lease_ends.add(ctx, lease.end_height, lease.deployment_id)
    keeper.deployment_seq.set(ctx, state.next_deployment_id)
    keeper.refresh_next_work(ctx)


def export_genesis(keeper: Keeper, ctx: Context) -> dict[str, Any]:
    """Every record in key order, and the next deployment id."""
    state = GenesisState(
        params=keeper.get_params(ctx),
        providers=tuple(keeper.providers.values(ctx)),
        deployments=tuple(keeper.deployments.values(ctx)),
        orders=tuple(keeper.orders.values(ctx)),
        bids=tuple(keeper.bids.values(ctx)),
        leases=tuple(keeper.leases.values(ctx)),
        next_deployment_id=keeper.deployment_seq.peek(ctx),
    )
    return state.to_json()
