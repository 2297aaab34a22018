"""ABCI 2.0 request and result values exchanged between the harness and the app.

specs/app.md "ABCI". These mirror CometBFT's abci types, reduced to what DAIT uses:
heights and times are ints (time in unix ms), validators are named by their operator
address (DAIT has one key per validator for consensus and vote extensions; see
specs/staking.md), and every list is a tuple.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from dait_chain.app.events import Event

# ---- transactions and blocks --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TxResult:
    """The result of one tx in a block (ABCI ExecTxResult, without gas and data).

    code 0 is success; otherwise (codespace, code) name a registered error and log is its
    wrapped message. events are the tx's events: on success every event, on a message
    failure only the ante handler's (the fee payment), as Cosmos baseapp reports them.
    """

    code: int
    codespace: str
    log: str
    events: tuple[Event, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether the tx succeeded."""
        return self.code == 0


@dataclass(frozen=True, slots=True)
class FinalizeBlockRequest:
    """One decided block (ABCI RequestFinalizeBlock)."""

    height: int
    time_ms: int
    proposer: str  # operator address of the proposer
    txs: tuple[bytes, ...] = ()
    # The extended commit of the previous height as the proposer presented it (when a
    # module put it in the block as a pseudo-tx, it is also the first of txs).
    decided_last_commit: CommitInfo | None = None


@dataclass(frozen=True, slots=True)
class FinalizeBlockResult:
    """What the app returns for a block (ABCI ResponseFinalizeBlock), after commit."""

    tx_results: tuple[TxResult, ...]
    begin_events: tuple[Event, ...]
    end_events: tuple[Event, ...]
    app_hash: bytes


# ---- ABCI++: votes, extensions, proposals -------------------------------------------------


class BlockIDFlag(IntEnum):
    """How a validator voted in a commit (cometbft types.BlockIDFlag)."""

    UNKNOWN = 0
    ABSENT = 1
    COMMIT = 2
    NIL = 3


@dataclass(frozen=True, slots=True)
class VoteInfo:
    """One validator's vote in the last commit, with its extension (ExtendedVoteInfo)."""

    validator: str  # operator address
    power: int
    block_id_flag: BlockIDFlag = BlockIDFlag.COMMIT
    vote_extension: bytes = b""
    extension_signature: bytes = b""


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """The votes of the previous height (ExtendedCommitInfo)."""

    round: int
    votes: tuple[VoteInfo, ...]


@dataclass(frozen=True, slots=True)
class ExtendVoteRequest:
    """A validator is about to precommit the block at height (RequestExtendVote).

    The harness passes the validator's own view: `mempool` is the txs this validator has
    seen (decisions.md: "each validator has its own mempool view").
    """

    height: int
    time_ms: int
    validator: str
    txs: tuple[bytes, ...]  # the block being voted on
    mempool: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class VerifyVoteExtensionRequest:
    """Check another validator's extension for height (RequestVerifyVoteExtension)."""

    height: int
    validator: str
    vote_extension: bytes


@dataclass(frozen=True, slots=True)
class PrepareProposalRequest:
    """The proposer builds the block at height (RequestPrepareProposal).

    txs is the proposer's mempool in order; local_last_commit carries the extensions of the
    previous height that the proposer received.
    """

    height: int
    time_ms: int
    proposer: str
    txs: tuple[bytes, ...]
    local_last_commit: CommitInfo | None = None
    max_tx_bytes: int = 22_020_096  # CometBFT's default block max_bytes (21 MiB)


@dataclass(frozen=True, slots=True)
class ProcessProposalRequest:
    """A validator checks a proposed block (RequestProcessProposal)."""

    height: int
    time_ms: int
    proposer: str
    txs: tuple[bytes, ...]
    proposed_last_commit: CommitInfo | None = None


# ---- vote extension sign bytes ------------------------------------------------------------


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def vote_extension_sign_bytes(chain_id: str, height: int, round_: int, extension: bytes) -> bytes:
    """The bytes a validator signs over its vote extension (cometbft VoteExtensionSignBytes).

    CanonicalVoteExtension{extension = 1 (bytes), height = 2 (sfixed64), round = 3
    (sfixed64), chain_id = 4 (string)} in proto3 encoding (zero fields omitted), prefixed
    with its uvarint length (protoio.MarshalDelimited).
    """
    body = bytearray()
    if extension:
        body += b"\x0a" + _uvarint(len(extension)) + extension
    if height:
        body += b"\x11" + (height & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    if round_:
        body += b"\x19" + (round_ & 0xFFFFFFFFFFFFFFFF).to_bytes(8, "little")
    chain = chain_id.encode()
    if chain:
        body += b"\x22" + _uvarint(len(chain)) + chain
    return _uvarint(len(body)) + bytes(body)


__all__ = [
    "BlockIDFlag",
    "CommitInfo",
    "ExtendVoteRequest",
    "FinalizeBlockRequest",
    "FinalizeBlockResult",
    "PrepareProposalRequest",
    "ProcessProposalRequest",
    "TxResult",
    "VerifyVoteExtensionRequest",
    "VoteInfo",
    "vote_extension_sign_bytes",
]
