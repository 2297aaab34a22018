"""The block loop: a DaitApp driven block by block, with sparse time (specs/harness.md).

`Harness` owns one app and the chain's block clock. It runs listed blocks (from a stream
or a scenario) and, between them, only the heights where some module has work due
(`DaitApp.next_due`): sparse time. `Stepping.DENSE` runs every height instead; both give
the same app hash at every height they both visit, because a height with no tx and
nothing due changes no state (specs/app.md §8).

Observers see every block the harness runs (events sink, invariants, recorder, progress).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dait_chain.app.abci import CommitInfo, FinalizeBlockRequest, FinalizeBlockResult
from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.sim.errors import ErrBlockOrder, ErrDivergence, ErrGenesisMismatch
from dait_chain.sim.stream import (
    DEFAULT_BLOCK_INTERVAL_MS,
    BlockExpect,
    StreamBlock,
    StreamHeader,
    TxExpect,
    events_digest,
    next_time,
)


class Stepping(enum.Enum):
    """How the loop crosses heights without txs: jump to the next due one, or run each."""

    SPARSE = "sparse"
    DENSE = "dense"


@dataclass(frozen=True, slots=True)
class BlockRun:
    """One block the harness ran: its request, its result, and whether a stream listed it."""

    height: int
    time_ms: int
    proposer: str
    txs: tuple[bytes, ...]
    result: FinalizeBlockResult
    listed: bool
    last_commit: CommitInfo | None = None

    def as_stream_block(self, *, with_expect: bool = True) -> StreamBlock:
        """The block as a stream line, with what it produced as its expected results."""
        return StreamBlock(
            height=self.height,
            time_ms=self.time_ms,
            txs=self.txs,
            proposer=self.proposer,
            last_commit=self.last_commit,
            expect=expect_of(self.result) if with_expect else None,
        )


class BlockObserver(Protocol):
    """Something that looks at every block the harness runs (after it committed)."""

    def on_block(self, run: BlockRun) -> None:
        """Called once per block run, in height order."""


def expect_of(result: FinalizeBlockResult) -> BlockExpect:
    """The expected-results record of a block result (every field filled)."""
    return BlockExpect(
        tx_results=tuple(
            TxExpect(r.code, r.codespace, events_digest(r.events)) for r in result.tx_results
        ),
        begin_events=events_digest(result.begin_events),
        end_events=events_digest(result.end_events),
        app_hash=result.app_hash.hex(),
    )


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where a replayed block first differs from its expected results."""

    height: int
    tx_index: int | None
    what: str
    expected: str
    actual: str

    def message(self) -> str:
        """A one-line report: height, tx index, what differs, expected and actual."""
        at = f"height {self.height}" + (f" tx {self.tx_index}" if self.tx_index is not None else "")
        return f"{at}: {self.what}: expected {self.expected}, got {self.actual}"


def first_divergence(
    height: int, expect: BlockExpect, result: FinalizeBlockResult
) -> Divergence | None:
    """The first difference between expect and result, in execution order: begin events,
    each tx (code and codespace, then events), end events, then the app hash."""
    if expect.begin_events is not None:
        actual = events_digest(result.begin_events)
        if actual != expect.begin_events:
            return Divergence(height, None, "begin_block events", expect.begin_events, actual)
    if expect.tx_results is not None:
        if len(expect.tx_results) != len(result.tx_results):
            return Divergence(
                height,
                None,
                "number of tx results",
                str(len(expect.tx_results)),
                str(len(result.tx_results)),
            )
        for index, (want, got) in enumerate(zip(expect.tx_results, result.tx_results, strict=True)):
            if (want.code, want.codespace) != (got.code, got.codespace):
                return Divergence(
                    height,
                    index,
                    "result",
                    f"{want.codespace or '-'}/{want.code}",
                    f"{got.codespace or '-'}/{got.code} ({got.log})",
                )
            if want.events is not None:
                actual = events_digest(got.events)
                if actual != want.events:
                    return Divergence(height, index, "events", want.events, actual)
    if expect.end_events is not None:
        actual = events_digest(result.end_events)
        if actual != expect.end_events:
            return Divergence(height, None, "end_block events", expect.end_events, actual)
    if expect.app_hash is not None and result.app_hash.hex() != expect.app_hash:
        return Divergence(height, None, "app hash", expect.app_hash, result.app_hash.hex())
    return None


