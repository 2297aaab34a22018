"""`dait-sim sweep CONFIG.yaml`: run a parameter sweep (specs/sweeps.md "The CLI").

Runs every (point, seed) of the config that the output directory does not hold yet, on
the chosen executor, with a progress bar and ETA; writes the tables and the standard
plots; prints a summary per point. Exit codes: 0 done; 1 a run failed; 2 bad input (the
config, the executor options), always as `error: file:line: what`, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from dait_chain.sweeps.config import SweepConfig, load_config
from dait_chain.sweeps.errors import ErrRunFailed, SweepError

if TYPE_CHECKING:
    from dait_chain.sweeps.runner import SweepReport

EXECUTOR_NAMES = ("serial", "process", "dask")
EXIT_RUN_FAILED = 1
EXIT_USAGE = 2
SUMMARY_METRICS = (
    ("nakamoto_rewards", "Nakamoto"),
    ("gini_rewards", "Gini"),
    ("hhi_rewards", "HHI"),
    ("target_reward_share", "target share"),
    ("fill_rate", "fill rate"),
    ("clearing_price_ratio_mean", "price/ceiling"),
    ("disputes", "disputes"),
    ("dispute_loss_dishonest_uDAIT", "cheater loss"),
)


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


def sweep(
    config: Annotated[Path, typer.Argument(help="The sweep config (YAML).")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Output directory (default: sweeps-out/<name>)."),
    ] = None,
    executor: Annotated[
        str, typer.Option("--executor", "-e", help="serial, process or dask.")
    ] = "process",
    workers: Annotated[int, typer.Option("--workers", "-w", help="Worker processes.")] = 2,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="A Dask scheduler address (implies --executor dask)."),
    ] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write the PNG plots.")] = True,
) -> None:
    """Run a parameter sweep: params x seeds, each run a fresh chain driven by agents."""
    console = Console(stderr=True)
    if scheduler is not None:
        executor = "dask"
    if executor not in EXECUTOR_NAMES:
        raise _fail(f"--executor {executor!r}: one of {', '.join(EXECUTOR_NAMES)}")
    if workers < 1:
        raise _fail("--workers must be >= 1")
    try:
        cfg = load_config(config)
    except SweepError as exc:
        raise _fail(exc.where_what) from None
    # pandas, pyarrow and matplotlib load here, not when dait-sim starts.
    from dait_chain.sweeps.executors import make_executor
    from dait_chain.sweeps.plots import standard_plots
    from dait_chain.sweeps.runner import pending_tasks

    target = out if out is not None else Path("sweeps-out") / cfg.name
    todo, stored = pending_tasks(cfg, target)
    console.print(
        f"sweep [bold]{cfg.name}[/]: {len(cfg.points)} points x {len(cfg.seeds)} seeds = "
        f"{cfg.run_count} runs; {len(stored)} already in {target}, {len(todo)} to run on "
        f"{executor}" + (f" ({workers} workers)" if executor != "serial" else "")
    )
    try:
        report = _run(cfg, target, make_executor(executor, workers, scheduler), len(todo))
    except ErrRunFailed as exc:
        raise _fail(exc.where_what, EXIT_RUN_FAILED) from None
    except SweepError as exc:
        raise _fail(exc.where_what) from None
    made = standard_plots(target, report.table, report.validators, cfg.swept) if plots else []
    _summary(Console(), cfg, report, target, made)


def _run(cfg: SweepConfig, out: Path, executor: Any, count: int) -> SweepReport:
    from dait_chain.sweeps.runner import sweep as run_the_sweep

    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    # No refresh thread: the process executor forks its workers (specs/sweeps.md D10),
    # and a fork must not copy a lock that another thread holds; the bar is redrawn as
    # each run finishes instead.
    with Progress(
        *columns, console=Console(stderr=True), transient=False, auto_refresh=False
    ) as bar:
        task = bar.add_task("runs", total=count)

        def advance(_: object) -> None:
            bar.advance(task)
            bar.refresh()

        return run_the_sweep(cfg, out=out, executor=executor, progress=advance)


def _summary(
    console: Console, cfg: SweepConfig, report: SweepReport, out: Path, plots: list[Path]
) -> None:
    """Per point, the mean over seeds of the last snapshot's headline metrics."""
    from dait_chain.sweeps.plots import last_snapshots

    final = last_snapshots(report.table)
    table = Table(title=f"{cfg.name}: last snapshot, mean over {len(cfg.seeds)} seeds")
    for name in cfg.swept:
        table.add_column(name.split(".")[-1])
    for _, label in SUMMARY_METRICS:
        table.add_column(label, justify="right")
    for index, group in final.groupby("point_index", sort=True):
        point = cfg.points[int(index)].as_dict()
        cells = [_short(point[name]) for name in cfg.swept]
        for column, _ in SUMMARY_METRICS:
            value = group[column].astype(float).mean()
            cells.append("-" if value != value else f"{value:.3g}")
        table.add_row(*cells)
    console.print(table)
    rate = report.runs_per_minute
    console.print(
        f"{report.ran} runs in {report.seconds:.1f} s ({rate:.1f} runs/min); "
        f"{report.resumed} resumed. Tables: {out / 'results.parquet'} (and .csv), "
        f"{out / 'validators.parquet'}"
    )
    for path in plots:
        console.print(f"plot: {path}")


def _short(value: object) -> str:
    if isinstance(value, str) and "." in value and value.replace(".", "").isdigit():
        return f"{float(value):g}"
    return str(value)


__all__ = ["sweep"]
