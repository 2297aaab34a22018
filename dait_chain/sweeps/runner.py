"""run_sweep: every run of a config on an executor, stored as it finishes, resumed when
interrupted, assembled into tables (specs/sweeps.md "Python API", "Resume")."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dait_chain.sweeps.config import RunTask, SweepConfig, load_config, tasks_of
from dait_chain.sweeps.executors import Executor, SerialExecutor
from dait_chain.sweeps.outputs import finished_runs, read_run, tables, write_run, write_tables
from dait_chain.sweeps.world import RunResult

Progress = Callable[[RunResult], None]


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What a sweep did: its tables, how many runs ran now and how many were resumed, and
    the wall time of the runs that ran (for throughput; never part of the results)."""

    table: Any  # pandas.DataFrame, one row per run x snapshot
    validators: Any  # pandas.DataFrame, one row per run x snapshot x validator
    ran: int
    resumed: int
    seconds: float

    @property
    def runs_per_minute(self) -> float:
        """Runs finished now per minute of wall time."""
        return 60.0 * self.ran / self.seconds if self.seconds > 0 else float("nan")


def pending_tasks(config: SweepConfig, out: Path | None) -> tuple[list[RunTask], list[RunTask]]:
    """(tasks still to run, tasks already stored in out) in sweep order."""
    tasks = list(tasks_of(config))
    if out is None:
        return tasks, []
    done = finished_runs(out)
    return [t for t in tasks if t.run_id not in done], [t for t in tasks if t.run_id in done]


def sweep(
    config: SweepConfig,
    *,
    out: Path | None = None,
    executor: Executor | None = None,
    progress: Progress | None = None,
) -> SweepReport:
    """Run what is not stored yet, store each run as it finishes, and return the tables
    of every run of the config (stored ones read back from their files)."""
    todo, stored = pending_tasks(config, out)
    results: dict[str, RunResult] = {}

    def done(result: RunResult) -> None:
        if out is not None:
            write_run(out, result)
        results[result.run_id] = result
        if progress is not None:
            progress(result)

    started = time.perf_counter()
    (executor or SerialExecutor()).run(todo, done)
    seconds = time.perf_counter() - started
    if out is not None:
        # Every result goes through its stored file, so a resumed sweep and a fresh one
        # build their tables from the same bytes.
        files = finished_runs(out)
        everything = [read_run(files[t.run_id]) for t in tasks_of(config)]
    else:
        everything = [results[t.run_id] for t in tasks_of(config)]
    table, validators = tables(everything, config.swept)
    if out is not None:
        write_tables(out, table, validators)
    return SweepReport(table, validators, len(todo), len(stored), seconds)


def run_sweep(
    config: SweepConfig | str | Path,
    *,
    out: str | Path | None = None,
    executor: Executor | None = None,
) -> Any:
    """The results table (pandas.DataFrame) of a sweep config (a SweepConfig or a YAML
    path); with `out`, runs are stored there and an interrupted sweep resumes."""
    cfg = config if isinstance(config, SweepConfig) else load_config(config)
    return sweep(cfg, out=None if out is None else Path(out), executor=executor).table


__all__ = ["SweepReport", "pending_tasks", "run_sweep", "sweep"]
