"""Compiling a scenario into a tx stream, by running it (specs/harness.md "Compiling").

The compiler drives a Harness through the scenario's timeline: at each height that has
actions (or a halt, or the scenario's end), it first crosses the heights before it (sparse
or dense), then asks each action's compiler for its txs against the state committed so
far, signs them with the actors' keys and the accounts' current numbers and sequences,
runs the block, and records it with its results as a stream block. Compiling is therefore
also running: `dait-sim run` is this loop with observers attached.

Everything is a function of the scenario: actor keys come from seeds, block times from the
clock rule plus a jitter drawn from random.Random(f"{seed}/jitter/{height}"), each action's
rng from random.Random(f"{seed}/action/{index}"). No wall clock, no global randomness.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dait_chain.app.abci import TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.genesis import GenesisSpec, GenesisValidator, build_genesis
from dait_chain.app.tx import build_tx
from dait_chain.codec.jcs import MAX_SAFE_INTEGER
from dait_chain.crypto.secp256k1 import pubkey_from_privkey
from dait_chain.errors import DaitError
from dait_chain.sim.actions import (
    ActionContext,
    Actor,
    CompileWorld,
    TxPlan,
    get_action,
    load_module_actions,
    make_actor,
)
from dait_chain.sim.errors import ErrActionCompile, ErrScenarioFormat, ErrUnknownAction
from dait_chain.sim.harness import BlockObserver, BlockRun, Harness, Stepping, default_proposer
from dait_chain.sim.scenario import ActionSpec, Scenario
from dait_chain.sim.stream import StreamBlock, StreamHeader, new_header


@dataclass(frozen=True, slots=True)
class CompiledScenario:
    """The stream a scenario compiled to, and the harness that ran it (its final state)."""

    scenario: Scenario
    header: StreamHeader
    blocks: tuple[StreamBlock, ...]
    harness: Harness
    world: CompileWorld

    @property
    def genesis(self) -> dict[str, Any]:
        """The genesis document of the stream."""
        assert self.header.genesis is not None
        return self.header.genesis


# ---- genesis ---------------------------------------------------------------------------------


def scenario_actors(scenario: Scenario) -> dict[str, Actor]:
    """The scenario's actors with their keys, by name (in scenario order)."""
    return {a.name: make_actor(a.name, a.key_seed) for a in scenario.actors}


def _json_number(value: Any) -> Any:
    # JCS (the genesis digest) carries integers exactly only up to 2^53 - 1; proto3 JSON
    # writes 64-bit integers as strings anyway.
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        return str(value)
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_number(v) for v in value]
    return value


def scenario_genesis(scenario: Scenario, actors: dict[str, Actor] | None = None) -> dict[str, Any]:
    """The genesis document of a scenario: accounts (in actor order) with their balances,
    validators with their self-bonds, `genesis` sections merged key by key over each
    module's section, then `params` overridden field by field."""
    actors = actors if actors is not None else scenario_actors(scenario)
    spec = GenesisSpec(
        chain_id=scenario.chain_id,
        genesis_time_ms=scenario.genesis_time_ms,
        initial_height=scenario.initial_height,
        accounts=tuple((actors[a.name].address, a.balance) for a in scenario.actors),
        validators=tuple(
            GenesisValidator(
                actors[a.name].address,
                _consensus_pubkey(actors[a.name]),
                a.self_bond,
            )
            for a in scenario.actors
            if a.self_bond > 0
        ),
    )
    doc = build_genesis(spec)
    defaults = {m.name: m.default_genesis() for m in DaitApp().modules}
    for module, section in scenario.genesis_sections.items():
        if module not in defaults:
            raise ErrScenarioFormat(
                f"genesis.{module}: no such module in the app",
                path=scenario.path,
                line=scenario.genesis_sections.line_of(module),
            )
        merged = dict(doc.get(module) or defaults[module])
        merged.update(_json_number(dict(section)))
        doc[module] = merged
    for module, overrides in scenario.params.items():
        if module not in defaults:
            raise ErrScenarioFormat(
                f"params.{module}: no such module in the app",
                path=scenario.path,
                line=scenario.params.line_of(module),
            )
        section = dict(doc.get(module) or defaults[module])
        params = dict(section.get("params") or {})
        params.update(_json_number(dict(overrides)))
        section["params"] = params
        doc[module] = section
    return doc


