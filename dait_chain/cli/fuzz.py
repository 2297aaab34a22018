"""`dait-sim fuzz`: stateful fuzzers run from the command line (specs/state_channel.md §18).

    dait-sim fuzz state-channel --examples 2000 --seed 7 --out failure.jsonl

Runs the x/state_channel state machine for N examples with a progress bar. Exit 0 when
every example passed, 1 when a failure was found (the shrunk run is written as a tx stream
that `dait-sim replay` runs), 2 on a usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from dait_chain.x.state_channel.fuzz import fuzz_settings, run_fuzz

app = typer.Typer(
    help="Stateful fuzzers: random histories checked by a model, properties and invariants.",
    no_args_is_help=True,
    add_completion=False,
)


@app.command("state-channel")
def state_channel(
    examples: Annotated[int, typer.Option(help="Runs to try (shrinking runs come on top).")] = 200,
    seed: Annotated[int | None, typer.Option(help="Seed of the search (default: random).")] = None,
    steps: Annotated[int, typer.Option(help="Rules per run, at most.")] = 40,
    out: Annotated[
        Path, typer.Option(help="Where the shrunk failing run is written (a tx stream).")
    ] = Path("state_channel_fuzz_failure.jsonl"),
) -> None:
    """Fuzz x/state_channel: users and hosts, honest or adversarial, on a real chain."""
    if examples < 1 or steps < 1:
        typer.echo("error: --examples and --steps must be at least 1", err=True)
        raise typer.Exit(code=2)
    console = Console(stderr=True)
    if out.exists():
        out.unlink()
    with Progress(
        TextColumn("[bold]state-channel fuzz"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("runs (shrinking runs past the total)"),
        TimeElapsedColumn(),
        console=console,
    ) as progress:
        task = progress.add_task("fuzz", total=examples)
        report = run_fuzz(
            fuzz_settings(examples, steps=steps),
            seed=seed,
            failure_path=out,
            on_example=lambda: progress.advance(task),
        )
    if report.failure is None:
        typer.echo(f"ok: {report.examples} runs, no failure (seed {seed})")
        return
    typer.echo(report.failure)
    if report.stream is not None:
        typer.echo(f"shrunk run: {report.steps} steps, written to {report.stream}")
    raise typer.Exit(code=1)
