"""Registered errors of the `pouw` codespace (specs/pouw.md §16).

Codes are published: never renumber, only append. Each message checks its rules in the
order specs/pouw.md §8 lists them, and the first rule broken names the error. The
ABCI++ refusals (§7) are raised inside the vote-extension and proposal checks and turn
into REJECT at the hook; they are registered too, so a rejection names its rule.
"""

from __future__ import annotations

from dait_chain.errors import DaitError


class PouwError(DaitError, codespace="pouw"):
    """Family of every refusal raised by x/pouw."""


# --- governance and params (specs §3, §8.5, §8.6) -----------------------------------------


class ErrInvalidParams(PouwError, code=2, description="invalid pouw params"):
    pass


class ErrUnauthorized(
    PouwError,
    code=3,
    description="signer is not the gov authority (the gov module account unless genesis names one)",
):
    pass


class ErrInvalidModel(PouwError, code=4, description="invalid model registry entry"):
    pass


# --- credits and targets (specs §5.1, §8.3) -----------------------------------------------


class ErrCreditOverflow(
    PouwError, code=5, description="host credits would exceed MAX_CREDITS (2^128 - 1)"
):
    pass


class ErrUnknownValidator(PouwError, code=6, description="no validator with this operator address"):
    pass


class ErrCreditTargetUnchanged(
    PouwError, code=7, description="the host already points its credits at this target"
):
    pass


# --- commit (specs §8.1) ------------------------------------------------------------------


class ErrCommitExists(
    PouwError, code=8, description="a commit with this hash is already pending for the host"
):
    pass


class ErrRevealByMismatch(
    PouwError,
    code=9,
    description="reveal_by_height is neither 0 nor block height + commit_reveal_window",
):
    pass


# --- reveal (specs §8.2), in check order --------------------------------------------------


class ErrReceiptHostMismatch(PouwError, code=10, description="receipt.host is not the signer"):
    pass


class ErrCommitNotFound(
    PouwError, code=11, description="no pending commit for sha256(canonical(receipt))"
):
    pass


class ErrRevealTooEarly(
    PouwError, code=12, description="a receipt cannot be revealed in its commit's own block"
):
    pass


class ErrCommitHeightAfterCommit(
    PouwError, code=13, description="receipt.commit_height is after the commit's block height"
):
    pass


class ErrUnknownModel(PouwError, code=14, description="model_id is not in the model registry"):
    pass


class ErrModelNotApproved(PouwError, code=15, description="model is not approved by governance"):
    pass


class ErrEvidenceCount(
    PouwError, code=16, description="evidence must hold 1 to max_evidence_per_reveal receipts"
):
    pass


class ErrEvidenceNotContiguous(
    PouwError,
    code=17,
    description="evidence must be one channel's calls with consecutive call_seq",
):
    pass


class ErrJobIdMismatch(
    PouwError, code=18, description="job_id is not sha256(channel_id || first call_seq)"
):
    pass


class ErrChannelNotFound(PouwError, code=19, description="evidence channel is not on chain"):
    pass


class ErrChannelHostMismatch(
    PouwError, code=20, description="the evidence channel's host is not the signer"
):
    pass


class ErrChannelModelMismatch(
    PouwError, code=21, description="the evidence channel's model_id differs from the receipt's"
):
    pass


class ErrModelHashMismatch(
    PouwError, code=22, description="evidence model_hash is not the registered model_hash"
):
    pass


class ErrJobAlreadyCredited(
    PouwError, code=23, description="the evidence calls were already credited"
):
    pass


class ErrTokensOutMismatch(
    PouwError, code=24, description="tokens_out is not the sum of the evidence tokens_out"
):
    pass


class ErrTeeAttestedMismatch(
    PouwError, code=25, description="tee_attested differs from what x/tee_attest computes"
):
    pass


# --- audits (specs §6) --------------------------------------------------------------------


class ErrNotAuditor(PouwError, code=26, description="signer is not in the auditors param"):
    pass


# --- ABCI++ (specs §7): rejections of vote extensions and proposals -----------------------


class ErrInvalidVoteExtension(
    PouwError, code=27, description="vote extension is not a canonical, sorted, bounded VoteExt"
):
    pass


class ErrMissingInjectedCommit(
    PouwError, code=28, description="proposal does not start with the injected extended commit"
):
    pass


class ErrExtendedCommitMismatch(
    PouwError,
    code=29,
    description="extended commit does not list the validator set (order, power, flags)",
):
    pass


class ErrVoteExtensionSignature(
    PouwError, code=30, description="vote extension signature missing or invalid"
):
    pass


class ErrInsufficientVotingPower(
    PouwError,
    code=31,
    description="vote extensions carry less than floor(2/3 total voting power) + 1",
):
    pass


class ErrForceIncludeMismatch(
    PouwError,
    code=32,
    description="force_included is not exactly the commits backed by >= 2/3 voting power",
):
    pass


class ErrUnexpectedInjectedCommit(
    PouwError, code=33, description="an injected extended commit where none is allowed"
):
    pass
