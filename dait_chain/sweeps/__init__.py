"""Economic parameter sweeps: seeded agent populations driving the real keepers through
the harness, over a grid or a random sample of params x seeds (specs/sweeps.md).

    from dait_chain.sweeps import run_sweep, load_results
    table = run_sweep("examples/nakamoto_alpha_k.yaml", out="out/nakamoto")
    table = load_results("out/nakamoto")

The modules: `config` (the YAML, points, seeding), `agents` (tenants, hosts, auditors),
`world` (one run: a fresh chain and its agents), `metrics`, `executors` (serial, process
pool, Dask), `outputs` (run files, tables), `plots`, `runner` (run_sweep). pandas is
imported only when a table is asked for.
"""

from __future__ import annotations

from typing import Any

from dait_chain.sweeps.config import SweepConfig, load_config, parse_config

_LAZY = {
    "run_sweep": "runner",
    "sweep": "runner",
    "SweepReport": "runner",
    "load_results": "outputs",
    "load_validators": "outputs",
}


def __getattr__(name: str) -> Any:
    """The table-producing API, imported on first use (it needs pandas)."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(f"dait_chain.sweeps.{module}"), name)


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
