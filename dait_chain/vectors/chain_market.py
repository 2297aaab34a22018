"""chain/compute_market and chain/staking_tiers: auctions, leases, tiers, every refusal.

specs/compute_market.md and specs/staking_tiers.md (seed 000 "Path A"; decisions.md
"x/compute_market: the reverse Dutch auction"). Providers p1..p3, tenants `tenant` and
`heavy` (Heavy tier: 369 DAIT locked), `outsider` (never registers).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from dait_chain.app.testkit import actor
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.vectors.case import CaseSpec
from dait_chain.vectors.chain_run import ChainBuilder, Party, built, chain_case, genesis_of, party
from dait_chain.x.compute_market.keeper import Keeper as MarketKeeper
from dait_chain.x.compute_market.params import Params as MarketParams
from dait_chain.x.compute_market.simulation import MarketSimWorld
from dait_chain.x.compute_market.simulation import weighted_operations as market_operations
from dait_chain.x.compute_market.types import (
    Attribute,
    JobSpec,
    MsgCloseBid,
    MsgCloseDeployment,
    MsgCloseLease,
    MsgCreateBid,
    MsgCreateDeployment,
    MsgRegisterProvider,
    MsgUpdateProvider,
    MsgWithdrawLease,
)
from dait_chain.x.staking_tiers.simulation import weighted_operations as tier_operations
from dait_chain.x.staking_tiers.types import MsgLock, MsgUnlock

MARKET_SPEC = "specs/compute_market.md"
TIERS_SPEC = "specs/staking_tiers.md"
NAMES = ("tenant", "heavy", "p1", "p2", "p3", "outsider")
FUNDS = 1_000_000_000_000
HEAVY = 369_000_000
SEEDS = (1, 2, 3)
REFUSED = (
    "A refused message changes nothing but the fee and the sequence (the tx runs on a cache "
    "branch)."
)


def parties() -> dict[str, Party]:
    return {n: party(n) for n in NAMES}


def market_genesis(
    params: MarketParams | None = None, tiers: dict[str, Any] | None = None
) -> dict[str, Any]:
    sections: dict[str, dict[str, Any]] = {}
    if params is not None:
        from dait_chain.x.compute_market.genesis import GenesisState

        sections["compute_market"] = GenesisState(params=params).to_json()
    if tiers is not None:
        sections["staking_tiers"] = tiers
    return genesis_of([(p, FUNDS) for p in parties().values()], sections=sections)


def tee_key(name: str) -> bytes:
    return pubkey_from_privkey(privkey_from_seed(b"tee/" + name.encode()))


def register(
    name: str, *, capacity: int = 1, gpu: str = "hopper", region: str = "na-east"
) -> MsgRegisterProvider:
    return MsgRegisterProvider(
        party(name).address,
        f"grpcs://{name}.example:443",
        tee_key(name),
        capacity,
        (Attribute("gpu_class", gpu), Attribute("region", region)),
    )


def job(ceiling: int = 50, duration: int = 3600, **changes: Any) -> JobSpec:
    """Seed 000's minimal SDL job."""
    spec = JobSpec(
        model="qwen2.5-32b-instruct",
        attributes=(Attribute("gpu_class", "hopper-or-newer"), Attribute("region", "na-east")),
        replayable=True,
        price_ceiling_uDAIT=ceiling,
        duration_blocks=duration,
    )
    return replace(spec, **changes)


def deploy(who: str = "tenant", **kw: Any) -> MsgCreateDeployment:
    escrow = kw.pop("escrow", None)
    spec = job(**kw)
    return MsgCreateDeployment(
        party(who).address,
        spec,
        spec.price_ceiling_uDAIT * spec.duration_blocks if escrow is None else escrow,
    )


def bid(name: str, price: int, deployment: int = 1) -> MsgCreateBid:
    return MsgCreateBid(party(name).address, deployment, price)


def as_update(msg: MsgRegisterProvider) -> MsgUpdateProvider:
    return MsgUpdateProvider(
        msg.provider, msg.host_uri, msg.tee_pubkey, msg.capacity, msg.attributes
    )


