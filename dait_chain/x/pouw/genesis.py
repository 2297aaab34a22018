"""x/pouw genesis: validate, import, export (specs/pouw.md §10).

Import rebuilds the derived state (the commit and audit schedules, the audit counters);
export writes the stored records, so import(export) recreates the same KV pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TypeVar

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.crypto.secp256k1 import validate_pubkey
from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.x.auth.address import check_address
from dait_chain.x.pouw.credits import MAX_CREDITS
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.msg_server import MAX_MODEL_WEIGHT, check_model_id
from dait_chain.x.pouw.params import Params, parse_canonical_dec
from dait_chain.x.pouw.types import AuditCounter, GenesisState, VoterHistory, VoterSet
from dait_chain.x.pouw.vote_extensions import vote_order_key


def default_genesis() -> GenesisSection:
    """Default params and nothing else."""
    return GenesisState(Params()).to_json()


K = TypeVar("K", str, bytes, int, tuple[str, bytes], tuple[int, bytes])


def _strictly_sorted(keys: Sequence[K], what: str) -> None:
    if any(not a < b for a, b in pairwise(keys)):
        raise ErrInvalidGenesis(f"pouw: {what} must be sorted by key and unique")


def _credits(text: str, what: str) -> LegacyDec:
    value = parse_canonical_dec(text, what)
    if value.is_negative() or value.gt(MAX_CREDITS):
        raise ErrInvalidGenesis(f"pouw: {what} {text} outside [0, MAX_CREDITS]")
    return value


def validate_genesis(keeper: PouwKeeper, ctx: Context, state: GenesisState) -> None:
    """Every record well formed and consistent (specs §10); ErrInvalidGenesis otherwise."""
    params = state.params
    params.validate()
    hl = params.half_life_blocks
    _strictly_sorted([m.model_id for m in state.models], "models")
    for m in state.models:
        check_model_id(m.model_id)
        weight = parse_canonical_dec(m.weight, "weight")
        if weight.is_negative() or weight.gt(MAX_MODEL_WEIGHT):
            raise ErrInvalidGenesis(f"pouw: model {m.model_id} weight {m.weight}")
    _strictly_sorted([h.host for h in state.hosts], "hosts")
    pointing: dict[str, int] = {}
    for h in state.hosts:
        check_address(h.host, "host")
        _credits(h.credits, f"host {h.host} credits")
        if h.anchor_height % hl:
            raise ErrInvalidGenesis(f"pouw: host {h.host} anchor off the half-life grid")
        if h.validator:
            if keeper.staking.validator(ctx, h.validator) is None:
                raise ErrInvalidGenesis(f"pouw: host {h.host} targets unknown {h.validator}")
            pointing[h.validator] = pointing.get(h.validator, 0) + 1
    _strictly_sorted([v.validator for v in state.validators], "validators")
    for v in state.validators:
        _credits(v.credits, f"validator {v.validator} credits")
        if v.anchor_height % hl:
            raise ErrInvalidGenesis(f"pouw: validator {v.validator} anchor off the grid")
        if v.host_count == 0 or pointing.get(v.validator, 0) != v.host_count:
            raise ErrInvalidGenesis(f"pouw: validator {v.validator} host_count {v.host_count}")
    if sorted(pointing) != [v.validator for v in state.validators]:
        raise ErrInvalidGenesis("pouw: a targeted validator has no aggregate record")
    _strictly_sorted([(c.host, c.commit_hash) for c in state.commits], "commits")
    for c in state.commits:
        check_address(c.host, "commit host")
        if c.reveal_by_height <= c.commit_height:
            raise ErrInvalidGenesis(f"pouw: commit {c.commit_hash.hex()} window empty")
    _strictly_sorted([w.channel_id for w in state.watermarks], "watermarks")
    _strictly_sorted([a.id for a in state.audits], "audits")
    for a in state.audits:
        check_address(a.host, "audit host")
        if a.id >= state.next_audit_id or a.expires_height <= a.height:
            raise ErrInvalidGenesis(f"pouw: audit {a.id}")
    if state.voter_history is not None:
        for voter_set in (state.voter_history.previous, state.voter_history.current):
            keys = [vote_order_key(v.operator, v.power) for v in voter_set.voters]
            _strictly_sorted(keys, "voter sets")
            for voter in voter_set.voters:
                check_address(voter.operator, "voter")
                validate_pubkey(voter.consensus_pubkey)


def init_genesis(keeper: PouwKeeper, ctx: Context, data: GenesisSection) -> None:
    """Validate and write the section; rebuild schedules and counters."""
    try:
        state = GenesisState.from_json(data)
        validate_genesis(keeper, ctx, state)
    except ErrInvalidGenesis:
        raise
    except DaitError as exc:
        raise ErrInvalidGenesis(f"pouw: {exc.log}") from None
    keeper.params.set(ctx, state.params)
    for m in state.models:
        keeper.models.set(ctx, m.model_id, m)
    for h in state.hosts:
        keeper.hosts.set(ctx, h.host, h)
    for v in state.validators:
        keeper.validator_credits.set(ctx, v.validator, v)
    for c in state.commits:
        keeper.commits.set(ctx, (c.host, c.commit_hash), c)
        keeper.commit_expiry.add(ctx, c.reveal_by_height, (c.host, c.commit_hash))
    for w in state.watermarks:
        keeper.watermarks.set(ctx, w.channel_id, w)
    counters: dict[str, AuditCounter] = {}
    for a in state.audits:
        keeper.audits.set(ctx, a.id, a)
        keeper.audit_expiry.add(ctx, a.expires_height, a.id)
        c0 = counters.get(a.host, AuditCounter(a.host, 0, 0))
        counters[a.host] = AuditCounter(a.host, c0.audits + 1, c0.failures + int(a.failed))
    for host, counter in counters.items():
        keeper.audit_counters.set(ctx, host, counter)
    if state.next_audit_id:
        # The sequence is stored from its first use on; 0 is its absent value.
        keeper.next_audit_id.set(ctx, state.next_audit_id)
    # A fresh chain enables vote extensions after its first block (specs §7.3); a chain
    # continuing an export keeps its height and its record of the voting set.
    enable = state.vote_extensions_enable_height or ctx.height
    keeper.vote_extensions_enable_height.set(ctx, enable)
    history = state.voter_history
    if history is None:
        # The genesis set votes on the first block: it "changed" before that block.
        history = VoterHistory(ctx.height - 1, VoterSet(), keeper.active_voters(ctx))
    keeper.voter_history.set(ctx, history)


def export_genesis(keeper: PouwKeeper, ctx: Context) -> GenesisSection:
    """The stored records, each list in key order."""
    state = GenesisState(
        params=keeper.get_params(ctx),
        models=tuple(keeper.models.values(ctx)),
        hosts=tuple(keeper.hosts.values(ctx)),
        validators=tuple(keeper.validator_credits.values(ctx)),
        commits=tuple(keeper.commits.values(ctx)),
        watermarks=tuple(keeper.watermarks.values(ctx)),
        audits=tuple(keeper.audits.values(ctx)),
        next_audit_id=keeper.next_audit_id.peek(ctx),
        voter_history=keeper.voter_history.get(ctx),
        vote_extensions_enable_height=keeper.vote_extensions_enable_height.get(ctx) or 0,
    )
    return state.to_json()
