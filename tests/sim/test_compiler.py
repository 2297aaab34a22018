"""Compiling scenarios into tx streams (specs/harness.md "Compiling", "Actions")."""

from __future__ import annotations

import io
import random
from pathlib import Path

import pytest

from dait_chain.app.tx import decode_tx
from dait_chain.sim.actions import (
    ActionContext,
    get_action,
    make_actor,
    register_action,
    registered_actions,
)
from dait_chain.sim.compiler import compile_scenario, scenario_genesis
from dait_chain.sim.errors import (
    ErrActionCompile,
    ErrActionRegistered,
    ErrScenarioFormat,
    ErrUnknownAction,
)
from dait_chain.sim.scenario import Scenario, parse_scenario
from dait_chain.sim.stream import StreamWriter
from dait_chain.spurc.simworld import account_address
from dait_chain.x.bank.keeper import BankKeeper

T0 = 1_700_000_000_000


def stream_text(scenario: Scenario) -> str:
    compiled = compile_scenario(scenario)
    buf = io.StringIO()
    writer = StreamWriter(buf, compiled.header)
    for block in compiled.blocks:
        writer.write_block(block)
    return buf.getvalue()


def test_the_same_scenario_compiles_to_the_same_bytes(mini_all: Scenario) -> None:
    assert stream_text(mini_all) == stream_text(mini_all)


def test_actor_keys_are_spurc_simworld_keys_by_name_or_key_seed() -> None:
    assert make_actor("host-a").address == account_address("host-a")
    assert make_actor("x", "host-a").address == account_address("host-a")
    assert make_actor("x").address != make_actor("y").address


def test_genesis_holds_balances_validators_and_param_overrides(core_only: Scenario) -> None:
    genesis = scenario_genesis(core_only)
    balances = {b["address"]: b["amount"] for b in genesis["bank"]["balances"]}
    assert balances[account_address("alice")] == "10000000"
    assert genesis["staking"]["validators"][0]["operator_address"] == account_address("val")
    assert genesis["staking"]["validators"][0]["tokens"] == "10000000"
    assert int(genesis["staking"]["params"]["unbonding_time_ms"]) == 20_000
    assert int(genesis["distribution"]["params"]["allocation_interval_blocks"]) == 10


def test_core_scenario_moves_exactly_the_amounts_sent(core_only: Scenario) -> None:
    compiled = compile_scenario(core_only)
    app = compiled.harness.app
    bank = app.keepers.get("bank", BankKeeper)
    ctx = app.query_context()
    fee = 1_000  # x/auth min_fee default; alice paid two
    assert bank.balance(ctx, account_address("alice")) == 10_000_000 - 300 - 2 * fee
    # bob: +300, -1 DAIT delegated, +400000 back after unbonding, two fees
    assert (
        bank.balance(ctx, account_address("bob"))
        == 10_000_000 + 300 - 1_000_000 + 400_000 - 2 * fee
    )


def test_two_txs_of_one_signer_in_a_block_take_successive_sequences(core_only: Scenario) -> None:
    compiled = compile_scenario(core_only)
    block = compiled.blocks[0]
    assert block.height == 2
    sequences = [decode_tx(tx).auth_info.signer_infos[0].sequence for tx in block.txs]
    assert sequences == [0, 1]
    assert block.expect is not None and block.expect.tx_results is not None
    assert [r.code for r in block.expect.tx_results] == [0, 0]


def test_block_times_follow_the_clock_rule_with_jitter_and_halts() -> None:
    text = """
scenario: clock
seed: 5
end_height: 9
time:
  jitter_ms: 100
  halts: [{at: 6, duration: 1h}]
actors: {a: {balance: 1 DAIT}}
actions:
  - {at: 3, send: {from: a, to: a, amount: 1}}
"""
    compiled = compile_scenario(parse_scenario(text, "clock.yaml"))
    times = {b.height: b.time_ms for b in compiled.blocks}
    assert set(times) == {3, 6, 9}

    def jitter(h: int) -> int:
        return random.Random(f"5/jitter/{h}").randint(0, 100)

    assert times[3] == T0 + 2 * 999 + jitter(3)
    assert times[6] == times[3] + 3 * 999 + 3_600_000 + jitter(6)
    assert times[9] == times[6] + 3 * 999 + jitter(9)


