"""x/pouw message handlers (specs/pouw.md §8). Each runs on the tx's branch; a refusal
raises a registered error and the app discards the branch."""

from __future__ import annotations

from typing import Final

from dait_chain.app.context import Context
from dait_chain.errors import DaitError
from dait_chain.math import LegacyDec
from dait_chain.x.auth.address import check_address
from dait_chain.x.pouw import events as ev
from dait_chain.x.pouw.errors import (
    ErrInvalidModel,
    ErrInvalidParams,
    ErrNotAuditor,
    ErrUnauthorized,
)
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.params import parse_canonical_dec
from dait_chain.x.pouw.types import (
    Model,
    MsgCommitReceipt,
    MsgRegisterModel,
    MsgReportAudit,
    MsgRevealReceipt,
    MsgSetCreditTarget,
    MsgUpdateParams,
)

MAX_MODEL_ID_LEN: Final = 128
MAX_MODEL_WEIGHT: Final = LegacyDec.from_int(1_000_000)


def _check_authority(keeper: PouwKeeper, authority: str) -> None:
    if authority != keeper.authority:
        raise ErrUnauthorized(f"{authority} is not {keeper.authority}")


def check_model_id(model_id: str) -> None:
    """1 to 128 printable ASCII characters without spaces (as x/state_channel's model_id)."""
    if not 1 <= len(model_id) <= MAX_MODEL_ID_LEN or not all("!" <= c <= "~" for c in model_id):
        raise ErrInvalidModel(f"model_id {model_id!r}")


def handle_commit_receipt(keeper: PouwKeeper, ctx: Context, msg: MsgCommitReceipt) -> None:
    """MsgCommitReceipt (specs §8.1)."""
    keeper.commit_receipt(ctx, msg.signer, msg.commit_hash, msg.reveal_by_height)


def handle_reveal_receipt(keeper: PouwKeeper, ctx: Context, msg: MsgRevealReceipt) -> None:
    """MsgRevealReceipt (specs §8.2)."""
    keeper.reveal_receipt(ctx, msg)


def handle_set_credit_target(keeper: PouwKeeper, ctx: Context, msg: MsgSetCreditTarget) -> None:
    """MsgSetCreditTarget (specs §8.3): "" or a canonical address of a known validator."""
    if msg.validator:
        check_address(msg.validator, "validator")
    keeper.set_credit_target(ctx, msg.host, msg.validator)


def handle_report_audit(keeper: PouwKeeper, ctx: Context, msg: MsgReportAudit) -> None:
    """MsgReportAudit (specs §8.4): an auditor of the params reports one audit."""
    if msg.auditor not in keeper.get_params(ctx).auditors:
        raise ErrNotAuditor(msg.auditor)
    check_address(msg.host, "host")
    keeper.record_audit(ctx, msg.host, msg.failed, msg.auditor)


def handle_register_model(keeper: PouwKeeper, ctx: Context, msg: MsgRegisterModel) -> None:
    """MsgRegisterModel (specs §8.5): gov sets a registry entry."""
    _check_authority(keeper, msg.authority)
    check_model_id(msg.model_id)
    try:
        weight = parse_canonical_dec(msg.weight, "weight")
    except DaitError as exc:
        raise ErrInvalidModel(exc.detail) from None
    if weight.is_negative() or weight.gt(MAX_MODEL_WEIGHT):
        raise ErrInvalidModel(f"weight {msg.weight} outside [0, {MAX_MODEL_WEIGHT}]")
    keeper.models.set(
        ctx, msg.model_id, Model(msg.model_id, msg.weight, msg.approved, msg.model_hash)
    )
    ctx.events.emit(
        ev.EVENT_MODEL_REGISTERED,
        model_id=msg.model_id,
        weight=msg.weight,
        approved="true" if msg.approved else "false",
        model_hash=msg.model_hash.hex(),
    )


def handle_update_params(keeper: PouwKeeper, ctx: Context, msg: MsgUpdateParams) -> None:
    """MsgUpdateParams (specs §8.6): gov replaces the params; half_life_blocks is fixed at
    genesis (specs §14 D10: every balance is anchored on its epoch grid)."""
    _check_authority(keeper, msg.authority)
    msg.params.validate()
    current = keeper.get_params(ctx)
    if msg.params.half_life_blocks != current.half_life_blocks:
        raise ErrInvalidParams(f"half_life_blocks is fixed at genesis ({current.half_life_blocks})")
    keeper.set_params(ctx, msg.params)
    ctx.events.emit(ev.EVENT_PARAMS_UPDATED, authority=msg.authority)