def _consensus_pubkey(actor: Actor) -> bytes:
    return pubkey_from_privkey(actor.consensus_privkey)


# ---- the timeline ----------------------------------------------------------------------------


def _jitter(scenario: Scenario, height: int) -> int:
    if scenario.jitter_ms == 0:
        return 0
    return random.Random(f"{scenario.seed}/jitter/{height}").randint(0, scenario.jitter_ms)


def _first_height_at(harness: Harness, time_ms: int) -> int:
    """The first height after the last block whose implied time is >= time_ms."""
    k = max(1, -(-(time_ms - harness.clock_time) // harness.interval_ms))
    return harness.clock_height + k


class _Timeline:
    """The scenario's pending actions and halts, consumed in block order."""

    def __init__(self, scenario: Scenario) -> None:
        self.by_height = sorted(
            (a for a in scenario.actions if a.at_height is not None),
            key=lambda a: (a.at_height, a.index),
        )
        self.by_time = sorted(
            (a for a in scenario.actions if a.at_time_ms is not None),
            key=lambda a: (a.at_time_ms, a.index),
        )
        self.halts = list(scenario.halts)
        self.end_height = scenario.end_height
        self.end_time_ms = scenario.end_time_ms

    def next_height(self, harness: Harness) -> int | None:
        """The next height that must be listed, or None when the scenario is over."""
        candidates: list[int] = []
        if self.by_height:
            candidates.append(max(self.by_height[0].at_height or 0, harness.clock_height + 1))
        if self.by_time:
            candidates.append(_first_height_at(harness, self.by_time[0].at_time_ms or 0))
        if self.halts:
            candidates.append(max(self.halts[0].height, harness.clock_height + 1))
        if self.end_height is not None and self.end_height > harness.clock_height:
            candidates.append(self.end_height)
        if self.end_time_ms is not None and self.end_time_ms > harness.clock_time:
            candidates.append(_first_height_at(harness, self.end_time_ms))
        return min(candidates) if candidates else None

    def take(self, height: int, time_ms: int) -> list[ActionSpec]:
        """The actions of the block at (height, time_ms), in scenario order."""
        due: list[ActionSpec] = []
        while self.by_height and (self.by_height[0].at_height or 0) <= height:
            due.append(self.by_height.pop(0))
        while self.by_time and (self.by_time[0].at_time_ms or 0) <= time_ms:
            due.append(self.by_time.pop(0))
        return sorted(due, key=lambda a: a.index)

    def halt_ms(self, height: int) -> int:
        """The halt time added before the block at height (consuming the halts there)."""
        total = 0
        while self.halts and self.halts[0].height <= height:
            total += self.halts.pop(0).duration_ms
        return total


# ---- compiling -------------------------------------------------------------------------------


def _sign(app: DaitApp, plans: Sequence[TxPlan], path: str) -> list[bytes]:
    """Sign each plan with its signer's account number and next sequence (counting the
    earlier txs of the same signer in this block) and the fee (min_fee by default)."""
    ctx = app.query_context()
    min_fee = app.keepers.auth.get_params(ctx).min_fee
    pending: dict[str, int] = {}
    txs: list[bytes] = []
    for plan in plans:
        account = app.keepers.auth.account(ctx, plan.signer.address)
        if account is None:
            raise ErrActionCompile(
                f"actor {plan.signer.name!r} has no account (give it a balance)", path=path
            )
        sequence = account.sequence + pending.get(plan.signer.address, 0)
        pending[plan.signer.address] = pending.get(plan.signer.address, 0) + 1
        txs.append(
            build_tx(
                plan.msgs,
                plan.signer.privkey,
                app.chain_id,
                account.account_number,
                sequence,
                min_fee if plan.fee is None else plan.fee,
                memo=plan.memo,
            )
        )
    return txs


def _compile_action(
    spec: ActionSpec,
    scenario: Scenario,
    harness: Harness,
    world: CompileWorld,
    height: int,
    time_ms: int,
) -> list[TxPlan]:
    registered = get_action(spec.action)
    if registered is None:
        raise ErrUnknownAction(
            f"unknown action {spec.action!r}", path=scenario.path, line=spec.line
        )
    ctx = ActionContext(
        action=spec.action,
        args=spec.args,
        path=scenario.path,
        line=spec.line,
        height=height,
        time_ms=time_ms,
        app=harness.app,
        world=world,
        rng=random.Random(f"{scenario.seed}/action/{spec.index}"),
        fee=spec.fee,
        memo=spec.memo,
    )
    try:
        registered.compiler(ctx)
    except ErrActionCompile:
        raise
    except DaitError as exc:  # a compiler's own refusal must still name the action's line
        raise ctx.fail(exc.log) from None
    ctx.check_all_read()
    return ctx.plans


def _check_expect(spec: ActionSpec, result: TxResult, scenario: Scenario, height: int) -> None:
    if spec.expect_code is None:
        return
    want = (spec.expect_code, spec.expect_codespace or "")
    if (result.code, result.codespace) != want:
        raise ErrActionCompile(
            f"{spec.action} at height {height}: expected result {want[1] or '-'}/{want[0]}, "
            f"got {result.codespace or '-'}/{result.code} ({result.log})",
            path=scenario.path,
            line=spec.line,
        )


class ScenarioRun:
    """A scenario ready to run: its genesis, stream header, harness and shared world.

    Observers can be attached to `harness.observers` before `run` (the invariant checker
    needs the app, which exists from here on)."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        stepping: Stepping = Stepping.SPARSE,
        observers: Sequence[BlockObserver] = (),
    ) -> None:
        load_module_actions()
        self.scenario = scenario
        actors = scenario_actors(scenario)
        try:
            genesis = scenario_genesis(scenario, actors)
            self.harness = Harness.from_genesis(
                genesis,
                interval_ms=scenario.block_interval_ms,
                stepping=stepping,
                observers=observers,
            )
        except ErrInvalidGenesis as exc:
            raise ErrScenarioFormat(f"genesis: {exc.log}", path=scenario.path) from None
        self.header = new_header(
            scenario.chain_id,
            genesis,
            scenario.genesis_time_ms,
            initial_height=scenario.initial_height,
            block_interval_ms=scenario.block_interval_ms,
            meta={"scenario": scenario.name, "seed": scenario.seed, "generator": "dait-sim"},
        )
        self.world = CompileWorld(actors=actors, seed=scenario.seed)

    def run(
        self,
        *,
        on_listed: Callable[[BlockRun], None] | None = None,
        stop_at: int | None = None,
    ) -> CompiledScenario:
        """Run the scenario's timeline and return the stream it compiled to.

        on_listed sees each listed block; stop_at ends the run after the block at that
        height (run even if idle), e.g. to export the state there.
        """
        scenario, harness, world = self.scenario, self.harness, self.world
        timeline = _Timeline(scenario)
        blocks: list[StreamBlock] = []
        while (height := timeline.next_height(harness)) is not None:
            if stop_at is not None and height > stop_at:
                break
            harness.advance_to(height - 1)
            time_ms = (
                harness.implied_time(height) + timeline.halt_ms(height) + _jitter(scenario, height)
            )
            plans: list[tuple[ActionSpec, TxPlan]] = []
            for spec in timeline.take(height, time_ms):
                for plan in _compile_action(spec, scenario, harness, world, height, time_ms):
                    plans.append((spec, plan))
            txs = _sign(harness.app, [p for _, p in plans], scenario.path)
            run = harness.execute(
                height, time_ms, default_proposer(harness.app, height), tuple(txs), listed=True
            )
            for (spec, plan), result in zip(plans, run.result.tx_results, strict=True):
                _check_expect(spec, result, scenario, height)
                if plan.after is not None:
                    plan.after(result)
            blocks.append(run.as_stream_block())
            if on_listed is not None:
                on_listed(run)
        if stop_at is not None and harness.clock_height < stop_at:
            harness.run_to(stop_at)
        return CompiledScenario(scenario, self.header, tuple(blocks), harness, world)


def compile_scenario(
    scenario: Scenario,
    *,
    stepping: Stepping = Stepping.SPARSE,
    observers: Sequence[BlockObserver] = (),
    on_listed: Callable[[BlockRun], None] | None = None,
    stop_at: int | None = None,
) -> CompiledScenario:
    """Run a scenario and return the tx stream it compiled to (with expected results).

    observers see every block run (listed or due); on_listed sees each listed block;
    stop_at ends the run after the block at that height.
    """
    prepared = ScenarioRun(scenario, stepping=stepping, observers=observers)
    return prepared.run(on_listed=on_listed, stop_at=stop_at)


__all__ = [
    "CompiledScenario",
    "ScenarioRun",
    "compile_scenario",
    "scenario_actors",
    "scenario_genesis",
]
