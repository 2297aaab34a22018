"""Runs are independent and reproducible; memory stays flat across runs in one process;
interrupted sweeps resume (specs/sweeps.md "A run", "Resume")."""

from __future__ import annotations

import dataclasses
import gc
import json
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from dait_chain.sweeps import parse_config, sweep
from dait_chain.sweeps.config import RunTask, tasks_of
from dait_chain.sweeps.executors import SerialExecutor
from dait_chain.sweeps.outputs import RUNS_DIR, finished_runs, read_run, write_run
from dait_chain.sweeps.world import RunResult, run_task
from tests.sweeps.conftest import TINY

# Memory may grow by at most this much over five more runs after two warm-up runs: the
# chain of one run holds a few MB, so a leak of one run's state per run would show as
# several MB; what remains is allocator noise and bounded caches.
MEMORY_TOLERANCE_BYTES = 1_000_000


def _tasks() -> tuple[RunTask, ...]:
    return tasks_of(parse_config(TINY))


def test_the_same_task_twice_in_one_process_gives_the_same_result() -> None:
    first, other = _tasks()[0], _tasks()[5]
    a = run_task(first)
    run_task(other)  # a different point in between must not leak into the next run
    b = run_task(first)
    assert _text(a) == _text(b)
    txs = a.rows[-1]["txs"]
    assert isinstance(txs, int) and txs > 0


def test_different_seeds_give_different_runs() -> None:
    tasks = _tasks()
    assert tasks[0].point == tasks[1].point and tasks[0].seed != tasks[1].seed
    assert _text(run_task(tasks[0])) != _text(run_task(tasks[1]))


def test_memory_stays_flat_across_runs_in_one_process() -> None:
    task = _tasks()[3]
    for _ in range(2):
        run_task(task)
    gc.collect()
    tracemalloc.start()
    try:
        gc.collect()
        before, _ = tracemalloc.get_traced_memory()
        for _ in range(5):
            run_task(task)
        gc.collect()
        after, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert after - before <= MEMORY_TOLERANCE_BYTES, after - before


@dataclass
class CountingExecutor:
    """The serial executor, counting the runs it was given."""

    name: str = "counting"
    ran: list[str] = field(default_factory=list)

    def run(self, tasks: Sequence[RunTask], on_done: object) -> None:
        self.ran.extend(t.run_id for t in tasks)
        SerialExecutor().run(tasks, on_done)  # type: ignore[arg-type]


def test_interrupted_sweep_resumes_without_running_finished_runs(tmp_path: Path) -> None:
    cfg = parse_config(TINY)
    first = CountingExecutor()
    sweep(cfg, out=tmp_path, executor=first)
    assert len(first.ran) == cfg.run_count
    complete = pd.read_parquet(tmp_path / "results.parquet")
    # An interruption: two runs never finished, one write was cut before its rename.
    files = sorted(finished_runs(tmp_path).values())
    lost = files[:2]
    for path in lost:
        path.unlink()
    (tmp_path / RUNS_DIR / ".deadbeef.partial.tmp").write_bytes(b'{"format": "dait-swe')
    (tmp_path / "results.parquet").unlink()
    second = CountingExecutor()
    report = sweep(cfg, out=tmp_path, executor=second)
    assert sorted(second.ran) == sorted(p.stem for p in lost)
    assert (report.ran, report.resumed) == (2, cfg.run_count - 2)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "results.parquet"), complete)
    third = CountingExecutor()
    sweep(cfg, out=tmp_path, executor=third)
    assert third.ran == []


def test_run_file_round_trips_exactly(tmp_path: Path) -> None:
    result = run_task(_tasks()[2])
    path = write_run(tmp_path, result)
    # NaN (a share of nothing) is not equal to itself: compare the canonical texts.
    assert _text(read_run(path)) == _text(result)
    assert [p.name for p in (tmp_path / RUNS_DIR).iterdir()] == [path.name]


def _text(result: RunResult) -> str:
    return json.dumps(dataclasses.asdict(result), sort_keys=True)


def test_run_results_are_plain_values() -> None:
    result = run_task(_tasks()[0])
    assert isinstance(result, RunResult)
    for row in (*result.rows, *result.validators):
        assert all(isinstance(v, int | float | str | bool) for v in row.values())
