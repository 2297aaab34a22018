"""Benchmarks of x/compute_market's EndBlocker, each a ratio to a baseline measured in the
same run (specs/compute_market.md §18).

1. Settling EndBlocker: 1,000 open orders with 20 bids each, all due at the measured
   height (every order settles: 1,000 leases, 19,000 losing bids closed, their deposits
   refunded). Baseline: a plain scan that decodes the same 1,000 orders, deployments and
   20,000 bids, the least any implementation must read to decide them. Target <= 10x
   (deposit refunds are paid once per provider at the end of the EndBlocker, §7.3).
2. Polling EndBlocker: the same 1,000 orders due but with every bid above the clock (each
   order is looked at and rescheduled). Same baseline; target <= 3x.
3. Idle EndBlocker: nothing due, with 100,000 active leases and 1,000 open orders in the
   store versus 10 leases and 1 order. Target <= 1.2x (idle costs O(1): one key
   read of `next_work`). `next_due` likewise, reported with the same target.

Each EndBlocker runs on a fresh cache branch of the same state (as a block does), so every
round measures the same work. Run:
    python -m pytest bench/test_bench_compute_market.py --benchmark-enable -q -s
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from _ratio import MS, interleaved_minima, record

from dait_chain.app.context import Context, ExecMode
from dait_chain.crypto.address import address_from_pubkey, module_address
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.store.kv import CacheKV, KVStore
from dait_chain.x.auth.keeper import AuthKeeper
from dait_chain.x.bank.keeper import BankKeeper
from dait_chain.x.compute_market import abci
from dait_chain.x.compute_market.genesis import GenesisState, write_genesis
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.keys import DEPOSIT_ACCOUNT, ESCROW_ACCOUNT
from dait_chain.x.compute_market.params import Params
from dait_chain.x.compute_market.types import (
    Attribute,
    Bid,
    BidState,
    Deployment,
    DeploymentState,
    JobSpec,
    Lease,
    LeaseCloseReason,
    LeaseState,
    Order,
    OrderState,
    Provider,
)
from dait_chain.x.staking_tiers import genesis as tiers_genesis
from dait_chain.x.staking_tiers.keeper import Keeper as TiersKeeper
from dait_chain.x.staking_tiers.keys import LOCK_ACCOUNT
from dait_chain.x.staking_tiers.types import Tier

ROUNDS = 5
W = 30
H0 = 100
DUE = H0 + 10  # ceiling 30 over W 30: the clock is k, so a bid of 10 is reached at h0 + 10
PARAMS = Params()
ATTRS = (Attribute("gpu_class", "hopper"), Attribute("region", "na-east"))
FILTERS = (Attribute("gpu_class", "hopper-or-newer"),)
TEE = pubkey_from_privkey(privkey_from_seed(b"bench/tee"))


def _addr(name: str) -> str:
    return address_from_pubkey(pubkey_from_privkey(privkey_from_seed(name.encode())))


PROVIDERS = [_addr(f"bench/provider/{i}") for i in range(20)]
TENANT = _addr("bench/tenant")


def _job(ceiling: int) -> JobSpec:
    return JobSpec("qwen2.5-32b-instruct", FILTERS, True, ceiling, 3600)


def market_state(orders: int, bids: int, leases: int, first_price: int) -> GenesisState:
    """`orders` open orders opened at H0 and due at DUE, each with `bids` bids priced
    first_price, first_price + 1, ...; `leases` active leases ending far in the future."""
    providers = []
    active = [0] * len(PROVIDERS)
    for i in range(leases):
        active[i % len(PROVIDERS)] += 1
    for i, address in enumerate(PROVIDERS):
        providers.append(Provider(address, "grpcs://p:443", TEE, 10**9, ATTRS, active[i], 1))
    deployments, order_list, bid_list, lease_list = [], [], [], []
    for d in range(1, leases + 1):
        provider = PROVIDERS[(d - 1) % len(PROVIDERS)]
        deployments.append(
            Deployment(d, TENANT, _job(30), 108_000, 108_000, Tier.USER, 1, DeploymentState.ACTIVE)
        )
        order_list.append(Order(d, TENANT, OrderState.ACTIVE, 1, 1 + W, 2, 0, 2, 1))
        bid_list.append(Bid(d, provider, 1, 1, BidState.ACTIVE, 0, 0))
        lease_list.append(
            Lease(
                d,
                TENANT,
                provider,
                1,
                2,
                2 + 10**6,
                2,
                0,
                LeaseState.ACTIVE,
                LeaseCloseReason.UNSPECIFIED,
                0,
                "grpcs://p:443",
                TEE,
                "qwen2.5-32b-instruct",
                True,
            )
        )
    for d in range(leases + 1, leases + orders + 1):
        deployments.append(
            Deployment(d, TENANT, _job(30), 108_000, 108_000, Tier.USER, H0, DeploymentState.ACTIVE)
        )
        order_list.append(Order(d, TENANT, OrderState.OPEN, H0, H0 + W, DUE, bids))
        for j in range(bids):
            price = min(30, first_price + j)
            bid_list.append(
                Bid(d, PROVIDERS[j], price, H0, BidState.OPEN, PARAMS.bid_deposit_uDAIT, 0)
            )
    bid_list.sort(key=lambda b: (b.deployment_id, b.provider))
    return GenesisState(
        params=PARAMS,
        providers=tuple(sorted(providers, key=lambda p: p.address)),
        deployments=tuple(deployments),
        orders=tuple(order_list),
        bids=tuple(bid_list),
        leases=tuple(lease_list),
        next_deployment_id=leases + orders + 1,
    )


class Bench:
    """Keepers over one committed store holding a market state."""

    def __init__(self, state: GenesisState) -> None:
        auth = AuthKeeper()
        for name in (ESCROW_ACCOUNT, DEPOSIT_ACCOUNT, LOCK_ACCOUNT):
            auth.register_module_account(name)
        self.bank = BankKeeper(auth)
        tiers = TiersKeeper(self.bank)
        self.keeper = Keeper(self.bank, tiers)
        self.store = KVStore()
        ctx = self.ctx(self.store, DUE)
        tiers_genesis.init_genesis(tiers, ctx, tiers_genesis.default_genesis())
        write_genesis(self.keeper, ctx, state)
        deposits = sum(b.deposit_uDAIT for b in state.bids if b.state == BidState.OPEN)
        self.bank.set_balance(ctx, module_address(DEPOSIT_ACCOUNT), deposits)
        escrow = sum(d.escrow_balance_uDAIT for d in state.deployments)
        self.bank.set_balance(ctx, module_address(ESCROW_ACCOUNT), escrow)

    @staticmethod
    def ctx(store: Any, height: int) -> Context:
        return Context(
            "bench", height, 1_700_000_000_000 + height * 999, "", store, mode=ExecMode.END_BLOCK
        )

    def end_block(self, height: int) -> Callable[[], object]:
        def run() -> object:
            ctx = self.ctx(CacheKV(self.store), height)
            abci.end_blocker(self.keeper, ctx)
            return ctx

        return run

    def scan(self, height: int) -> Callable[[], object]:
        """The baseline: decode every open order, its deployment and all its bids."""

        def run() -> object:
            ctx = self.ctx(CacheKV(self.store), height)
            n = 0
            for _, d in self.keeper.order_checks.iterate(ctx):
                self.keeper.get_order(ctx, d)
                self.keeper.get_deployment(ctx, d)
                n += sum(1 for _ in self.keeper.bids_of(ctx, d))
            return n

        return run

    def next_due(self) -> Callable[[], object]:
        return lambda: abci.next_due(self.keeper, self.ctx(CacheKV(self.store), DUE))


def test_bench_settling_end_block_1000_orders_20_bids(benchmark: Any) -> None:
    bench = Bench(market_state(orders=1000, bids=20, leases=0, first_price=10))
    settled = bench.end_block(DUE)()
    assert isinstance(settled, Context)
    assert sum(1 for _ in bench.keeper.lease_ends.iterate(settled)) == 1000
    measured = interleaved_minima(
        bench.end_block(DUE), bench.scan(DUE), iterations=1, rounds=ROUNDS
    )
    record(
        benchmark, "settling EndBlocker, 1,000 orders x 20 bids, vs scan", measured, 10.0, unit=MS
    )
    benchmark.pedantic(bench.end_block(DUE), rounds=3, iterations=1)


def test_bench_polling_end_block_1000_orders_20_bids(benchmark: Any) -> None:
    bench = Bench(market_state(orders=1000, bids=20, leases=0, first_price=11))
    polled = bench.end_block(DUE)()
    assert isinstance(polled, Context)
    assert bench.keeper.order_checks.next_due(polled) == H0 + 11
    measured = interleaved_minima(
        bench.end_block(DUE), bench.scan(DUE), iterations=1, rounds=ROUNDS
    )
    record(benchmark, "polling EndBlocker, 1,000 orders x 20 bids, vs scan", measured, 3.0, unit=MS)
    benchmark.pedantic(bench.end_block(DUE), rounds=3, iterations=1)


def test_bench_idle_end_block_100000_leases_vs_10(benchmark: Any) -> None:
    big = Bench(market_state(orders=1000, bids=2, leases=100_000, first_price=20))
    small = Bench(market_state(orders=1, bids=2, leases=10, first_price=20))
    idle = DUE - 1  # nothing due: the orders are due at DUE, the leases far later
    measured = interleaved_minima(
        big.end_block(idle), small.end_block(idle), iterations=2000, rounds=ROUNDS
    )
    record(benchmark, "idle EndBlocker, 100,000 leases vs 10", measured, 1.2, unit=MS)
    due = interleaved_minima(big.next_due(), small.next_due(), iterations=2000, rounds=ROUNDS)
    benchmark.extra_info["next_due_ratio"] = round(due.ratio, 3)
    print(f"next_due, 100,000 leases vs 10: ratio {due.ratio:.2f} (target <= 1.2)")
    benchmark(big.end_block(idle))
