"""Simulation of x/compute_market: scenario actions, weighted random operations and the
demo scenario (Cosmos x/<module>/simulation; specs/compute_market.md §17).

- Scenario actions (`register_provider`, `deploy`, `bid`, `close_bid`, `withdraw_lease`,
  `close_lease`, `close_deployment`) compile YAML steps into signed txs for the harness.
- `weighted_operations()` are the random operations of a market population; the rng is
  passed in (as Cosmos passes a rand.Rand), nothing here draws randomness of its own.
- `demo_scenario()` runs one auction to leases on a real app: three providers bid, a
  Heavy tenant and a normal one compete for the one cheap slot, the Heavy order takes it,
  the normal one settles later at a higher price; payments, an early close and an expiry
  follow. It returns a small summary for `dait-sim demo`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from dait_chain.app.abci import FinalizeBlockResult, TxResult
from dait_chain.app.context import Context
from dait_chain.app.testkit import Actor as ChainActor
from dait_chain.app.testkit import TestChain
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.secp256k1 import privkey_from_seed, pubkey_from_privkey
from dait_chain.errors import DaitError, error_class
from dait_chain.sim.actions import ActionContext, register_action
from dait_chain.x.compute_market import events as ev
from dait_chain.x.compute_market.keeper import Keeper
from dait_chain.x.compute_market.keys import MODULE_NAME
from dait_chain.x.compute_market.params import DEFAULT_GPU_CLASSES, Params
from dait_chain.x.compute_market.sdl import parse_sdl
from dait_chain.x.compute_market.types import (
    Attribute,
    JobSpec,
    LeaseState,
    MsgCloseBid,
    MsgCloseDeployment,
    MsgCloseLease,
    MsgCreateBid,
    MsgCreateDeployment,
    MsgRegisterProvider,
    MsgWithdrawLease,
    OrderState,
)
from dait_chain.x.staking_tiers.types import MsgLock

# Seed 000 "Submit a deployment": the minimal SDL, nested as its indentation implies.
SEED_SDL: Final = """\
version: "1"
job:
  model: qwen2.5-32b-instruct
  attributes:
    gpu_class: hopper-or-newer
    region: na-east
  replayable: true
  price_ceiling_uDAIT: 50
  duration_blocks: 3600 # ~60 min at 999ms blocks
  escrow_uDAIT: 200000
