"""Hypothesis strategies for scenarios and tx streams (the harness's two input levels,
dait_chain/sim/scenario.py and dait_chain/sim/stream.py).

    from dait_chain.testing.sim import tx_streams
    @given(tx_streams())
    def test_my_chain_replays_the_reference_stream(stream):
        my_chain.init(stream.genesis)
        for block in stream.blocks: assert my_chain.run(block) == block.expect

`scenario_texts()` writes scenario YAML with named actors (some of them validators), bank
sends, delegations and undelegations at increasing heights; `scenarios()` parses them;
`tx_streams()` compiles them into the tx stream the harness writes: the genesis, each
listed block's signed txs and its expected results (tx codes, events digests, app hash).
Compiling runs a chain, so draw tx streams with small `max_examples`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.scenario import Scenario, parse_scenario
from dait_chain.sim.stream import StreamBlock, StreamHeader

ACTOR_NAMES = ("alice", "bob", "carol", "dave")


@st.composite
def scenario_texts(draw: st.DrawFn, max_actions: int = 6) -> str:
    """A scenario YAML document that compiles: actors with balances, one or two
    validators, and sends/delegations/undelegations that their balances allow."""
    users = draw(st.lists(st.sampled_from(ACTOR_NAMES), min_size=2, max_size=4, unique=True))
    validators = ["val-a", "val-b"][: draw(st.integers(1, 2))]
    lines = [
        "scenario: generated",
        f"seed: {draw(st.integers(0, 2**31))}",
        f"end_height: {draw(st.integers(2, 20))}",
        "actors:",
    ]
    lines += [f"  {u}: {{balance: {draw(st.integers(10, 1000))} DAIT}}" for u in users]
    lines += [
        f"  {v}: {{balance: 10 DAIT, validator: {{self_bond: 100 DAIT}}}}" for v in validators
    ]
    lines.append("actions:")
    height = 2
    delegated: dict[tuple[str, str], int] = {}
    for _ in range(draw(st.integers(1, max_actions))):
        height += draw(st.integers(0, 3))
        kind = draw(st.sampled_from(("send", "delegate", "undelegate")))
        a = draw(st.sampled_from(users))
        if kind == "send":
            b = draw(st.sampled_from([u for u in users if u != a]))
            lines += [
                f"  - at: {height}",
                f"    send: {{from: {a}, to: {b}, amount: {draw(st.integers(1, 5000))}}}",
            ]
        elif kind == "delegate":
            v = draw(st.sampled_from(validators))
            amount = draw(st.integers(1, 5_000_000))
            delegated[(a, v)] = delegated.get((a, v), 0) + amount
            lines += [
                f"  - at: {height}",
                f"    delegate: {{delegator: {a}, validator: {v}, amount: {amount}}}",
            ]
        elif delegated:
            (a, v), total = draw(st.sampled_from(sorted(delegated.items())))
            amount = draw(st.integers(1, total))
            delegated[(a, v)] = total - amount
            if delegated[(a, v)] == 0:
                del delegated[(a, v)]
            lines += [
                f"  - at: {height}",
                f"    undelegate: {{delegator: {a}, validator: {v}, amount: {amount}}}",
            ]
    if lines[-1] == "actions:":
        lines += ["  - at: 2", f"    send: {{from: {users[0]}, to: {users[1]}, amount: 1}}"]
    lines[2] = f"end_height: {max(height + 1, int(lines[2].split(': ')[1]))}"
    return "\n".join(lines) + "\n"


def scenarios(max_actions: int = 6) -> st.SearchStrategy[Scenario]:
    """Parsed scenarios (see scenario_texts)."""
    return scenario_texts(max_actions).map(lambda text: parse_scenario(text, "<generated>"))


@dataclass(frozen=True, slots=True)
class TxStream:
    """A compiled stream: header (with the genesis inline) and listed blocks, each with
    its expected results."""

    header: StreamHeader
    blocks: tuple[StreamBlock, ...]

    @property
    def genesis(self) -> dict[str, Any]:
        assert self.header.genesis is not None  # compiled streams carry it inline
        return self.header.genesis


def tx_streams(max_actions: int = 4) -> st.SearchStrategy[TxStream]:
    """Tx streams compiled from generated scenarios (signed txs, expected results)."""

    def compile_(scenario: Scenario) -> TxStream:
        compiled = compile_scenario(scenario)
        return TxStream(compiled.header, compiled.blocks)

    return scenarios(max_actions).map(compile_)


__all__ = ["TxStream", "scenario_texts", "scenarios", "tx_streams"]