class Market:
    """A builder with named parties."""

    def __init__(self, params: MarketParams | None = None) -> None:
        self.b = ChainBuilder(market_genesis(params))
        self.p = parties()

    def ok(self, who: str, *msgs: ProtoValue) -> None:
        result = self.b.tx(self.p[who], *msgs)
        assert result.ok, result.log

    def tx(self, who: str, *msgs: ProtoValue) -> None:
        self.b.tx(self.p[who], *msgs)

    def providers(self, *names: str) -> Market:
        for n in names:
            self.ok(n, register(n))
        return self

    def order(self, *bidders: str) -> Market:
        """p1..p3 registered; deployment 1 (seed job, ceiling 50) open; bidders bid 50."""
        self.providers("p1", "p2", "p3")
        self.ok("tenant", deploy())
        for n in bidders:
            self.ok(n, bid(n, 50))
        return self

    def lease(self) -> Market:
        """Deployment 1 leased to p1 at price 1."""
        self.order()
        self.ok("p1", bid("p1", 1))
        self.b.block()
        return self


# ---- compute_market flows ----------------------------------------------------------------


def market_flow_cases() -> Iterator[CaseSpec]:
    """Auction to lease, payments, expiry, tie-breaks, unfilled orders, Heavy priority."""
    m = Market().providers("p1", "p2", "p3")
    m.ok("tenant", deploy(duration=20))
    m.b.block(m.b.sign(m.p["p2"], bid("p2", 30)), m.b.sign(m.p["p3"], bid("p3", 20)))
    m.b.block(height=m.b.height + 25)
    m.ok("p3", MsgWithdrawLease(m.p["p3"].address, 1))
    m.b.block(height=m.b.height + 30)
    yield built(
        "flow",
        "auction_lease_expiry",
        "bids 30 and 20 on ceiling 50; the clock reaches 20 first; withdraw; the lease runs out",
        "The auction iterator selects the lowest-price bid that matches all attribute filters "
        "(seed 000); at the EndBlocker of height h0 + k the clock is floor(price_ceiling * "
        "k / W) (decisions.md)",
        f"{MARKET_SPEC} auction, leases",
        m.b,
    )

    m = Market().providers("p1", "p2", "p3")
    m.ok("tenant", deploy(duration=5))
    m.b.block(m.b.sign(m.p["p3"], bid("p3", 10)), m.b.sign(m.p["p2"], bid("p2", 10)))
    m.ok("p1", bid("p1", 10))
    m.b.block(height=m.b.height + 31)
    yield built(
        "flow",
        "tie_break",
        "three bids of 10: p2 and p3 in one block, p1 later",
        "Ties are broken by earliest bid height, then by lexicographic provider_addr. (seed 000)",
        f"{MARKET_SPEC} auction",
        m.b,
    )

    m = Market().providers("p1")
    m.ok("tenant", deploy(ceiling=5, duration=10))
    m.b.block(height=m.b.height + 31)
    yield built(
        "flow",
        "unfilled_refund",
        "no bid: the order closes unfilled at h0 + W and the escrow is refunded",
        "If nothing qualifies by then, the order closes unfilled and the escrow is refunded. "
        "(decisions.md)",
        f"{MARKET_SPEC} auction",
        m.b,
    )

    m = Market().providers("p1")
    m.ok("heavy", MsgLock(m.p["heavy"].address, HEAVY))
    m.b.block(
        m.b.sign(m.p["tenant"], deploy("tenant", duration=10)),
        m.b.sign(m.p["heavy"], deploy("heavy", duration=10)),
    )
    m.b.block(m.b.sign(m.p["p1"], bid("p1", 5, 1)), m.b.sign(m.p["p1"], bid("p1", 5, 2)))
    m.b.block(height=m.b.height + 31)
    yield built(
        "flow",
        "heavy_priority",
        "one slot, two orders settling together: the Heavy tenant's order wins",
        "Heavy tier (369 DAIT locked in x/staking_tiers) is priority: when several orders settle "
        "in one EndBlocker they are matched Heavy first (decisions.md)",
        f'{MARKET_SPEC} auction; seed 000 "Stake"',
        m.b,
    )

    m = Market().lease()
    m.b.block(height=m.b.height + 3)
    m.ok("tenant", MsgCloseLease(m.p["tenant"].address, 1))
    yield built(
        "flow",
        "tenant_closes_lease",
        "the tenant closes an active lease early: payment to date, rest refunded",
        "Standard cosmos-sdk events fire on BidWon, LeaseStarted, LeaseClosed. (seed 000)",
        f"{MARKET_SPEC} leases",
        m.b,
    )

    m = Market().order("p2")
    m.ok("p2", MsgCloseBid(m.p["p2"].address, 1))
    m.ok("tenant", MsgCloseDeployment(m.p["tenant"].address, 1))
    m.ok("p1", as_update(register("p1", capacity=3, gpu="blackwell")))
    yield built(
        "flow",
        "close_bid_and_deployment",
        "a bid closed, the deployment closed before any lease, a provider updated",
        "Stale bids ... decide what happens to the losing bids at settlement (anchors.md)",
        f"{MARKET_SPEC} messages",
        m.b,
    )