"""

HEAVY_LOCK_UDAIT: Final = 369_000_000  # seed 000: "The Heavy tier (369 DAIT lock)"
DEPLOYMENT: Final = "deployment"  # (DEPLOYMENT, name) -> deployment id (None until known)


def tee_pubkey_for(name: str) -> bytes:
    """A deterministic TEE key for a simulated provider."""
    return pubkey_from_privkey(privkey_from_seed(b"dait-sim/tee/" + name.encode()))


def deployment_id_of(result: TxResult) -> int | None:
    """The id a successful MsgCreateDeployment was given (its DeploymentCreated event)."""
    for event in result.events:
        if event.type == ev.EVENT_DEPLOYMENT_CREATED:
            value = event.get(ev.ATTR_DEPLOYMENT_ID)
            return None if value is None else int(value)
    return None


# --- scenario actions ----------------------------------------------------------------------


def _deployment_arg(ctx: ActionContext, key: str = "deployment") -> int:
    value = ctx.arg(key, None)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if not isinstance(value, str):
        raise ctx.fail(f"{key}: a deployment name or id", key)
    found = ctx.recall(DEPLOYMENT, value, key)
    if found is None:
        raise ctx.fail(f"deployment {value!r} has no id (its deploy tx failed)", key)
    assert isinstance(found, int)
    return found


def compile_register_provider(ctx: ActionContext) -> None:
    """register_provider {provider, capacity=1, gpu_class=hopper, region=na-east}."""
    who = ctx.actor_arg("provider")
    msg = MsgRegisterProvider(
        provider=who.address,
        host_uri=ctx.str_arg("host_uri", f"grpcs://{who.name}.dait.example:443"),
        tee_pubkey=tee_pubkey_for(who.name),
        capacity=ctx.int_arg("capacity", 1),
        attributes=(
            Attribute("gpu_class", ctx.str_arg("gpu_class", "hopper")),
            Attribute("region", ctx.str_arg("region", "na-east")),
        ),
    )
    ctx.submit(who, msg)


def compile_deploy(ctx: ActionContext) -> None:
    """deploy {tenant, name, sdl=<path to an SDL file> | ceiling, duration, escrow,
    gpu_class, region, model}: MsgCreateDeployment; the id is remembered under name."""
    tenant = ctx.actor_arg("tenant")
    name = ctx.str_arg("name")
    if ctx.has("sdl"):
        path = Path(ctx.str_arg("sdl"))
        try:
            sdl = parse_sdl(path.read_text(), Params())
        except (OSError, DaitError) as exc:
            raise ctx.fail(f"sdl: {exc}", "sdl") from None
        msg = sdl.to_msg(tenant.address)
    else:
        ceiling = ctx.int_arg("ceiling", 50)
        duration = ctx.int_arg("duration", 3600)
        job = JobSpec(
            model=ctx.str_arg("model", "qwen2.5-32b-instruct"),
            attributes=(
                Attribute("gpu_class", ctx.str_arg("gpu_class", "hopper-or-newer")),
                Attribute("region", ctx.str_arg("region", "na-east")),
            ),
            replayable=ctx.bool_arg("replayable", True),
            price_ceiling_uDAIT=ceiling,
            duration_blocks=duration,
        )
        escrow = ctx.amount_arg("escrow", ceiling * duration)
        msg = MsgCreateDeployment(owner=tenant.address, job=job, escrow_uDAIT=escrow)
    ctx.remember(DEPLOYMENT, name, None)
    world = ctx.world

    def remember_id(result: TxResult) -> None:
        world.objects[(DEPLOYMENT, name)] = deployment_id_of(result)

    ctx.submit(tenant, msg, after=remember_id)


def compile_bid(ctx: ActionContext) -> None:
    """bid {provider, deployment, price}: MsgCreateBid."""
    who = ctx.actor_arg("provider")
    ctx.submit(who, MsgCreateBid(who.address, _deployment_arg(ctx), ctx.int_arg("price")))


def compile_close_bid(ctx: ActionContext) -> None:
    """close_bid {provider, deployment}: MsgCloseBid."""
    who = ctx.actor_arg("provider")
    ctx.submit(who, MsgCloseBid(who.address, _deployment_arg(ctx)))


def compile_withdraw_lease(ctx: ActionContext) -> None:
    """withdraw_lease {provider, deployment}: MsgWithdrawLease."""
    who = ctx.actor_arg("provider")
    ctx.submit(who, MsgWithdrawLease(who.address, _deployment_arg(ctx)))


def compile_close_lease(ctx: ActionContext) -> None:
    """close_lease {tenant, deployment}: MsgCloseLease."""
    who = ctx.actor_arg("tenant")
    ctx.submit(who, MsgCloseLease(who.address, _deployment_arg(ctx)))


def compile_close_deployment(ctx: ActionContext) -> None:
    """close_deployment {tenant, deployment}: MsgCloseDeployment."""
    who = ctx.actor_arg("tenant")
    ctx.submit(who, MsgCloseDeployment(who.address, _deployment_arg(ctx)))


for _name, _compiler in (
    ("register_provider", compile_register_provider),
    ("deploy", compile_deploy),
    ("bid", compile_bid),
    ("close_bid", compile_close_bid),
    ("withdraw_lease", compile_withdraw_lease),
    ("close_lease", compile_close_lease),
    ("close_deployment", compile_close_deployment),
):
    register_action(
        _name, _compiler, module=MODULE_NAME, summary=(_compiler.__doc__ or "").split("\n")[0]
    )


# --- weighted operations -----------------------------------------------------------------


@dataclass
class MarketSimWorld:
    """What the random operations see: the app's market keeper, its committed state (a
    query context), the tenants and providers, and the deployments made so far."""

    keeper: Keeper
    query: Callable[[], Context]
    tenants: list[ChainActor]
    providers: list[ChainActor]
    deployments: list[int] = field(default_factory=list)


Operation = Callable[[random.Random, MarketSimWorld], list[tuple[ChainActor, ProtoValue]]]


@dataclass(frozen=True, slots=True)
class WeightedOperation:
    """A random operation and its relative weight (Cosmos simulation.WeightedOperation)."""

    weight: int
    op: Operation


def _ctx(world: MarketSimWorld) -> Context:
    return world.query()


def op_register_provider(
    rng: random.Random, world: MarketSimWorld
) -> list[tuple[ChainActor, ProtoValue]]:
    """A provider registers with a random GPU class and capacity (refused if already)."""
    who = rng.choice(world.providers)
    msg = MsgRegisterProvider(
        provider=who.address,
        host_uri=f"grpcs://{who.name}.dait.example:443",
        tee_pubkey=tee_pubkey_for(who.name),
        capacity=rng.randint(0, 3),
        attributes=(
            Attribute("gpu_class", rng.choice(DEFAULT_GPU_CLASSES)),
            Attribute("region", rng.choice(["na-east", "eu-west"])),
        ),
    )
    return [(who, msg)]


def op_deploy(rng: random.Random, world: MarketSimWorld) -> list[tuple[ChainActor, ProtoValue]]:
    """A tenant deploys a job with a random ceiling, duration and GPU filter, fully funded."""
    who = rng.choice(world.tenants)
    ceiling = rng.randint(1, 100)
    duration = rng.randint(1, 200)
    job = JobSpec(
        model="qwen2.5-32b-instruct",
        attributes=(Attribute("gpu_class", rng.choice(DEFAULT_GPU_CLASSES) + "-or-newer"),),
        replayable=rng.random() < 0.5,
        price_ceiling_uDAIT=ceiling,
        duration_blocks=duration,
    )
    return [(who, MsgCreateDeployment(who.address, job, ceiling * duration))]


def op_bid(rng: random.Random, world: MarketSimWorld) -> list[tuple[ChainActor, ProtoValue]]:
    """A provider bids on an open order, usually at or below its ceiling."""
    ctx = _ctx(world)
    open_orders = [
        o.deployment_id for o in world.keeper.orders.values(ctx) if o.state == OrderState.OPEN
    ]
    if not open_orders:
        return []
    d = world.keeper.get_deployment(ctx, rng.choice(open_orders))
    who = rng.choice(world.providers)
    price = rng.randint(1, d.job.price_ceiling_uDAIT + 1)
    return [(who, MsgCreateBid(who.address, d.id, price))]


def op_close_bid(rng: random.Random, world: MarketSimWorld) -> list[tuple[ChainActor, ProtoValue]]:
    """A provider withdraws one of its bids (refused unless it is open)."""
    if not world.deployments:
        return []
    who = rng.choice(world.providers)
    return [(who, MsgCloseBid(who.address, rng.choice(world.deployments)))]


def _active_leases(world: MarketSimWorld) -> list[tuple[int, str, str]]:
    ctx = _ctx(world)
    return [
        (lease.deployment_id, lease.owner, lease.provider)
        for lease in world.keeper.leases.values(ctx)
        if lease.state == LeaseState.ACTIVE
    ]


def _actor(actors: list[ChainActor], address: str) -> ChainActor | None:
    return next((a for a in actors if a.address == address), None)


def op_withdraw_lease(
    rng: random.Random, world: MarketSimWorld
) -> list[tuple[ChainActor, ProtoValue]]:
    """A provider collects what one of its leases earned."""
    leases = _active_leases(world)
    if not leases:
        return []
    d, _, provider = rng.choice(leases)
    who = _actor(world.providers, provider)
    return [] if who is None else [(who, MsgWithdrawLease(who.address, d))]


def op_close_lease(
    rng: random.Random, world: MarketSimWorld
) -> list[tuple[ChainActor, ProtoValue]]:
    """A tenant ends one of its leases early."""
    leases = _active_leases(world)
    if not leases:
        return []
    d, owner, _ = rng.choice(leases)
    who = _actor(world.tenants, owner)
    return [] if who is None else [(who, MsgCloseLease(who.address, d))]


def op_close_deployment(
    rng: random.Random, world: MarketSimWorld
) -> list[tuple[ChainActor, ProtoValue]]:
    """A tenant cancels a deployment (refused unless its order is still open)."""
    if not world.deployments:
        return []
    who = rng.choice(world.tenants)
    return [(who, MsgCloseDeployment(who.address, rng.choice(world.deployments)))]


def weighted_operations() -> tuple[WeightedOperation, ...]:
    """The market's random operations and their weights: bids dominate, as in a market
    with more providers than tenants; closes are rare."""
    return (
        WeightedOperation(5, op_register_provider),
        WeightedOperation(20, op_deploy),
        WeightedOperation(60, op_bid),
        WeightedOperation(5, op_close_bid),
        WeightedOperation(15, op_withdraw_lease),
        WeightedOperation(5, op_close_lease),
        WeightedOperation(3, op_close_deployment),
    )


def run_random_market(
    seed: int, blocks: int = 60, txs_per_block: int = 4
) -> tuple[TestChain, MarketSimWorld, list[FinalizeBlockResult]]:
    """A random market population on a fresh chain: `blocks` blocks of weighted random
    operations drawn from random.Random(seed). Refused txs are part of the run."""
    rng = random.Random(seed)
    tenants = [f"tenant{i}" for i in range(3)]
    providers = [f"provider{i}" for i in range(4)]
    chain = TestChain.start(users=(*tenants, *providers))
    keeper = chain.app.module(MODULE_NAME).keeper
    assert isinstance(keeper, Keeper)
    world = MarketSimWorld(
        keeper,
        chain.ctx,
        [chain.actors[n] for n in tenants],
        [chain.actors[n] for n in providers],
    )
    ops = weighted_operations()
    results = []
    for _ in range(blocks):
        txs: list[bytes] = []
        sequences: dict[str, int] = {}
        for _ in range(txs_per_block):
            (op,) = rng.choices([w.op for w in ops], weights=[w.weight for w in ops])
            for who, msg in op(rng, world):
                _, seq = chain.account(who)
                seq = sequences.get(who.address, seq)
                sequences[who.address] = seq + 1
                txs.append(chain.tx(who, msg, sequence=seq))
        result = chain.block(*txs)
        for tx in result.tx_results:
            d = deployment_id_of(tx)
            if d is not None:
                world.deployments.append(d)
        results.append(result)
    return chain, world, results


# --- the demo ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoOrder:
    """One deployment of the demo, from creation to its lease's end."""

    deployment_id: int
    tenant: str
    tier: str
    provider: str
    price_uDAIT: int
    settled_height: int
    clock_uDAIT: int
    paid_uDAIT: int
    refund_uDAIT: int
    close_reason: str


