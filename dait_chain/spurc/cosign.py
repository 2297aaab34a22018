"""The cosign protocol (decisions.md SPUR-IC; specs/spurc.md "Cosign protocol").

    request n   tenant -> host   X-DAIT-State = state n-1, cosigned (turn 0: the open state)
    response n  host -> tenant   receipt n + provisional state n (sig_host, empty sig_user)
    tenant                       recomputes state n, requires equality (verify.py),
                                 checkpoints it cosigned, ships it on request n+1
    host                         checks the cosigned state n it receives (this module)

A provisional state is never presented on chain: `check_presentable` refuses it, and the
sessions export only cosigned states (or turn 0, which the chain stored at open).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dait_chain.spurc.errors import (
    ErrCosignedStateMismatch,
    ErrStaleState,
    ErrStateProvisional,
)
from dait_chain.spurc.signing import (
    Signer,
    check_state_host_signature,
    check_state_user_signature,
    sign_state_as_user,
)
from dait_chain.spurc.values import ChannelState, with_fields


def cosign(provisional: ChannelState, user_key: bytes | Signer) -> ChannelState:
    """The tenant's counter-signature on a provisional state n it has verified."""
    if provisional.sig_user:
        raise ErrCosignedStateMismatch(f"turn {provisional.turn_num} is already cosigned")
    return sign_state_as_user(provisional, user_key)


def check_presentable(state: ChannelState) -> None:
    """A state fit for MsgChallengeChannel: turn 0 (stored on chain at open), or both
    signatures valid (decisions.md x/state_channel). A provisional state is refused."""
    if state.turn_num == 0 and not state.sig_user and not state.sig_host:
        return
    if not state.sig_user:
        raise ErrStateProvisional(f"turn {state.turn_num} has no sig_user")
    check_state_host_signature(state)
    check_state_user_signature(state)


class TenantStateVerdict(StrEnum):
    """How the host treats the state a request carries."""

    ADVANCE = "advance"  # the cosigned version of the provisional state the host issued
    RETRY = "retry"  # exactly the host's latest cosigned state: the tenant never cosigned
    # the outstanding provisional state (it refused it, or lost it in a crash), so the
    # host abandons it and serves call_seq again from the cosigned state


@dataclass(frozen=True, slots=True)
class HostView:
    """The host's side of the channel: its latest cosigned state and what it issued."""

    latest_cosigned: ChannelState  # turn 0 (no signatures) until the first cosign
    issued: ChannelState | None  # the outstanding provisional state, host-signed


def check_tenant_state(presented: ChannelState, view: HostView) -> TenantStateVerdict:
    """The host's check of X-DAIT-State on a request (decisions.md SPUR-IC).

    * the provisional state it issued, now cosigned: ADVANCE (ErrCosignedStateMismatch if
      any field differs, ErrStateNotCosigned / ErrBadUserStateSignature for sig_user);
    * byte-for-byte its latest cosigned state: RETRY;
    * an older turn: ErrStaleState; anything else: ErrCosignedStateMismatch.
    """
    issued = view.issued
    if issued is not None and presented.turn_num == issued.turn_num:
        if with_fields(presented, sig_user=b"") != issued:
            raise ErrCosignedStateMismatch(f"turn {presented.turn_num} differs from the issued")
        check_state_user_signature(presented)
        return TenantStateVerdict.ADVANCE
    latest = view.latest_cosigned
    if presented == latest:
        return TenantStateVerdict.RETRY
    if presented.turn_num < latest.turn_num:
        raise ErrStaleState(f"turn {presented.turn_num} < latest cosigned {latest.turn_num}")
    raise ErrCosignedStateMismatch(
        f"turn {presented.turn_num} is neither the latest cosigned ({latest.turn_num})"
        " nor the outstanding provisional state"
    )
