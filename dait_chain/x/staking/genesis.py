"""x/staking genesis: validate, import, export (specs/staking.md "Genesis")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.codec.errors import CodecError
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.errors import CryptoError
from dait_chain.errors import DaitError
from dait_chain.x.auth.address import check_address
from dait_chain.x.bank.coins import parse_amount
from dait_chain.x.staking.keeper import BONDED_POOL, NOT_BONDED_POOL, StakingKeeper
from dait_chain.x.staking.types import (
    DEFAULT_PARAMS,
    Delegation,
    GenesisState,
    Params,
    UnbondingEntry,
)


def default_genesis() -> GenesisSection:
    """Default params, no validators."""
    return GenesisState(DEFAULT_PARAMS, (), (), (), 0).to_json()


def validate_params(params: Params) -> None:
    """Params are valid when the unbonding time and the active set size are positive."""
    if params.unbonding_time_ms == 0:
        raise ErrInvalidGenesis("staking: unbonding_time_ms must be positive")
    if params.max_validators == 0:
        raise ErrInvalidGenesis("staking: max_validators must be positive")


def parse_genesis(data: GenesisSection) -> GenesisState:
    """The staking section; ErrInvalidGenesis unless it is self-consistent.

    Validators: canonical, distinct operators; valid, distinct consensus keys; tokens equal
    to the sum of their delegations. Delegations: positive, distinct pairs, to existing
    validators. Unbonding entries: positive, distinct ids below next_unbonding_id.
    """
    try:
        state = GenesisState.from_json(data)
        validate_params(state.params or DEFAULT_PARAMS)
        tokens: dict[str, int] = {}
        keys: set[bytes] = set()
        for val in state.validators:
            check_address(val.operator_address, "operator_address")
            address_from_pubkey(val.consensus_pubkey)  # refuses an invalid key
            if val.operator_address in tokens:
                raise ErrInvalidGenesis(f"staking: duplicate validator {val.operator_address}")
            if val.consensus_pubkey in keys:
                raise ErrInvalidGenesis("staking: duplicate consensus pubkey")
            keys.add(val.consensus_pubkey)
            tokens[val.operator_address] = parse_amount(val.tokens, "tokens")
        delegated = dict.fromkeys(tokens, 0)
        pairs: set[tuple[str, str]] = set()
        for d in state.delegations:
            check_address(d.delegator_address, "delegator_address")
            if d.validator_address not in tokens:
                raise ErrInvalidGenesis(f"staking: delegation to unknown {d.validator_address}")
            pair = (d.delegator_address, d.validator_address)
            if pair in pairs:
                raise ErrInvalidGenesis(f"staking: duplicate delegation {pair}")
            pairs.add(pair)
            amount = parse_amount(d.amount)
            if amount == 0:
                raise ErrInvalidGenesis("staking: zero delegation")
            delegated[d.validator_address] += amount
        for operator, total in sorted(tokens.items()):
            if delegated[operator] != total:
                raise ErrInvalidGenesis(
                    f"staking: {operator} has tokens {total} but delegations {delegated[operator]}"
                )
        ids: set[int] = set()
        for e in state.unbonding_entries:
            check_address(e.delegator_address, "delegator_address")
            check_address(e.validator_address, "validator_address")
            if e.id in ids or e.id >= state.next_unbonding_id:
                raise ErrInvalidGenesis(f"staking: bad unbonding entry id {e.id}")
            ids.add(e.id)
            if parse_amount(e.amount) == 0:
                raise ErrInvalidGenesis("staking: zero unbonding entry")
    except ErrInvalidGenesis:
        raise
    except (CodecError, CryptoError, DaitError) as exc:
        raise ErrInvalidGenesis(f"staking: {exc.log}") from None
    return state


def init_genesis(keeper: StakingKeeper, ctx: Context, data: GenesisSection) -> None:
    """Write the section; the pools' bank balances must match what it bonds and unbonds."""
    state = parse_genesis(data)
    bonded = sum(int(v.tokens) for v in state.validators)
    unbonding = sum(int(e.amount) for e in state.unbonding_entries)
    if keeper.bank.module_balance(ctx, BONDED_POOL) != bonded:
        raise ErrInvalidGenesis(f"staking: {BONDED_POOL} balance != bonded tokens {bonded}")
    if keeper.bank.module_balance(ctx, NOT_BONDED_POOL) != unbonding:
        raise ErrInvalidGenesis(f"staking: {NOT_BONDED_POOL} balance != unbonding {unbonding}")
    keeper.params.set(ctx, state.params or DEFAULT_PARAMS)
    for val in state.validators:
        keeper.set_validator(ctx, val)
    for d in state.delegations:
        keeper.delegations.set(ctx, (d.delegator_address, d.validator_address), int(d.amount))
    for e in state.unbonding_entries:
        keeper.unbonding.set(ctx, e.id, e)
        keeper.unbonding_queue.add(ctx, e.completion_time_ms, e.id)
    keeper.next_unbonding_id.set(ctx, state.next_unbonding_id)


def export_genesis(keeper: StakingKeeper, ctx: Context) -> GenesisSection:
    """Params, validators by operator, delegations by (delegator, validator), entries by id."""
    delegations = tuple(
        Delegation(delegator, operator, str(amount))
        for (delegator, operator), amount in keeper.delegations.iterate(ctx)
    )
    entries: tuple[UnbondingEntry, ...] = tuple(keeper.unbonding.values(ctx))
    state = GenesisState(
        keeper.get_params(ctx),
        tuple(keeper.validators.values(ctx)),
        delegations,
        entries,
        keeper.next_unbonding_id.peek(ctx),
    )
    return state.to_json()
