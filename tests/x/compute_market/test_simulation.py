"""x/compute_market simulation: the demo, random markets, and scenario actions through the
harness (specs/compute_market.md §17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.harness import Stepping
from dait_chain.sim.scenario import parse_scenario
from dait_chain.x.compute_market.simulation import SEED_SDL, demo_scenario, run_random_market
from dait_chain.x.compute_market.types import LeaseState, OrderState

FIXTURE = Path(__file__).parent / "fixtures" / "job.sdl"


def test_demo_heavy_tenant_takes_the_scarce_cheap_slot() -> None:
    """Derivation (ceiling 50, W 30): the clock is floor(50k/30); it first reaches p1's 20
    at k = 12 (600/30 = 20) and p2's 35 at k = 21 (1050/30 = 35). Deployments are made at
    h0 = 2 (block 1 registers the providers): the Heavy order settles at 14 with p1 at 20,
    the normal one at 23 with p2 at 35. The Heavy lease runs all 3600 blocks: 72000 paid,
    200000 - 72000 refunded; the normal one is closed 100 blocks in: 3500 paid."""
    s = demo_scenario()
    heavy, normal = s.orders
    assert (heavy.tier, heavy.provider, heavy.price_uDAIT, heavy.settled_height) == (
        "heavy",
        "p1",
        20,
        14,
    )
    assert (heavy.clock_uDAIT, heavy.paid_uDAIT, heavy.refund_uDAIT) == (20, 72_000, 128_000)
    assert heavy.close_reason == "expired"
    assert (normal.tier, normal.provider, normal.price_uDAIT, normal.settled_height) == (
        "user",
        "p2",
        35,
        23,
    )
    assert (normal.paid_uDAIT, normal.refund_uDAIT, normal.close_reason) == (
        3_500,
        196_500,
        "tenant_closed",
    )
    assert len(s.refusals) == 1 and "ErrAttributesMismatch" in s.refusals[0]
    assert s.broken_invariants == ()
    assert s.final_height > 3600 + 14
    assert s.blocks_run < 100  # sparse time: idle heights are skipped


def test_demo_is_deterministic() -> None:
    assert demo_scenario().app_hash == demo_scenario().app_hash


def test_demo_accepts_the_seed_sdl_file() -> None:
    assert FIXTURE.read_text() == SEED_SDL


@pytest.mark.parametrize("seed", [1, 2])
def test_random_market_keeps_every_invariant_and_reproduces(seed: int) -> None:
    """Weighted random operations from one seed: every invariant holds at the end, and a
    second run from the same seed reaches the same app hash."""
    chain, world, results = run_random_market(seed, blocks=40)
    assert chain.app.check_invariants() == []
    outcomes = {r.ok for block in results for r in block.tx_results}
    assert outcomes == {True, False}  # the population both succeeds and gets refused
    ctx = chain.ctx()
    states = {o.state for o in world.keeper.orders.values(ctx)}
    assert OrderState.ACTIVE in states or any(
        lease.state == LeaseState.CLOSED for lease in world.keeper.leases.values(ctx)
    )
    again, _, _ = run_random_market(seed, blocks=40)
    assert again.app.app_hash == chain.app.app_hash


SCENARIO = """
scenario: market
seed: 7
chain_id: dait-sim-1
genesis_time_ms: 1700000000000
end_height: 80
actors:
  tenant: {balance: 10 DAIT}
  whale: {balance: 400 DAIT}
  p1: {balance: 10 DAIT}
  p2: {balance: 10 DAIT}
  p3: {balance: 10 DAIT}
actions:
  - at: 2
    register_provider: {provider: p1, capacity: 1, gpu_class: hopper}
  - at: 2
    register_provider: {provider: p2, capacity: 1, gpu_class: blackwell}
  - at: 2
    register_provider: {provider: p3, capacity: 1, gpu_class: ampere}
  - at: 2
    lock: {owner: whale, amount: 369 DAIT}
  - at: 3
    deploy: {tenant: tenant, name: d1, sdl: JOB_SDL}
  - at: 3
    deploy: {tenant: whale, name: d2, ceiling: 50, duration: 20}
  - at: 4
    bid: {provider: p1, deployment: d1, price: 20}
  - at: 4
    bid: {provider: p1, deployment: d2, price: 20}
  - at: 4
    bid: {provider: p2, deployment: d1, price: 35}
  - at: 4
    bid: {provider: p3, deployment: d1, price: 5}
    expect: {code: 23, codespace: compute_market}
  - at: 60
    withdraw_lease: {provider: p2, deployment: d1}
  - at: 61
    close_lease: {tenant: tenant, deployment: d1}
"""


def _market_scenario() -> str:
    return SCENARIO.replace("JOB_SDL", str(FIXTURE))


def test_scenario_actions_drive_the_market_through_the_harness() -> None:
    """The whale's Heavy order (d2, created after d1 in the same block) takes p1 at
    h0 + 12 = 15; d1 waits and takes p2 at h0 + 21 = 24 (see the demo's derivation)."""
    compiled = compile_scenario(parse_scenario(_market_scenario()))
    app = compiled.harness.app
    q = app.module("compute_market").queries()
    ctx = app.query_context()
    d1, d2 = (compiled.world.objects[("deployment", n)] for n in ("d1", "d2"))
    lease1, lease2 = q.lease(ctx, d1), q.lease(ctx, d2)  # type: ignore[attr-defined]
    assert (lease2.start_height, lease2.price_uDAIT, lease2.state) == (15, 20, LeaseState.CLOSED)
    assert (lease1.start_height, lease1.price_uDAIT) == (24, 35)
    assert (lease1.closed_height, lease1.paid_uDAIT) == (61, 35 * (61 - 24))
    assert app.check_invariants() == []


def test_scenario_gives_the_same_app_hash_sparse_and_dense() -> None:
    text = _market_scenario()
    sparse = compile_scenario(parse_scenario(text), stepping=Stepping.SPARSE)
    dense = compile_scenario(parse_scenario(text), stepping=Stepping.DENSE)
    assert sparse.harness.app.app_hash == dense.harness.app.app_hash
    assert sparse.harness.app.height == dense.harness.app.height