@dataclass(frozen=True, slots=True)
class MarketDemoSummary:
    """What `dait-sim demo` prints for the market part."""

    orders: tuple[DemoOrder, ...]
    refusals: tuple[str, ...]  # "codespace/code ErrName: log" of the refused txs
    blocks_run: int
    final_height: int
    app_hash: str
    broken_invariants: tuple[str, ...]

    def lines(self) -> list[str]:
        """A readable report, one line per fact."""
        out = ["compute_market: reverse Dutch auction, seed 000 SDL"]
        for o in self.orders:
            out.append(
                f"  deployment {o.deployment_id} ({o.tenant}, {o.tier}): won by {o.provider} "
                f"at {o.price_uDAIT} uDAIT/block (clock {o.clock_uDAIT}) at height "
                f"{o.settled_height}; paid {o.paid_uDAIT}, refunded {o.refund_uDAIT}, "
                f"closed: {o.close_reason}"
            )
        out.extend(f"  refused: {r}" for r in self.refusals)
        out.append(
            f"  {self.blocks_run} blocks run up to height {self.final_height} (sparse time); "
            f"invariants {'hold' if not self.broken_invariants else 'BROKEN'}"
        )
        return out


def _refusal(result: TxResult) -> str:
    name = error_class(result.codespace, result.code).__name__
    return f"{result.codespace}/{result.code} {name}: {result.log}"


