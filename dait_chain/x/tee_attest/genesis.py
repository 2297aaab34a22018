"""x/tee_attest genesis: validate, import, export (specs/tee_attest.md §3)."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.errors import ErrInvalidGenesis
from dait_chain.app.module import GenesisSection
from dait_chain.errors import DaitError
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper
from dait_chain.x.tee_attest.params import DEFAULT_PARAMS
from dait_chain.x.tee_attest.types import GenesisState


def default_genesis() -> GenesisSection:
    """No trusted roots: nothing is attested until genesis or gov names a vendor root."""
    return GenesisState(DEFAULT_PARAMS).to_json()


def parse_genesis(data: GenesisSection) -> GenesisState:
    """The section as a value; ErrInvalidGenesis unless its params validate."""
    try:
        state = GenesisState.from_json(data)
        state.params.validate()
    except DaitError as exc:
        raise ErrInvalidGenesis(f"tee_attest: {exc.log}") from None
    return state


def init_genesis(keeper: TeeAttestKeeper, ctx: Context, data: GenesisSection) -> None:
    """Write the params."""
    keeper.set_params(ctx, parse_genesis(data).params)


def export_genesis(keeper: TeeAttestKeeper, ctx: Context) -> GenesisSection:
    """The params as stored."""
    return GenesisState(keeper.get_params(ctx)).to_json()
