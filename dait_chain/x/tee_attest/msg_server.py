"""x/tee_attest message handlers (specs/tee_attest.md §4)."""

from __future__ import annotations

from dait_chain.app.context import Context
from dait_chain.x.tee_attest import events as ev
from dait_chain.x.tee_attest.errors import ErrUnauthorized
from dait_chain.x.tee_attest.keeper import TeeAttestKeeper
from dait_chain.x.tee_attest.types import MsgUpdateParams


def handle_update_params(keeper: TeeAttestKeeper, ctx: Context, msg: MsgUpdateParams) -> None:
    """MsgUpdateParams: the gov authority replaces the trust policy (root rotation and
    revocation are param changes)."""
    if msg.authority != keeper.authority:
        raise ErrUnauthorized(f"{msg.authority} is not {keeper.authority}")
    keeper.set_params(ctx, msg.params)
    ctx.events.emit(
        ev.EVENT_PARAMS_UPDATED,
        authority=msg.authority,
        trusted_roots=",".join(k.hex() for k in msg.params.trusted_roots),
        revoked_keys=",".join(k.hex() for k in msg.params.revoked_keys),
        quote_types=",".join(msg.params.quote_types),
    )