def demo_scenario(sdl_text: str = SEED_SDL) -> MarketDemoSummary:
    """One auction to leases with scarce capacity (specs §17).

    p1 (hopper, one slot) bids 20 per block, p2 (blackwell, one slot) bids 35, p3
    (ampere) cannot bid on a hopper-or-newer job. A normal tenant and a Heavy tenant
    (369 DAIT locked) deploy the seed's SDL in the same block; the normal one gets the lower
    deployment id. With ceiling 50 over W = 30 blocks the clock reaches 20 at k = 12 and
    35 at k = 21: at h0 + 12 both orders are due and the Heavy one is matched first and
    takes p1; the normal order waits and takes p2 at h0 + 21. p1 withdraws once, the
    normal tenant closes its lease 100 blocks in, the Heavy lease runs its 3600 blocks and
    expires; the harness jumps over idle heights.
    """
    chain = TestChain.start(users=("tenant", "heavy", "p1", "p2", "p3"))
    blocks = 0
    refusals: list[str] = []

    def run(*txs: bytes, height: int | None = None) -> FinalizeBlockResult:
        nonlocal blocks
        result = chain.block(*txs, height=height)
        blocks += 1
        refusals.extend(_refusal(r) for r in result.tx_results if not r.ok)
        return result

    def tx(who: ChainActor, msg: ProtoValue, sequences: dict[str, int]) -> bytes:
        _, seq = chain.account(who)
        seq = sequences.get(who.address, seq)
        sequences[who.address] = seq + 1
        return chain.tx(who, msg, sequence=seq)

    def register(name: str, gpu: str) -> MsgRegisterProvider:
        return MsgRegisterProvider(
            provider=chain.actors[name].address,
            host_uri=f"grpcs://{name}.dait.example:443",
            tee_pubkey=tee_pubkey_for(name),
            capacity=1,
            attributes=(Attribute("gpu_class", gpu), Attribute("region", "na-east")),
        )

    seqs: dict[str, int] = {}
    run(
        tx(chain.p1, register("p1", "hopper"), seqs),
        tx(chain.p2, register("p2", "blackwell"), seqs),
        tx(chain.p3, register("p3", "ampere"), seqs),
        tx(chain.heavy, MsgLock(chain.heavy.address, HEAVY_LOCK_UDAIT), seqs),
    )
    sdl = parse_sdl(sdl_text, Params())
    seqs = {}
    created = run(
        tx(chain.tenant, sdl.to_msg(chain.tenant.address), seqs),
        tx(chain.heavy, sdl.to_msg(chain.heavy.address), seqs),
    )
    normal_id, heavy_id = (deployment_id_of(r) for r in created.tx_results)
    assert normal_id is not None and heavy_id is not None
    seqs = {}
    run(
        tx(chain.p1, MsgCreateBid(chain.p1.address, normal_id, 20), seqs),
        tx(chain.p1, MsgCreateBid(chain.p1.address, heavy_id, 20), seqs),
        tx(chain.p2, MsgCreateBid(chain.p2.address, normal_id, 35), seqs),
        tx(chain.p2, MsgCreateBid(chain.p2.address, heavy_id, 35), seqs),
        tx(chain.p3, MsgCreateBid(chain.p3.address, normal_id, 10), seqs),
    )
    keeper = chain.app.module(MODULE_NAME).keeper
    assert isinstance(keeper, Keeper)

    def step_until(height: int) -> None:
        # Sparse time: run only the heights where something is due, then `height`.
        while chain.app.height < height:
            due = chain.app.next_due()
            target = height if due.height is None else min(due.height, height)
            target = max(target, chain.app.height + 1)
            run(height=target)

    normal_lease_start = keeper.get_order(chain.ctx(), normal_id).opened_height + 21
    step_until(normal_lease_start + 50)
    run(chain.tx(chain.p1, MsgWithdrawLease(chain.p1.address, heavy_id)))
    step_until(normal_lease_start + 99)
    run(chain.tx(chain.tenant, MsgCloseLease(chain.tenant.address, normal_id)))
    heavy_end = keeper.get_lease(chain.ctx(), heavy_id).end_height
    step_until(heavy_end + 1)

    ctx = chain.ctx()
    orders = []
    tiers = {1: "user", 2: "heavy"}
    for d_id, who in ((heavy_id, "heavy"), (normal_id, "tenant")):
        d = keeper.get_deployment(ctx, d_id)
        order = keeper.get_order(ctx, d_id)
        lease = keeper.get_lease(ctx, d_id)
        provider = next(n for n in ("p1", "p2", "p3") if chain.actors[n].address == lease.provider)
        orders.append(
            DemoOrder(
                deployment_id=d_id,
                tenant=who,
                tier=tiers[int(d.tier)],
                provider=provider,
                price_uDAIT=lease.price_uDAIT,
                settled_height=order.settled_height,
                clock_uDAIT=order.settled_clock_uDAIT,
                paid_uDAIT=lease.paid_uDAIT,
                refund_uDAIT=d.escrow_uDAIT - lease.paid_uDAIT,
                close_reason=lease.close_reason.name.lower(),
            )
        )
    broken = tuple(f"{m}/{n}: {msg}" for m, n, msg in chain.app.check_invariants())
    return MarketDemoSummary(
        orders=tuple(orders),
        refusals=tuple(refusals),
        blocks_run=blocks,
        final_height=chain.app.height,
        app_hash=chain.app.app_hash.hex(),
        broken_invariants=broken,
    )