Setup = Callable[[], tuple[Market, str, ProtoValue]]


def _market_refusals() -> list[tuple[str, str, Setup]]:
    def fresh(who: str, msg: ProtoValue, params: MarketParams | None = None) -> Setup:
        return lambda: (Market(params), who, msg)

    def after(build: Callable[[], Market], who: str, msg: Callable[[Market], ProtoValue]) -> Setup:
        def setup() -> tuple[Market, str, ProtoValue]:
            m = build()
            return m, who, msg(m)

        return setup

    def lost_bid() -> Market:
        m = Market().order("p2")
        m.ok("p1", bid("p1", 1))
        m.b.block()
        return m

    def closed_lease() -> Market:
        m = Market().lease()
        m.ok("tenant", MsgCloseLease(m.p["tenant"].address, 1))
        return m

    def mismatch() -> Market:
        m = Market()
        m.ok("p1", register("p1", gpu="ampere"))
        m.ok("tenant", deploy())
        return m

    t = party("tenant").address
    return [
        (
            "zero_price_ceiling",
            "price_ceiling_uDAIT 0",
            fresh("tenant", deploy(ceiling=0, escrow=1)),
        ),
        ("zero_duration", "duration_blocks 0", fresh("tenant", deploy(duration=0, escrow=1))),
        ("zero_escrow", "escrow 0", fresh("tenant", deploy(escrow=0))),
        ("zero_bid_price", "a bid of 0", after(Market().order, "p1", lambda m: bid("p1", 0))),
        (
            "ceiling_times_duration_overflows",
            "price_ceiling * duration beyond uint64",
            fresh("tenant", deploy(ceiling=2**40, duration=2**30, escrow=2**64 - 1)),
        ),
        (
            "escrow_below_max_cost",
            "escrow one below ceiling x duration",
            fresh("tenant", deploy(escrow=50 * 3600 - 1)),
        ),
        (
            "unknown_filter_key",
            "a filter on vram",
            fresh("tenant", deploy(attributes=(Attribute("vram", "80"),))),
        ),
        (
            "unknown_provider_attribute",
            "a provider attribute vram",
            fresh("p1", replace(register("p1"), attributes=(Attribute("vram", "80"),))),
        ),
        (
            "or_newer_on_unordered_key",
            "region na-or-newer",
            fresh("tenant", deploy(attributes=(Attribute("region", "na-or-newer"),))),
        ),
        (
            "gpu_class_not_in_list",
            "provider gpu_class mi300",
            fresh("p1", register("p1", gpu="mi300")),
        ),
        ("empty_model", 'model ""', fresh("tenant", deploy(model=""))),
        (
            "provider_exists",
            "p1 registers twice",
            after(lambda: Market().providers("p1"), "p1", lambda m: register("p1")),
        ),
        (
            "update_unknown_provider",
            "an update before registering",
            fresh("p1", as_update(register("p1"))),
        ),
        (
            "bid_unregistered",
            "a bid by an unregistered account",
            after(Market().order, "outsider", lambda m: bid("outsider", 10)),
        ),
        (
            "capacity_below_leases",
            "capacity 0 with an active lease",
            after(Market().lease, "p1", lambda m: as_update(register("p1", capacity=0))),
        ),
        ("empty_host_uri", 'host_uri ""', fresh("p1", replace(register("p1"), host_uri=""))),
        (
            "host_uri_with_space",
            "host_uri with a space",
            fresh("p1", replace(register("p1"), host_uri="grpc://a b")),
        ),
        (
            "tee_pubkey_not_a_point",
            "tee_pubkey prefix 05",
            fresh("p1", replace(register("p1"), tee_pubkey=b"\x05" + bytes(32))),
        ),
        (
            "bid_unknown_deployment",
            "a bid on deployment 9",
            after(Market().order, "p1", lambda m: bid("p1", 10, 9)),
        ),
        (
            "close_unknown_deployment",
            "close deployment 7",
            fresh("tenant", MsgCloseDeployment(t, 7)),
        ),
        (
            "bid_settled_order",
            "a bid after the lease started",
            after(Market().lease, "p2", lambda m: bid("p2", 10)),
        ),
        (
            "close_leased_deployment",
            "close a leased deployment",
            after(Market().lease, "tenant", lambda m: MsgCloseDeployment(t, 1)),
        ),
        (
            "bid_twice",
            "a second bid by p1",
            after(lambda: Market().order("p1"), "p1", lambda m: bid("p1", 40)),
        ),
        (
            "close_unknown_bid",
            "close a bid never made",
            after(Market().order, "p1", lambda m: MsgCloseBid(m.p["p1"].address, 1)),
        ),
        (
            "bid_above_ceiling",
            "a bid of 51 on ceiling 50",
            after(Market().order, "p1", lambda m: bid("p1", 51)),
        ),
        (
            "bid_attributes_mismatch",
            "an ampere provider on hopper-or-newer",
            after(mismatch, "p1", lambda m: bid("p1", 10)),
        ),
        (
            "too_many_bids",
            "a third bid with max_bids_per_order 2",
            after(
                lambda: Market(MarketParams(max_bids_per_order=2)).order("p1", "p2"),
                "p3",
                lambda m: bid("p3", 10),
            ),
        ),
        (
            "close_lost_bid",
            "close a lost bid",
            after(lost_bid, "p2", lambda m: MsgCloseBid(m.p["p2"].address, 1)),
        ),
        (
            "withdraw_without_lease",
            "withdraw before any lease",
            after(
                lambda: Market().order("p1"), "p1", lambda m: MsgWithdrawLease(m.p["p1"].address, 1)
            ),
        ),
        (
            "withdraw_closed_lease",
            "withdraw from a closed lease",
            after(closed_lease, "p1", lambda m: MsgWithdrawLease(m.p["p1"].address, 1)),
        ),
        (
            "close_closed_lease",
            "close a closed lease",
            after(closed_lease, "tenant", lambda m: MsgCloseLease(t, 1)),
        ),
        (
            "withdraw_by_other_provider",
            "p2 withdraws p1's lease",
            after(Market().lease, "p2", lambda m: MsgWithdrawLease(m.p["p2"].address, 1)),
        ),
        (
            "lease_closed_by_provider",
            "the provider closes the lease",
            after(Market().lease, "p1", lambda m: MsgCloseLease(m.p["p1"].address, 1)),
        ),
        (
            "deployment_closed_by_other",
            "heavy closes the tenant's deployment",
            after(Market().order, "heavy", lambda m: MsgCloseDeployment(m.p["heavy"].address, 1)),
        ),
        (
            "escrow_beyond_balance",
            "escrow above the tenant's balance",
            fresh("tenant", MsgCreateDeployment(t, job(ceiling=10**9, duration=10**4), 10**13)),
        ),
    ]


