"""x/compute_market keeper: providers, deployments, the auction, bids and leases
(specs/compute_market.md).

The keeper owns the module's collections and applies the rules of `auction.py`,
`attributes.py` and `job.py` to them. Stateless checks come first, then stateful ones,
then the funds move, then the records change; a refusal raises before anything is
written, and the app discards the tx's branch anyway (specs §10).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrUnauthorized
from dait_chain.errors import DaitError
from dait_chain.math.ints import UINT64_MAX, add_uint64, mul_uint64, sub_uint64
from dait_chain.store.collections import (
    Item,
    KeySet,
    Map,
    PairKey,
    ProtoValueCodec,
    Schema,
    Sequence,
    StrKey,
    TripleKey,
    Uint64Key,
    Uint64Value,
)
from dait_chain.store.schedule import Schedule
from dait_chain.x.compute_market import events as ev
from dait_chain.x.compute_market import keys
from dait_chain.x.compute_market.attributes import (
    attributes_match,
    sorted_attributes,
    validate_provider_attributes,
)
from dait_chain.x.compute_market.auction import (
    BidCandidate,
    auction_clock,
    bid_eligible_height,
    clock_reach_offset,
    order_priority_key,
    select_winning_bid,
)
from dait_chain.x.compute_market.errors import (
    ErrAmountOverflow,
    ErrAttributesMismatch,
    ErrBidAboveCeiling,
    ErrBidExists,
    ErrBidNotFound,
    ErrBidNotOpen,
    ErrCapacityBelowActiveLeases,
    ErrDeploymentNotFound,
    ErrInvalidAmount,
    ErrInvalidHostUri,
    ErrInvalidParams,
    ErrInvalidTeePubkey,
    ErrLeaseNotActive,
    ErrLeaseNotFound,
    ErrOrderNotOpen,
    ErrProviderExists,
    ErrProviderNotFound,
    ErrTooManyBids,
)
from dait_chain.x.compute_market.expected_keepers import BankKeeper, TierKeeper
from dait_chain.x.compute_market.job import validate_job
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    Bid,
    BidState,
    Deployment,
    DeploymentState,
    Lease,
    LeaseCloseReason,
    LeaseState,
    MsgCreateDeployment,
    MsgRegisterProvider,
    MsgUpdateProvider,
    Order,
    OrderCloseReason,
    OrderState,
    Provider,
)
from dait_chain.x.staking_tiers.types import Tier

MAX_HOST_URI_LEN = 256

TIER_NAMES = {Tier.USER: "user", Tier.HEAVY: "heavy"}
_LEASE_REASONS = {
    LeaseCloseReason.EXPIRED: ev.LEASE_CLOSED_EXPIRED,
    LeaseCloseReason.TENANT_CLOSED: ev.LEASE_CLOSED_TENANT,
}
_ORDER_REASONS = {
    OrderCloseReason.UNFILLED: ev.ORDER_CLOSED_UNFILLED,
    OrderCloseReason.CANCELED: ev.ORDER_CLOSED_CANCELED,
    OrderCloseReason.LEASE_CLOSED: ev.ORDER_CLOSED_LEASE,
}

# (deployment id, (price, bid height, provider)): an order's open bids in the seed's rank.
RankKey = tuple[int, tuple[int, int, str]]


def format_attributes(attributes: tuple[Attribute, ...]) -> str:
    """`gpu_class=hopper,region=na-east`: attributes as one event attribute value."""
    return ",".join(f"{a.key}={a.value}" for a in attributes)


def validate_host_uri(host_uri: str) -> None:
    """1..256 printable ASCII characters without spaces (specs §4.1)."""
    if not 1 <= len(host_uri) <= MAX_HOST_URI_LEN or not all("!" <= c <= "~" for c in host_uri):
        raise ErrInvalidHostUri(
            f"host_uri: {host_uri!r} is not 1..{MAX_HOST_URI_LEN} printable ASCII characters"
        )


def validate_tee_pubkey(tee_pubkey: bytes) -> None:
    """A compressed secp256k1 point (specs §4.1): the key the host's receipts are signed
    with, copied into every lease (seed 000 "Send work and pay")."""
    from dait_chain.crypto.secp256k1 import validate_pubkey

    try:
        validate_pubkey(tee_pubkey)
    except DaitError as exc:
        raise ErrInvalidTeePubkey(f"tee_pubkey: {exc.log}") from None


class DepositRefunds:
    """The bid deposits one EndBlocker returns, summed per provider and paid at its end in
    address order: settling 1,000 orders with 20 bids each makes 20 transfers, not 20,000
    (specs §7.3). Deposits never fund anything else, so paying them at the end of the
    EndBlocker instead of bid by bid changes no balance seen by any rule."""

    __slots__ = ("amounts",)

    def __init__(self) -> None:
        self.amounts: dict[str, int] = {}

    def add(self, provider: str, amount: int) -> None:
        """Owe `amount` more to `provider`."""
        self.amounts[provider] = self.amounts.get(provider, 0) + amount

    def pay(self, bank: BankKeeper, ctx: Context) -> None:
        """Pay every provider its sum, in address order."""
        for provider in sorted(self.amounts):
            bank.send_from_module(ctx, keys.DEPOSIT_ACCOUNT, provider, self.amounts[provider])
        self.amounts.clear()


class Keeper:
    """The module's state and the operations on it."""

    def __init__(self, bank: BankKeeper, tiers: TierKeeper) -> None:
        self.bank = bank
        self.tiers = tiers
        self.schema = Schema(keys.MODULE_NAME)
        s = self.schema
        self.params: Item[Params] = Item(s, keys.PARAMS_PREFIX, "params", ProtoValueCodec(Params))
        self.providers: Map[str, Provider] = Map(
            s, keys.PROVIDERS_PREFIX, "providers", StrKey, ProtoValueCodec(Provider)
        )
        self.deployments: Map[int, Deployment] = Map(
            s, keys.DEPLOYMENTS_PREFIX, "deployments", Uint64Key, ProtoValueCodec(Deployment)
        )
        self.deployment_seq = Sequence(s, keys.DEPLOYMENT_SEQ_PREFIX, "deployment_seq")
        self.orders: Map[int, Order] = Map(
            s, keys.ORDERS_PREFIX, "orders", Uint64Key, ProtoValueCodec(Order)
        )
        self.bids: Map[tuple[int, str], Bid] = Map(
            s, keys.BIDS_PREFIX, "bids", PairKey(Uint64Key, StrKey), ProtoValueCodec(Bid)
        )
        self.open_bid_rank: KeySet[RankKey] = KeySet(
            s,
            keys.OPEN_BID_RANK_PREFIX,
            "open_bid_rank",
            PairKey(Uint64Key, TripleKey(Uint64Key, Uint64Key, StrKey)),
        )
        self.order_checks: Schedule[int] = Schedule(
            s, keys.ORDER_CHECKS_PREFIX, "order_checks", Uint64Key
        )
        self.leases: Map[int, Lease] = Map(
            s, keys.LEASES_PREFIX, "leases", Uint64Key, ProtoValueCodec(Lease)
        )
        self.lease_ends: Schedule[int] = Schedule(
            s, keys.LEASE_ENDS_PREFIX, "lease_ends", Uint64Key
        )
        self.next_work: Item[int] = Item(s, keys.NEXT_WORK_PREFIX, "next_work", Uint64Value)

    # --- reads ------------------------------------------------------------------------------

    def get_params(self, ctx: Context) -> Params:
        """The current params."""
        return self.params.must_get(ctx, ErrInvalidParams)

    def get_provider(self, ctx: Context, address: str) -> Provider:
        """A registered provider, or ErrProviderNotFound."""
        return self.providers.must_get(ctx, address, ErrProviderNotFound, f"provider {address}")

    def get_deployment(self, ctx: Context, deployment_id: int) -> Deployment:
        """A deployment, or ErrDeploymentNotFound."""
        return self.deployments.must_get(
            ctx, deployment_id, ErrDeploymentNotFound, f"deployment {deployment_id}"
        )

    def get_order(self, ctx: Context, deployment_id: int) -> Order:
        """The order of a deployment, or ErrDeploymentNotFound."""
        return self.orders.must_get(
            ctx, deployment_id, ErrDeploymentNotFound, f"deployment {deployment_id}"
        )

    def get_bid(self, ctx: Context, deployment_id: int, provider: str) -> Bid:
        """A bid, or ErrBidNotFound."""
        return self.bids.must_get(
            ctx, (deployment_id, provider), ErrBidNotFound, f"bid {deployment_id}/{provider}"
        )

    def get_lease(self, ctx: Context, deployment_id: int) -> Lease:
        """The lease of a deployment, or ErrLeaseNotFound."""
        return self.leases.must_get(ctx, deployment_id, ErrLeaseNotFound, f"lease {deployment_id}")

    def open_bids_ranked(self, ctx: Context, deployment_id: int) -> Iterator[BidCandidate]:
        """An order's open bids in the seed's order: price, bid height, provider (§6.4)."""
        for _, (price, height, provider) in self.open_bid_rank.iterate_prefix(ctx, deployment_id):
            yield BidCandidate(provider=provider, price=price, created_height=height)

    def bids_of(self, ctx: Context, deployment_id: int) -> Iterator[Bid]:
        """Every bid on an order, by provider address."""
        for _, bid in self.bids.iterate_prefix(ctx, deployment_id):
            yield bid

    def next_due_height(self, ctx: Context) -> int | None:
        """The earliest height at which the EndBlocker has work (an order to look at or a
        lease to end), or None: one key read (§6.6)."""
        return self.next_work.get(ctx)

    def refresh_next_work(self, ctx: Context) -> None:
        """Recompute `next_work` as the earliest due of both schedules (two seeks). Called
        after every change to a schedule, so it is always exact (invariant §16.6) and an
        import recomputes the same value."""
        a = self.order_checks.next_due(ctx)
        b = self.lease_ends.next_due(ctx)
        due = b if a is None else a if b is None else min(a, b)
        if due is None:
            self.next_work.delete(ctx)
        else:
            self.next_work.set(ctx, due)

    # --- providers (specs §4) ----------------------------------------------------------------

    def _check_provider_fields(
        self, params: Params, host_uri: str, tee_pubkey: bytes, attributes: tuple[Attribute, ...]
    ) -> None:
        validate_host_uri(host_uri)
        validate_tee_pubkey(tee_pubkey)
        validate_provider_attributes(
            "attributes", attributes, params.attribute_keys, params.ordered()
        )

    def register_provider(self, ctx: Context, msg: MsgRegisterProvider) -> None:
        """MsgRegisterProvider (§4.1): a new provider with its endpoint, TEE key, capacity
        and attributes."""
        params = self.get_params(ctx)
        self._check_provider_fields(params, msg.host_uri, msg.tee_pubkey, msg.attributes)
        if self.providers.has(ctx, msg.provider):
            raise ErrProviderExists(f"provider {msg.provider}")
        provider = Provider(
            address=msg.provider,
            host_uri=msg.host_uri,
            tee_pubkey=msg.tee_pubkey,
            capacity=msg.capacity,
            attributes=sorted_attributes(msg.attributes),
            active_leases=0,
            registered_height=ctx.height,
        )
        self.providers.set(ctx, provider.address, provider)
        ctx.events.emit(
            ev.EVENT_PROVIDER_REGISTERED,
            module=ev.MODULE,
            action=ev.ACTION_PROVIDER_REGISTERED,
            provider=provider.address,
            capacity=provider.capacity,
            attributes=format_attributes(provider.attributes),
        )

    def update_provider(self, ctx: Context, msg: MsgUpdateProvider) -> None:
        """MsgUpdateProvider (§4.2): replace endpoint, key, capacity and attributes. The
        capacity may not drop below the leases the provider runs (invariant §16.2)."""
        params = self.get_params(ctx)
        self._check_provider_fields(params, msg.host_uri, msg.tee_pubkey, msg.attributes)
        old = self.get_provider(ctx, msg.provider)
        if msg.capacity < old.active_leases:
            raise ErrCapacityBelowActiveLeases(
                f"capacity {msg.capacity} < active leases {old.active_leases}"
            )
        provider = replace(
            old,
            host_uri=msg.host_uri,
            tee_pubkey=msg.tee_pubkey,
            capacity=msg.capacity,
            attributes=sorted_attributes(msg.attributes),
        )
        self.providers.set(ctx, provider.address, provider)
        ctx.events.emit(
            ev.EVENT_PROVIDER_UPDATED,
            module=ev.MODULE,
            action=ev.ACTION_PROVIDER_UPDATED,
            provider=provider.address,
            capacity=provider.capacity,
            attributes=format_attributes(provider.attributes),
        )

    # --- deployments (specs §5) ---------------------------------------------------------------

    def create_deployment(self, ctx: Context, msg: MsgCreateDeployment) -> int:
        """MsgCreateDeployment (§5.1): lock the escrow, fix the tenant's tier, open the order
        at h0 = this block's height. Returns the new deployment id."""
        params = self.get_params(ctx)
        job = msg.job
        validate_job(
            "job",
            job,
            msg.escrow_uDAIT,
            params.attribute_keys,
            params.ordered(),
            escrow_where="escrow_uDAIT",
        )
        last_height = ctx.height + params.auction_window_blocks
        if last_height + job.duration_blocks > UINT64_MAX:
            raise ErrAmountOverflow(
                f"height {ctx.height} + auction window + duration_blocks {job.duration_blocks}"
            )
        tier = self.tiers.tier(ctx, msg.owner)
        self.bank.send_to_module(ctx, msg.owner, keys.ESCROW_ACCOUNT, msg.escrow_uDAIT)
        deployment_id = self.deployment_seq.next(ctx)
        deployment = Deployment(
            id=deployment_id,
            owner=msg.owner,
            job=replace(job, attributes=sorted_attributes(job.attributes)),
            escrow_uDAIT=msg.escrow_uDAIT,
            escrow_balance_uDAIT=msg.escrow_uDAIT,
            tier=tier,
            created_height=ctx.height,
            state=DeploymentState.ACTIVE,
        )
        # With no bid yet, the first look is the last chance: a bid moves it earlier (§6.3).
        order = Order(
            deployment_id=deployment_id,
            owner=msg.owner,
            state=OrderState.OPEN,
            opened_height=ctx.height,
            last_height=last_height,
            next_check_height=last_height,
        )
        self.deployments.set(ctx, deployment_id, deployment)
        self.orders.set(ctx, deployment_id, order)
        self.order_checks.add(ctx, last_height, deployment_id)
        self.refresh_next_work(ctx)
        ctx.events.emit(
            ev.EVENT_DEPLOYMENT_CREATED,
            module=ev.MODULE,
            action=ev.ACTION_DEPLOYMENT_CREATED,
            owner=msg.owner,
            deployment_id=deployment_id,
            tier=TIER_NAMES[tier],
            price_ceiling_uDAIT=job.price_ceiling_uDAIT,
            duration_blocks=job.duration_blocks,
            escrow_uDAIT=msg.escrow_uDAIT,
        )
        ctx.events.emit(
            ev.EVENT_ORDER_OPENED,
            module=ev.MODULE,
            action=ev.ACTION_ORDER_OPENED,
            owner=msg.owner,
            deployment_id=deployment_id,
            opened_height=ctx.height,
            last_height=last_height,
        )
        return deployment_id

    def close_deployment(self, ctx: Context, owner: str, deployment_id: int) -> None:
        """MsgCloseDeployment (§5.3): the tenant cancels while the order is open; every
        open bid closes and the whole escrow returns."""
        deployment = self.get_deployment(ctx, deployment_id)
        if deployment.owner != owner:
            raise ErrUnauthorized(f"deployment {deployment_id} belongs to {deployment.owner}")
        order = self.get_order(ctx, deployment_id)
        if order.state != OrderState.OPEN:
            raise ErrOrderNotOpen(f"order {deployment_id} is {order.state.name.lower()}")
        self._close_open_order(ctx, deployment, order, OrderCloseReason.CANCELED)
        self.refresh_next_work(ctx)

    def _close_deployment(self, ctx: Context, deployment: Deployment) -> None:
        refund = deployment.escrow_balance_uDAIT
        if refund:
            self.bank.send_from_module(ctx, keys.ESCROW_ACCOUNT, deployment.owner, refund)
        self.deployments.set(
            ctx,
            deployment.id,
            replace(deployment, escrow_balance_uDAIT=0, state=DeploymentState.CLOSED),
        )
        ctx.events.emit(
            ev.EVENT_DEPLOYMENT_CLOSED,
            module=ev.MODULE,
            action=ev.ACTION_DEPLOYMENT_CLOSED,
            owner=deployment.owner,
            deployment_id=deployment.id,
            refund_uDAIT=refund,
        )

    def _close_open_order(
        self,
        ctx: Context,
        deployment: Deployment,
        order: Order,
        reason: OrderCloseReason,
        refunds: DepositRefunds | None = None,
    ) -> None:
        """Close an open order without a lease (§6.7): unfilled at its last chance, or
        canceled by the tenant. Its open bids close, their deposits and the escrow return."""
        self.order_checks.remove(ctx, order.next_check_height, order.deployment_id)
        self.orders.set(
            ctx,
            order.deployment_id,
            replace(
                order,
                state=OrderState.CLOSED,
                open_bids=0,
                close_reason=reason,
                closed_height=ctx.height,
            ),
        )
        self._emit_order_closed(ctx, order, reason)
        for bid in list(self.open_bids_ranked(ctx, order.deployment_id)):
            self._retire_bid(
                ctx,
                order.owner,
                order.deployment_id,
                bid,
                BidState.CLOSED,
                ev.BID_CLOSED_ORDER,
                refunds,
            )
        self._close_deployment(ctx, deployment)

    def _emit_order_closed(self, ctx: Context, order: Order, reason: OrderCloseReason) -> None:
        ctx.events.emit(
            ev.EVENT_ORDER_CLOSED,
            module=ev.MODULE,
            action=ev.ACTION_ORDER_CLOSED,
            owner=order.owner,
            deployment_id=order.deployment_id,
            reason=_ORDER_REASONS[reason],
        )

    # --- bids (specs §7) ------------------------------------------------------------------------

    def create_bid(
        self, ctx: Context, provider_address: str, deployment_id: int, price: int
    ) -> None:
        """MsgCreateBid (§7.1): one bid per provider per order, priced 1..ceiling per block,
        from a provider whose attributes satisfy every filter, while the order holds fewer
        than max_bids_per_order open bids."""
        params = self.get_params(ctx)
        provider = self.get_provider(ctx, provider_address)
        deployment = self.get_deployment(ctx, deployment_id)
        order = self.get_order(ctx, deployment_id)
        if order.state != OrderState.OPEN or ctx.height > order.last_height:
            raise ErrOrderNotOpen(f"order {deployment_id} is {order.state.name.lower()}")
        if self.bids.has(ctx, (deployment_id, provider_address)):
            raise ErrBidExists(f"bid {deployment_id}/{provider_address}")
        ceiling = deployment.job.price_ceiling_uDAIT
        if price < 1:
            raise ErrInvalidAmount(f"price_uDAIT: {price}")
        if price > ceiling:
            raise ErrBidAboveCeiling(f"price_uDAIT {price} > price_ceiling_uDAIT {ceiling}")
        if not attributes_match(deployment.job.attributes, provider.attributes, params.ordered()):
            raise ErrAttributesMismatch(
                f"filters [{format_attributes(deployment.job.attributes)}], provider "
                f"[{format_attributes(provider.attributes)}]"
            )
        # Akash checked `>` and let one bid too many in (anchors.md): with N open bids the
        # order is full.
        if order.open_bids >= params.max_bids_per_order:
            raise ErrTooManyBids(
                f"order {deployment_id} holds {order.open_bids} open bids, "
                f"max_bids_per_order = {params.max_bids_per_order}"
            )
        deposit = params.bid_deposit_uDAIT
        if deposit:
            self.bank.send_to_module(ctx, provider_address, keys.DEPOSIT_ACCOUNT, deposit)
        bid = Bid(
            deployment_id=deployment_id,
            provider=provider_address,
            price_uDAIT=price,
            created_height=ctx.height,
            state=BidState.OPEN,
            deposit_uDAIT=deposit,
        )
        self.bids.set(ctx, (deployment_id, provider_address), bid)
        self.open_bid_rank.add(ctx, (deployment_id, (price, ctx.height, provider_address)))
        window = order.last_height - order.opened_height
        eligible = bid_eligible_height(order.opened_height, ctx.height, price, ceiling, window)
        next_check = min(order.next_check_height, eligible)
        if next_check != order.next_check_height:
            self.order_checks.remove(ctx, order.next_check_height, deployment_id)
            self.order_checks.add(ctx, next_check, deployment_id)
            self.refresh_next_work(ctx)
        self.orders.set(
            ctx,
            deployment_id,
            replace(order, open_bids=order.open_bids + 1, next_check_height=next_check),
        )
        ctx.events.emit(
            ev.EVENT_BID_CREATED,
            module=ev.MODULE,
            action=ev.ACTION_BID_CREATED,
            owner=deployment.owner,
            deployment_id=deployment_id,
            provider=provider_address,
            price_uDAIT=price,
            deposit_uDAIT=deposit,
        )

    def close_bid(self, ctx: Context, provider_address: str, deployment_id: int) -> None:
        """MsgCloseBid (§7.4): a provider withdraws its open bid; its deposit returns and
        the order's bid count drops, so a closed bid never counts toward the cap."""
        bid = self.get_bid(ctx, deployment_id, provider_address)
        if bid.state != BidState.OPEN:
            raise ErrBidNotOpen(f"bid {deployment_id}/{provider_address} is {bid.state.name}")
        order = self.get_order(ctx, deployment_id)
        self.orders.set(ctx, deployment_id, replace(order, open_bids=order.open_bids - 1))
        # The order's next check may now be early; an early look finds nothing and
        # reschedules, so it is left in place (§6.3).
        self._retire_bid(
            ctx,
            order.owner,
            deployment_id,
            BidCandidate(bid.provider, bid.price_uDAIT, bid.created_height),
            BidState.CLOSED,
            ev.BID_CLOSED_PROVIDER,
        )

    def _retire_bid(
        self,
        ctx: Context,
        owner: str,
        deployment_id: int,
        candidate: BidCandidate,
        state: BidState,
        reason: str,
        refunds: DepositRefunds | None = None,
    ) -> None:
        """Take an open bid out of the auction (lost, closed, or its order closed): it
        leaves the rank index and its deposit returns (§7.3), at once in a tx, at the end
        of the EndBlocker when `refunds` collects them."""
        key = (deployment_id, candidate.provider)
        bid = self.bids.must_get(ctx, key, ErrBidNotFound)
        self.open_bid_rank.remove(
            ctx, (deployment_id, (bid.price_uDAIT, bid.created_height, bid.provider))
        )
        self._refund_deposit(ctx, bid, refunds)
        self.bids.set(ctx, key, replace(bid, state=state, closed_height=ctx.height))
        ctx.events.emit(
            ev.EVENT_BID_CLOSED,
            module=ev.MODULE,
            action=ev.ACTION_BID_CLOSED,
            owner=owner,
            deployment_id=deployment_id,
            provider=bid.provider,
            price_uDAIT=bid.price_uDAIT,
            reason=reason,
        )

    def _refund_deposit(self, ctx: Context, bid: Bid, refunds: DepositRefunds | None) -> None:
        if not bid.deposit_uDAIT:
            return
        if refunds is None:
            self.bank.send_from_module(ctx, keys.DEPOSIT_ACCOUNT, bid.provider, bid.deposit_uDAIT)
        else:
            refunds.add(bid.provider, bid.deposit_uDAIT)

    # --- the auction (specs §6) -------------------------------------------------------------

    def end_block(self, ctx: Context) -> None:
        """The EndBlocker (§6.6): nothing to do unless `next_work` is due (one key read);
        else end the leases due, then look at the orders due, then pay the deposit refunds
        of every bid retired here, one transfer per provider in address order."""
        due = self.next_work.get(ctx)
        if due is None or due > ctx.height:
            return
        self.expire_leases(ctx)
        refunds = DepositRefunds()
        self.settle_due_orders(ctx, refunds)
        refunds.pay(self.bank, ctx)
        self.refresh_next_work(ctx)

    def settle_due_orders(self, ctx: Context, refunds: DepositRefunds) -> None:
        """EndBlocker step 2 (§6.5): every order whose next check is due, in priority order
        (Heavy first, then creation height, then deployment id), either settles, closes
        unfilled at its last chance, or is rescheduled."""
        due = self.order_checks.pop_due(ctx, ctx.height)
        if not due:
            return
        params = self.get_params(ctx)
        work = []
        for deployment_id in due:
            deployment = self.get_deployment(ctx, deployment_id)
            key = order_priority_key(
                deployment.tier == Tier.HEAVY, deployment.created_height, deployment.id
            )
            work.append((key, deployment))
        work.sort(key=lambda item: item[0])
        for _, deployment in work:
            self._auction_step(ctx, params, deployment, self.get_order(ctx, deployment.id), refunds)

    def _auction_step(
        self,
        ctx: Context,
        params: Params,
        deployment: Deployment,
        order: Order,
        refunds: DepositRefunds,
    ) -> None:
        h = ctx.height
        window = order.last_height - order.opened_height
        ceiling = deployment.job.price_ceiling_uDAIT
        # A due height is never skipped (the harness steps to every due height); were one
        # skipped, the order would be treated at its last chance rather than past it.
        k = min(h - order.opened_height, window)
        clock = auction_clock(ceiling, k, window)
        ordered = params.ordered()
        filters = deployment.job.attributes

        def provider_ready(address: str) -> bool:
            # Capacity is checked here, not at bid time; attributes again, since a provider
            # may have updated them after bidding (§6.4).
            p = self.get_provider(ctx, address)
            return p.active_leases < p.capacity and attributes_match(filters, p.attributes, ordered)

        ranked = list(self.open_bids_ranked(ctx, order.deployment_id))
        winner = select_winning_bid(ranked, clock, provider_ready)
        if winner is not None:
            self._settle(ctx, deployment, order, winner, clock, ranked, refunds)
            return
        if h >= order.last_height:
            self._close_open_order(ctx, deployment, order, OrderCloseReason.UNFILLED, refunds)
            return
        cheapest = ranked[0] if ranked else None
        if cheapest is None:
            next_check = order.last_height
        elif cheapest.price <= clock:
            # Priced in but no provider ready: capacity may free up in any block.
            next_check = h + 1
        else:
            reach = clock_reach_offset(cheapest.price, ceiling, window)
            next_check = min(order.last_height, order.opened_height + reach)
        self.order_checks.add(ctx, next_check, order.deployment_id)
        self.orders.set(ctx, order.deployment_id, replace(order, next_check_height=next_check))

    def _settle(
        self,
        ctx: Context,
        deployment: Deployment,
        order: Order,
        winner: BidCandidate,
        clock: int,
        ranked: list[BidCandidate],
        refunds: DepositRefunds,
    ) -> None:
        """The order settles (§6.4, §8.1): the winning bid becomes a lease at its own price,
        the provider's capacity is taken, every other open bid loses."""
        h = ctx.height
        provider = self.get_provider(ctx, winner.provider)
        end_height = h + deployment.job.duration_blocks
        lease = Lease(
            deployment_id=deployment.id,
            owner=deployment.owner,
            provider=winner.provider,
            price_uDAIT=winner.price,
            start_height=h,
            end_height=end_height,
            settled_height=h,
            paid_uDAIT=0,
            state=LeaseState.ACTIVE,
            host_uri=provider.host_uri,
            tee_pubkey=provider.tee_pubkey,
            model=deployment.job.model,
            replayable=deployment.job.replayable,
        )
        self.leases.set(ctx, deployment.id, lease)
        self.lease_ends.add(ctx, end_height, deployment.id)
        self.providers.set(
            ctx, provider.address, replace(provider, active_leases=provider.active_leases + 1)
        )
        self.orders.set(
            ctx,
            deployment.id,
            replace(
                order,
                state=OrderState.ACTIVE,
                open_bids=0,
                settled_height=h,
                settled_clock_uDAIT=clock,
            ),
        )
        won = self.get_bid(ctx, deployment.id, winner.provider)
        self.open_bid_rank.remove(
            ctx, (deployment.id, (won.price_uDAIT, won.created_height, won.provider))
        )
        self._refund_deposit(ctx, won, refunds)
        self.bids.set(ctx, (deployment.id, won.provider), replace(won, state=BidState.ACTIVE))
        ctx.events.emit(
            ev.EVENT_BID_WON,
            module=ev.MODULE,
            action=ev.ACTION_BID_WON,
            owner=deployment.owner,
            deployment_id=deployment.id,
            provider=winner.provider,
            price_uDAIT=winner.price,
            clock_uDAIT=clock,
        )
        ctx.events.emit(
            ev.EVENT_LEASE_STARTED,
            module=ev.MODULE,
            action=ev.ACTION_LEASE_STARTED,
            owner=deployment.owner,
            deployment_id=deployment.id,
            provider=winner.provider,
            price_uDAIT=winner.price,
            start_height=h,
            end_height=end_height,
        )
        for loser in ranked:
            if loser.provider != winner.provider:
                self._retire_bid(
                    ctx,
                    deployment.owner,
                    deployment.id,
                    loser,
                    BidState.LOST,
                    ev.BID_CLOSED_LOST,
                    refunds,
                )

    # --- leases (specs §8) --------------------------------------------------------------------

    def _pay_lease(
        self, ctx: Context, deployment: Deployment, lease: Lease
    ) -> tuple[Deployment, Lease]:
        """Lazy settlement (§8.2): pay price x blocks elapsed since the last settlement, up
        to the lease's end, from the deployment's escrow to the provider."""
        upto = min(ctx.height, lease.end_height)
        blocks = upto - lease.settled_height
        amount = mul_uint64(lease.price_uDAIT, blocks, "lease payment")
        balance = sub_uint64(deployment.escrow_balance_uDAIT, amount, "deployment escrow")
        if amount:
            self.bank.send_from_module(ctx, keys.ESCROW_ACCOUNT, lease.provider, amount)
        deployment = replace(deployment, escrow_balance_uDAIT=balance)
        lease = replace(
            lease,
            settled_height=upto,
            paid_uDAIT=add_uint64(lease.paid_uDAIT, amount, "lease paid"),
        )
        self.deployments.set(ctx, deployment.id, deployment)
        self.leases.set(ctx, lease.deployment_id, lease)
        ctx.events.emit(
            ev.EVENT_LEASE_PAID,
            module=ev.MODULE,
            action=ev.ACTION_LEASE_PAID,
            owner=lease.owner,
            deployment_id=lease.deployment_id,
            provider=lease.provider,
            amount_uDAIT=amount,
            blocks=blocks,
            settled_height=upto,
        )
        return deployment, lease

    def withdraw_lease(self, ctx: Context, provider_address: str, deployment_id: int) -> None:
        """MsgWithdrawLease (§8.3): the provider collects what its lease earned so far."""
        lease = self.get_lease(ctx, deployment_id)
        if lease.provider != provider_address:
            raise ErrUnauthorized(f"lease {deployment_id} is run by {lease.provider}")
        if lease.state != LeaseState.ACTIVE:
            raise ErrLeaseNotActive(f"lease {deployment_id} is closed")
        self._pay_lease(ctx, self.get_deployment(ctx, deployment_id), lease)

    def close_lease(self, ctx: Context, owner: str, deployment_id: int) -> None:
        """MsgCloseLease (§8.4): the tenant ends its lease; the provider is paid what is
        due, the rest of the escrow returns."""
        lease = self.get_lease(ctx, deployment_id)
        if lease.owner != owner:
            raise ErrUnauthorized(f"lease {deployment_id} belongs to {lease.owner}")
        if lease.state != LeaseState.ACTIVE:
            raise ErrLeaseNotActive(f"lease {deployment_id} is closed")
        self.lease_ends.remove(ctx, lease.end_height, deployment_id)
        self._finish_lease(ctx, lease, LeaseCloseReason.TENANT_CLOSED)
        self.refresh_next_work(ctx)

    def expire_leases(self, ctx: Context) -> None:
        """EndBlocker step 1 (§8.5): close every lease whose end height is this block,
        paying the rest due; freed capacity serves this block's auctions (step 2)."""
        for deployment_id in self.lease_ends.pop_due(ctx, ctx.height):
            self._finish_lease(ctx, self.get_lease(ctx, deployment_id), LeaseCloseReason.EXPIRED)

    def _finish_lease(self, ctx: Context, lease: Lease, reason: LeaseCloseReason) -> None:
        deployment, lease = self._pay_lease(
            ctx, self.get_deployment(ctx, lease.deployment_id), lease
        )
        provider = self.get_provider(ctx, lease.provider)
        self.providers.set(
            ctx, provider.address, replace(provider, active_leases=provider.active_leases - 1)
        )
        self.leases.set(
            ctx,
            lease.deployment_id,
            replace(lease, state=LeaseState.CLOSED, close_reason=reason, closed_height=ctx.height),
        )
        ctx.events.emit(
            ev.EVENT_LEASE_CLOSED,
            module=ev.MODULE,
            action=ev.ACTION_LEASE_CLOSED,
            owner=lease.owner,
            deployment_id=lease.deployment_id,
            provider=lease.provider,
            price_uDAIT=lease.price_uDAIT,
            reason=_LEASE_REASONS[reason],
            paid_uDAIT=lease.paid_uDAIT,
        )
        bid = self.get_bid(ctx, lease.deployment_id, lease.provider)
        self.bids.set(
            ctx,
            (lease.deployment_id, lease.provider),
            replace(bid, state=BidState.CLOSED, closed_height=ctx.height),
        )
        ctx.events.emit(
            ev.EVENT_BID_CLOSED,
            module=ev.MODULE,
            action=ev.ACTION_BID_CLOSED,
            owner=lease.owner,
            deployment_id=lease.deployment_id,
            provider=lease.provider,
            price_uDAIT=bid.price_uDAIT,
            reason=ev.BID_CLOSED_LEASE,
        )
        order = self.get_order(ctx, lease.deployment_id)
        self.orders.set(
            ctx,
            order.deployment_id,
            replace(
                order,
                state=OrderState.CLOSED,
                close_reason=OrderCloseReason.LEASE_CLOSED,
                closed_height=ctx.height,
            ),
        )
        self._emit_order_closed(ctx, order, OrderCloseReason.LEASE_CLOSED)
        self._close_deployment(ctx, deployment)
