"""x/tee_attest invariants (specs/tee_attest.md §7)."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.errors import DaitError
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper


def params_valid(keeper: TeeAttestKeeper, ctx: Context) -> tuple[str, bool]:
    """The stored trust policy validates (sorted, unique, valid keys, known types)."""
    try:
        keeper.get_params(ctx).validate()
    except DaitError as exc:
        return f"tee_attest: params invalid: {exc.log}", True
    return "tee_attest: params valid", False
