"""Sweep configs: every mistake names its file and line; points and seeds are derived as
specs/sweeps.md "Config format" and "Seeding" state."""

from __future__ import annotations

import hashlib
import random
import subprocess
import sys
from pathlib import Path

import pytest

from dait_chain.sweeps.config import (
    canonical_json,
    model_digest,
    parse_config,
    rng_root_for,
    run_id_for,
    stream_rng,
    tasks_of,
)
from dait_chain.sweeps.errors import ErrSweepConfig
from tests.sweeps.conftest import TINY, tiny


def _error(text: str) -> ErrSweepConfig:
    with pytest.raises(ErrSweepConfig) as info:
        parse_config(text, "cfg.yaml")
    return info.value


def test_unknown_param_in_grid_names_file_and_line() -> None:
    err = _error(tiny({"  grid:": "  grid: {pouw.alpha: [0, 1], pouw.kappa: [1, 4]}"}))
    assert err.path == "cfg.yaml"
    assert err.line == TINY.splitlines().index("  grid: {pouw.alpha: [0, 1], pouw.k: [1, 4]}") + 1
    assert "unknown param 'pouw.kappa'" in err.what
    assert "half_life_blocks" in err.what  # the message lists what pouw has


def test_unknown_agent_param_names_its_line() -> None:
    err = _error(tiny({"hosts:": "hosts: {count: 4, honestly: 0.7}"}))
    assert err.line == 4
    assert "unknown param 'hosts.honestly'" in err.what


def test_unknown_module_section_is_refused() -> None:
    err = _error(tiny({"  compute_market.": "  gravity.g: 9"}))
    assert err.line == 10
    assert "sections are" in err.what


def test_empty_grid_axis_is_refused_at_its_line() -> None:
    text = TINY.replace("pouw.k: [1, 4]", "pouw.k: []")
    err = _error(text)
    assert err.line == 12
    assert "non-empty list" in err.what


def test_repeated_grid_value_is_refused() -> None:
    # 0 and 0.0 are the same LegacyDec, so the grid lists one value twice.
    err = _error(TINY.replace("pouw.alpha: [0, 1]", "pouw.alpha: [0, 0.0]"))
    assert "listed twice" in err.what


def test_value_of_the_wrong_type_is_refused() -> None:
    err = _error(TINY.replace("blocks: 30", "blocks: thirty"))
    assert err.line == 2
    assert "run.blocks" in err.what


def test_param_outside_module_bounds_is_refused_with_the_point() -> None:
    # x/pouw refuses alpha > 1000 (specs/pouw.md §3); the grid value is checked per point.
    err = _error(TINY.replace("pouw.alpha: [0, 1]", "pouw.alpha: [0, 5000]"))
    assert err.line == 12
    assert "alpha" in err.what and "point" in err.what


def test_collusion_without_network_consensus_is_refused() -> None:
    err = _error(tiny({"validators:": "validators: {count: 4, colluding: 1}"}))
    assert err.line == 3
    assert "network" in err.what


def test_grid_and_random_together_are_refused() -> None:
    text = TINY + "  random: {samples: 2, params: {pouw.alpha: {uniform: [0, 1]}}}\n"
    assert "exactly one of grid and random" in _error(text).what


def test_yaml_syntax_error_names_the_line() -> None:
    err = _error("name: x\nrun: {blocks: [\n")
    assert err.line is not None and err.path == "cfg.yaml"


def test_grid_is_the_cartesian_product_in_listed_order() -> None:
    cfg = parse_config(TINY)
    assert [p.as_dict() for p in cfg.points] == [
        {"pouw.alpha": a, "pouw.k": k}
        for a in ("0.000000000000000000", "1.000000000000000000")
        for k in ("1.000000000000000000", "4.000000000000000000")
    ]
    assert cfg.seeds == (0, 1)
    assert cfg.run_count == 8


def test_random_sample_is_the_same_for_the_same_config() -> None:
    text = TINY.replace(
        "  grid: {pouw.alpha: [0, 1], pouw.k: [1, 4]}",
        "  random: {samples: 5, seed: 3, params: {pouw.alpha: {uniform: [0, 2]},"
        " compute_market.auction_window_blocks: {int: [5, 60]}}}",
    )
    first, second = parse_config(text), parse_config(text)
    assert first.points == second.points
    assert len(first.points) == 5
    for point in first.points:
        window = point.as_dict()["compute_market.auction_window_blocks"]
        assert isinstance(window, int) and 5 <= window <= 60
    other = parse_config(text.replace("seed: 3", "seed: 4"))
    assert other.points != first.points


def test_stream_rng_is_sha256_of_root_and_name() -> None:
    """The documented derivation: Random(int(sha256(root || "/" || name)))."""
    root = bytes(range(32))
    expected = random.Random(int.from_bytes(hashlib.sha256(root + b"/tenant3").digest(), "big"))
    assert stream_rng(root, "tenant3").random() == expected.random()


def test_common_seeding_gives_every_point_the_same_randomness() -> None:
    cfg = parse_config(TINY)
    tasks = tasks_of(cfg)
    by_seed: dict[int, set[bytes]] = {}
    for task in tasks:
        by_seed.setdefault(task.seed, set()).add(task.rng_root)
    assert all(len(roots) == 1 for roots in by_seed.values())
    assert by_seed[0] != by_seed[1]


def test_independent_seeding_gives_each_point_its_own_randomness() -> None:
    cfg = parse_config(TINY.replace("  seeds: 2", "  seeds: 2\n  seeding: independent"))
    assert len({t.rng_root for t in tasks_of(cfg)}) == cfg.run_count


def test_run_id_depends_on_model_point_and_seed_only() -> None:
    """Adding a grid value or a seed leaves the ids of existing runs unchanged (resume)."""
    small = tasks_of(parse_config(TINY))
    larger = tasks_of(parse_config(TINY.replace("pouw.k: [1, 4]", "pouw.k: [1, 4, 8]")))
    assert {t.run_id for t in small} <= {t.run_id for t in larger}
    cfg = parse_config(TINY)
    digest = model_digest(cfg.model)
    point = cfg.points[1]
    material = {"model": digest, "point": point.as_dict(), "seed": 1}
    assert run_id_for(digest, point, 1) == hashlib.sha256(canonical_json(material)).hexdigest()[:16]
    assert rng_root_for(digest, point, 1, "common") == rng_root_for(
        digest, cfg.points[0], 1, "common"
    )


def test_cli_reports_a_bad_config_with_file_line_and_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(tiny({"  grid:": "  grid: {pouw.alpha: [0, 1], pouw.kappa: [1]}"}))
    proc = subprocess.run(
        [sys.executable, "-c", "from dait_chain.cli import main; main()", "sweep", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 2
    assert f"error: {config}:12: unknown param 'pouw.kappa'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_cli_reports_a_missing_config_with_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from dait_chain.cli import main; main()",
            "sweep",
            str(tmp_path / "no.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr and "Traceback" not in proc.stderr
