"""The same config gives identical Parquet content on the serial, process-pool and Dask
executors (specs/sweeps.md "Executors"); results are sorted by run key before writing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dait_chain.sweeps import parse_config, sweep
from dait_chain.sweeps.executors import DaskExecutor, ProcessExecutor, SerialExecutor, make_executor
from tests.sweeps.conftest import tiny

SMALL = tiny(
    {
        "run:": "run: {blocks: 20, snapshot_every: 10}",
        "  grid:": "  grid: {pouw.alpha: [0, 2], pouw.k: [4]}",
    }
)


def _tables(out: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        pd.read_parquet(out / "results.parquet"),
        pd.read_parquet(out / "validators.parquet"),
    )


def test_serial_process_and_dask_write_identical_parquet(tmp_path: Path) -> None:
    cfg = parse_config(SMALL)
    outs = {}
    for executor in (SerialExecutor(), ProcessExecutor(2), DaskExecutor(2)):
        out = tmp_path / executor.name
        report = sweep(cfg, out=out, executor=executor)
        assert report.ran == cfg.run_count == 4
        outs[executor.name] = _tables(out)
    serial = outs["serial"]
    assert list(serial[0]["point_index"]) == sorted(serial[0]["point_index"])
    for name in ("process", "dask"):
        pd.testing.assert_frame_equal(outs[name][0], serial[0])
        pd.testing.assert_frame_equal(outs[name][1], serial[1])
    csv = pd.read_csv(tmp_path / "serial" / "results.csv")
    assert list(csv.columns) == list(serial[0].columns)


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="one of serial, process, dask"):
        make_executor("threads")
