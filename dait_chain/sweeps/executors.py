"""Executors: where the runs of a sweep run (specs/sweeps.md "Executors").

Every executor takes the same tasks and calls `on_done` in the parent process with each
result as it finishes (in completion order; the tables are sorted afterwards). A run
is `world.run_task(task)`: a pure function of its task, so serial, a process pool and a
Dask cluster give the same results.

- `SerialExecutor`: one run after the other in this process.
- `ProcessExecutor`: a `concurrent.futures.ProcessPoolExecutor`; workers are forked on
  Linux (they start with the parent's imported modules) and spawned elsewhere.
- `DaskExecutor`: `distributed`: a LocalCluster of worker processes (one thread each) by
  default, or an existing scheduler by address.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Protocol

from dait_chain.sweeps.config import RunTask
from dait_chain.sweeps.errors import ErrRunFailed
from dait_chain.sweeps.world import RunResult, run_task

OnDone = Callable[[RunResult], None]
EXECUTOR_NAMES = ("serial", "process", "dask")


class Executor(Protocol):
    """Runs tasks and reports each result as it finishes."""

    name: str

    def run(self, tasks: Sequence[RunTask], on_done: OnDone) -> None:
        """Run every task; call on_done(result) in this process for each."""


def guarded_run(task: RunTask) -> RunResult:
    """run_task, with a failure named by its run (a worker's traceback is not lost)."""
    try:
        return run_task(task)
    except Exception as exc:
        raise ErrRunFailed(
            f"run {task.run_id} (point {task.point.as_dict()}, seed {task.seed}): "
            f"{type(exc).__name__}: {exc}"
        ) from exc


@dataclass
class SerialExecutor:
    """One run after another, here."""

    name: str = "serial"

    def run(self, tasks: Sequence[RunTask], on_done: OnDone) -> None:
        for task in tasks:
            on_done(guarded_run(task))


def default_start_method() -> str:
    """`fork` on Linux, `spawn` elsewhere (specs/sweeps.md D10).

    A spawned worker re-imports the package (about a second of CPU each, which on two
    cores is a tenth of a 32-run sweep); a forked one starts with the parent's modules.
    It inherits nothing else that matters: the parent runs no task, and the only
    module-level state is pure caches (D9). macOS's fork is unsafe with its system
    frameworks and Windows has none, so they spawn.
    """
    return "fork" if sys.platform.startswith("linux") else "spawn"


@dataclass
class ProcessExecutor:
    """A local process pool (`start_method`: None picks `default_start_method()`)."""

    workers: int = 2
    name: str = "process"
    start_method: str | None = None

    def run(self, tasks: Sequence[RunTask], on_done: OnDone) -> None:
        context = multiprocessing.get_context(self.start_method or default_start_method())
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            pending: set[Future[RunResult]] = {pool.submit(guarded_run, t) for t in tasks}
            try:
                while pending:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in sorted(done, key=id):
                        on_done(future.result())
            except BaseException:
                for future in pending:
                    future.cancel()
                raise


@dataclass
class DaskExecutor:
    """Dask distributed: a LocalCluster of `workers` processes, or `scheduler` address."""

    workers: int = 2
    scheduler: str | None = None
    name: str = "dask"

    def run(self, tasks: Sequence[RunTask], on_done: OnDone) -> None:
        from distributed import Client, LocalCluster, as_completed

        # distributed's annotations are partial: its constructors count as untyped.
        if self.scheduler is not None:
            client = Client(self.scheduler)  # type: ignore[no-untyped-call]
            cluster = None
        else:
            cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            client = Client(cluster)  # type: ignore[no-untyped-call]
        try:
            futures = client.map(guarded_run, list(tasks), pure=False)
            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                on_done(future.result())
                future.release()
        finally:
            client.close()  # type: ignore[no-untyped-call]
            if cluster is not None:
                cluster.close()


def make_executor(name: str, workers: int = 2, scheduler: str | None = None) -> Executor:
    """The executor called name ("serial", "process", "dask")."""
    if name == "serial":
        return SerialExecutor()
    if name == "process":
        return ProcessExecutor(workers)
    if name == "dask":
        return DaskExecutor(workers, scheduler)
    raise ValueError(f"unknown executor {name!r}: one of {', '.join(EXECUTOR_NAMES)}")


__all__ = [
    "EXECUTOR_NAMES",
    "DaskExecutor",
    "Executor",
    "ProcessExecutor",
    "SerialExecutor",
    "default_start_method",
    "guarded_run",
    "make_executor",
]
