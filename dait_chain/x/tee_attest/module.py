"""x/tee_attest as an app module (specs/tee_attest.md). It has no block hooks: the policy
changes only by MsgUpdateParams, and verdicts are computed on demand."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from dait_chain.app.context import Context
from dait_chain.app.module import GenesisSection, Invariant, Keepers, Module, MsgHandler
from dait_chain.x.tee_attest import genesis, invariants
from dait_chain.x.tee_attest.keeper import AUTHORITY, TeeAttestKeeper
from dait_chain.x.tee_attest.keys import MODULE_NAME
from dait_chain.x.tee_attest.msg_server import handle_update_params
from dait_chain.x.tee_attest.queries import TeeAttestQueries
from dait_chain.x.tee_attest.types import MsgUpdateParams


class TeeAttestModule(Module):
    """The trust policy of SPUR-IC attestation, as gov params."""

    name = MODULE_NAME

    def __init__(self, keeper: TeeAttestKeeper) -> None:
        self.keeper: TeeAttestKeeper = keeper

    def msg_handlers(self) -> Mapping[type[Any], MsgHandler]:
        keeper = self.keeper
        return {MsgUpdateParams: lambda ctx, msg: handle_update_params(keeper, ctx, msg)}

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)

    def invariants(self) -> Sequence[Invariant]:
        k = self.keeper
        return (Invariant(MODULE_NAME, "params-valid", lambda c: invariants.params_valid(k, c)),)

    def queries(self) -> TeeAttestQueries:
        return TeeAttestQueries(self.keeper)


def module_factory(authority: str = AUTHORITY) -> Callable[[Keepers], TeeAttestModule]:
    """A factory building x/tee_attest with `authority` as its gov authority."""

    def factory(keepers: Keepers) -> TeeAttestModule:
        return TeeAttestModule(TeeAttestKeeper(authority=authority))

    return factory


def new_module(keepers: Keepers) -> TeeAttestModule:
    """Build x/tee_attest (it depends on no other keeper; authority: the gov account)."""
    return module_factory()(keepers)
