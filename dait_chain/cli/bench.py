"""`dait-sim bench`: run the benchmarks in bench/ and print each one's ratio against its target.

Every benchmark measures itself against a baseline in the same run and records, in
pytest-benchmark's `extra_info`, its `ratio` and `target_ratio` (met when ratio <= target),
as bench/ conventionally does; this verb runs them through pytest-benchmark
(`--benchmark-enable --benchmark-json`), reads those fields back and prints a table (or
JSON). Exit 0 when every stated target is met, 1 when one is missed or a benchmark failed,
2 when the benchmarks could not be run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dait_chain.cli.run import EXIT_FINDING, fail, print_json


@dataclass(frozen=True, slots=True)
class BenchRow:
    """One benchmark's outcome: its ratio to its same-run baseline, and its target."""

    name: str
    ratio: float | None
    target: float | None
    meets: bool | None
    extra: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The row as JSON."""
        return {
            "name": self.name,
            "ratio": self.ratio,
            "target_ratio": self.target,
            "meets_target": self.meets,
            "extra_info": self.extra,
        }


def default_bench_dir() -> Path:
    """bench/ next to the package (a source checkout)."""
    return Path(__file__).resolve().parents[2] / "bench"


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def rows_from_report(report: dict[str, Any]) -> list[BenchRow]:
    """The rows of a pytest-benchmark JSON report, in the report's order."""
    rows: list[BenchRow] = []
    for bench in report.get("benchmarks", []):
        extra = dict(bench.get("extra_info") or {})
        ratio = _number(extra.get("ratio"))
        target = _number(extra.get("target_ratio"))
        meets = extra.get("meets_target")
        if not isinstance(meets, bool):
            meets = None if ratio is None or target is None else ratio <= target
        rows.append(
            BenchRow(str(bench.get("fullname") or bench.get("name")), ratio, target, meets, extra)
        )
    return rows


def run_benchmarks(
    bench_dir: Path, select: str | None, max_time: float | None = None
) -> tuple[int, dict[str, Any] | None]:
    """Run pytest-benchmark on bench_dir; (pytest exit code, the JSON report or None).
    pytest's own output goes to stderr."""
    with tempfile.TemporaryDirectory(prefix="dait-bench-") as tmp:
        out = Path(tmp) / "bench.json"
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            str(bench_dir),
            "-q",
            "-p",
            "no:cacheprovider",
            "--benchmark-enable",
            f"--benchmark-json={out}",
        ]
        if select:
            cmd += ["-k", select]
        if max_time is not None:
            cmd.append(f"--benchmark-max-time={max_time}")
        completed = subprocess.run(cmd, check=False, capture_output=True, text=True)
        typer.echo(completed.stdout + completed.stderr, err=True, nl=False)
        report = json.loads(out.read_text()) if out.exists() else None
    return completed.returncode, report


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"


def bench(
    select: Annotated[
        str | None, typer.Option("-k", help="Only benchmarks matching this pytest -k expression.")
    ] = None,
    path: Annotated[Path | None, typer.Option(help="Benchmark directory (default bench/).")] = None,
    max_time: Annotated[
        float | None, typer.Option(help="pytest-benchmark's --benchmark-max-time (seconds).")
    ] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Run the benchmarks and print each ratio against its target."""
    bench_dir = path or default_bench_dir()
    if not bench_dir.is_dir():
        raise fail(f"{bench_dir}: no benchmark directory")
    code, report = run_benchmarks(bench_dir, select, max_time)
    if report is None:
        raise fail(f"{bench_dir}: pytest exited {code} without a benchmark report")
    rows = rows_from_report(report)
    missed = [r for r in rows if r.meets is False]
    if json_out:
        print_json({"pytest_exit_code": code, "benchmarks": [r.to_json() for r in rows]})
    else:
        table = Table(title="benchmarks: ratio to a same-run baseline vs target")
        for col in ("benchmark", "ratio", "target", "verdict"):
            table.add_column(col)
        for r in rows:
            verdict = {True: "meets", False: "MISSES", None: "reported"}[r.meets]
            table.add_row(r.name.split("::")[-1], _fmt(r.ratio), _fmt(r.target), verdict)
        Console().print(table)
    if code != 0 or missed:
        raise typer.Exit(code=EXIT_FINDING)
