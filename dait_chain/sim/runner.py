"""Running scenarios and streams end to end: what `dait-sim run`, `replay` and `export` do.

specs/harness.md "The CLI". These functions wire a Harness with its observers (run
statistics, events file, invariants every N blocks, progress), write what was asked
(the compiled stream, a checkpoint, the stream up to a broken invariant), and return a
report. They raise registered SimErrors; the CLI turns those into `error: file:line: what`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.sim.checkpoint import read_checkpoint, resume, take_checkpoint, write_checkpoint
from dait_chain.sim.compiler import ScenarioRun, compile_scenario
from dait_chain.sim.errors import ErrDivergence, ErrGenesisMismatch, ErrStreamFormat
from dait_chain.sim.harness import (
    BlockObserver,
    BlockRun,
    Harness,
    Stepping,
    first_divergence,
    genesis_header_fields,
)
from dait_chain.sim.observers import EventsWriter, InvariantChecker, Progress, Recorder, RunStats
from dait_chain.sim.scenario import Scenario, load_scenario
from dait_chain.sim.stream import (
    StreamBlock,
    StreamHeader,
    StreamReader,
    StreamWriter,
    new_header,
)

DEFAULT_FAILURE_STREAM = Path("invariant-failure.jsonl")


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run: stepping, invariants, outputs."""

    stepping: Stepping = Stepping.SPARSE
    invariants_every: int = 1  # 0: never
    events_path: Path | None = None
    out_path: Path | None = None  # the compiled stream (run)
    failure_path: Path | None = DEFAULT_FAILURE_STREAM
    checkpoint_at: int | None = None
    checkpoint_path: Path | None = None
    stop_at: int | None = None
    check: bool = True  # replay: check the stream's expected results
    progress: Callable[[int], None] | None = None


