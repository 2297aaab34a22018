"""`dait-sim vectors export DIR` and `dait-sim vectors check DIR` (specs/vectors.md).

export: write the conformance vector set (the same bytes on every run and machine) and its
manifest into a new or empty directory.
check: verify the manifest and replay every case against this implementation; a table of
cases per handler and the first difference of each failing case (`--all` lists every
case, `--json` prints the report as JSON). Exit 0 when every case passes, 1 when one
fails or the manifest does not match, 2 on a usage error (missing directory, not a
vector set, unknown handler, non-empty export target).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dait_chain.vectors.checker import CheckReport, check_vectors
from dait_chain.vectors.errors import VectorsError
from dait_chain.vectors.registry import ALL
from dait_chain.vectors.writer import export_vectors

app = typer.Typer(
    help="Conformance vectors: export a deterministic set, or check one against this code.",
    no_args_is_help=True,
    add_completion=False,
)

OnlyOption = Annotated[
    list[str] | None,
    typer.Option(
        "--only", help="An area (codec) or area/handler (spurc/verify_receipt); repeatable."
    ),
]


@contextmanager
def _user_errors() -> Iterator[None]:
    """A vector-set refusal is a usage error: one line on stderr, exit code 2."""
    try:
        yield
    except VectorsError as exc:
        typer.echo(f"error: {exc.log}", err=True)
        raise typer.Exit(code=2) from None


@app.command()
def export(
    directory: Annotated[Path, typer.Argument(help="New or empty directory to write.")],
    only: OnlyOption = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing on success.")] = False,
) -> None:
    """Write the vector set (DIR/<area>/<handler>/<suite>/<case>/ and DIR/manifest.json)."""
    with _user_errors():
        report = export_vectors(directory, tuple(only or (ALL,)))
    if quiet:
        return
    table = Table(title=f"vectors written to {directory}")
    table.add_column("area/handler")
    table.add_column("cases", justify="right")
    for key, count in sorted(report.cases.items()):
        table.add_row(key, str(count))
    table.add_row("total", str(report.total_cases), style="bold")
    Console().print(table)
    typer.echo(f"{report.files} files, manifest: {directory / 'manifest.json'}")


def _render(report: CheckReport, show_all: bool, console: Console) -> None:
    by_handler: dict[str, list[int]] = {}
    for case in report.cases:
        key = "/".join(case.path.split("/")[:2])
        counts = by_handler.setdefault(key, [0, 0])
        counts[0 if case.ok else 1] += 1
    summary = Table(title=f"vector check of {report.root}")
    summary.add_column("area/handler")
    summary.add_column("passed", justify="right", style="green")
    summary.add_column("failed", justify="right", style="red")
    for key in sorted(by_handler):
        passed, failed = by_handler[key]
        summary.add_row(key, str(passed), str(failed))
    console.print(summary)
    rows = report.cases if show_all else report.failed
    if rows:
        detail = Table(title="cases" if show_all else "failed cases")
        detail.add_column("case")
        detail.add_column("verdict")
        detail.add_column("first difference")
        for case in rows:
            verdict = "[green]pass[/green]" if case.ok else "[red]FAIL[/red]"
            detail.add_row(case.path, verdict, case.detail)
        console.print(detail)
    for problem in report.manifest_problems:
        console.print(f"[red]manifest:[/red] {problem}")
    status = "[green]all cases pass[/green]" if report.ok else "[red]check failed[/red]"
    console.print(f"{status}: {len(report.cases) - len(report.failed)} of {len(report.cases)}")


@app.command()
def check(
    directory: Annotated[Path, typer.Argument(help="A vector set written by export.")],
    only: OnlyOption = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    show_all: Annotated[
        bool, typer.Option("--all", help="List every case, not only failures.")
    ] = False,
) -> None:
    """Check the manifest and replay every case; exit 1 on any difference."""
    with _user_errors():
        report = check_vectors(directory, tuple(only or ()))
    if json_out:
        typer.echo(json.dumps(report.to_json(), indent=2, sort_keys=True))
    else:
        _render(report, show_all, Console())
    if not report.ok:
        raise typer.Exit(code=1)
