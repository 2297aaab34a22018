"""Values of x/pouw: wire types, state records, messages, genesis, queries.

specs/pouw.md §4, §7, §8, §9, §10. Each is a frozen dataclass bound to its generated proto
(proto/dait/pouw/v1/). The SPUR-IC receipt a reveal carries as evidence is SPUR-IC's value
(dait_chain.spurc.values.Receipt), reused as is. Decimal fields are LegacyDec strings in
canonical form.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, Final

from google.protobuf.message import Message

from dait_chain.codec.value import ProtoValue
from dait_chain.pb.dait.pouw.v1 import abci_pb2, query_pb2, tx_pb2
from dait_chain.pb.dait.pouw.v1 import pouw_pb2 as pb
from dait_chain.spurc.values import Receipt as SpurcReceipt
from dait_chain.x.pouw.params import Params

# --- wire formats (seed 003 "Wire formats") -----------------------------------------------


@dataclass(frozen=True, slots=True)
class Receipt(ProtoValue):
    """The job record the commit hash covers (seed 003 "Commit hash")."""

    PROTO: ClassVar[type[Message]] = pb.Receipt
    host: str
    model_id: str
    tokens_out: int
    tee_attested: bool
    job_id: bytes
    commit_height: int


@dataclass(frozen=True, slots=True)
class ReceiptCommit(ProtoValue):
    """One commit a validator saw (seed 003 "ABCI++ vote extension")."""

    PROTO: ClassVar[type[Message]] = pb.ReceiptCommit
    commit_hash: bytes
    host: str

    def sort_key(self) -> tuple[str, bytes]:
        """(host, commit_hash): the order of VoteExt.host_commits and force_included."""
        return (self.host, self.commit_hash)


@dataclass(frozen=True, slots=True)
class VoteExt(ProtoValue):
    """A validator's vote extension body (seed 003: VoteExtension = proto.Marshal(VoteExt))."""

    PROTO: ClassVar[type[Message]] = pb.VoteExt
    host_commits: tuple[ReceiptCommit, ...] = ()


# --- state (specs §4) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Model(ProtoValue):
    """A model registry entry (seed 003: "the gov-curated model registry")."""

    PROTO: ClassVar[type[Message]] = pb.Model
    model_id: str
    weight: str
    approved: bool
    model_hash: bytes


@dataclass(frozen=True, slots=True)
class HostCredits(ProtoValue):
    """A host's soulbound credits as of anchor_height, and its credit target (§5.3)."""

    PROTO: ClassVar[type[Message]] = pb.HostCredits
    host: str
    credits: str
    anchor_height: int
    validator: str = ""


@dataclass(frozen=True, slots=True)
class ValidatorCredits(ProtoValue):
    """The aggregate credits_i of a validator as of anchor_height (specs §5.3)."""

    PROTO: ClassVar[type[Message]] = pb.ValidatorCredits
    validator: str
    credits: str
    anchor_height: int
    host_count: int


@dataclass(frozen=True, slots=True)
class Commit(ProtoValue):
    """A pending receipt commit (seed 003 step 2)."""

    PROTO: ClassVar[type[Message]] = pb.Commit
    host: str
    commit_hash: bytes
    commit_height: int
    reveal_by_height: int
    force_included: bool = False


@dataclass(frozen=True, slots=True)
class ChannelWatermark(ProtoValue):
    """The highest credited call_seq of a SPUR-IC channel (specs §8.2)."""

    PROTO: ClassVar[type[Message]] = pb.ChannelWatermark
    channel_id: bytes
    last_credited_call_seq: int


@dataclass(frozen=True, slots=True)
class AuditRecord(ProtoValue):
    """One audit result inside the rolling window (specs §6)."""

    PROTO: ClassVar[type[Message]] = pb.AuditRecord
    id: int
    host: str
    failed: bool
    height: int
    expires_height: int
    reporter: str


