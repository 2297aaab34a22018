"""x/auth as an app module (specs/app.md "x/auth")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.app.module import GenesisSection, Keepers, Module
from dait_chain.x.auth import genesis
from dait_chain.x.auth.keeper import MODULE_NAME, AuthKeeper


class AuthModule(Module):
    """Accounts; no messages, no block work."""

    name = MODULE_NAME

    def __init__(self, keeper: AuthKeeper) -> None:
        self.keeper: AuthKeeper = keeper

    def default_genesis(self) -> GenesisSection:
        return genesis.default_genesis()

    def init_genesis(self, ctx: Context, data: GenesisSection) -> None:
        genesis.init_genesis(self.keeper, ctx, data)

    def export_genesis(self, ctx: Context) -> GenesisSection:
        return genesis.export_genesis(self.keeper, ctx)


def new_module(keepers: Keepers) -> AuthModule:
    """Build x/auth (it needs no other keeper)."""
    return AuthModule(AuthKeeper())
