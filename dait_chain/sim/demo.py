"""The demo: the built-in `demo` scenario plus each module's own `demo_scenario`.

specs/harness.md "The CLI" (`dait-sim demo`). The scenario part runs scenarios/demo.yaml
through the harness (compile, sparse time, invariants every block) and reads what happened
from the events: the auctions and leases, the channels' calls, closes and disputes, and the
validators' reward shares. The module part calls `demo_scenario()` of x/state_channel,
x/compute_market and x/pouw's simulation.py, each guarded: a module that does not exist
yet is reported as "not yet available".
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dait_chain.app.events import Event
from dait_chain.sim.compiler import ScenarioRun
from dait_chain.sim.harness import BlockRun
from dait_chain.sim.observers import InvariantChecker, RunStats
from dait_chain.sim.scenario import builtin_scenario, load_scenario

DEMO_MODULES = ("state_channel", "compute_market", "pouw")
NOT_AVAILABLE = "not yet available"


@dataclass(frozen=True, slots=True)
class LeaseLine:
    """One deployment's auction and lease, as its events tell it."""

    deployment_id: int
    tenant: str
    provider: str
    price_uDAIT: int
    clock_uDAIT: int
    won_height: int
    closed: str  # the LeaseClosed reason, or "running"
    paid_uDAIT: int


@dataclass(frozen=True, slots=True)
class ChannelLine:
    """One channel's settlement."""

    channel_id: str
    user: str
    host: str
    reason: str
    turn_num: int
    paid_host_uDAIT: int
    refunded_user_uDAIT: int
    settled_height: int
    challenged: bool


@dataclass(frozen=True, slots=True)
class RewardLine:
    """A validator's block rewards over the run and its share of all validator rewards."""

    validator: str
    rewards_uDAIT: int
    share_permille: int


@dataclass(frozen=True, slots=True)
class CreditLine:
    """A host's useful-work credits after its last reveal, and the validator it backs."""

    host: str
    jobs_revealed: int
    tokens_out: int
    credits: str
    validator: str


@dataclass(frozen=True, slots=True)
class ScenarioDemo:
    """What the demo scenario did."""

    scenario: str
    blocks_run: int
    listed_blocks: int
    final_height: int
    txs: int
    txs_ok: int
    leases: tuple[LeaseLine, ...]
    channels: tuple[ChannelLine, ...]
    rewards: tuple[RewardLine, ...]
    credits: tuple[CreditLine, ...]
    community_pool_uDAIT: int
    invariant_checks: int
    app_hash: str


