"""Replaying streams: expected results, first divergence, events (specs/harness.md)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from dait_chain.sim.errors import ErrDivergence, ErrGenesisMismatch, ErrStreamFormat
from dait_chain.sim.harness import Stepping
from dait_chain.sim.runner import RunOptions, replay_stream, run_scenario
from dait_chain.sim.scenario import Scenario
from dait_chain.sim.stream import BlockExpect, TxExpect, read_stream, write_stream


@pytest.fixture
def stream(tmp_path: Path, mini_all: Scenario) -> Path:
    path = tmp_path / "mini.jsonl"
    run_scenario(mini_all, RunOptions(out_path=path))
    return path


def test_a_compiled_stream_replays_with_every_expectation_met(stream: Path) -> None:
    report = replay_stream(stream)
    _header, blocks = read_stream(stream)
    assert report.stats.app_hash == blocks[-1].expect.app_hash  # type: ignore[union-attr]
    assert report.stats.listed_blocks == len(blocks)


def tamper(path: Path, index: int, change: dict[str, object]) -> Path:
    header, blocks = read_stream(path)
    block = blocks[index]
    assert block.expect is not None
    expect = dataclasses.replace(block.expect, **change)  # type: ignore[arg-type]  # by field name
    blocks[index] = dataclasses.replace(block, expect=expect)
    out = path.with_name("tampered.jsonl")
    write_stream(out, header, blocks)
    return out


def test_a_wrong_tx_code_is_the_first_divergence_with_height_and_tx_index(stream: Path) -> None:
    _header, blocks = read_stream(stream)
    index = next(i for i, b in enumerate(blocks) if len(b.txs) >= 2)
    expect = blocks[index].expect
    assert expect is not None and expect.tx_results is not None
    results = list(expect.tx_results)
    results[1] = TxExpect(7, "sdk", results[1].events)
    bad = tamper(stream, index, {"tx_results": tuple(results), "app_hash": "00" * 32})
    with pytest.raises(ErrDivergence) as info:
        replay_stream(bad)
    assert (info.value.height, info.value.tx_index) == (blocks[index].height, 1)
    assert info.value.line == index + 2  # the block's line in the stream
    assert "expected sdk/7, got -/0" in info.value.what


def test_a_wrong_events_digest_is_reported_before_the_app_hash(stream: Path) -> None:
    _header, blocks = read_stream(stream)
    expect = blocks[0].expect
    assert expect is not None and expect.tx_results is not None
    results = (TxExpect(0, "", "ab" * 32), *expect.tx_results[1:])
    bad = tamper(stream, 0, {"tx_results": results, "app_hash": "00" * 32})
    with pytest.raises(ErrDivergence) as info:
        replay_stream(bad)
    assert (info.value.height, info.value.tx_index) == (blocks[0].height, 0)
    assert "events" in info.value.what


@pytest.mark.parametrize("field", ["begin_events", "end_events", "app_hash"])
def test_a_wrong_block_expectation_is_a_divergence_at_its_height(stream: Path, field: str) -> None:
    _header, blocks = read_stream(stream)
    bad = tamper(stream, 3, {field: "cd" * 32})
    with pytest.raises(ErrDivergence) as info:
        replay_stream(bad)
    assert info.value.height == blocks[3].height
    assert info.value.tx_index is None


def test_no_check_runs_a_tampered_stream_to_its_end(stream: Path) -> None:
    bad = tamper(stream, 3, {"app_hash": "cd" * 32})
    report = replay_stream(bad, RunOptions(check=False))
    assert report.stats.last_height == 200


def test_a_stream_without_expectations_replays(stream: Path, tmp_path: Path) -> None:
    header, blocks = read_stream(stream)
    bare = tmp_path / "bare.jsonl"
    write_stream(bare, header, [dataclasses.replace(b, expect=None) for b in blocks])
    assert replay_stream(bare).stats.app_hash == replay_stream(stream).stats.app_hash


def test_a_genesis_disagreeing_with_the_header_is_refused(stream: Path, tmp_path: Path) -> None:
    lines = stream.read_text().splitlines()
    head = json.loads(lines[0])
    head["genesis"]["initial_height"] = "5"
    from dait_chain.sim.stream import genesis_digest

    head["genesis_sha256"] = genesis_digest(head["genesis"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([json.dumps(head), *lines[1:]]) + "\n")
    with pytest.raises(ErrGenesisMismatch) as info:
        replay_stream(bad)
    assert info.value.line == 1


def test_a_malformed_line_stops_the_replay_with_its_line(stream: Path, tmp_path: Path) -> None:
    lines = stream.read_text().splitlines()
    lines[4] = lines[4].replace('"txs":[', '"txs":["%%%",', 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(ErrStreamFormat) as info:
        replay_stream(bad)
    assert info.value.line == 5


def test_events_file_is_the_same_sparse_and_dense(stream: Path, tmp_path: Path) -> None:
    """Invariant: idle blocks emit nothing, so the events of a run do not depend on stepping."""
    sparse, dense = tmp_path / "s.jsonl", tmp_path / "d.jsonl"
    replay_stream(stream, RunOptions(events_path=sparse))
    replay_stream(stream, RunOptions(events_path=dense, stepping=Stepping.DENSE))
    assert sparse.read_bytes() == dense.read_bytes()
    first = json.loads(sparse.read_text().splitlines()[0])
    assert set(first) >= {"height", "time_ms", "phase", "type", "attributes"}


def test_events_file_lists_each_tx_event_with_its_block_and_index(
    stream: Path, tmp_path: Path
) -> None:
    path = tmp_path / "e.jsonl"
    replay_stream(stream, RunOptions(events_path=path))
    events = [json.loads(line) for line in path.read_text().splitlines()]
    _header, blocks = read_stream(stream)
    tx_heights = {(b.height, i) for b in blocks for i in range(len(b.txs))}
    seen = {(e["height"], e["tx_index"]) for e in events if e["phase"] == "tx"}
    assert seen == tx_heights  # every tx emits at least its fee events
    assert {e["phase"] for e in events} == {"begin", "tx", "end"}


def test_stop_at_ends_the_replay_at_that_height(stream: Path) -> None:
    report = replay_stream(stream, RunOptions(stop_at=100))
    assert report.stats.last_height == 100


def test_expect_of_records_every_field() -> None:
    from dait_chain.app.abci import FinalizeBlockResult, TxResult
    from dait_chain.sim.harness import expect_of
    from dait_chain.sim.stream import events_digest

    result = FinalizeBlockResult((TxResult(5, "sdk", "x"),), (), (), b"\x01" * 32)
    assert expect_of(result) == BlockExpect(
        (TxExpect(5, "sdk", events_digest(())),),
        events_digest(()),
        events_digest(()),
        "01" * 32,
    )
