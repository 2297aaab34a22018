"""dait-sim run, replay, export, bench, demo (specs/harness.md "The CLI")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dait_chain.cli import app
from dait_chain.cli.bench import rows_from_report
from dait_chain.sim.stream import read_stream, write_stream
from tests.sim.scenarios import CORE_ONLY

runner = CliRunner()


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "core.yaml"
    path.write_text(CORE_ONLY)
    return path


@pytest.fixture
def stream(tmp_path: Path, scenario: Path) -> Path:
    out = tmp_path / "core.jsonl"
    result = runner.invoke(app, ["run", str(scenario), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    return out


def test_run_prints_a_json_summary(scenario: Path, tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    result = runner.invoke(app, ["run", str(scenario), "--json", "--events", str(events)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["scenario"] == "core-only"
    assert report["last_height"] == 60
    assert report["txs"] == report["txs_ok"] == 4
    assert report["invariant_checks"] == report["blocks_run"]
    assert events.read_text().count("\n") > 0


def test_run_prints_a_readable_summary(scenario: Path) -> None:
    result = runner.invoke(app, ["run", str(scenario)])
    assert result.exit_code == 0, result.output
    assert "blocks run" in result.output and "app hash" in result.output


def test_run_quiet_prints_nothing(scenario: Path) -> None:
    result = runner.invoke(app, ["run", str(scenario), "--quiet"])
    assert (result.exit_code, result.output) == (0, "")


def test_run_knows_builtin_scenarios_by_name() -> None:
    result = runner.invoke(app, ["run", "core", "--json", "--invariants-every", "5"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["scenario"] == "core"


def test_bad_yaml_exits_2_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario: x\nactors:\n  a: {balance: 1}\nactions:\n  - at: 2\n    zap: {}\n")
    result = runner.invoke(app, ["run", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}:5: unknown action 'zap'" in result.output
    assert "Traceback" not in result.output


def test_missing_scenario_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", str(tmp_path / "none.yaml")])
    assert result.exit_code == 2
    assert f"error: {tmp_path / 'none.yaml'}: no such file" in result.output


def test_replay_of_a_good_stream_exits_0(stream: Path) -> None:
    result = runner.invoke(app, ["replay", str(stream), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["kind"] == "stream"


def test_replay_divergence_exits_1_with_height_and_tx_index(stream: Path, tmp_path: Path) -> None:
    lines = stream.read_text().splitlines()
    lines[1] = lines[1].replace('"code":0', '"code":9', 1)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["replay", str(bad)])
    assert result.exit_code == 1
    assert f"error: {bad}:2: height 2 tx 0: result: expected -/9" in result.output


def test_replay_of_a_malformed_stream_exits_2_with_its_line(stream: Path, tmp_path: Path) -> None:
    lines = stream.read_text().splitlines()
    lines[2] = lines[2][:-5]
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n")
    result = runner.invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2
    assert result.output.startswith(f"error: {bad}:3: invalid JSON")


def test_replay_checkpoint_and_resume(stream: Path, tmp_path: Path) -> None:
    cp = tmp_path / "cp.json"
    first = runner.invoke(
        app, ["replay", str(stream), "--json", "--checkpoint-at", "7", "--checkpoint", str(cp)]
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["replay", str(stream), "--json", "--resume", str(cp)])
    assert second.exit_code == 0, second.output
    a, b = json.loads(first.output), json.loads(second.output)
    assert b["resumed_from"] == 7
    assert a["app_hash"] == b["app_hash"]


def test_checkpoint_options_go_together(stream: Path) -> None:
    result = runner.invoke(app, ["replay", str(stream), "--checkpoint-at", "7"])
    assert result.exit_code == 2


def test_export_prints_the_genesis_at_a_height(scenario: Path, stream: Path) -> None:
    a = runner.invoke(app, ["export", str(scenario), "--height", "30"])
    b = runner.invoke(app, ["export", str(stream), "--height", "30"])
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert a.output == b.output
    genesis = json.loads(a.output)
    assert genesis["initial_height"] == "31"
    assert genesis["chain_id"] == "dait-sim-1"


def test_export_writes_a_file(scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    result = runner.invoke(app, ["export", str(scenario), "--height", "3", "--out", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["initial_height"] == "4"


def test_a_stream_whose_genesis_is_altered_exits_2(stream: Path, tmp_path: Path) -> None:
    header, blocks = read_stream(stream)
    assert header.genesis is not None
    header.genesis["bank"]["supply"] = "1"
    bad = tmp_path / "bad.jsonl"
    write_stream(bad, header, blocks)  # the header still names the old sha256
    result = runner.invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2
    assert f"error: {bad}:1: inline genesis has sha256" in result.output


FAKE_BENCH = """
def test_bench_fast(benchmark):
    benchmark.extra_info.update({"ratio": 0.5, "target_ratio": 1.2})
    benchmark(lambda: None)


def test_bench_slow(benchmark):
    benchmark.extra_info.update({"ratio": 3.0, "target_ratio": 2.0, "meets_target": False})
    benchmark(lambda: None)
"""


def test_bench_reads_ratios_and_targets_and_flags_a_miss(tmp_path: Path) -> None:
    (tmp_path / "test_bench_fake.py").write_text(FAKE_BENCH)
    result = runner.invoke(app, ["bench", "--path", str(tmp_path), "--json", "--max-time", "0.01"])
    assert result.exit_code == 1  # one target missed
    report = json.loads(result.stdout)
    rows = {r["name"].split("::")[-1]: r for r in report["benchmarks"]}
    assert rows["test_bench_fast"]["meets_target"] is True
    assert rows["test_bench_slow"]["meets_target"] is False
    assert rows["test_bench_fast"]["ratio"] == 0.5


def test_bench_rows_compute_the_verdict_when_absent() -> None:
    rows = rows_from_report(
        {
            "benchmarks": [
                {"fullname": "a", "extra_info": {"ratio": 1.1, "target_ratio": 1.2}},
                {"fullname": "b", "extra_info": {"ratio": 1.3, "target_ratio": 1.2}},
                {"fullname": "c", "extra_info": {}},
            ]
        }
    )
    assert [r.meets for r in rows] == [True, False, None]


def test_bench_without_a_directory_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["bench", "--path", str(tmp_path / "none")])
    assert result.exit_code == 2


def test_demo_json_has_the_scenario_and_every_module() -> None:
    result = runner.invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert len(report["scenario"]["leases"]) == 2
    assert len(report["scenario"]["channels"]) == 2
    assert [m["module"] for m in report["modules"]] == ["state_channel", "compute_market", "pouw"]
    assert all(m["status"] in ("ok", "not yet available") for m in report["modules"])
