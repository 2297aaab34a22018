"""Checkpoints, resume, export/import (specs/harness.md "Checkpoints")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dait_chain.app.app import DaitApp
from dait_chain.sim.checkpoint import read_checkpoint, resume
from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.errors import ErrCheckpointFormat
from dait_chain.sim.harness import Harness
from dait_chain.sim.runner import RunOptions, export_state, replay_stream, run_scenario
from dait_chain.sim.scenario import parse_scenario
from tests.sim.conftest import HashLog
from tests.sim.scenarios import CORE_ONLY, MINI_ALL


@pytest.fixture(scope="module")
def mini_stream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cp") / "mini.jsonl"
    run_scenario(parse_scenario(MINI_ALL, "mini.yaml"), RunOptions(out_path=path))
    return path


@pytest.mark.parametrize("height", [1, 6, 14, 15, 64, 65, 119, 150, 199])
def test_resuming_from_a_checkpoint_gives_the_uninterrupted_hashes(
    mini_stream: Path, tmp_path: Path, height: int
) -> None:
    """Invariant: stop anywhere, checkpoint, resume: every later block has the same hash."""
    cp = tmp_path / "cp.json"
    full = replay_stream(mini_stream, RunOptions(events_path=tmp_path / "full.jsonl"))
    first = replay_stream(mini_stream, RunOptions(checkpoint_at=height, checkpoint_path=cp))
    assert first.checkpoint == str(cp)
    assert read_checkpoint(cp).height == height
    resumed = replay_stream(
        mini_stream, RunOptions(events_path=tmp_path / "resumed.jsonl"), resume_from=cp
    )
    assert resumed.resumed_from == height
    assert resumed.stats.app_hash == full.stats.app_hash
    # every event after the checkpoint is the same, in the same order (the replay also
    # checked every listed block's expected results and app hash on the way)
    after = [
        line
        for line in (tmp_path / "full.jsonl").read_text().splitlines()
        if json.loads(line)["height"] > height
    ]
    assert (tmp_path / "resumed.jsonl").read_text().splitlines() == after


def test_a_checkpoint_of_another_chain_is_refused(mini_stream: Path, tmp_path: Path) -> None:
    other = tmp_path / "core.jsonl"
    run_scenario(parse_scenario(CORE_ONLY, "core.yaml"), RunOptions(out_path=other))
    cp = tmp_path / "cp.json"
    replay_stream(other, RunOptions(checkpoint_at=5, checkpoint_path=cp))
    with pytest.raises(ErrCheckpointFormat):
        replay_stream(mini_stream, resume_from=cp)


def test_a_tampered_checkpoint_state_is_refused(mini_stream: Path, tmp_path: Path) -> None:
    cp = tmp_path / "cp.json"
    replay_stream(mini_stream, RunOptions(checkpoint_at=30, checkpoint_path=cp))
    data = json.loads(cp.read_text())
    balances = data["state"]["bank"]["balances"]
    balances[0]["amount"] = str(int(balances[0]["amount"]) + 1)
    data["state"]["bank"]["supply"] = str(int(data["state"]["bank"]["supply"]) + 1)
    cp.write_text(json.dumps(data))
    with pytest.raises(ErrCheckpointFormat, match="app hash"):
        resume(read_checkpoint(cp))


@pytest.mark.parametrize("text", ["{", "[]", '{"format": "other"}'])
def test_a_malformed_checkpoint_file_is_refused(tmp_path: Path, text: str) -> None:
    cp = tmp_path / "cp.json"
    cp.write_text(text)
    with pytest.raises(ErrCheckpointFormat):
        read_checkpoint(cp)


@settings(max_examples=8, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(1, 199))
def test_export_import_at_any_height_continues_identically(height: int) -> None:
    """Invariant: export the state at any height, import it into a fresh app, run the rest
    of the stream: the same app hash at every later block and the same final export."""
    scenario = parse_scenario(MINI_ALL, "mini.yaml")
    full = HashLog()
    compiled = compile_scenario(scenario, observers=[full])
    exported = compile_scenario(scenario, stop_at=height).harness.app.export_genesis()
    assert int(exported["initial_height"]) == height + 1
    app = DaitApp()
    app.init_chain(exported)
    log = HashLog()
    harness = Harness(app, anchor=(height, int(exported["genesis_time_ms"])), observers=[log])
    for block in compiled.blocks:
        if block.height > height:
            harness.run_block(block)
    for h, value in log.hashes.items():
        assert full.hashes[h] == value
    assert app.export_genesis() == compiled.harness.app.export_genesis()


def test_export_of_a_scenario_and_of_its_stream_agree(mini_stream: Path) -> None:
    from_stream = export_state(mini_stream, 77)
    from_scenario = compile_scenario(parse_scenario(MINI_ALL, "m.yaml"), stop_at=77)
    assert from_stream == from_scenario.harness.app.export_genesis()
    assert from_stream["initial_height"] == "78"