@dataclass(frozen=True, slots=True)
class ModuleDemo:
    """One module's own demo: ok, not yet available, or failed; its report lines."""

    module: str
    status: str
    lines: tuple[str, ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DemoReport:
    """The whole demo."""

    scenario: ScenarioDemo
    modules: tuple[ModuleDemo, ...]

    def to_json(self) -> dict[str, Any]:
        """The report as JSON."""
        return {
            "scenario": dataclasses.asdict(self.scenario),
            "modules": [
                {"module": m.module, "status": m.status, "lines": list(m.lines), "data": m.data}
                for m in self.modules
            ],
        }

    @property
    def ok(self) -> bool:
        """Whether no module demo failed."""
        return all(m.status != "failed" for m in self.modules)


class _Collector:
    """Reads the demo's story out of the events of every block."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.won: dict[int, dict[str, Any]] = {}
        self.closed: dict[int, tuple[str, int]] = {}
        self.settled: dict[str, dict[str, Any]] = {}
        self.challenged: set[str] = set()
        self.rewards: dict[str, int] = {}
        self.community_pool = 0
        self.credit_target: dict[str, str] = {}
        self.revealed: dict[str, tuple[int, int, str]] = {}  # host -> (jobs, tokens, credits)

    def name(self, address: str | None) -> str:
        return self.names.get(address or "", address or "")

    def on_block(self, run: BlockRun) -> None:
        result = run.result
        events = [*result.begin_events]
        for tx in result.tx_results:
            events.extend(tx.events)
        events.extend(result.end_events)
        for event in events:
            self._see(run.height, event)

    def _see(self, height: int, event: Event) -> None:
        a = event.as_dict()
        if event.type == "BidWon":
            self.won[int(a["deployment_id"])] = {**a, "height": height}
        elif event.type == "LeaseClosed":
            paid = int(a.get("paid_uDAIT", 0))
            self.closed[int(a["deployment_id"])] = (a.get("reason", ""), paid)
        elif event.type == "ChannelChallenged":
            self.challenged.add(a.get("channel_id", ""))
        elif event.type == "ChannelSettled":
            self.settled[a["channel_id"]] = {**a, "height": height}
        elif event.type == "rewards":
            amount = int(a.get("amount", "0uDAIT").removesuffix("uDAIT") or 0)
            validator = self.name(a.get("validator"))
            self.rewards[validator] = self.rewards.get(validator, 0) + amount
        elif event.type == "CreditTargetSet":
            self.credit_target[self.name(a.get("host"))] = self.name(a.get("validator"))
        elif event.type == "ReceiptRevealed":
            host = self.name(a.get("host"))
            jobs, tokens, _ = self.revealed.get(host, (0, 0, ""))
            tokens += int(a.get("tokens_out", 0))
            self.revealed[host] = (jobs + 1, tokens, a.get("credits", ""))
        elif event.type == "community_pool":
            self.community_pool += int(a.get("amount", "0uDAIT").removesuffix("uDAIT") or 0)

    def leases(self) -> tuple[LeaseLine, ...]:
        out = []
        for dep_id in sorted(self.won):
            w = self.won[dep_id]
            reason, paid = self.closed.get(dep_id, ("running", 0))
            out.append(
                LeaseLine(
                    dep_id,
                    self.name(w.get("owner")),
                    self.name(w.get("provider")),
                    int(w.get("price_uDAIT", 0)),
                    int(w.get("clock_uDAIT", 0)),
                    int(w["height"]),
                    reason,
                    paid,
                )
            )
        return tuple(out)

    def channels(self) -> tuple[ChannelLine, ...]:
        return tuple(
            ChannelLine(
                cid[:16],
                self.name(s.get("user")),
                self.name(s.get("host")),
                s.get("reason", ""),
                int(s.get("turn_num", 0)),
                int(s.get("paid_host_uDAIT", 0)),
                int(s.get("refunded_user_uDAIT", 0)),
                int(s["height"]),
                cid in self.challenged,
            )
            for cid, s in sorted(self.settled.items(), key=lambda kv: (kv[1]["height"], kv[0]))
        )

    def credit_lines(self) -> tuple[CreditLine, ...]:
        return tuple(
            CreditLine(host, jobs, tokens, credits, self.credit_target.get(host, ""))
            for host, (jobs, tokens, credits) in sorted(self.revealed.items())
        )

    def reward_lines(self) -> tuple[RewardLine, ...]:
        total = sum(self.rewards.values())
        return tuple(
            RewardLine(v, amount, amount * 1000 // total if total else 0)
            for v, amount in sorted(self.rewards.items())
        )


def run_demo_scenario(name: str = "demo") -> ScenarioDemo:
    """Run the built-in scenario `name` with invariants every block and summarise it."""
    scenario = load_scenario(builtin_scenario(name))
    stats = RunStats()
    prepared = ScenarioRun(scenario, observers=[stats])
    names = {actor.address: actor.name for actor in prepared.world.actors.values()}
    collector = _Collector(names)
    checker = InvariantChecker(prepared.harness.app, every=1)
    prepared.harness.observers.extend([collector, checker])
    prepared.run()
    return ScenarioDemo(
        scenario=scenario.name,
        blocks_run=stats.blocks_run,
        listed_blocks=stats.listed_blocks,
        final_height=stats.last_height,
        txs=stats.txs,
        txs_ok=stats.txs_ok,
        leases=collector.leases(),
        channels=collector.channels(),
        rewards=collector.reward_lines(),
        credits=collector.credit_lines(),
        community_pool_uDAIT=collector.community_pool,
        invariant_checks=checker.checks,
        app_hash=stats.app_hash,
    )


def _lines_of(summary: object) -> tuple[str, ...]:
    lines = getattr(summary, "lines", None)
    if callable(lines):
        return tuple(str(line) for line in lines())
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        return tuple(_flatten(dataclasses.asdict(summary)))
    return (repr(summary),)


def _flatten(obj: Mapping[str, Any], prefix: str = "") -> list[str]:
    out: list[str] = []
    for key, value in obj.items():
        if isinstance(value, Mapping):
            out.extend(_flatten(value, f"{prefix}{key}."))
        else:
            out.append(f"{prefix}{key}: {value}")
    return out


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def module_demo(module: str) -> ModuleDemo:
    """Run x/<module>/simulation.py's demo_scenario(), guarded."""
    name = f"dait_chain.x.{module}.simulation"
    try:
        sim = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and name.startswith(exc.name):
            return ModuleDemo(module, NOT_AVAILABLE)
        raise
    demo: Callable[[], object] | None = getattr(sim, "demo_scenario", None)
    if demo is None:
        return ModuleDemo(module, NOT_AVAILABLE)
    try:
        summary = demo()
    except Exception as exc:  # a module's demo failing must not hide the others
        return ModuleDemo(module, "failed", (f"{type(exc).__name__}: {exc}",))
    data: Mapping[str, Any] = {}
    if dataclasses.is_dataclass(summary) and not isinstance(summary, type):
        data = _json_safe(dataclasses.asdict(summary))
    return ModuleDemo(module, "ok", _lines_of(summary), data)


def run_demo(*, modules: tuple[str, ...] = DEMO_MODULES) -> DemoReport:
    """The scenario demo, then each module's own demo."""
    return DemoReport(run_demo_scenario(), tuple(module_demo(m) for m in modules))


__all__ = [
    "ChannelLine",
    "DemoReport",
    "LeaseLine",
    "ModuleDemo",
    "RewardLine",
    "ScenarioDemo",
    "module_demo",
    "run_demo",
    "run_demo_scenario",
]
