"""Genesis import/export, invariants over random operation streams, and the demo
(specs/pouw.md §10, §12, §13)."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from dait_chain.app.abci import FinalizeBlockRequest
from dait_chain.app.app import DaitApp
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.crypto.hashing import sha256
from dait_chain.x.pouw.simulation import (
    PouwSimState,
    app_modules,
    demo_scenario,
    draw_operation,
    weighted_operations,
)
from dait_chain.x.pouw.types import Commit, GenesisState, HostCredits, Model, ValidatorCredits

from .scene import make_world, ok


def _run_ops(seed: int, blocks: int) -> tuple[object, PouwSimState]:
    world = make_world(hosts=3)
    state = PouwSimState(world)
    rng = random.Random(seed)
    ops = weighted_operations()
    for _ in range(blocks):
        txs = []
        for _ in range(rng.randint(0, 3)):
            txs.extend(draw_operation(rng, ops).run(rng, state))
        world.block(txs)
    return world, state


def test_invariants_hold_over_random_operation_streams() -> None:
    """Commits, reveals and retargets drawn by weight for 40 blocks (windows expiring on
    the way): every registered invariant of every module holds after each run."""
    for seed in (1, 2, 3):
        world, _ = _run_ops(seed, 40)
        assert world.app.check_invariants() == []  # type: ignore[attr-defined]


def test_export_then_import_recreates_the_same_state_and_app_hash() -> None:
    """Cosmos import/export: importing the export into a fresh app gives the same KV pairs
    (so the same app hash), and the same next block gives the same result on both."""
    world, _ = _run_ops(5, 25)
    app = world.app  # type: ignore[attr-defined]
    exported = app.export_genesis()
    fresh = DaitApp(app_modules(world.gov.address))  # type: ignore[attr-defined]
    fresh.init_chain(exported)
    assert fresh.state_pairs() == app.state_pairs()
    assert fresh.app_hash == app.app_hash
    req = FinalizeBlockRequest(app.height + 1, app.time_ms + 999, "", ())
    assert fresh.finalize_block(req) == app.finalize_block(req)


def test_state_changes_only_in_blocks_with_work() -> None:
    """An empty block with nothing due changes no pouw state (idle costs nothing)."""
    world = make_world()
    before = world.app.state_pairs()
    ok(world.block())
    assert world.app.state_pairs() == before


def _state(**changes: object) -> GenesisState:
    world = make_world()
    base = GenesisState.from_json(world.app.export_genesis()["pouw"])
    return replace(base, **changes)  # type: ignore[arg-type]


def _import(state: GenesisState) -> None:
    world = make_world()
    doc = world.app.export_genesis()
    doc["pouw"] = state.to_json()
    DaitApp(app_modules(world.gov.address)).init_chain(doc)


@pytest.mark.parametrize(
    "change",
    [
        {
            "models": (
                Model("b", "1.000000000000000000", True, sha256(b"b")),
                Model("a", "1.000000000000000000", True, sha256(b"a")),
            )
        },
        {"models": (Model("a", "1.5", True, sha256(b"a")),)},
        {"hosts": (HostCredits("not-an-address", "1.000000000000000000", 0, ""),)},
        {"validators": (ValidatorCredits("dait1xyz", "1.000000000000000000", 0, 1),)},
        {"commits": (Commit("dait1xyz", sha256(b"c"), 10, 10),)},
    ],
    ids=[
        "models-unsorted",
        "weight-not-canonical",
        "host-address",
        "orphan-aggregate",
        "empty-window",
    ],
)
def test_invalid_genesis_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(ErrInvalidGenesis):
        _import(_state(**change))


def test_host_anchor_off_the_grid_is_refused() -> None:
    world = make_world()
    host = world.hosts[0].party.address
    with pytest.raises(ErrInvalidGenesis):
        _import(_state(hosts=(HostCredits(host, "1.000000000000000000", 5, ""),)))


def test_demo_scenario_credits_hosts_and_pays_by_effective_stake() -> None:
    """The demo's validators with credits pointed at them earn more per unit of power than
    the one without, and all minted and collected uDAIT is accounted for."""
    summary = demo_scenario(blocks=30)
    assert summary.reveals_credited > 0
    by_power = sorted(summary.validators, key=lambda v: v.power, reverse=True)
    largest = by_power[0]  # no host points at it
    boosted = [v for v in summary.validators if v.credits != "0.000000000000000000"]
    assert boosted
    for v in boosted:
        assert v.rewards_uDAIT * largest.power > largest.rewards_uDAIT * v.power
    assert summary.lines()[0].startswith("x/pouw demo: 30 blocks")
