"""Benchmarks of the sweep executors (specs/sweeps.md "Performance").

1. Speed-up: the same sweep (32 runs, the size of examples/nakamoto_alpha_k.yaml, of a
   20-validator, 20-host, 8-tenant population, 150 blocks each) on a process pool of 2
   workers and serially in this process. The baseline is the serial sweep measured in
   the same run; the ratio is serial time / pool time (wall clock, pool start-up
   included). Target >= 1.8x on 2 idle cores. The two sweeps must write identical tables.
   The pool sweep runs first, so that both start from the same process state (the
   package imported, no run yet): forked workers (specs/sweeps.md D10) inherit no cache
   a serial sweep filled, and each pays its first-run warm-up as the serial sweep does.
2. Throughput: runs per minute of the pool sweep, recorded with the speed-up.

The machine is shared: run it on a quiet machine, several times, and report the best and
the spread:
    python -m pytest bench/test_bench_sweeps.py --benchmark-enable -q -s
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pandas as pd

from dait_chain.sweeps import parse_config, sweep
from dait_chain.sweeps.executors import ProcessExecutor, SerialExecutor

TARGET_SPEEDUP = 1.8
WORKERS = 2
CONFIG = """\
name: bench
run: {blocks: 150, snapshot_every: 50}
validators: {count: 20, stake_dait: [20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000,
  20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000, 20000]}
hosts: {count: 20, concentration: 0.2}
tenants: {count: 8, session_rate: 0.15}
params: {distribution.allocation_interval_blocks: 10, state_channel.challenge_window_ms: 60000}
sweep:
  grid: {pouw.alpha: [0, 2], pouw.k: [1, 8]}
  seeds: 8
"""


def test_two_workers_speed_up_over_serial(benchmark: Any, tmp_path: Path) -> None:
    cfg = parse_config(CONFIG)
    rounds: list[float] = []

    def pool_sweep() -> Any:
        out = tmp_path / f"pool{len(rounds)}"
        begun = time.perf_counter()
        report = sweep(cfg, out=out, executor=ProcessExecutor(WORKERS))
        rounds.append(time.perf_counter() - begun)
        return report

    report = benchmark.pedantic(pool_sweep, rounds=1, iterations=1)
    started = time.perf_counter()
    serial = sweep(cfg, out=tmp_path / "serial", executor=SerialExecutor())
    serial_seconds = time.perf_counter() - started
    pd.testing.assert_frame_equal(report.table, serial.table)
    pd.testing.assert_frame_equal(report.validators, serial.validators)
    pool_seconds = rounds[-1]
    ratio = serial_seconds / pool_seconds
    info = {
        "runs": cfg.run_count,
        "serial_seconds": round(serial_seconds, 3),
        "pool_seconds": round(pool_seconds, 3),
        "ratio": round(ratio, 3),
        "target_ratio": TARGET_SPEEDUP,
        "meets_target": ratio >= TARGET_SPEEDUP,
        "pool_runs_per_minute": round(60 * cfg.run_count / pool_seconds, 2),
        "serial_runs_per_minute": round(60 * cfg.run_count / serial_seconds, 2),
    }
    benchmark.extra_info.update(info)
    print(f"\nsweeps speed-up on {WORKERS} workers: {info}")