# --- auction watch (dait-sim auction watch) -----------------------------------------------

_MARKET_KEYS = ("providers", "bids")
_PROVIDER_KEYS = ("gpu_class", "region", "capacity")
_BID_KEYS = ("provider", "at", "price_uDAIT")


@dataclass(frozen=True, slots=True)
class MarketFile:
    """A small market for `auction watch`: providers by name, and bids placed k blocks
    after the deployment (k = 0 is the deployment's own block)."""

    providers: tuple[tuple[str, str, str, int], ...]  # (name, gpu_class, region, capacity)
    bids: tuple[tuple[str, int, int], ...]  # (provider, at, price)


def parse_market_file(text: str) -> MarketFile:
    """Parse the `--bids` YAML file strictly (the SDL's YAML rules; specs §17.2):

    providers:
      p1: {gpu_class: hopper, region: na-east, capacity: 1}
    bids:
      - {provider: p1, at: 0, price_uDAIT: 20}
    """
    from dait_chain.x.compute_market.errors import (
        ErrSdlMissingKey,
        ErrSdlUnknownKey,
        ErrSdlWrongType,
    )
    from dait_chain.x.compute_market.sdl import load_strict_yaml

    def mapping(
        path: str, value: object, keys: tuple[str, ...], required: int
    ) -> dict[str, object]:
        if not isinstance(value, dict):
            raise ErrSdlWrongType(f"{path}: expected a mapping")
        for key in value:
            if key not in keys:
                raise ErrSdlUnknownKey(f"{path}.{key}: allowed keys are {', '.join(keys)}")
        for key in keys[:required]:
            if key not in value:
                raise ErrSdlMissingKey(f"{path}.{key}: required")
        return value

    def integer(path: str, value: object) -> int:
        if type(value) is not int or value < 0:
            raise ErrSdlWrongType(f"{path}: expected a non-negative integer")
        return value

    def string(path: str, value: object) -> str:
        if not isinstance(value, str):
            raise ErrSdlWrongType(f"{path}: expected a string")
        return value

    top = mapping("document", load_strict_yaml(text), _MARKET_KEYS, 2)
    providers = []
    raw_providers = top["providers"]
    if not isinstance(raw_providers, dict) or not raw_providers:
        raise ErrSdlWrongType("providers: expected a mapping of provider names")
    for name, spec in raw_providers.items():
        p = mapping(f"providers.{name}", spec, _PROVIDER_KEYS, 1)
        providers.append(
            (
                name,
                string(f"providers.{name}.gpu_class", p["gpu_class"]),
                string(f"providers.{name}.region", p.get("region", "na-east")),
                integer(f"providers.{name}.capacity", p.get("capacity", 1)),
            )
        )
    raw_bids = top["bids"]
    if not isinstance(raw_bids, list):
        raise ErrSdlWrongType("bids: expected a list")
    bids = []
    for i, item in enumerate(raw_bids):
        b = mapping(f"bids[{i}]", item, _BID_KEYS, 3)
        who = string(f"bids[{i}].provider", b["provider"])
        if who not in {p[0] for p in providers}:
            raise ErrSdlWrongType(f"bids[{i}].provider: {who!r} is not listed under providers")
        bids.append(
            (
                who,
                integer(f"bids[{i}].at", b["at"]),
                integer(f"bids[{i}].price_uDAIT", b["price_uDAIT"]),
            )
        )
    return MarketFile(tuple(providers), tuple(bids))


