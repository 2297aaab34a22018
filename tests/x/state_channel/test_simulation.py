"""The simulation room: the demo scenario, the weighted operations, genesis refusals and
determinism (specs/state_channel.md §11, §16, §18)."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from dataclasses import replace

import pytest

from dait_chain.app.app import DaitApp
from dait_chain.errors import DaitError
from dait_chain.x.state_channel.errors import ErrInvalidGenesis, ErrInvalidParams
from dait_chain.x.state_channel.params import default_params, validate
from dait_chain.x.state_channel.simulation import demo_scenario, run_random_blocks

from .scene import make_scene

# The simulated host's rate card (spurc.simworld.DEFAULT_RATE_CARD): 10 uDAIT per call,
# 1 per token in, 2 per token out. A demo call sends "demo prompt i" (3 words, so 3 tokens
# in) with max_tokens 8 (8 tokens out): 10 + 3 + 16 = 29 uDAIT.
DEMO_CALL_PRICE = 10 + 3 * 1 + 8 * 2


def test_demo_settles_the_cooperative_channel_and_the_dispute_for_the_honest_host() -> None:
    summary = demo_scenario(calls=120, dispute_calls=30)
    coop, dispute = summary.cooperative, summary.dispute
    assert (coop.reason, coop.settled_turn, coop.calls) == ("cooperative", 120, 120)
    assert coop.paid_host_uDAIT == 120 * DEMO_CALL_PRICE
    assert coop.paid_host_uDAIT + coop.refunded_user_uDAIT == coop.escrow_uDAIT
    # bob challenged with turn 0; host-b answered with turn 30 and was paid for 30 calls.
    assert (dispute.reason, dispute.settled_turn) == ("challenge_expired", 30)
    assert dispute.paid_host_uDAIT == 30 * DEMO_CALL_PRICE
    assert summary.invariants_broken == ()


def test_weighted_operations_keep_every_invariant() -> None:
    """Invariant: a seeded random run of the module's operations breaks no invariant."""
    world = run_random_blocks(seed=11, blocks=60)
    assert world.chain.app.check_invariants() == []
    assert world.channels  # some channels were opened


def test_same_seed_gives_the_same_app_hash() -> None:
    a = run_random_blocks(seed=5, blocks=40).chain.app.app_hash
    b = run_random_blocks(seed=5, blocks=40).chain.app.app_hash
    assert a == b


_HASH_SCRIPT = (
    "from dait_chain.x.state_channel.simulation import run_random_blocks;"
    "print(run_random_blocks(seed=3, blocks=30).chain.app.app_hash.hex())"
)


def test_app_hash_does_not_depend_on_pythonhashseed() -> None:
    """Invariant: no iteration order in the module depends on Python's hash seed."""
    hashes = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", _HASH_SCRIPT], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        hashes.add(done.stdout.strip())
    assert len(hashes) == 1


# --- params and genesis refusals (specs §11, §16) -----------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"challenge_window_ms": 0},
        {"challenge_window_ms": 31_536_000_001},
        {"min_escrow_uDAIT": 0},
        {"max_channel_duration_ms": 0},
        {"max_channel_duration_ms": 315_360_000_001},
    ],
)
def test_params_out_of_range_are_rejected(changes: dict[str, int]) -> None:
    with pytest.raises(ErrInvalidParams):
        validate(replace(default_params(), **changes))


def test_default_params_are_valid() -> None:
    validate(default_params())


def _import(genesis: dict[str, object]) -> None:
    DaitApp().init_chain(genesis)


def _exported_with_channel() -> dict[str, object]:
    scene = make_scene()
    scene.calls(2)
    return scene.chain.app.export_genesis()


def _mutated(doc: dict[str, object], mutate: object) -> dict[str, object]:
    out = copy.deepcopy(doc)
    mutate(out["state_channel"])  # type: ignore[operator]
    return out


@pytest.mark.parametrize(
    "mutate",
    [
        # a channel id that is not the §4 derivation of its parties and sequence
        lambda s: s["channels"][0].update(user_sequence="9"),
        # a user's next sequence not above its channels' sequences
        lambda s: s["sequences"].clear(),
        # channels out of order
        lambda s: s["channels"].reverse(),
        # a settled channel without its settlement
        lambda s: s["channels"][0].update(status="CHANNEL_STATUS_SETTLED"),
        # a stored state spending more than its escrow
        lambda s: s["channels"][0]["state"].update(spent_amount="99999999999"),
    ],
    ids=["id", "sequence", "order", "settled", "overspent"],
)
def test_inconsistent_genesis_is_rejected(mutate: object) -> None:
    doc = _mutated(_exported_with_channel(), mutate)
    with pytest.raises(DaitError) as caught:
        _import(doc)
    assert isinstance(caught.value, ErrInvalidGenesis), caught.value


@pytest.mark.parametrize(
    "changes",
    [
        {"challenge_window_ms": "0"},
        {"challenge_window_ms": "31536000001"},
        {"min_escrow_uDAIT": "0"},
        {"max_channel_duration_ms": "315360000001"},
    ],
)
def test_genesis_params_out_of_range_are_refused_as_invalid_params(
    changes: dict[str, str],
) -> None:
    """specs §16, D15: a params fault at import names its own rule (state_channel/24), as
    Cosmos's ValidateGenesis returns Params.Validate()'s error unwrapped."""
    doc = _mutated(_exported_with_channel(), lambda s: s["params"].update(changes))
    with pytest.raises(DaitError) as caught:
        _import(doc)
    assert isinstance(caught.value, ErrInvalidParams), caught.value
