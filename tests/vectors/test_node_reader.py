"""The Node reader (conformance/node) reproduces the verdicts of the codec and spurc
vectors with independent libraries (specs/vectors.md "The Node reader").

Runs when `node` and `npm` are on PATH. Without them the test fails in CI (the `CI`
environment variable is set) and is skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

RUN_SH = REPO / "conformance" / "node" / "run.sh"
TIMEOUT_S = 600


def node_tools_or_skip() -> None:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not on PATH: the Node reader cannot run"
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI is set: the Node reader must run in CI)")
    pytest.skip(reason)


def run_reader(vector_dir: Path) -> subprocess.CompletedProcess[str]:
    """conformance/node/run.sh on `vector_dir`, its output captured."""
    return subprocess.run(
        ["bash", str(RUN_SH), str(vector_dir)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


def test_node_reader_reproduces_the_codec_and_spurc_verdicts(vector_set: Path) -> None:
    node_tools_or_skip()
    proc = run_reader(vector_set)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    for handler in ("codec/canonical", "codec/strict_decode", "codec/jcs", "spurc/verify_receipt"):
        row = next(line for line in lines if line.startswith(handler + " "))
        assert " 0 failed" in row, row
    assert not any(line.startswith(("FAIL", "MANIFEST")) for line in lines)


def test_node_reader_skips_the_handlers_it_does_not_read_with_a_reason(vector_set: Path) -> None:
    """Every codec and spurc handler is read or skipped on purpose, with the reason printed
    (specs/vectors.md §7)."""
    node_tools_or_skip()
    proc = run_reader(vector_set)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for handler in ("spurc/http_host", "spurc/checker", "spurc/session", "codec/json"):
        row = next(line for line in proc.stdout.splitlines() if line.startswith(handler + " "))
        reason = row.split(" skipped: ", 1)[1]
        assert reason.strip(), row


def test_node_reader_fails_on_a_handler_it_neither_reads_nor_skips(
    vector_set: Path, tmp_path: Path
) -> None:
    """A new spurc handler cannot be ignored silently: the reader reports it and fails."""
    node_tools_or_skip()
    from dait_chain.vectors.manifest import build_manifest

    root = tmp_path / "set"
    shutil.copytree(vector_set / "spurc" / "presentable", root / "spurc" / "presentable")
    shutil.copytree(vector_set / "spurc" / "presentable", root / "spurc" / "renamed")
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cases = len({r.rsplit("/", 1)[0] for r in files})
    (root / "manifest.json").write_bytes(build_manifest(("spurc",), cases, files))
    proc = run_reader(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "FAIL spurc/renamed: a handler this reader neither reads nor skips" in proc.stdout
    assert "spurc/presentable                5 passed     0 failed" in proc.stdout


def test_node_reader_reports_a_changed_expectation(vector_set: Path, tmp_path: Path) -> None:
    """The reader is not vacuous: an expected error code changed (manifest regenerated so
    the files are consistent) is reported as a mismatch and the run fails."""
    node_tools_or_skip()
    import json

    from dait_chain.vectors.manifest import build_manifest

    root = tmp_path / "set"
    shutil.copytree(vector_set / "spurc" / "verify_receipt", root / "spurc" / "verify_receipt")
    rel = "spurc/verify_receipt/refused/price_mismatch/result.json"
    (root / rel).write_text((root / rel).read_text().replace('"code": 26', '"code": 27'))
    files = {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    cases = len({r.rsplit("/", 1)[0] for r in files})
    (root / "manifest.json").write_bytes(build_manifest(("spurc/verify_receipt",), cases, files))
    proc = run_reader(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert (
        "FAIL spurc/verify_receipt/refused/price_mismatch: expected spurc/27, got spurc/26"
        in proc.stdout
    )
    assert json.loads((root / "manifest.json").read_bytes())["cases"] == cases
