"""x/distribution invariants (specs/distribution.md "Invariants")."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.distribution.keeper import MODULE_NAME, DistributionKeeper


def module_account(keeper: DistributionKeeper, ctx: Context) -> tuple[str, bool]:
    """The distribution module account holds exactly the community pool: every uDAIT it
    minted or collected was paid out or kept in the pool, none created or lost."""
    held = keeper.bank.module_balance(ctx, MODULE_NAME)
    pool = keeper.community_pool(ctx)
    return f"distribution: module balance {held}, community pool {pool}", held != pool
