"""Event types and attribute keys of x/pouw (specs/pouw.md §11).

Attributes are emitted in the order of the tuples below; that order is part of the
contract (conformance vectors compare events attribute by attribute). Hashes and ids are
64-char lowercase hex; decimals are LegacyDec strings with 18 fractional digits.
"""

from __future__ import annotations

from typing import Final

EVENT_COMMIT_RECORDED: Final = "ReceiptCommitted"
EVENT_COMMIT_EXPIRED: Final = "ReceiptCommitExpired"
EVENT_RECEIPT_REVEALED: Final = "ReceiptRevealed"
EVENT_CREDIT_TARGET_SET: Final = "CreditTargetSet"
EVENT_AUDIT_RECORDED: Final = "AuditRecorded"
EVENT_AUDIT_EXPIRED: Final = "AuditExpired"
EVENT_MODEL_REGISTERED: Final = "ModelRegistered"
EVENT_PARAMS_UPDATED: Final = "PouwParamsUpdated"
EVENT_VOTE_EXTENSIONS_INJECTED: Final = "VoteExtensionsInjected"

ATTR_HOST: Final = "host"
ATTR_COMMIT_HASH: Final = "commit_hash"
ATTR_COMMIT_HEIGHT: Final = "commit_height"
ATTR_REVEAL_BY_HEIGHT: Final = "reveal_by_height"
ATTR_SOURCE: Final = "source"
ATTR_JOB_ID: Final = "job_id"
ATTR_MODEL_ID: Final = "model_id"
ATTR_TOKENS_OUT: Final = "tokens_out"
ATTR_TEE_ATTESTED: Final = "tee_attested"
ATTR_MODEL_WEIGHT: Final = "model_weight"
ATTR_AUDITS: Final = "audits"
ATTR_FAILURES: Final = "failures"
ATTR_CREDIT: Final = "credit"
ATTR_CREDITS: Final = "credits"
ATTR_VALIDATOR: Final = "validator"
ATTR_PREVIOUS_VALIDATOR: Final = "previous_validator"
ATTR_AUDIT_ID: Final = "audit_id"
ATTR_FAILED: Final = "failed"
ATTR_REPORTER: Final = "reporter"
ATTR_EXPIRES_HEIGHT: Final = "expires_height"
ATTR_WEIGHT: Final = "weight"
ATTR_APPROVED: Final = "approved"
ATTR_MODEL_HASH: Final = "model_hash"
ATTR_AUTHORITY: Final = "authority"
ATTR_ROUND: Final = "round"
ATTR_VOTING_POWER: Final = "voting_power"
ATTR_TOTAL_VOTING_POWER: Final = "total_voting_power"
ATTR_FORCE_INCLUDED: Final = "force_included"

# ReceiptCommitted.source values.
SOURCE_TX: Final = "tx"  # MsgCommitReceipt
SOURCE_VOTE_EXTENSIONS: Final = "vote_extensions"  # force-included (specs §7.4)

COMMIT_RECORDED_ATTRS: Final = (
    ATTR_HOST,
    ATTR_COMMIT_HASH,
    ATTR_COMMIT_HEIGHT,
    ATTR_REVEAL_BY_HEIGHT,
    ATTR_SOURCE,
)
COMMIT_EXPIRED_ATTRS: Final = (ATTR_HOST, ATTR_COMMIT_HASH, ATTR_REVEAL_BY_HEIGHT)
RECEIPT_REVEALED_ATTRS: Final = (
    ATTR_HOST,
    ATTR_COMMIT_HASH,
    ATTR_JOB_ID,
    ATTR_MODEL_ID,
    ATTR_TOKENS_OUT,
    ATTR_TEE_ATTESTED,
    ATTR_MODEL_WEIGHT,
    ATTR_AUDITS,
    ATTR_FAILURES,
    ATTR_CREDIT,
    ATTR_CREDITS,
    ATTR_VALIDATOR,
)
CREDIT_TARGET_SET_ATTRS: Final = (
    ATTR_HOST,
    ATTR_VALIDATOR,
    ATTR_PREVIOUS_VALIDATOR,
    ATTR_CREDITS,
)
AUDIT_RECORDED_ATTRS: Final = (
    ATTR_AUDIT_ID,
    ATTR_HOST,
    ATTR_FAILED,
    ATTR_REPORTER,
    ATTR_EXPIRES_HEIGHT,
)
AUDIT_EXPIRED_ATTRS: Final = (ATTR_AUDIT_ID, ATTR_HOST, ATTR_FAILED)
MODEL_REGISTERED_ATTRS: Final = (ATTR_MODEL_ID, ATTR_WEIGHT, ATTR_APPROVED, ATTR_MODEL_HASH)
PARAMS_UPDATED_ATTRS: Final = (ATTR_AUTHORITY,)
VOTE_EXTENSIONS_INJECTED_ATTRS: Final = (
    ATTR_ROUND,
    ATTR_VOTING_POWER,
    ATTR_TOTAL_VOTING_POWER,
    ATTR_FORCE_INCLUDED,
)
