"""x/distribution genesis (specs/distribution.md "Genesis")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.codec.errors import CodecError
from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.x.bank.coins import parse_amount
from dait_chain.x.distribution.keeper import MODULE_NAME, DistributionKeeper
from dait_chain.x.distribution.types import DEFAULT_PARAMS, GenesisState, Params


def default_genesis() -> GenesisSection:
    """Default params, empty community pool."""
    return GenesisState(DEFAULT_PARAMS, "0").to_json()


def canonical_params(params: Params) -> Params:
    """Params with community_tax in LegacyDec's canonical form; ErrInvalidGenesis unless the
    tax is in [0, 1] and the interval positive."""
    try:
        tax = LegacyDec.from_str(params.community_tax)
    except DaitError as exc:
        raise ErrInvalidGenesis(f"distribution: community_tax: {exc.log}") from None
    if tax.is_negative() or tax.gt(LegacyDec.one()):
        raise ErrInvalidGenesis(f"distribution: community_tax {tax} not in [0, 1]")
    if params.allocation_interval_blocks == 0:
        raise ErrInvalidGenesis("distribution: allocation_interval_blocks must be positive")
    return Params(str(tax), params.block_reward, params.allocation_interval_blocks)


def init_genesis(keeper: DistributionKeeper, ctx: Context, data: GenesisSection) -> None:
    """Write params and the community pool, which must equal the module account's balance."""
    try:
        state = GenesisState.from_json(data)
        pool = parse_amount(state.community_pool or "0", "community_pool")
    except (CodecError, DaitError) as exc:
        raise ErrInvalidGenesis(f"distribution: {exc.log}") from None
    params = canonical_params(state.params or DEFAULT_PARAMS)
    held = keeper.bank.module_balance(ctx, MODULE_NAME)
    if held != pool:
        raise ErrInvalidGenesis(f"distribution: community_pool {pool} != module balance {held}")
    keeper.params.set(ctx, params)
    keeper.community_pool_item.set(ctx, pool)


def export_genesis(keeper: DistributionKeeper, ctx: Context) -> GenesisSection:
    """Params and the community pool."""
    return GenesisState(keeper.get_params(ctx), str(keeper.community_pool(ctx))).to_json()
