"""Results on disk: one file per finished run, written atomically, and the tidy tables
(specs/sweeps.md "Outputs", "Resume").

    <out>/runs/<run_id>.json      one per finished run (what resume looks for)
    <out>/results.parquet|.csv    one row per run x snapshot: key, params, metrics
    <out>/validators.parquet|.csv one row per run x snapshot x validator

Tables are sorted by (point_index, seed, snapshot[, validator]) before writing, so every
executor writes the same content.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final

import pandas as pd

from dait_chain.sweeps.errors import ErrSweepResults
from dait_chain.sweeps.world import RunResult

RUNS_DIR: Final = "runs"
RUN_FORMAT: Final = "dait-sweeps/run/v1"
KEY_COLUMNS: Final = ("run_id", "point_index", "seed")


def run_path(out: Path, run_id: str) -> Path:
    """Where a run's file lives."""
    return out / RUNS_DIR / f"{run_id}.json"


def write_run(out: Path, result: RunResult) -> Path:
    """Store a finished run: written to a temporary file in the same directory, flushed,
    then renamed over the final name, so a reader never sees half a file."""
    directory = out / RUNS_DIR
    directory.mkdir(parents=True, exist_ok=True)
    doc = {
        "format": RUN_FORMAT,
        "run_id": result.run_id,
        "point_index": result.point_index,
        "point": [[k, v] for k, v in result.point],
        "seed": result.seed,
        "rows": list(result.rows),
        "validators": list(result.validators),
    }
    data = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    fd, tmp = tempfile.mkstemp(prefix=f".{result.run_id}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        final = run_path(out, result.run_id)
        os.replace(tmp, final)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return final


def read_run(path: Path) -> RunResult:
    """A stored run (ErrSweepResults if the file is not one)."""
    try:
        doc = json.loads(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise ErrSweepResults(f"unreadable run file: {exc}", path=str(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != RUN_FORMAT:
        raise ErrSweepResults(f"not a {RUN_FORMAT} file", path=str(path))
    try:
        return RunResult(
            str(doc["run_id"]),
            int(doc["point_index"]),
            tuple((str(k), v) for k, v in doc["point"]),
            int(doc["seed"]),
            tuple(doc["rows"]),
            tuple(doc["validators"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ErrSweepResults(f"malformed run file: {exc}", path=str(path)) from None


def finished_runs(out: Path) -> dict[str, Path]:
    """The run ids with a stored file (temporary files of interrupted writes ignored)."""
    directory = out / RUNS_DIR
    if not directory.is_dir():
        return {}
    return {p.stem: p for p in sorted(directory.glob("*.json"))}


def _frames(results: Iterable[RunResult], swept: Sequence[str]) -> tuple[Any, Any]:
    rows: list[dict[str, Any]] = []
    vrows: list[dict[str, Any]] = []
    for r in sorted(results, key=lambda r: (r.point_index, r.seed, r.run_id)):
        point = dict(r.point)
        key: dict[str, Any] = {"run_id": r.run_id, "point_index": r.point_index, "seed": r.seed}
        key.update({name: point.get(name) for name in swept})
        for row in r.rows:
            rows.append({**key, **row})
        for index, vrow in enumerate(r.validators):
            vrows.append({**key, "snapshot": _snapshot_of(r, vrow), **vrow, "_order": index})
    table = pd.DataFrame(rows)
    validators = pd.DataFrame(vrows)
    if not table.empty:
        table = table.sort_values(["point_index", "seed", "snapshot"], kind="stable")
        table = table.reset_index(drop=True)
    if not validators.empty:
        validators = validators.sort_values(["point_index", "seed", "_order"], kind="stable").drop(
            columns=["_order"]
        )
        validators = validators.reset_index(drop=True)
    return table, validators


def _snapshot_of(result: RunResult, vrow: dict[str, Any]) -> int:
    for row in result.rows:
        if row["height"] == vrow["height"] and row["phase"] == vrow["phase"]:
            return int(row["snapshot"])
    raise ErrSweepResults(f"run {result.run_id}: validator row at an unknown snapshot")


def tables(results: Iterable[RunResult], swept: Sequence[str]) -> tuple[Any, Any]:
    """(results table, validators table) as DataFrames, sorted by run key."""
    return _frames(results, swept)


def write_tables(out: Path, table: Any, validators: Any) -> None:
    """Write both tables as Parquet (pyarrow) and CSV."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("results", table), ("validators", validators)):
        _atomic(
            out / f"{name}.parquet",
            lambda p, f=frame: f.to_parquet(p, engine="pyarrow", index=False),
        )
        _atomic(out / f"{name}.csv", lambda p, f=frame: f.to_csv(p, index=False))


def _atomic(final: Path, write: Any) -> None:
    tmp = final.with_name(f".{final.name}.tmp")
    write(tmp)
    os.replace(tmp, final)


def load_results(directory: str | Path) -> Any:
    """The results table of a sweep directory (pandas.DataFrame): results.parquet when
    present, else assembled from the run files."""
    out = Path(directory)
    parquet = out / "results.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet, engine="pyarrow")
    runs = [read_run(p) for p in finished_runs(out).values()]
    if not runs:
        raise ErrSweepResults("no results.parquet and no run files", path=str(out))
    swept = [k for k, _ in runs[0].point]
    return tables(runs, swept)[0]


def load_validators(directory: str | Path) -> Any:
    """The validators table of a sweep directory (pandas.DataFrame)."""
    out = Path(directory)
    parquet = out / "validators.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet, engine="pyarrow")
    runs = [read_run(p) for p in finished_runs(out).values()]
    if not runs:
        raise ErrSweepResults("no validators.parquet and no run files", path=str(out))
    return tables(runs, [k for k, _ in runs[0].point])[1]


__all__ = [
    "finished_runs",
    "load_results",
    "load_validators",
    "read_run",
    "run_path",
    "tables",
    "write_run",
    "write_tables",
]