@dataclass(frozen=True, slots=True)
class AuditCounter(ProtoValue):
    """A host's rolling-window audit counts (specs §6.2)."""

    PROTO: ClassVar[type[Message]] = pb.AuditCounter
    host: str
    audits: int
    failures: int


@dataclass(frozen=True, slots=True)
class Voter(ProtoValue):
    """A member of the validator set that votes on a height (specs §7.3)."""

    PROTO: ClassVar[type[Message]] = pb.Voter
    operator: str
    power: int
    consensus_pubkey: bytes


@dataclass(frozen=True, slots=True)
class VoterSet(ProtoValue):
    """Validators in commit order (power descending, then address bytes)."""

    PROTO: ClassVar[type[Message]] = pb.VoterSet
    voters: tuple[Voter, ...] = ()


@dataclass(frozen=True, slots=True)
class VoterHistory(ProtoValue):
    """The active set after its last change, the set before it, and the change height."""

    PROTO: ClassVar[type[Message]] = pb.VoterHistory
    change_height: int
    previous: VoterSet
    current: VoterSet


@dataclass(frozen=True, slots=True)
class GenesisState(ProtoValue):
    """The module's whole state (specs §10)."""

    PROTO: ClassVar[type[Message]] = pb.GenesisState
    params: Params
    models: tuple[Model, ...] = ()
    hosts: tuple[HostCredits, ...] = ()
    validators: tuple[ValidatorCredits, ...] = ()
    commits: tuple[Commit, ...] = ()
    watermarks: tuple[ChannelWatermark, ...] = ()
    audits: tuple[AuditRecord, ...] = ()
    next_audit_id: int = 0
    voter_history: VoterHistory | None = None
    vote_extensions_enable_height: int = 0


# --- ABCI++ (specs §7) --------------------------------------------------------------------


class BlockIDFlag(IntEnum):
    """dait.pouw.v1.BlockIDFlag (cometbft types.BlockIDFlag)."""

    BLOCK_ID_FLAG_UNKNOWN = 0
    BLOCK_ID_FLAG_ABSENT = 1
    BLOCK_ID_FLAG_COMMIT = 2
    BLOCK_ID_FLAG_NIL = 3


@dataclass(frozen=True, slots=True)
class ExtendedVoteInfo(ProtoValue):
    """abci.ExtendedVoteInfo with the validator named by its operator address."""

    PROTO: ClassVar[type[Message]] = abci_pb2.ExtendedVoteInfo
    validator: str
    power: int
    vote_extension: bytes
    extension_signature: bytes
    block_id_flag: BlockIDFlag


@dataclass(frozen=True, slots=True)
class ExtendedCommitInfo(ProtoValue):
    """abci.ExtendedCommitInfo: the previous height's votes."""

    PROTO: ClassVar[type[Message]] = abci_pb2.ExtendedCommitInfo
    round: int
    votes: tuple[ExtendedVoteInfo, ...]


INJECTED_MARKER: Final = "dait/pouw/injected-vote-extensions/v1"


@dataclass(frozen=True, slots=True)
class InjectedVoteExtensions(ProtoValue):
    """The first tx of a proposal at height > 1 (specs §7.3)."""

    PROTO: ClassVar[type[Message]] = abci_pb2.InjectedVoteExtensions
    marker: str
    commit: ExtendedCommitInfo
    force_included: tuple[ReceiptCommit, ...] = ()


# --- messages (specs §8) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MsgCommitReceipt(ProtoValue):
    """A host commits to a receipt (seed 003 step 2)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgCommitReceipt
    SIGNER_FIELD: ClassVar[str] = "signer"
    signer: str
    commit_hash: bytes
    reveal_by_height: int = 0


@dataclass(frozen=True, slots=True)
class MsgCommitReceiptResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgCommitReceiptResponse
    reveal_by_height: int


@dataclass(frozen=True, slots=True)
class MsgRevealReceipt(ProtoValue):
    """A host reveals a committed receipt with its SPUR-IC evidence (seed 003 step 4)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgRevealReceipt
    SIGNER_FIELD: ClassVar[str] = "signer"
    signer: str
    receipt: Receipt
    evidence: tuple[SpurcReceipt, ...]


