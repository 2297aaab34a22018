"""The same config gives identical Parquet content on the serial, process-pool and Dask
executors (specs/sweeps.md "Executors"); results are sorted by run key before writing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dait_chain.sweeps import parse_config, sweep
from dait_chain.sweeps.executors import (
    DaskExecutor,
    ProcessExecutor,
    SerialExecutor,
    default_start_method,
    make_executor,
)
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
    # The serial sweep runs first, so forked workers start from a parent whose caches it
    # has filled (specs/sweeps.md D9, D10): their tables must not differ for it.
    executors = {
        "serial": SerialExecutor(),
        "process-fork": ProcessExecutor(2, start_method="fork"),
        "process-spawn": ProcessExecutor(2, start_method="spawn"),
        "dask": DaskExecutor(2),
    }
    for label, executor in executors.items():
        out = tmp_path / label
        report = sweep(cfg, out=out, executor=executor)
        assert report.ran == cfg.run_count == 4
        outs[label] = _tables(out)
    serial = outs["serial"]
    assert list(serial[0]["point_index"]) == sorted(serial[0]["point_index"])
    for name in ("process-fork", "process-spawn", "dask"):
        pd.testing.assert_frame_equal(outs[name][0], serial[0])
        pd.testing.assert_frame_equal(outs[name][1], serial[1])
    csv = pd.read_csv(tmp_path / "serial" / "results.csv")
    assert list(csv.columns) == list(serial[0].columns)


def test_process_executor_forks_on_linux_and_spawns_elsewhere(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("sys.platform", "linux")
    assert default_start_method() == "fork"
    for platform in ("darwin", "win32"):
        monkeypatch.setattr("sys.platform", platform)
        assert default_start_method() == "spawn"


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="one of serial, process, dask"):
        make_executor("threads")
