"""Simulation of x/staking_tiers: scenario actions and weighted random operations
(specs/staking_tiers.md §10).

Scenario actions `lock {owner, amount}` and `unlock {owner, amount}` compile to MsgLock and
MsgUnlock (amounts as the harness reads them: an int of uDAIT or "369 DAIT"). The random
operations take the rng as an argument and draw nothing of their own.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from dait_chain.app.testkit import Actor as ChainActor
from dait_chain.codec.value import ProtoValue
from dait_chain.sim.actions import ActionContext, register_action
from dait_chain.x.staking_tiers.keys import MODULE_NAME
from dait_chain.x.staking_tiers.params import DEFAULT_HEAVY_THRESHOLD_UDAIT
from dait_chain.x.staking_tiers.types import MsgLock, MsgUnlock


def compile_lock(ctx: ActionContext) -> None:
    """lock {owner, amount}: MsgLock."""
    who = ctx.actor_arg("owner")
    ctx.submit(who, MsgLock(who.address, ctx.amount_arg("amount")))


def compile_unlock(ctx: ActionContext) -> None:
    """unlock {owner, amount}: MsgUnlock."""
    who = ctx.actor_arg("owner")
    ctx.submit(who, MsgUnlock(who.address, ctx.amount_arg("amount")))


register_action("lock", compile_lock, module=MODULE_NAME, summary="lock {owner, amount}")
register_action("unlock", compile_unlock, module=MODULE_NAME, summary="unlock {owner, amount}")


Operation = Callable[[random.Random, list[ChainActor]], list[tuple[ChainActor, ProtoValue]]]


@dataclass(frozen=True, slots=True)
class WeightedOperation:
    """A random operation and its relative weight (Cosmos simulation.WeightedOperation)."""

    weight: int
    op: Operation


def op_lock(rng: random.Random, accounts: list[ChainActor]) -> list[tuple[ChainActor, ProtoValue]]:
    """Lock around the Heavy threshold: sometimes just below, sometimes at or above it."""
    who = rng.choice(accounts)
    amount = DEFAULT_HEAVY_THRESHOLD_UDAIT + rng.randint(-2, 2) * 1_000_000
    return [(who, MsgLock(who.address, amount))]


def op_unlock(
    rng: random.Random, accounts: list[ChainActor]
) -> list[tuple[ChainActor, ProtoValue]]:
    """Unlock a random slice (refused when more than is locked)."""
    who = rng.choice(accounts)
    return [(who, MsgUnlock(who.address, rng.randint(1, 50) * 1_000_000))]


def weighted_operations() -> tuple[WeightedOperation, ...]:
    """Locks twice as often as unlocks."""
    return (WeightedOperation(2, op_lock), WeightedOperation(1, op_unlock))
