"""Harness benchmarks: idle blocks cost O(1) and sparse time skips them (specs/harness.md).

Each benchmark states its target as a ratio to a baseline measured in the same run, records
it in `benchmark.extra_info` (ratio, target_ratio, meets_target) and prints it:

1. An idle block with 100,000 scheduled items costs <= 1.2x an idle block with 10.
2. A 30-day sparse run (2.6M blocks at 999 ms) with 1,000 items falling due over the month
   finishes in <= 1/100 of the dense run's time, the dense time estimated from a sampled
   stretch of dense blocks from the same state.

The scheduled items are x/staking unbonding entries (a time Schedule), written through the
keeper after genesis (the same KV pairs a genesis with those entries would import, without
the proto3-JSON parse of 100,000 entries). Rewards are allocated hourly (every 3,600
heights) in the 30-day run; at x/distribution's default of every 100 heights the chain
has work in 1 block of 100, which by itself bounds any skipping to 1/100: the ratio that
interval would give is estimated and reported, not targeted (specs/harness.md "Benchmarks").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.genesis import GenesisSpec, GenesisValidator, build_genesis
from dait_chain.crypto.address import module_address
from dait_chain.crypto.secp256k1 import pubkey_from_privkey
from dait_chain.sim.actions import make_actor
from dait_chain.sim.harness import Harness, Stepping
from dait_chain.sim.stream import StreamBlock
from dait_chain.store.kv import CacheKV
from dait_chain.x.distribution.types import Params as DistributionParams
from dait_chain.x.staking.keeper import NOT_BONDED_POOL, StakingKeeper
from dait_chain.x.staking.types import UnbondingEntry

T0 = 1_700_000_000_000
INTERVAL_MS = 999
DAY_MS = 86_400_000
NEVER = 1_000_000_000  # an allocation interval no run reaches: nothing due

IDLE_TARGET = 1.2
SPARSE_TARGET = 0.01


def scheduled_harness(
    items: int, first_due_ms: int, spacing_ms: int, allocation_interval: int, stepping: Stepping
) -> Harness:
    """A chain with one validator and `items` unbonding entries due from first_due_ms on."""
    delegator, validator = make_actor("delegator"), make_actor("validator")
    spec = GenesisSpec(
        chain_id="bench-1",
        genesis_time_ms=T0,
        accounts=((delegator.address, 1_000_000),),
        validators=(
            GenesisValidator(
                validator.address, pubkey_from_privkey(validator.consensus_privkey), 10**9
            ),
        ),
        distribution_params=DistributionParams(
            "0.020000000000000000", 1_000_000, allocation_interval
        ),
    )
    genesis = build_genesis(spec)
    genesis["staking"]["next_unbonding_id"] = str(items + 1)
    harness = Harness.from_genesis(genesis, stepping=stepping)
    app = harness.app
    staking = app.keepers.get("staking", StakingKeeper)
    bank = app.keepers.bank
    branch = CacheKV(app.store)
    ctx = Context(app.chain_id, app.height, app.time_ms, "", branch)
    for i in range(items):
        due = first_due_ms + i * spacing_ms
        entry = UnbondingEntry(i + 1, delegator.address, validator.address, 1, due, "1")
        staking.unbonding.set(ctx, entry.id, entry)
        staking.unbonding_queue.add(ctx, due, entry.id)
    # the unbonding tokens sit in the not-bonded pool, as genesis requires
    bank.set_balance(ctx, module_address(NOT_BONDED_POOL), items)
    bank.supply_item.set(ctx, bank.supply(ctx) + items)
    branch.write()
    assert app.check_invariants() == []
    return harness


def idle_block(harness: Harness) -> None:
    """Run the next height, which has no tx and nothing due (a dense harness runs it)."""
    harness.advance_to(harness.clock_height + 1)


def due_query(harness: Harness) -> None:
    """What sparse time pays per jump instead: the next height with work."""
    harness.next_due_height()


def per_call_ns(fn: Callable[[Harness], None], harness: Harness, calls: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(calls):
        fn(harness)
    return (time.perf_counter_ns() - start) / calls


def best_ratio(fn: Callable[[Harness], None], small: Harness, big: Harness) -> tuple[float, float]:
    """(best ns of small, best ns of big) over interleaved rounds, so that machine load
    hits both alike."""
    best_small = best_big = float("inf")
    for _ in range(9):
        best_small = min(best_small, per_call_ns(fn, small, 300))
        best_big = min(best_big, per_call_ns(fn, big, 300))
    return best_small, best_big


def report(benchmark: Any, name: str, ratio: float, target: float, info: dict[str, Any]) -> None:
    meets = ratio <= target
    benchmark.extra_info.update(
        {**info, "ratio": round(ratio, 4), "target_ratio": target, "meets_target": meets}
    )
    verdict = "meets" if meets else "MISSES"
    details = ", ".join(f"{k} {v}" for k, v in info.items())
    print(f"\n{name}: ratio {ratio:.4f} (target <= {target}) {verdict}; {details}")


def test_bench_idle_block_with_100k_scheduled_items_vs_10(benchmark: Any) -> None:
    far = T0 + 1_000 * DAY_MS  # nothing falls due during the benchmark
    small = scheduled_harness(10, far, 1, NEVER, Stepping.DENSE)
    big = scheduled_harness(100_000, far, 1, NEVER, Stepping.DENSE)
    assert big.next_due_height() == small.next_due_height()
    block_small, block_big = best_ratio(idle_block, small, big)
    due_small, due_big = best_ratio(due_query, small, big)
    report(
        benchmark,
        "idle block, 100,000 vs 10 scheduled items",
        block_big / block_small,
        IDLE_TARGET,
        {
            "idle_block_10_us": round(block_small / 1000, 1),
            "idle_block_100k_us": round(block_big / 1000, 1),
            # reported only: sparse time pays this once per jump, not per idle block
            "due_query_10_us": round(due_small / 1000, 1),
            "due_query_100k_us": round(due_big / 1000, 1),
            "due_query_ratio": round(due_big / due_small, 3),
        },
    )
    benchmark(idle_block, big)


def test_bench_30_day_sparse_run_vs_dense(benchmark: Any) -> None:
    month_ms = 30 * DAY_MS
    end_height = 1 + -(-month_ms // INTERVAL_MS)  # the first block at or past 30 days
    items = 1_000
    spacing = month_ms // items

    def fresh(stepping: Stepping) -> Harness:
        return scheduled_harness(items, T0 + spacing // 2, spacing, 3_600, stepping)

    # Dense: a sampled stretch of blocks from the same state, extrapolated to the month.
    stretch = 20_000
    dense = fresh(Stepping.DENSE)
    start = time.perf_counter()
    dense.advance_to(stretch)
    dense_per_block = (time.perf_counter() - start) / stretch
    dense_estimate = dense_per_block * end_height

    def sparse_run(harness: Harness) -> Harness:
        harness.run_block(StreamBlock(end_height, harness.implied_time(end_height)))
        return harness

    sparse = fresh(Stepping.SPARSE)
    start = time.perf_counter()
    sparse_run(sparse)
    sparse_seconds = time.perf_counter() - start
    staking = sparse.app.keepers.get("staking", StakingKeeper)
    assert list(staking.unbonding.values(sparse.app.query_context())) == []  # all matured
    ratio = sparse_seconds / dense_estimate
    # Reported only: at x/distribution's default interval (100 heights) the month has
    # end_height // 100 allocation blocks to run; at this run's cost per block run:
    default_blocks = end_height // 100 + items + 1
    default_ratio = default_blocks * (sparse_seconds / sparse.blocks_run) / dense_estimate
    report(
        benchmark,
        f"30-day run ({end_height} heights, {items} items), sparse vs dense",
        ratio,
        SPARSE_TARGET,
        {
            "heights": end_height,
            "sparse_blocks_run": sparse.blocks_run,
            "sparse_s": round(sparse_seconds, 2),
            "dense_us_per_block": round(dense_per_block * 1e6, 1),
            "dense_estimated_s": round(dense_estimate, 1),
            "allocation_interval_blocks": 3_600,
            "estimated_ratio_at_default_interval_100": round(default_ratio, 4),
        },
    )
    benchmark.pedantic(sparse_run, setup=lambda: ((fresh(Stepping.SPARSE),), {}), rounds=1)