def market_refusal_cases() -> Iterator[CaseSpec]:
    for name, what, setup in _market_refusals():
        m, who, msg = setup()
        m.tx(who, msg)
        yield built("refusals", name, what, REFUSED, f"{MARKET_SPEC} errors", m.b)


def _mutated_export(
    build: Callable[[], ChainBuilder], module: str, mutate: Callable[[dict[str, Any]], None]
) -> dict[str, Any]:
    doc = copy.deepcopy(build().app.export_genesis())
    mutate(doc[module])
    return doc


def market_genesis_cases() -> Iterator[CaseSpec]:
    """Genesis documents the module refuses."""

    def leased() -> ChainBuilder:
        return Market().lease().b

    cases: list[tuple[str, str, Callable[[dict[str, Any]], None]]] = [
        (
            "auction_window_zero",
            "auction_window_blocks 0",
            lambda s: s["params"].update(auction_window_blocks="0"),
        ),
        ("providers_unsorted", "providers not sorted", lambda s: s["providers"].reverse()),
        (
            "next_deployment_id_reused",
            "next_deployment_id below an existing id",
            lambda s: s.update(next_deployment_id="1"),
        ),
    ]
    for name, what, mutate in cases:
        yield chain_case(
            "genesis",
            name,
            what,
            "Params valid (else ErrInvalidParams); records sorted and unique, referring to each "
            "other consistently (else ErrInvalidGenesis)",
            f"{MARKET_SPEC} genesis",
            _mutated_export(leased, "compute_market", mutate),
            [],
        )