def default_proposer(app: DaitApp, height: int) -> str:
    """The proposer of a block the stream names none for: the active set in operator
    address order, in turn by height (specs/harness.md "Decisions"); "" with no validator.

    It depends only on the height and the committed state, so a block gets the same
    proposer whether the heights before it were run or skipped.
    """
    operators = sorted(v.operator for v in app.validators())
    if not operators:
        return ""
    return operators[(height - 1) % len(operators)]


def genesis_header_fields(genesis: Mapping[str, Any]) -> tuple[str, int, int]:
    """(chain_id, genesis_time_ms, initial_height) of a genesis document, as the app reads
    them (uint64 fields as decimal strings or ints)."""
    chain_id = genesis.get("chain_id")
    if not isinstance(chain_id, str):
        raise ErrInvalidGenesis("chain_id must be a string")

    def uint(key: str, default: int) -> int:
        value = genesis.get(key, default)
        if isinstance(value, bool):
            raise ErrInvalidGenesis(f"{key}: not an integer")
        if isinstance(value, int):
            return value
        if isinstance(value, str) and value.isdigit():
            return int(value)
        raise ErrInvalidGenesis(f"{key}: {value!r} is not an integer")

    return chain_id, uint("genesis_time_ms", 0), uint("initial_height", 1)