def test_a_time_action_runs_in_the_first_block_whose_time_reaches_it() -> None:
    text = """
scenario: t
end_height: 20
actors: {a: {balance: 1 DAIT}}
actions:
  - {at_time: 5994ms, send: {from: a, to: a, amount: 1}}
  - {at_time: 5995ms, send: {from: a, to: a, amount: 2}}
"""
    compiled = compile_scenario(parse_scenario(text, "t.yaml"))
    # time(h) = T0 + (h - 1) * 999: height 7 is at 5994 ms, height 8 at 6993 ms.
    assert [(b.height, len(b.txs)) for b in compiled.blocks] == [(7, 1), (8, 1), (20, 0)]


def test_a_halt_pulls_a_later_time_action_into_the_halted_block() -> None:
    text = """
scenario: t
end_height: 5
time: {halts: [{at: 3, duration: 1h}]}
actors: {a: {balance: 1 DAIT}}
actions:
  - {at_time: 30m, send: {from: a, to: a, amount: 1}}
"""
    compiled = compile_scenario(parse_scenario(text, "t.yaml"))
    assert [(b.height, len(b.txs)) for b in compiled.blocks] == [(3, 1), (5, 0)]


def scenario_with(action: str) -> Scenario:
    return parse_scenario(
        f"scenario: t\nactors:\n  a: {{balance: 1 DAIT}}\nactions:\n  - at: 2\n    {action}\n",
        "t.yaml",
    )


def test_unknown_action_is_refused_at_its_line() -> None:
    with pytest.raises(ErrUnknownAction) as info:
        compile_scenario(scenario_with("teleport: {}"))
    assert (info.value.path, info.value.line) == ("t.yaml", 5)


@pytest.mark.parametrize(
    ("action", "line", "fragment"),
    [
        # an argument's own error points at the argument (line 6), a missing one at the item
        ("send: {from: a, to: a, amount: 1, memo: x}", 6, "unknown argument 'memo'"),
        ("send: {from: zed, to: a, amount: 1}", 6, "unknown actor 'zed'"),
        ("send: {from: a, to: nobody, amount: 1}", 6, "neither an actor nor an address"),
        ("send: {from: a, to: a}", 5, "missing argument 'amount'"),
        ("send: {from: a, to: a, amount: lots}", 6, "is not an amount"),
        ("session: {channel: nope, calls: 1}", 6, "no channel named 'nope'"),
    ],
)
def test_bad_action_arguments_are_refused_at_their_line(
    action: str, line: int, fragment: str
) -> None:
    with pytest.raises(ErrActionCompile) as info:
        compile_scenario(scenario_with(action))
    assert info.value.path == "t.yaml"
    assert info.value.line == line
    assert fragment in info.value.what


def test_an_unexpected_result_is_refused_at_the_action() -> None:
    scenario = scenario_with("send: {from: a, to: a, amount: 5 DAIT}\n    expect: {code: 0}")
    with pytest.raises(ErrActionCompile) as info:
        compile_scenario(scenario)
    assert "expected result -/0, got sdk/5" in info.value.what


def test_an_expected_failure_compiles_and_is_recorded() -> None:
    scenario = scenario_with(
        "send: {from: a, to: a, amount: 5 DAIT}\n    expect: {code: 5, codespace: sdk}"
    )
    compiled = compile_scenario(scenario)
    assert compiled.blocks[0].expect is not None
    assert compiled.blocks[0].expect.tx_results is not None
    assert compiled.blocks[0].expect.tx_results[0].code == 5


def test_genesis_section_of_an_unknown_module_is_refused() -> None:
    text = "scenario: t\ngenesis:\n  nomodule: {}\nactors: {a: {}}\n"
    with pytest.raises(ErrScenarioFormat) as info:
        compile_scenario(parse_scenario(text, "t.yaml"))
    assert info.value.line == 3


def test_registering_a_taken_action_name_is_refused() -> None:
    def other(ctx: ActionContext) -> None:
        pass

    with pytest.raises(ErrActionRegistered):
        register_action("send", other)
    existing = get_action("send")
    assert existing is not None
    register_action("send", existing.compiler)  # the same compiler again: a no-op


def test_module_actions_are_registered_once_modules_load(tmp_path: Path) -> None:
    compile_scenario(scenario_with("send: {from: a, to: a, amount: 1}"))
    names = {a.name for a in registered_actions()}
    assert {
        "send",
        "delegate",
        "undelegate",
        "open_channel",
        "session",
        "close_channel",
        "challenge_channel",
        "respond_challenge",
        "deploy",
        "bid",
        "lock",
    } <= names