@dataclass(frozen=True, slots=True)
class MsgRevealReceiptResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgRevealReceiptResponse
    credit: str


@dataclass(frozen=True, slots=True)
class MsgRegisterModel(ProtoValue):
    """Gov-only: set a model registry entry."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgRegisterModel
    SIGNER_FIELD: ClassVar[str] = "authority"
    authority: str
    model_id: str
    weight: str
    approved: bool
    model_hash: bytes


@dataclass(frozen=True, slots=True)
class MsgRegisterModelResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgRegisterModelResponse


@dataclass(frozen=True, slots=True)
class MsgUpdateParams(ProtoValue):
    """Gov-only: replace the module parameters."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgUpdateParams
    SIGNER_FIELD: ClassVar[str] = "authority"
    authority: str
    params: Params


@dataclass(frozen=True, slots=True)
class MsgUpdateParamsResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgUpdateParamsResponse


@dataclass(frozen=True, slots=True)
class MsgSetCreditTarget(ProtoValue):
    """A host points its credits at one validator, or at none ("")."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgSetCreditTarget
    SIGNER_FIELD: ClassVar[str] = "host"
    host: str
    validator: str = ""


@dataclass(frozen=True, slots=True)
class MsgSetCreditTargetResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgSetCreditTargetResponse


@dataclass(frozen=True, slots=True)
class MsgReportAudit(ProtoValue):
    """An auditor reports one audit of a host (specs §6.1)."""

    PROTO: ClassVar[type[Message]] = tx_pb2.MsgReportAudit
    SIGNER_FIELD: ClassVar[str] = "auditor"
    auditor: str
    host: str
    failed: bool


@dataclass(frozen=True, slots=True)
class MsgReportAuditResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = tx_pb2.MsgReportAuditResponse
    audit_id: int


# --- queries (specs §9) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueryCreditsResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = query_pb2.QueryCreditsResponse
    credits: str
    validator: str
    height: int


@dataclass(frozen=True, slots=True)
class QueryValidatorCreditsResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = query_pb2.QueryValidatorCreditsResponse
    credits: str
    host_count: int
    height: int


@dataclass(frozen=True, slots=True)
class QueryEffectiveStakeResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = query_pb2.QueryEffectiveStakeResponse
    stake: int
    credits: str
    effective_stake: str


@dataclass(frozen=True, slots=True)
class QueryAuditCounterResponse(ProtoValue):
    PROTO: ClassVar[type[Message]] = query_pb2.QueryAuditCounterResponse
    counter: AuditCounter
    audit_fail_rate: str


__all__ = [
    "INJECTED_MARKER",
    "AuditCounter",
    "AuditRecord",
    "BlockIDFlag",
    "ChannelWatermark",
    "Commit",
    "ExtendedCommitInfo",
    "ExtendedVoteInfo",
    "GenesisState",
    "HostCredits",
    "InjectedVoteExtensions",
    "Model",
    "MsgCommitReceipt",
    "MsgCommitReceiptResponse",
    "MsgRegisterModel",
    "MsgRegisterModelResponse",
    "MsgReportAudit",
    "MsgReportAuditResponse",
    "MsgRevealReceipt",
    "MsgRevealReceiptResponse",
    "MsgSetCreditTarget",
    "MsgSetCreditTargetResponse",
    "MsgUpdateParams",
    "MsgUpdateParamsResponse",
    "Params",
    "QueryAuditCounterResponse",
    "QueryCreditsResponse",
    "QueryEffectiveStakeResponse",
    "QueryValidatorCreditsResponse",
    "Receipt",
    "ReceiptCommit",
    "SpurcReceipt",
    "VoteExt",
    "Voter",
    "VoterHistory",
    "VoterSet",
]
