"""Determinism: the same scenario gives the same app hash at every height under any
PYTHONHASHSEED (specs/harness.md "Determinism")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import dait_chain

REPO = Path(dait_chain.__file__).resolve().parents[1]

SCRIPT = """
import json, sys
from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.scenario import builtin_scenario, load_scenario, parse_scenario
from tests.sim.scenarios import MINI_ALL

hashes = {}

class Log:
    def on_block(self, run):
        hashes[run.height] = run.result.app_hash.hex()

for scenario in (parse_scenario(MINI_ALL, "mini.yaml"), load_scenario(builtin_scenario("demo"))):
    hashes.clear()
    compiled = compile_scenario(scenario, observers=[Log()])
    print(json.dumps({"scenario": scenario.name, "hashes": hashes,
                      "stream": [b.expect.app_hash for b in compiled.blocks]}, sort_keys=True))
"""


def run_with_hash_seed(seed: str) -> list[dict[str, object]]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=REPO,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_app_hash_at_every_height_is_independent_of_pythonhashseed() -> None:
    """Invariant: three interpreters with different string-hash seeds run the same
    scenarios (every module, jitter, a halt; and the built-in demo) to the same app hash at
    every height they run."""
    runs = [run_with_hash_seed(seed) for seed in ("0", "1", "4242")]
    assert runs[0] == runs[1] == runs[2]
    assert [r["scenario"] for r in runs[0]] == ["mini-all", "demo"]
    assert all(len(r["hashes"]) > 10 for r in runs[0])  # type: ignore[arg-type]
