"""Economic parameter sweeps: seeded agent populations driving the real keepers through
the harness, over a grid or a random sample of params x seeds (specs/sweeps.md).

    from dait_chain.sweeps import load_config, run_sweep, load_results
    table = run_sweep("examples/nakamoto_alpha_k.yaml", out="out/nakamoto")
    table = load_results("out/nakamoto")

The modules: `config` (the YAML, points, seeding), `agents` (tenants, hosts, auditors),
`world` (one run: a fresh chain and its agents), `metrics`, `executors` (serial, process
pool, Dask), `outputs` (run files, tables), `plots`, `runner` (run_sweep).
"""

from __future__ import annotations

from dait_chain.sweeps.config import SweepConfig, load_config, parse_config
from dait_chain.sweeps.outputs import load_results, load_validators
from dait_chain.sweeps.runner import SweepReport, run_sweep, sweep

__all__ = [
    "SweepConfig",
    "SweepReport",
    "load_config",
    "load_results",
    "load_validators",
    "parse_config",
    "run_sweep",
    "sweep",
]