# The app's per-message event, and the creation events the header already states.
_NOT_WATCHED = frozenset({"message", ev.EVENT_DEPLOYMENT_CREATED, ev.EVENT_ORDER_OPENED})


@dataclass(frozen=True, slots=True)
class WatchRow:
    """One block of the auction as `auction watch` shows it."""

    height: int
    k: int
    clock_uDAIT: int
    best_bid: str  # "p1 @ 20" or "-"
    open_bids: int
    events: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class AuctionWatch:
    """The auction of one deployment, block by block, and how it ended."""

    deployment_id: int
    model: str
    tier: str
    price_ceiling_uDAIT: int
    window: int
    opened_height: int
    rows: tuple[WatchRow, ...]
    outcome: str


def _describe(event_type: str, attrs: dict[str, str], names: dict[str, str]) -> str:
    who = names.get(attrs.get("provider", ""), attrs.get("provider", ""))
    price = attrs.get("price_uDAIT", "")
    if event_type == ev.EVENT_BID_CREATED:
        return f"BidCreated {who} @ {price}"
    if event_type == ev.EVENT_BID_WON:
        return f"BidWon {who} @ {price} (clock {attrs['clock_uDAIT']})"
    if event_type == ev.EVENT_LEASE_STARTED:
        return f"LeaseStarted {who} {attrs['start_height']}..{attrs['end_height']}"
    if event_type == ev.EVENT_BID_CLOSED:
        return f"BidClosed {who} ({attrs['reason']})"
    if event_type == ev.EVENT_ORDER_CLOSED:
        return f"OrderClosed ({attrs['reason']})"
    if event_type == ev.EVENT_DEPLOYMENT_CLOSED:
        return f"DeploymentClosed (refund {attrs['refund_uDAIT']})"
    return event_type


