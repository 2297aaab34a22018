"""x/pouw scenario actions: commit, reveal, credit target (specs/harness.md "Actions")."""

from __future__ import annotations

from collections import Counter

import pytest

from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.errors import ErrActionCompile
from dait_chain.sim.harness import BlockRun, Stepping
from dait_chain.sim.scenario import Scenario, builtin_scenario, load_scenario, parse_scenario
from dait_chain.spurc.simworld import account_address
from tests.sim.conftest import HashLog


class Rewards:
    def __init__(self) -> None:
        self.by_validator: Counter[str] = Counter()
        self.events: Counter[str] = Counter()

    def on_block(self, run: BlockRun) -> None:
        for event in run.result.begin_events:
            if event.type == "rewards":
                amount = event.get("amount") or "0uDAIT"
                self.by_validator[event.get("validator") or ""] += int(amount[: -len("uDAIT")])
        for tx in run.result.tx_results:
            for event in tx.events:
                self.events[event.type] += 1


@pytest.fixture
def pouw() -> Scenario:
    return load_scenario(builtin_scenario("pouw"))


def test_revealed_jobs_raise_the_targeted_validators_reward_share(pouw: Scenario) -> None:
    """val-b bonds 10 of 50 DAIT (20 % of voting power); both hosts point their credits at
    it, so once their jobs are revealed its share of rewards exceeds 20 %."""
    rewards = Rewards()
    compiled = compile_scenario(pouw, observers=[rewards])
    assert rewards.events["ReceiptCommitted"] == 2
    assert rewards.events["ReceiptRevealed"] == 2
    a = rewards.by_validator[account_address("val-a")]
    b = rewards.by_validator[account_address("val-b")]
    assert b * 5 > a + b  # > 20 %
    refused = compiled.blocks[4]
    assert refused.expect is not None and refused.expect.tx_results is not None
    assert (refused.expect.tx_results[0].codespace, refused.expect.tx_results[0].code) == (
        "pouw",
        11,
    )


def test_pouw_scenario_steps_identically_sparse_and_dense(pouw: Scenario) -> None:
    sparse, dense = HashLog(), HashLog()
    a = compile_scenario(pouw, observers=[sparse])
    b = compile_scenario(pouw, stepping=Stepping.DENSE, observers=[dense])
    for height, value in sparse.hashes.items():
        assert dense.hashes[height] == value
    assert a.harness.app.export_genesis() == b.harness.app.export_genesis()


def test_genesis_sections_merge_over_the_module_default(pouw: Scenario) -> None:
    genesis = compile_scenario(pouw, stop_at=1).genesis
    assert "params" in genesis["pouw"]  # kept from the default section
    assert genesis["pouw"]["models"][0]["model_id"] == "qwen2.5-32b-instruct"


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ("{at: 3, pouw_commit: {name: j, channel: c, tokens_out: []}}", "non-empty list"),
        ("{at: 3, pouw_commit: {name: j, channel: c, tokens_out: [0]}}", "positive integers"),
        ("{at: 3, pouw_reveal: {job: nope}}", "no pouw_job named 'nope'"),
    ],
)
def test_bad_pouw_actions_are_refused(action: str, fragment: str) -> None:
    text = (
        "scenario: p\nactors:\n  u: {balance: 5 DAIT}\n  h: {balance: 1 DAIT}\nactions:\n"
        "  - {at: 2, open_channel: {name: c, user: u, host: h, escrow: 1 DAIT}}\n"
        f"  - {action}\n"
    )
    with pytest.raises(ErrActionCompile) as info:
        compile_scenario(parse_scenario(text, "p.yaml"))
    assert fragment in info.value.what