@dataclass(frozen=True, slots=True)
class RunReport:
    """What a run did."""

    source: str
    kind: str  # "scenario" or "stream"
    chain_id: str
    stats: RunStats
    invariant_checks: int
    checkpoint: str | None = None
    out: str | None = None
    events: str | None = None
    resumed_from: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as a JSON object."""
        return {
            "source": self.source,
            "kind": self.kind,
            "chain_id": self.chain_id,
            **self.stats.to_json(),
            "invariant_checks": self.invariant_checks,
            "checkpoint": self.checkpoint,
            "out": self.out,
            "events_file": self.events,
            "resumed_from": self.resumed_from,
            **self.extra,
        }


class _CheckpointAt:
    """Takes the checkpoint when the run reaches its height (before the next block)."""

    def __init__(self, height: int | None, path: Path | None, header: StreamHeader) -> None:
        self.height = height
        self.path = path
        self.header = header
        self.taken: str | None = None

    def before(self, harness: Harness, next_height: int | None) -> None:
        """Called before running the block at next_height (None: the run is over)."""
        if self.height is None or self.path is None or self.taken is not None:
            return
        if next_height is not None and next_height <= self.height:
            return
        if harness.clock_height > self.height:
            return
        harness.run_to(self.height)
        write_checkpoint(self.path, take_checkpoint(harness, self.header))
        self.taken = str(self.path)


@contextlib.contextmanager
def _events(path: Path | None) -> Iterator[EventsWriter | None]:
    if path is None:
        yield None
        return
    with EventsWriter(path) as writer:
        yield writer


def _observers(
    options: RunOptions,
    stats: RunStats,
    recorder: Recorder,
    events: EventsWriter | None,
) -> list[BlockObserver]:
    observers: list[BlockObserver] = [recorder, stats]
    if events is not None:
        observers.append(events)
    return observers


def _attach_invariants(
    harness: Harness, options: RunOptions, header: StreamHeader, recorder: Recorder
) -> InvariantChecker | None:
    if options.invariants_every <= 0:
        return None
    checker = InvariantChecker(
        harness.app,
        every=options.invariants_every,
        header=header,
        recorder=recorder,
        failure_path=options.failure_path,
    )
    harness.observers.append(checker)
    return checker


def _finish(harness: Harness, checker: InvariantChecker | None, last: BlockRun | None) -> None:
    # The final state is always checked, whatever N is.
    if checker is not None and last is not None and checker.blocks_seen % checker.every != 0:
        checker.check(last)


class _Last:
    def __init__(self) -> None:
        self.run: BlockRun | None = None

    def on_block(self, run: BlockRun) -> None:
        self.run = run


def run_scenario(scenario: Scenario | str | Path, options: RunOptions = RunOptions()) -> RunReport:
    """Compile and run a scenario; write the stream (--out), events, checkpoint. A broken
    invariant stops the run (ErrInvariantBroken) after writing the stream so far."""
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    stats = RunStats()
    recorder = Recorder()
    last = _Last()
    with _events(options.events_path) as events:
        observers = _observers(options, stats, recorder, events)
        observers.append(last)
        if options.progress is not None:
            observers.append(Progress(options.progress))
        prepared = ScenarioRun(scenario, stepping=options.stepping, observers=observers)
        checker = _attach_invariants(prepared.harness, options, prepared.header, recorder)
        compiled = prepared.run(stop_at=options.stop_at)
        _finish(compiled.harness, checker, last.run)
    if options.out_path is not None:
        with StreamWriter(options.out_path, compiled.header) as writer:
            for block in compiled.blocks:
                writer.write_block(block)
    checkpoint = None
    if options.checkpoint_at is not None and options.checkpoint_path is not None:
        checkpoint = _checkpoint_from_stream(
            compiled.header, compiled.blocks, options.checkpoint_at, options.checkpoint_path
        )
    return RunReport(
        source=scenario.path,
        kind="scenario",
        chain_id=scenario.chain_id,
        stats=stats,
        invariant_checks=checker.checks if checker is not None else 0,
        checkpoint=checkpoint,
        out=str(options.out_path) if options.out_path is not None else None,
        events=str(options.events_path) if options.events_path is not None else None,
        extra={"scenario": scenario.name, "seed": scenario.seed},
    )


def _checkpoint_from_stream(
    header: StreamHeader, blocks: tuple[StreamBlock, ...], height: int, path: Path
) -> str:
    """Replay blocks up to height on a fresh harness and write the checkpoint there."""
    assert header.genesis is not None
    harness = Harness.from_stream_header(header, header.genesis)
    for block in blocks:
        if block.height > height:
            break
        harness.run_block(block)
    harness.run_to(height)
    write_checkpoint(path, take_checkpoint(harness, header))
    return str(path)


def replay_stream(
    path: str | Path, options: RunOptions = RunOptions(), *, resume_from: Path | None = None
) -> RunReport:
    """Replay a stream, checking its expected results block by block (the first divergence
    raises ErrDivergence with its height and tx index); optionally resume from a checkpoint
    and take one."""
    reader = StreamReader(path)
    header = reader.header
    stats = RunStats()
    recorder = Recorder()
    last = _Last()
    resumed_from: int | None = None
    with _events(options.events_path) as events:
        observers = _observers(options, stats, recorder, events)
        observers.append(last)
        if options.progress is not None:
            observers.append(Progress(options.progress))
        if resume_from is not None:
            checkpoint = read_checkpoint(resume_from)
            checkpoint.check_stream(header, str(resume_from))
            harness = resume(
                checkpoint, stepping=options.stepping, observers=observers, path=str(resume_from)
            )
            resumed_from = checkpoint.height
            genesis_for_failures = checkpoint.state
        else:
            genesis = reader.genesis()
            try:
                harness = Harness.from_stream_header(
                    header, genesis, stepping=options.stepping, observers=observers
                )
            except ErrGenesisMismatch as exc:
                raise ErrGenesisMismatch(exc.what, path=str(path), line=1) from None
            except ErrInvalidGenesis as exc:
                raise ErrStreamFormat(f"genesis: {exc.log}", path=str(path), line=1) from None
            genesis_for_failures = genesis
        failure_header = _inline_header(header, genesis_for_failures, resumed_from)
        checker = _attach_invariants(harness, options, failure_header, recorder)
        checkpointer = _CheckpointAt(options.checkpoint_at, options.checkpoint_path, header)
        for number, block in enumerate(reader.blocks()):
            if block.height <= harness.clock_height:
                continue  # before the checkpoint we resumed from
            if options.stop_at is not None and block.height > options.stop_at:
                break
            checkpointer.before(harness, block.height)
            run = harness.run_block(block)
            if options.check and block.expect is not None:
                diff = first_divergence(block.height, block.expect, run.result)
                if diff is not None:
                    raise ErrDivergence(
                        diff.message(),
                        height=diff.height,
                        tx_index=diff.tx_index,
                        path=str(path),
                        line=number + 2,
                    )
        if options.stop_at is not None:
            checkpointer.before(harness, None)
            harness.run_to(options.stop_at)
        checkpointer.before(harness, None)
        _finish(harness, checker, last.run)
    return RunReport(
        source=str(path),
        kind="stream",
        chain_id=header.chain_id,
        stats=stats,
        invariant_checks=checker.checks if checker is not None else 0,
        checkpoint=checkpointer.taken,
        events=str(options.events_path) if options.events_path is not None else None,
        resumed_from=resumed_from,
    )


def _inline_header(
    header: StreamHeader, genesis: dict[str, Any], resumed_from: int | None
) -> StreamHeader:
    """The header of a stream written next to nothing: the genesis inline. After a resume,
    the genesis is the checkpoint's state, so the written stream starts there."""
    if resumed_from is None and header.genesis is not None:
        return header
    chain_id, genesis_time, initial_height = genesis_header_fields(genesis)
    return new_header(
        chain_id,
        genesis,
        genesis_time,
        initial_height=initial_height,
        block_interval_ms=header.block_interval_ms,
        meta=header.meta,
    )


def export_state(
    source: str | Path, height: int, *, stepping: Stepping = Stepping.SPARSE
) -> dict[str, Any]:
    """The genesis export at height of a scenario (.yaml/.yml) or a stream (anything else)."""
    name = str(source)
    if name.endswith((".yaml", ".yml")):
        compiled = compile_scenario(load_scenario(source), stepping=stepping, stop_at=height)
        return compiled.harness.app.export_genesis()
    reader = StreamReader(source)
    harness = Harness.from_stream_header(reader.header, reader.genesis(), stepping=stepping)
    for block in reader.blocks():
        if block.height > height:
            break
        harness.run_block(block)
    harness.run_to(height)
    return harness.app.export_genesis()


__all__ = [
    "DEFAULT_FAILURE_STREAM",
    "RunOptions",
    "RunReport",
    "export_state",
    "replay_stream",
    "run_scenario",
]
