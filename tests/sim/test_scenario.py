"""The scenario format (specs/harness.md "Scenarios")."""

from __future__ import annotations

from pathlib import Path

import pytest

from dait_chain.sim.errors import ErrScenarioFormat
from dait_chain.sim.scenario import (
    builtin_scenarios_dir,
    load_scenario,
    parse_amount_value,
    parse_duration_ms,
    parse_scenario,
)

BASE = """
scenario: t
actors:
  alice: {balance: 1 DAIT}
actions:
"""


def parse(actions: str) -> object:
    return parse_scenario(BASE + actions, "t.yaml")


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        (0, 0),
        (999, 999),
        ("999ms", 999),
        ("90s", 90_000),
        ("2h", 7_200_000),
        ("1d12h", 129_600_000),
        ("1h30m", 5_400_000),
    ],
)
def test_durations_are_ms_or_unit_strings(text: object, ms: int) -> None:
    assert parse_duration_ms(text) == ms


@pytest.mark.parametrize("text", ["", "1x", "h", "1h 30m", "-5", -5, True, 1.5, "1.5h"])
def test_malformed_durations_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_duration_ms(text)


@pytest.mark.parametrize(
    ("text", "udait"),
    [
        (7, 7),
        ("7 uDAIT", 7),
        ("1 DAIT", 1_000_000),
        ("1.5 DAIT", 1_500_000),
        ("0.000001 DAIT", 1),
        ("369 DAIT", 369_000_000),
        ("2DAIT", 2_000_000),
    ],
)
def test_amounts_are_udait_ints_or_dait_strings(text: object, udait: int) -> None:
    assert parse_amount_value(text) == udait


@pytest.mark.parametrize("text", ["1.0000001 DAIT", "1.5 uDAIT", "-1", -1, "1 ATOM", True, 1.5])
def test_malformed_amounts_are_refused(text: object) -> None:
    with pytest.raises(ValueError):
        parse_amount_value(text)


def test_repeat_every_expands_into_occurrences_at_successive_heights() -> None:
    s = parse(
        "  - at: 5\n    repeat: 3\n    every: 4\n    send: {from: alice, to: alice, amount: 1}\n"
    )
    assert [a.at_height for a in s.actions] == [5, 9, 13]  # type: ignore[attr-defined]
    assert [a.index for a in s.actions] == [0, 1, 2]  # type: ignore[attr-defined]


def test_at_time_is_an_offset_from_genesis_time() -> None:
    s = parse_scenario(
        "genesis_time_ms: 1000\n" + BASE + "  - at_time: 2s\n    send: {}\n", "t.yaml"
    )
    assert s.actions[0].at_time_ms == 3000
    assert s.actions[0].at_height is None


@pytest.mark.parametrize(
    ("actions", "line", "fragment"),
    [
        ("  - at: 2\n    send: {}\n    delegate: {}\n", 6, "exactly one action name"),
        ("  - send: {}\n", 6, "exactly one of 'at' (height) and 'at_time'"),
        ("  - at: 2\n    at_time: 1s\n    send: {}\n", 6, "exactly one of"),
        ("  - at: 0\n    send: {}\n", 6, "outside"),
        ("  - at: two\n    send: {}\n", 6, "expected an integer"),
        ("  - at: 2\n    send: [1]\n", 7, "arguments must be a mapping"),
        ("  - at_time: 1s\n    every: 2\n    send: {}\n", 7, "'every' (heights) needs 'at'"),
        ("  - at: 2\n    expect: {code: 5, space: x}\n    send: {}\n", 7, "unknown field"),
    ],
)
def test_malformed_action_is_refused_at_its_line(actions: str, line: int, fragment: str) -> None:
    with pytest.raises(ErrScenarioFormat) as info:
        parse(actions)
    assert info.value.line == line
    assert info.value.path == "t.yaml"
    assert fragment in info.value.what


def test_yaml_syntax_error_names_its_line() -> None:
    with pytest.raises(ErrScenarioFormat) as info:
        parse_scenario("scenario: x\nactors:\n  a: {balance: 1\n  b: 2\n", "bad.yaml")
    assert info.value.line is not None and info.value.line >= 3
    assert info.value.where.startswith("bad.yaml:")


def test_duplicate_keys_are_refused_at_the_second() -> None:
    with pytest.raises(ErrScenarioFormat) as info:
        parse_scenario("scenario: x\nseed: 1\nseed: 2\nactors: {a: {}}\n", "d.yaml")
    assert info.value.line == 3
    assert "duplicate key 'seed'" in info.value.what


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("scenario: x\nactorz: {}\n", 2, "unknown field 'actorz'"),
        ("scenario: x\n", 1, "at least one actor"),
        ("scenario: x\nactors:\n  alice: {balanse: 1}\n", 3, "unknown field 'balanse'"),
        ("scenario: x\nactors:\n  al ice: {}\n", 2, "not a valid actor name"),
        ("scenario: x\nactors:\n  a: {validator: {self_bond: 0}}\n", 3, "must be positive"),
        ("scenario: x\nversion: 2\nactors: {a: {}}\n", 2, "unsupported scenario version"),
        ("- 1\n- 2\n", 1, "expected a mapping"),
    ],
)
def test_malformed_document_is_refused_at_its_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(ErrScenarioFormat) as info:
        parse_scenario(text, "x.yaml")
    assert info.value.line == line
    assert fragment in info.value.what


def test_missing_file_is_a_located_error(tmp_path: Path) -> None:
    with pytest.raises(ErrScenarioFormat) as info:
        load_scenario(tmp_path / "nope.yaml")
    assert info.value.where == str(tmp_path / "nope.yaml")


def test_every_builtin_scenario_parses() -> None:
    names = sorted(p.stem for p in builtin_scenarios_dir().glob("*.yaml"))
    assert {"core", "channels", "demo"} <= set(names)
    for name in names:
        load_scenario(builtin_scenarios_dir() / f"{name}.yaml")
