"""`dait-sim vectors export` / `check`: exit codes and reports (specs/vectors.md "CLI")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from dait_chain.cli import app

runner = CliRunner()


def test_export_then_check_of_a_selection_exits_zero(tmp_path: Path) -> None:
    out = runner.invoke(app, ["vectors", "export", str(tmp_path / "v"), "--only", "crypto/merkle"])
    assert out.exit_code == 0, out.output
    assert "crypto/merkle" in out.output
    checked = runner.invoke(app, ["vectors", "check", str(tmp_path / "v"), "--json"])
    assert checked.exit_code == 0, checked.output
    report = json.loads(checked.output)
    assert report["ok"] is True and report["failed"] == 0 and report["cases"] > 0


def test_check_of_an_altered_set_exits_one_and_names_the_case(
    tmp_path: Path, vector_set: Path
) -> None:
    root = tmp_path / "v"
    shutil.copytree(vector_set, root)
    target = root / "math/legacy_dec/quo/rounds_twice/result.json"
    target.write_bytes(target.read_bytes().replace(b"0.0", b"0.1", 1))
    out = runner.invoke(app, ["vectors", "check", str(root), "--only", "math"])
    assert out.exit_code == 1
    assert "math/legacy_dec/quo/rounds_twice" in out.output
    data = runner.invoke(app, ["vectors", "check", str(root), "--json", "--only", "math"])
    failed = [r for r in json.loads(data.output)["results"] if not r["ok"]]
    assert [r["case"] for r in failed] == ["math/legacy_dec/quo/rounds_twice"]
    assert "sha256" in failed[0]["detail"]


def test_usage_errors_exit_two_without_a_traceback(tmp_path: Path) -> None:
    missing = runner.invoke(app, ["vectors", "check", str(tmp_path / "none")])
    assert missing.exit_code == 2
    assert "error:" in missing.output and "Traceback" not in missing.output
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    busy = runner.invoke(app, ["vectors", "export", str(tmp_path / "full")])
    assert busy.exit_code == 2 and "not empty" in busy.output
    unknown = runner.invoke(app, ["vectors", "export", str(tmp_path / "n"), "--only", "nope"])
    assert unknown.exit_code == 2 and "nope" in unknown.output
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text("not json")
    malformed = runner.invoke(app, ["vectors", "check", str(bad)])
    assert malformed.exit_code == 2 and "manifest" in malformed.output
