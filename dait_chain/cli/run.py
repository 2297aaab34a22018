"""`dait-sim run SCENARIO`: compile a scenario into a tx stream and run it.

Also the helpers the other harness verbs share (replay, export, demo): turning registered
errors into `error: <file>:<line>: <what>` with exit code 2 (or 1 for a finding: a broken
invariant, a divergence), the progress bar and the run summary.

Exit codes: 0 success; 1 the run found something (an invariant broke, a replay diverged);
2 bad input (missing file, bad YAML, bad stream, unknown action).
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

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

from dait_chain.errors import DaitError
from dait_chain.sim.errors import ErrDivergence, ErrInvariantBroken, SimError
from dait_chain.sim.harness import Stepping
from dait_chain.sim.runner import DEFAULT_FAILURE_STREAM, RunOptions, RunReport, run_scenario
from dait_chain.sim.scenario import Scenario, builtin_scenario, load_scenario

EXIT_FINDING = 1
EXIT_USAGE = 2


# ---- shared helpers --------------------------------------------------------------------------


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print `error: message` on stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code=code)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Turn registered errors into a one-line message and an exit code, never a traceback.

    SimErrors about an input file read `error: file:line: what`. A broken invariant or a
    divergence exits 1; every other error exits 2.
    """
    try:
        yield
    except (ErrInvariantBroken, ErrDivergence) as exc:
        detail = exc.where_what
        if isinstance(exc, ErrInvariantBroken) and exc.stream_path:
            detail += f" (tx stream up to this block: {exc.stream_path})"
        raise fail(detail, EXIT_FINDING) from None
    except SimError as exc:
        raise fail(exc.where_what) from None
    except DaitError as exc:
        raise fail(f"{type(exc).__name__} ({exc.codespace}/{exc.code}): {exc.log}") from None


def resolve_scenario(name: str) -> Path:
    """A scenario path, or the built-in scenario of that name (e.g. `core`, `channels`)."""
    path = Path(name)
    if path.exists() or path.suffix in (".yaml", ".yml"):
        return path
    builtin = builtin_scenario(name)
    return builtin if builtin.exists() else path


def scenario_target_height(scenario: Scenario) -> int:
    """About how high the scenario runs (for the progress bar's total)."""
    heights = [a.at_height for a in scenario.actions if a.at_height is not None]
    times = [a.at_time_ms for a in scenario.actions if a.at_time_ms is not None]
    if scenario.end_time_ms is not None:
        times.append(scenario.end_time_ms)
    if scenario.end_height is not None:
        heights.append(scenario.end_height)
    for t in times:
        heights.append(
            scenario.initial_height + (t - scenario.genesis_time_ms) // scenario.block_interval_ms
        )
    return max(heights, default=scenario.initial_height)


@contextlib.contextmanager
def progress_bar(total: int, enabled: bool, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar over heights with ETA (on a terminal, when enabled); yields the
    callback to report a height, or None. The wall clock here only paces the display."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("height"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=max(total, 1))
        last = [0.0]

        def report(height: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.1:
                last[0] = now
                bar.update(task, completed=min(height, total))

        yield report


def print_json(obj: Any) -> None:
    """Print obj as indented JSON with sorted keys."""
    typer.echo(json.dumps(obj, indent=2, sort_keys=True))


def render_report(report: RunReport, console: Console, seconds: float) -> None:
    """A readable summary of a run."""
    stats = report.stats
    table = Table(title=f"{report.kind} {report.source}", show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value")
    table.add_row("chain", report.chain_id)
    table.add_row("heights", f"{stats.first_height} .. {stats.last_height}")
    table.add_row("blocks run", f"{stats.blocks_run} ({stats.listed_blocks} listed)")
    failed = ", ".join(f"{k} x{v}" for k, v in sorted(stats.failures.items())) or "none"
    table.add_row("txs", f"{stats.txs} ({stats.txs_ok} ok; failed: {failed})")
    top = sorted(stats.events.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
    table.add_row("events", ", ".join(f"{k} x{v}" for k, v in top) or "none")
    table.add_row("invariant checks", str(report.invariant_checks))
    if report.resumed_from is not None:
        table.add_row("resumed after height", str(report.resumed_from))
    table.add_row("app hash", stats.app_hash)
    for label, value in (
        ("stream written", report.out),
        ("events written", report.events),
        ("checkpoint written", report.checkpoint),
    ):
        if value:
            table.add_row(label, value)
    table.add_row("wall time", f"{seconds:.2f} s")
    console.print(table)


def stepping_of(dense: bool) -> Stepping:
    """DENSE when --dense, else SPARSE."""
    return Stepping.DENSE if dense else Stepping.SPARSE


# ---- the verb --------------------------------------------------------------------------------


def run(
    scenario: Annotated[
        str, typer.Argument(help="Scenario YAML file, or a built-in name (core, channels, demo).")
    ],
    out: Annotated[Path | None, typer.Option("--out", help="Write the tx stream here.")] = None,
    events: Annotated[
        Path | None, typer.Option("--events", help="Write every event as JSON lines here.")
    ] = None,
    invariants_every: Annotated[
        int, typer.Option("--invariants-every", min=0, help="Check invariants every N blocks.")
    ] = 1,
    failure_stream: Annotated[
        Path,
        typer.Option(help="Where the tx stream up to a broken invariant is written."),
    ] = DEFAULT_FAILURE_STREAM,
    dense: Annotated[bool, typer.Option(help="Run every height (no sparse time).")] = False,
    stop_at: Annotated[int | None, typer.Option(min=1, help="Stop after this height.")] = None,
    checkpoint_at: Annotated[
        int | None, typer.Option(min=0, help="Take a checkpoint at this height.")
    ] = None,
    checkpoint: Annotated[Path | None, typer.Option(help="Checkpoint file to write.")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Compile a scenario into a tx stream and run it: summary, stream, events, invariants."""
    if (checkpoint_at is None) != (checkpoint is None):
        raise fail("--checkpoint-at and --checkpoint go together")
    path = resolve_scenario(scenario)
    with user_errors():
        parsed = load_scenario(path)
        started = time.monotonic()
        with progress_bar(
            scenario_target_height(parsed), not (quiet or json_out), parsed.name
        ) as report_height:
            report = run_scenario(
                parsed,
                RunOptions(
                    stepping=stepping_of(dense),
                    invariants_every=invariants_every,
                    events_path=events,
                    out_path=out,
                    failure_path=failure_stream,
                    checkpoint_at=checkpoint_at,
                    checkpoint_path=checkpoint,
                    stop_at=stop_at,
                    progress=report_height,
                ),
            )
        seconds = time.monotonic() - started
    if json_out:
        print_json(report.to_json())
    elif not quiet:
        render_report(report, Console(), seconds)