def market_seeded_cases() -> Iterator[CaseSpec]:
    """The module's weighted operations (simulation.py) on fixed seeds, 4 txs a block."""
    for seed in SEEDS:
        rng = random.Random(seed)
        tenants = [actor(f"tenant{i}") for i in range(3)]
        providers = [actor(f"provider{i}") for i in range(4)]
        b = ChainBuilder(genesis_of([(a, FUNDS) for a in (*tenants, *providers)]))
        k = b.app.module("compute_market").keeper
        assert isinstance(k, MarketKeeper)
        world = MarketSimWorld(k, b.app.query_context, tenants, providers)
        ops = market_operations()
        for _ in range(25):
            txs: list[bytes] = []
            for _ in range(4):
                (op,) = rng.choices([w.op for w in ops], weights=[w.weight for w in ops])
                for who, msg in op(rng, world):
                    txs.append(b.sign(who, msg))
            result = b.block(*txs)
            for tx in result.tx_results:
                for event in tx.events:
                    if event.type == "DeploymentCreated" and event.get("deployment_id"):
                        world.deployments.append(int(event.get("deployment_id") or 0))
        yield built(
            "seeded",
            f"seed_{seed}",
            f"25 blocks of the market's weighted operations (seed {seed})",
            "Operations are weighted and drawn from a seeded RNG (anchors.md, Cosmos simulation)",
            f"{MARKET_SPEC} simulation",
            b,
        )


# ---- staking_tiers -------------------------------------------------------------------------


def tiers_genesis(**params: str) -> dict[str, Any] | None:
    if not params:
        return None
    base = {
        "heavy_threshold_uDAIT": "369000000",
        "unbonding_period_ms": "1814400000",
        "max_unbonding_entries": "7",
    }
    return {"params": {**base, **params}, "next_unbonding_id": "1"}


def tier_flow_cases() -> Iterator[CaseSpec]:
    """Heavy at exactly 369 DAIT, unlock drops the tier at once, funds return after the period."""
    b = ChainBuilder(market_genesis(tiers=tiers_genesis(unbonding_period_ms="60000")))
    alice = party("tenant")
    b.tx(alice, MsgLock(alice.address, HEAVY - 1))
    b.tx(alice, MsgLock(alice.address, 1))
    b.tx(alice, MsgUnlock(alice.address, 1_000_000))
    b.block(time_ms=b.time_ms + 60_000)
    b.tx(alice, MsgUnlock(alice.address, HEAVY - 1_000_000))
    b.block(time_ms=b.time_ms + 60_001)
    yield built(
        "flow",
        "heavy_threshold_and_unbonding",
        "lock 369 DAIT - 1 uDAIT, then 1 uDAIT: Heavy; unlock: not Heavy; funds back after the "
        "period",
        "The Heavy tier (369 DAIT lock) buys priority queue access in x/compute_market. (seed 000)",
        f"{TIERS_SPEC}",
        b,
    )