def watch_auction(sdl_text: str, market_text: str, heavy: bool = False) -> AuctionWatch:
    """Run one deployment of `sdl_text` against the providers and bids of `market_text`
    on a fresh chain, one block at a time from h0 until the order settles or closes, and
    report each block's clock, best open bid and market events (specs §17.2).

    Seed 000: "dait-cli auction watch <deployment_id>" watches the auction settle; here the
    chain is simulated, so the watch also says what the bids were. Refused bids are shown
    with their typed error.
    """
    params = Params()
    sdl = parse_sdl(sdl_text, params)
    market = parse_market_file(market_text)
    names = [p[0] for p in market.providers]
    if "tenant" in names:
        raise ValueError("a provider may not be called 'tenant'")
    chain = TestChain.start(users=("tenant", *names))
    by_address = {chain.actors[n].address: n for n in names}
    seqs: dict[str, int] = {}

    def tx(who: ChainActor, msg: ProtoValue) -> bytes:
        _, seq = chain.account(who)
        seq = seqs.get(who.address, seq)
        seqs[who.address] = seq + 1
        return chain.tx(who, msg, sequence=seq)

    setup = [
        tx(
            chain.actors[n],
            MsgRegisterProvider(
                provider=chain.actors[n].address,
                host_uri=f"grpcs://{n}.dait.example:443",
                tee_pubkey=tee_pubkey_for(n),
                capacity=cap,
                attributes=(Attribute("gpu_class", gpu), Attribute("region", region)),
            ),
        )
        for n, gpu, region, cap in market.providers
    ]
    if heavy:
        setup.append(tx(chain.tenant, MsgLock(chain.tenant.address, HEAVY_LOCK_UDAIT)))
    first = chain.block(*setup)
    refused = [_refusal(r) for r in first.tx_results if not r.ok]
    if refused:
        raise ValueError("; ".join(refused))
    keeper = chain.app.module(MODULE_NAME).keeper
    assert isinstance(keeper, Keeper)
    h0 = chain.app.height + 1
    deployment_id = keeper.deployment_seq.peek(chain.ctx())
    rows: list[WatchRow] = []
    for k in range(params.auction_window_blocks + 1):
        seqs = {}
        txs = [tx(chain.tenant, sdl.to_msg(chain.tenant.address))] if k == 0 else []
        for who, at, price in market.bids:
            if at == k:
                txs.append(
                    tx(
                        chain.actors[who],
                        MsgCreateBid(chain.actors[who].address, deployment_id, price),
                    )
                )
        result = chain.block(*txs)
        if k == 0 and not result.tx_results[0].ok:
            raise ValueError(_refusal(result.tx_results[0]))
        described: list[str] = []
        for r in result.tx_results:
            if not r.ok:
                described.append(f"refused: {error_class(r.codespace, r.code).__name__}")
        for event in (*[e for r in result.tx_results for e in r.events], *result.end_events):
            if event.get("module") == MODULE_NAME and event.type not in _NOT_WATCHED:
                described.append(_describe(event.type, event.as_dict(), by_address))
        view = keeper_view(keeper, chain.ctx(), deployment_id, h0 + k)
        best = "-" if view[1] is None else f"{by_address[view[1][0]]} @ {view[1][1]}"
        rows.append(WatchRow(h0 + k, k, view[0], best, view[2], tuple(described)))
        order = keeper.get_order(chain.ctx(), deployment_id)
        if order.state != OrderState.OPEN:
            break
    ctx = chain.ctx()
    order = keeper.get_order(ctx, deployment_id)
    deployment = keeper.get_deployment(ctx, deployment_id)
    if order.state == OrderState.ACTIVE:
        lease = keeper.get_lease(ctx, deployment_id)
        outcome = (
            f"settled at height {order.settled_height} (k = {order.settled_height - h0}): "
            f"{by_address[lease.provider]} at {lease.price_uDAIT} uDAIT/block, clock "
            f"{order.settled_clock_uDAIT}; lease {lease.start_height}..{lease.end_height}, "
            f"host {lease.host_uri}"
        )
    else:
        outcome = f"closed unfilled at height {order.closed_height}; escrow refunded"
    return AuctionWatch(
        deployment_id=deployment_id,
        model=deployment.job.model,
        tier="heavy" if heavy else "user",
        price_ceiling_uDAIT=deployment.job.price_ceiling_uDAIT,
        window=params.auction_window_blocks,
        opened_height=h0,
        rows=tuple(rows),
        outcome=outcome,
    )


def keeper_view(
    keeper: Keeper, ctx: Context, deployment_id: int, height: int
) -> tuple[int, tuple[str, int] | None, int]:
    """(clock at the EndBlocker of `height`, best open bid as (provider, price), open bids)
    of an order, read from the committed state after that block."""
    from dait_chain.x.compute_market.auction import auction_clock

    order = keeper.get_order(ctx, deployment_id)
    deployment = keeper.get_deployment(ctx, deployment_id)
    window = order.last_height - order.opened_height
    k = max(0, min(height - order.opened_height, window))
    clock = auction_clock(deployment.job.price_ceiling_uDAIT, k, window)
    best = next(keeper.open_bids_ranked(ctx, deployment_id), None)
    return clock, None if best is None else (best.provider, best.price), order.open_bids