class Harness:
    """A DaitApp and its block clock: run listed blocks, cross idle heights sparsely."""

    def __init__(
        self,
        app: DaitApp,
        *,
        interval_ms: int = DEFAULT_BLOCK_INTERVAL_MS,
        anchor: tuple[int, int],
        stepping: Stepping = Stepping.SPARSE,
        observers: Sequence[BlockObserver] = (),
    ) -> None:
        self.app = app
        self.interval_ms = interval_ms
        # The last block whose (height, time) the clock follows: the last block run, or the
        # genesis anchor one interval before the first block.
        self.clock_height, self.clock_time = anchor
        self.stepping = stepping
        self.observers: list[BlockObserver] = list(observers)
        self.blocks_run = 0

    # ---- construction --------------------------------------------------------------------

    @classmethod
    def from_genesis(
        cls,
        genesis: Mapping[str, Any],
        *,
        interval_ms: int = DEFAULT_BLOCK_INTERVAL_MS,
        stepping: Stepping = Stepping.SPARSE,
        observers: Sequence[BlockObserver] = (),
        app: DaitApp | None = None,
    ) -> Harness:
        """A fresh app initialised with genesis; block initial_height is at genesis time."""
        _, genesis_time, initial_height = genesis_header_fields(genesis)
        app = app if app is not None else DaitApp()
        app.init_chain(genesis)
        return cls(
            app,
            interval_ms=interval_ms,
            anchor=(initial_height - 1, genesis_time - interval_ms),
            stepping=stepping,
            observers=observers,
        )

    @classmethod
    def from_stream_header(
        cls,
        header: StreamHeader,
        genesis: Mapping[str, Any],
        *,
        stepping: Stepping = Stepping.SPARSE,
        observers: Sequence[BlockObserver] = (),
    ) -> Harness:
        """A fresh app on the stream's genesis, refusing a genesis that disagrees with the
        header on chain id, genesis time or initial height."""
        chain_id, genesis_time, initial_height = genesis_header_fields(genesis)
        if (chain_id, genesis_time, initial_height) != (
            header.chain_id,
            header.genesis_time_ms,
            header.initial_height,
        ):
            raise ErrGenesisMismatch(
                f"genesis has chain_id {chain_id!r}, genesis_time_ms {genesis_time}, "
                f"initial_height {initial_height}; the stream header has "
                f"{header.chain_id!r}, {header.genesis_time_ms}, {header.initial_height}"
            )
        return cls.from_genesis(
            genesis, interval_ms=header.block_interval_ms, stepping=stepping, observers=observers
        )

    # ---- the clock -----------------------------------------------------------------------

    @property
    def height(self) -> int:
        """The height of the last committed block (initial_height - 1 before the first)."""
        return self.app.height

    def implied_time(self, height: int) -> int:
        """The time of an unlisted block at height (after the last block the clock knows)."""
        return next_time(self.clock_height, self.clock_time, height, self.interval_ms)

    def next_due_height(self) -> int | None:
        """The first height after the last block at which some module has work: its
        `next_due().height`, or the first height whose implied time reaches
        `next_due().time_ms`; None when nothing is scheduled."""
        due = self.app.next_due()
        after = self.clock_height + 1
        best: int | None = None
        if due.height is not None:
            best = max(due.height, after)
        if due.time_ms is not None:
            # the least k >= 1 with clock_time + k * interval >= due.time_ms
            k = max(1, -(-(due.time_ms - self.clock_time) // self.interval_ms))
            by_time = self.clock_height + k
            best = by_time if best is None else min(best, by_time)
        return best

    # ---- running blocks ------------------------------------------------------------------

    def advance_to(self, height: int) -> None:
        """Run every block up to and including height that has work (sparse), or every
        block (dense), each at its implied time with the default proposer."""
        if self.stepping is Stepping.DENSE:
            while self.clock_height < height:
                self._run_idle(self.clock_height + 1)
            return
        while True:
            due = self.next_due_height()
            if due is None or due > height:
                return
            self._run_idle(due)

    def run_to(self, height: int) -> None:
        """Advance to height and make sure a block at height was run (an empty one if it had
        no work), so that the app's last height is height (for exports and checkpoints)."""
        self.advance_to(height)
        if self.clock_height < height:
            self._run_idle(height)

    def _run_idle(self, height: int) -> BlockRun:
        return self.execute(
            height, self.implied_time(height), default_proposer(self.app, height), (), listed=False
        )

    def run_block(self, block: StreamBlock) -> BlockRun:
        """Cross the heights before block (sparse or dense), then run block itself."""
        if block.height <= self.clock_height:
            raise ErrBlockOrder(f"block {block.height} after block {self.clock_height}")
        self.advance_to(block.height - 1)
        proposer = block.proposer
        if proposer is None:
            proposer = default_proposer(self.app, block.height)
        return self.execute(
            block.height,
            block.time_ms,
            proposer,
            block.txs,
            listed=True,
            last_commit=block.last_commit,
        )

    def execute(
        self,
        height: int,
        time_ms: int,
        proposer: str,
        txs: tuple[bytes, ...],
        *,
        listed: bool,
        last_commit: CommitInfo | None = None,
    ) -> BlockRun:
        """Finalize one block at (height, time_ms), then show it to every observer."""
        if height <= self.clock_height:
            raise ErrBlockOrder(f"block {height} after block {self.clock_height}")
        if time_ms <= self.implied_time(height - 1):
            raise ErrBlockOrder(f"block {height}: time {time_ms} does not move forward")
        result = self.app.finalize_block(
            FinalizeBlockRequest(height, time_ms, proposer, txs, last_commit)
        )
        self.clock_height, self.clock_time = height, time_ms
        self.blocks_run += 1
        run = BlockRun(height, time_ms, proposer, txs, result, listed, last_commit)
        for observer in self.observers:
            observer.on_block(run)
        return run

    def run_blocks(self, blocks: Iterable[StreamBlock], *, check: bool = True) -> int:
        """Run listed blocks in order, checking each one's expected results when check is
        set (raising ErrDivergence at the first difference). Returns the blocks listed."""
        count = 0
        for block in blocks:
            run = self.run_block(block)
            count += 1
            if check and block.expect is not None:
                diff = first_divergence(block.height, block.expect, run.result)
                if diff is not None:
                    raise ErrDivergence(diff.message(), height=diff.height, tx_index=diff.tx_index)
        return count


__all__ = [
    "BlockObserver",
    "BlockRun",
    "Divergence",
    "Harness",
    "Stepping",
    "default_proposer",
    "expect_of",
    "first_divergence",
    "genesis_header_fields",
]