def tier_refusal_cases() -> Iterator[CaseSpec]:
    for name, what, params, before, msg in (
        ("lock_zero", "lock 0", {}, [], lambda a: MsgLock(a, 0)),
        ("unlock_zero", "unlock 0", {}, [], lambda a: MsgUnlock(a, 0)),
        (
            "unlock_above_lock",
            "unlock 11 with 10 locked",
            {},
            [("lock", 10)],
            lambda a: MsgUnlock(a, 11),
        ),
        ("unlock_nothing_locked", "unlock with nothing locked", {}, [], lambda a: MsgUnlock(a, 1)),
        (
            "too_many_unbonding_entries",
            "a third unlock with max_unbonding_entries 2",
            {"max_unbonding_entries": "2"},
            [("lock", 100), ("unlock", 1), ("unlock", 1)],
            lambda a: MsgUnlock(a, 1),
        ),
        (
            "completion_time_overflow",
            "unbonding_period_ms 2^64 - 1",
            {"unbonding_period_ms": str(2**64 - 1)},
            [("lock", 10)],
            lambda a: MsgUnlock(a, 1),
        ),
        (
            "lock_overflow",
            "a lock beyond uint64 in total",
            {},
            [("lock", 2**63)],
            lambda a: MsgLock(a, 2**63),
        ),
    ):
        genesis = market_genesis(tiers=tiers_genesis(**params))
        if name == "lock_overflow":
            genesis = genesis_of(
                [(party("tenant"), 2**64 - 1)],
                sections={"staking_tiers": tiers_genesis(heavy_threshold_uDAIT="369000000") or {}},
            )
        b = ChainBuilder(genesis)
        who = party("tenant")
        for kind, amount in before:
            b.tx(
                who,
                MsgLock(who.address, amount) if kind == "lock" else MsgUnlock(who.address, amount),
            )
        b.tx(who, msg(who.address))
        yield built("refusals", name, what, REFUSED, f"{TIERS_SPEC} errors", b)


def tier_genesis_cases() -> Iterator[CaseSpec]:
    def locked() -> ChainBuilder:
        b = ChainBuilder(market_genesis())
        who = party("tenant")
        b.tx(who, MsgLock(who.address, 10))
        b.tx(who, MsgUnlock(who.address, 1))
        return b

    for name, what, mutate in (
        (
            "heavy_threshold_zero",
            "heavy_threshold_uDAIT 0",
            lambda s: s["params"].update(heavy_threshold_uDAIT="0"),
        ),
        (
            "lock_owner_invalid",
            "a lock whose owner is not an address",
            lambda s: s["locks"][0].update(owner="dait1nothing"),
        ),
    ):
        yield chain_case(
            "genesis",
            name,
            what,
            "Params valid (else ErrInvalidParams); locks sorted by owner, unique and positive "
            "(else ErrInvalidGenesis)",
            f"{TIERS_SPEC} genesis",
            _mutated_export(locked, "staking_tiers", mutate),
            [],
        )


def tier_seeded_cases() -> Iterator[CaseSpec]:
    for seed in SEEDS:
        rng = random.Random(seed)
        accounts = [actor(f"locker{i}") for i in range(3)]
        b = ChainBuilder(genesis_of([(a, FUNDS) for a in accounts]))
        ops = tier_operations()
        for _ in range(15):
            (op,) = rng.choices([w.op for w in ops], weights=[w.weight for w in ops])
            b.block(
                *(b.sign(who, msg) for who, msg in op(rng, accounts)),
                time_ms=b.time_ms + rng.randint(999, 900_000_000),
            )
        yield built(
            "seeded",
            f"seed_{seed}",
            f"15 blocks of the module's weighted operations (seed {seed})",
            "Operations are weighted and drawn from a seeded RNG (anchors.md, Cosmos simulation)",
            f"{TIERS_SPEC} simulation",
            b,
        )


def market_cases() -> Iterator[CaseSpec]:
    yield from market_flow_cases()
    yield from market_refusal_cases()
    yield from market_genesis_cases()
    yield from market_seeded_cases()


def tier_cases() -> Iterator[CaseSpec]:
    yield from tier_flow_cases()
    yield from tier_refusal_cases()
    yield from tier_genesis_cases()
    yield from tier_seeded_cases()
