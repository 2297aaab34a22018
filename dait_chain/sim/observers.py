"""What watches the block loop: invariants, events, the run's record, statistics.

specs/harness.md "Invariants", "Events". Each is a `BlockObserver`: the harness shows it
every block it runs, after the block committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

from dait_chain.app.app import DaitApp
from dait_chain.app.events import Event
from dait_chain.sim.errors import ErrInvariantBroken
from dait_chain.sim.harness import BlockRun
from dait_chain.sim.stream import StreamBlock, StreamHeader, events_json, json_line, write_stream


class Recorder:
    """Keeps every block run as a stream block (listed ones always; idle due ones too when
    keep_due is set), so the run so far can be written as a replayable stream."""

    def __init__(self, *, keep_due: bool = False) -> None:
        self.keep_due = keep_due
        self.blocks: list[StreamBlock] = []
        self.last_height = 0

    def on_block(self, run: BlockRun) -> None:
        """Record the block (as a stream block with its results as expectations)."""
        self.last_height = run.height
        if run.listed or self.keep_due:
            self.blocks.append(run.as_stream_block())

    def stream_upto(self, height: int) -> list[StreamBlock]:
        """The recorded blocks up to and including height."""
        return [b for b in self.blocks if b.height <= height]


@dataclass(frozen=True, slots=True)
class BrokenInvariant:
    """A broken invariant found after a block."""

    height: int
    module: str
    name: str
    message: str

    @property
    def invariant(self) -> str:
        """module/name."""
        return f"{self.module}/{self.name}"


class InvariantChecker:
    """Checks every registered invariant after every `every`-th block run (and on demand).

    Blocks skipped by sparse time change no state, so there is nothing to check at them;
    `every` counts the blocks the harness runs. On the first broken invariant it writes the
    stream up to that block to `failure_path` (if given) and raises ErrInvariantBroken.
    """

    def __init__(
        self,
        app: DaitApp,
        *,
        every: int = 1,
        header: StreamHeader | None = None,
        recorder: Recorder | None = None,
        failure_path: Path | None = None,
    ) -> None:
        if every < 1:
            raise ValueError("every must be >= 1")
        self.app = app
        self.every = every
        self.header = header
        self.recorder = recorder
        self.failure_path = failure_path
        self.blocks_seen = 0
        self.checks = 0

    def on_block(self, run: BlockRun) -> None:
        """Count the block; check when it is the every-th."""
        self.blocks_seen += 1
        if self.blocks_seen % self.every == 0:
            self.check(run)

    def check(self, run: BlockRun) -> None:
        """Run every invariant now; stop the run at the first broken one."""
        self.checks += 1
        broken = self.app.check_invariants()
        if not broken:
            return
        module, name, message = broken[0]
        found = BrokenInvariant(run.height, module, name, message)
        written = self._write_failure(run)
        raise ErrInvariantBroken(
            f"height {found.height}: invariant {found.invariant} broken: {message}",
            height=found.height,
            invariant=found.invariant,
            stream_path=written,
        )

    def _write_failure(self, run: BlockRun) -> str | None:
        if self.failure_path is None or self.header is None or self.recorder is None:
            return None
        blocks = self.recorder.stream_upto(run.height)
        if not blocks or blocks[-1].height != run.height:
            # An idle block broke it: end the stream with that block so a replay stops there.
            blocks.append(run.as_stream_block())
        write_stream(self.failure_path, self.header, blocks)
        return str(self.failure_path)


class EventsWriter:
    """Writes every event of every block run as JSON lines (specs/harness.md "Events"):

    {"height":h,"time_ms":t,"phase":"begin"|"tx"|"end","tx_index":i,"code":c,
     "type":"...","attributes":[{"key":"...","value":"..."}]}

    (tx_index and code only on tx events). Lines are RFC 8785 canonical JSON.
    """

    def __init__(self, target: str | Path | IO[str]) -> None:
        if isinstance(target, str | Path):
            self._file: IO[str] = Path(target).open(  # noqa: SIM115  # closed by close()
                "w", encoding="utf-8", newline="\n"
            )
            self._owned = True
        else:
            self._file = target
            self._owned = False
        self.lines = 0

    def _write(self, base: dict[str, object], events: tuple[Event, ...]) -> None:
        for item in events_json(events):
            self._file.write(json_line({**base, **item}))
            self.lines += 1

    def on_block(self, run: BlockRun) -> None:
        """Write the block's events in execution order."""
        base: dict[str, object] = {"height": run.height, "time_ms": run.time_ms}
        self._write({**base, "phase": "begin"}, run.result.begin_events)
        for index, result in enumerate(run.result.tx_results):
            tx_base = {**base, "phase": "tx", "tx_index": index, "code": result.code}
            self._write(tx_base, result.events)
        self._write({**base, "phase": "end"}, run.result.end_events)

    def close(self) -> None:
        """Close the file if this writer opened it."""
        if self._owned:
            self._file.close()
        else:
            self._file.flush()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass
class RunStats:
    """Counts of what a run did, for summaries (deterministic: no wall clock here)."""

    blocks_run: int = 0
    listed_blocks: int = 0
    txs: int = 0
    txs_ok: int = 0
    failures: Counter[str] = field(default_factory=Counter)  # "codespace/code" -> count
    events: Counter[str] = field(default_factory=Counter)  # event type -> count
    first_height: int | None = None
    last_height: int = 0
    last_time_ms: int = 0
    app_hash: str = ""

    def on_block(self, run: BlockRun) -> None:
        """Add the block's counts."""
        self.blocks_run += 1
        self.listed_blocks += int(run.listed)
        if self.first_height is None:
            self.first_height = run.height
        self.last_height = run.height
        self.last_time_ms = run.time_ms
        self.app_hash = run.result.app_hash.hex()
        for event in (*run.result.begin_events, *run.result.end_events):
            self.events[event.type] += 1
        for result in run.result.tx_results:
            self.txs += 1
            if result.ok:
                self.txs_ok += 1
            else:
                self.failures[f"{result.codespace}/{result.code}"] += 1
            for event in result.events:
                self.events[event.type] += 1

    def to_json(self) -> dict[str, object]:
        """The counts as a JSON object (keys sorted where they are data)."""
        return {
            "blocks_run": self.blocks_run,
            "listed_blocks": self.listed_blocks,
            "first_height": self.first_height,
            "last_height": self.last_height,
            "last_time_ms": self.last_time_ms,
            "txs": self.txs,
            "txs_ok": self.txs_ok,
            "tx_failures": dict(sorted(self.failures.items())),
            "events": dict(sorted(self.events.items())),
            "app_hash": self.app_hash,
        }


class Progress:
    """Calls report(height) after each block run (a CLI progress bar hangs off it)."""

    def __init__(self, report: Callable[[int], None]) -> None:
        self.report = report

    def on_block(self, run: BlockRun) -> None:
        """Report the block's height."""
        self.report(run.height)


__all__ = [
    "BrokenInvariant",
    "EventsWriter",
    "InvariantChecker",
    "Progress",
    "Recorder",
    "RunStats",
]
