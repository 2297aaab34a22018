"""The invariants runner (specs/harness.md "Invariants")."""

from __future__ import annotations

from pathlib import Path

import pytest

from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context
from dait_chain.sim.errors import ErrInvariantBroken
from dait_chain.sim.harness import BlockRun
from dait_chain.sim.runner import RunOptions, replay_stream, run_scenario
from dait_chain.sim.scenario import Scenario
from dait_chain.sim.stream import read_stream
from dait_chain.spurc.simworld import account_address
from dait_chain.x.bank.keeper import BankKeeper


class Corrupt:
    """Simulates a bug: after the block at `height`, mint uDAIT out of thin air (a balance
    grows, the supply does not), which x/bank's total-supply invariant must catch."""

    def __init__(self, app: DaitApp, height: int) -> None:
        self.app = app
        self.height = height

    def on_block(self, run: BlockRun) -> None:
        if run.height == self.height:
            app = self.app
            ctx = Context(app.chain_id, app.height, app.time_ms, "", app.store)
            bank = app.keepers.get("bank", BankKeeper)
            who = account_address("alice")
            bank.set_balance(ctx, who, bank.balance(ctx, who) + 1)


def run_corrupted(scenario: Scenario, height: int, every: int, failure: Path) -> ErrInvariantBroken:
    from dait_chain.sim.compiler import ScenarioRun
    from dait_chain.sim.observers import InvariantChecker, Recorder

    prepared = ScenarioRun(scenario)
    recorder = Recorder()
    prepared.harness.observers.extend([recorder, Corrupt(prepared.harness.app, height)])
    prepared.harness.observers.append(
        InvariantChecker(
            prepared.harness.app,
            every=every,
            header=prepared.header,
            recorder=recorder,
            failure_path=failure,
        )
    )
    with pytest.raises(ErrInvariantBroken) as info:
        prepared.run()
    return info.value


def test_a_broken_invariant_stops_the_run_at_its_block(core_only: Scenario, tmp_path: Path) -> None:
    err = run_corrupted(core_only, 3, 1, tmp_path / "fail.jsonl")
    assert err.height == 3
    assert err.invariant == "bank/total-supply"
    assert err.stream_path == str(tmp_path / "fail.jsonl")


def test_the_failure_stream_ends_at_the_breaking_block_and_replays(
    core_only: Scenario, tmp_path: Path
) -> None:
    """The stream written at the failure replays up to that block with the same results
    (the corruption itself is outside the chain, so the replay's state is the clean one)."""
    err = run_corrupted(core_only, 3, 1, tmp_path / "fail.jsonl")
    _header, blocks = read_stream(tmp_path / "fail.jsonl")
    assert blocks[-1].height == err.height
    report = replay_stream(tmp_path / "fail.jsonl", RunOptions(check=False))
    assert report.stats.last_height == err.height


def test_an_idle_breaking_block_ends_the_failure_stream(
    core_only: Scenario, tmp_path: Path
) -> None:
    # height 10 is a distribution allocation (due, not listed)
    err = run_corrupted(core_only, 10, 1, tmp_path / "fail.jsonl")
    assert err.height == 10
    _header, blocks = read_stream(tmp_path / "fail.jsonl")
    assert [b.height for b in blocks][-1] == 10


def test_checking_every_n_blocks_finds_it_at_the_next_check(
    core_only: Scenario, tmp_path: Path
) -> None:
    # Blocks run: 2, 3, 5, 10, ... ; with every=3 the checks follow blocks 5, 20, ...
    err = run_corrupted(core_only, 2, 3, tmp_path / "fail.jsonl")
    assert err.height == 5


def test_a_clean_run_checks_every_block_and_the_final_state(core_only: Scenario) -> None:
    every_block = run_scenario(core_only, RunOptions(invariants_every=1))
    assert every_block.invariant_checks == every_block.stats.blocks_run
    every_4 = run_scenario(core_only, RunOptions(invariants_every=4))
    assert every_4.invariant_checks == every_block.stats.blocks_run // 4 + 1
    never = run_scenario(core_only, RunOptions(invariants_every=0))
    assert never.invariant_checks == 0
