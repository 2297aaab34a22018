"""Shared vector sets for tests/vectors: exported once per session.

Two full exports run in parallel subprocesses under different PYTHONHASHSEED values; the
determinism test compares them byte for byte, every other test reads the first (and must
not modify it; the tamper test works on its own copy).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXPORT_TIMEOUT_S = 600


@dataclass(frozen=True)
class ExportedSets:
    """Two exports of the full vector set, under PYTHONHASHSEED 1 and 2."""

    first: Path
    second: Path


def export_in_subprocess(target: Path, hash_seed: str, *only: str) -> subprocess.Popen[bytes]:
    """Start `dait-sim vectors export target` in a fresh interpreter."""
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", "from dait_chain.cli import main; main()"]
    args += ["vectors", "export", str(target), "--quiet"]
    for item in only:
        args += ["--only", item]
    return subprocess.Popen(args, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_ok(proc: subprocess.Popen[bytes]) -> None:
    """Wait for an export; fail with its stderr if it did not succeed."""
    _, err = proc.communicate(timeout=EXPORT_TIMEOUT_S)
    assert proc.returncode == 0, err.decode(errors="replace")


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> ExportedSets:
    base = tmp_path_factory.mktemp("vectors")
    first, second = base / "hashseed-1", base / "hashseed-2"
    procs = [export_in_subprocess(first, "1"), export_in_subprocess(second, "2")]
    for proc in procs:
        wait_ok(proc)
    return ExportedSets(first, second)


@pytest.fixture(scope="session")
def vector_set(exported: ExportedSets) -> Path:
    """The full vector set (read-only for tests)."""
    return exported.first
