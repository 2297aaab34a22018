"""x/staking_tiers genesis: validate, import, export (specs/staking_tiers.md §8).

The queue and the owner index are derived from the entries on import.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, ClassVar

from dait_chain.app.context import Context
from dait_chain.codec.errors import CodecError
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import validate_address
from dait_chain.errors import DaitError
from dait_chain.pb.dait.staking_tiers.v1 import staking_tiers_pb2 as pb
from dait_chain.x.staking_tiers.errors import ErrInvalidGenesis
from dait_chain.x.staking_tiers.keeper import Keeper
from dait_chain.x.staking_tiers.params import Params
from dait_chain.x.staking_tiers.types import Lock, UnbondingEntry


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """The module's whole state (proto dait.staking_tiers.v1.GenesisState)."""

    PROTO: ClassVar = pb.GenesisState
    params: Params = field(default_factory=Params)
    locks: tuple[Lock, ...] = ()
    unbondings: tuple[UnbondingEntry, ...] = ()
    next_unbonding_id: int = 1


def default_genesis() -> dict[str, Any]:
    """Default params, no locks, ids from 1."""
    return GenesisState().to_json()


def _fail(detail: str) -> ErrInvalidGenesis:
    return ErrInvalidGenesis(f"staking_tiers: {detail}")


def validate_genesis(state: GenesisState) -> None:
    """Params valid (else ErrInvalidParams); locks sorted by owner, unique and positive;
    entries sorted by id, unique, positive, below next_unbonding_id, at most
    max_unbonding_entries per owner."""
    state.params.validate()  # ErrInvalidParams names the field
    try:
        for lock in state.locks:
            validate_address(lock.owner)
        for entry in state.unbondings:
            validate_address(entry.owner)
    except DaitError as exc:
        raise _fail(exc.log) from None
    for a, b in itertools.pairwise(state.locks):
        if not a.owner < b.owner:
            raise _fail(f"locks not sorted or not unique at {b.owner}")
    for a2, b2 in itertools.pairwise(state.unbondings):
        if not a2.id < b2.id:
            raise _fail(f"unbondings not sorted or not unique at {b2.id}")
    if any(lock.amount_uDAIT == 0 for lock in state.locks):
        raise _fail("a lock of zero is stored as no lock")
    per_owner: dict[str, int] = {}
    for entry in state.unbondings:
        if entry.amount_uDAIT == 0 or not 1 <= entry.id < state.next_unbonding_id:
            raise _fail(f"unbonding {entry.id}: zero amount or id outside 1..next-1")
        per_owner[entry.owner] = per_owner.get(entry.owner, 0) + 1
        if per_owner[entry.owner] > state.params.max_unbonding_entries:
            raise _fail(f"{entry.owner}: more than max_unbonding_entries")


def parse_genesis(data: dict[str, Any]) -> GenesisState:
    """The section as a value; ErrInvalidGenesis on malformed or invalid content."""
    try:
        state = GenesisState.from_json(data)
    except CodecError as exc:
        raise _fail(exc.log) from None
    validate_genesis(state)
    return state


def init_genesis(keeper: Keeper, ctx: Context, data: dict[str, Any]) -> None:
    """Write params, locks and entries; rebuild the queue and the owner index."""
    state = parse_genesis(data)
    keeper.params.set(ctx, state.params)
    for lock in state.locks:
        keeper.locks.set(ctx, lock.owner, lock.amount_uDAIT)
    for entry in state.unbondings:
        keeper.unbondings.set(ctx, entry.id, entry)
        keeper.unbondings_by_owner.add(ctx, (entry.owner, entry.id))
        keeper.unbonding_queue.add(ctx, entry.completion_time_ms, entry.id)
    keeper.unbonding_seq.set(ctx, state.next_unbonding_id)


def export_genesis(keeper: Keeper, ctx: Context) -> dict[str, Any]:
    """Params, locks by owner, entries by id, the next id."""
    state = GenesisState(
        params=keeper.get_params(ctx),
        locks=tuple(Lock(owner=o, amount_uDAIT=a) for o, a in keeper.locks.iterate(ctx)),
        unbondings=tuple(keeper.unbondings.values(ctx)),
        next_unbonding_id=keeper.unbonding_seq.peek(ctx),
    )
    return state.to_json()
