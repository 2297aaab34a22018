"""Sparse time equals dense stepping (specs/harness.md "Sparse time")."""

from __future__ import annotations

from bisect import bisect_right

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.app.module import Due
from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.errors import ErrBlockOrder
from dait_chain.sim.harness import Harness, Stepping
from dait_chain.sim.scenario import Scenario, parse_scenario
from dait_chain.sim.stream import StreamBlock
from tests.sim.conftest import HashLog


def run_both(scenario: Scenario) -> tuple[HashLog, HashLog, dict[str, object], dict[str, object]]:
    sparse, dense = HashLog(), HashLog()
    a = compile_scenario(scenario, stepping=Stepping.SPARSE, observers=[sparse])
    b = compile_scenario(scenario, stepping=Stepping.DENSE, observers=[dense])
    return sparse, dense, a.harness.app.export_genesis(), b.harness.app.export_genesis()


def assert_same_states(sparse: HashLog, dense: HashLog, genesis_hash: str) -> None:
    """Every height dense ran has the hash sparse had after its last block at or below it
    (an idle block changes nothing); at heights both ran, the hashes are equal."""
    heights = sorted(sparse.hashes)
    assert set(heights) <= set(dense.hashes)
    for h, dense_hash in dense.hashes.items():
        i = bisect_right(heights, h)
        expected = sparse.hashes[heights[i - 1]] if i else genesis_hash
        assert dense_hash == expected, f"height {h}"


def test_sparse_and_dense_agree_on_every_module_scenario(mini_all: Scenario) -> None:
    """Invariant: with auctions, leases, channel challenges, unbondings, rewards, jitter and
    a halt, sparse and dense stepping give the same hash at every height and the same export."""
    sparse, dense, export_sparse, export_dense = run_both(mini_all)
    assert len(sparse.hashes) < len(dense.hashes) == 200
    genesis = compile_scenario(mini_all, stop_at=1).harness
    assert_same_states(sparse, dense, genesis.app.app_hash.hex())
    assert export_sparse == export_dense


ACTION = st.sampled_from(["send", "delegate", "undelegate"])


def random_scenario(steps: list[tuple[int, str, int, int]], interval: int) -> str:
    actors = ("a", "b", "c")
    lines = []
    height = 1
    for gap, kind, who, amount in steps:
        height += gap
        actor = actors[who % 3]
        if kind == "send":
            body = f"send: {{from: {actor}, to: {actors[(who + 1) % 3]}, amount: {amount}}}"
        else:
            body = f"{kind}: {{delegator: {actor}, validator: v, amount: {amount}}}"
        lines.append(f"  - at: {height}\n    {body}")
    return f"""
scenario: random
seed: 1
block_interval_ms: {interval}
end_height: {height + 40}
params:
  staking: {{unbonding_time_ms: 15000}}
  distribution: {{allocation_interval_blocks: 7}}
actors:
  a: {{balance: 5 DAIT}}
  b: {{balance: 5 DAIT}}
  c: {{balance: 5 DAIT}}
  v: {{balance: 1 DAIT, validator: {{self_bond: 3 DAIT}}}}
actions:
""" + "\n".join(lines)


@settings(max_examples=12)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), ACTION, st.integers(0, 2), st.integers(1, 3_000_000)),
        min_size=1,
        max_size=8,
    ),
    st.sampled_from([999, 1000, 3001]),
)
def test_random_core_streams_step_identically_sparse_and_dense(
    steps: list[tuple[int, str, int, int]], interval: int
) -> None:
    """Invariant: for any stream of sends, delegations and undelegations (some failing),
    the app hash at every height and the final export are the same sparse and dense."""
    scenario = parse_scenario(random_scenario(steps, interval), "random.yaml")
    sparse, dense, export_sparse, export_dense = run_both(scenario)
    genesis = compile_scenario(scenario, stop_at=1).harness
    assert_same_states(sparse, dense, genesis.app.app_hash.hex())
    assert export_sparse == export_dense


def test_idle_heights_are_skipped_but_due_ones_run(core_only: Scenario) -> None:
    log = HashLog()
    compiled = compile_scenario(core_only, observers=[log])
    listed = {b.height for b in compiled.blocks}
    due = set(log.hashes) - listed
    # distribution allocates every 10 heights (rewards are minted): those are due; the
    # undelegation at height 5 completes 20 s later, at the first block whose time reaches it.
    unbond_height = 5 + -(-20_000 // 999)
    assert due == {10, 20, 30, 40, 50, unbond_height} - listed
    assert max(log.hashes) == 60


def harness_with(due: Due, clock: tuple[int, int] = (10, 10_000)) -> Harness:
    class FakeApp:
        def next_due(self) -> Due:
            return due

    return Harness(FakeApp(), interval_ms=1000, anchor=clock)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("due_time", "height"),
    [
        (10_001, 11),  # any time after the last block: the next block
        (10_999, 11),
        (11_000, 11),  # the first block whose time equals the due time is due
        (11_001, 12),  # one ms later: the block after
        (15_000, 15),
        (5_000, 11),  # overdue: the next block
    ],
)
def test_time_due_runs_in_the_first_block_whose_time_reaches_it(due_time: int, height: int) -> None:
    assert harness_with(Due(time_ms=due_time)).next_due_height() == height


def test_height_and_time_dues_take_the_earlier_block() -> None:
    assert harness_with(Due(height=14, time_ms=20_000)).next_due_height() == 14
    assert harness_with(Due(height=30, time_ms=20_000)).next_due_height() == 20
    assert harness_with(Due(height=3)).next_due_height() == 11
    assert harness_with(Due()).next_due_height() is None


def test_a_block_at_or_below_the_last_height_is_refused(core_only: Scenario) -> None:
    harness = compile_scenario(core_only).harness
    with pytest.raises(ErrBlockOrder):
        harness.run_block(StreamBlock(harness.clock_height, harness.clock_time + 999))


def test_a_block_not_later_than_the_height_before_is_refused(core_only: Scenario) -> None:
    harness = compile_scenario(core_only).harness
    h, t = harness.clock_height, harness.clock_time
    with pytest.raises(ErrBlockOrder):
        harness.execute(h + 3, t + 2 * 999, "", (), listed=True)
    harness.execute(h + 3, t + 2 * 999 + 1, "", (), listed=True)
