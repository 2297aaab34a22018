"""Vote extensions and the extended commit: the pure ABCI++ rules (specs/pouw.md §7).

Seed 003 step 3: "Validators with the receipt in their mempool publish a VoteExtension
referencing commit_hash. Any commit referenced by >=2/3 voting power MUST be
force-included by the next proposer." decisions.md fixes how: the proposer injects the
extended commit as the first pseudo-tx, and honest validators re-verify it in
ProcessProposal as cosmos-sdk's baseapp.ValidateVoteExtensions does (signatures valid,
voting power behind it >= floor(totalVP * 2 / 3) + 1), and check that every commit
hash backed by >= 2/3 of the voting power is included.

Everything here is a function of its arguments; the keeper (abci.py) supplies the
validator set, the chain id and the params.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dait_chain.app.abci import CommitInfo, vote_extension_sign_bytes
from dait_chain.codec.errors import CodecError
from dait_chain.crypto.address import decode_address
from dait_chain.crypto.errors import CryptoError
from dait_chain.crypto.secp256k1 import verify
from dait_chain.errors import DaitError
from dait_chain.x.auth.address import check_address
from dait_chain.x.pouw.errors import (
    ErrExtendedCommitMismatch,
    ErrForceIncludeMismatch,
    ErrInsufficientVotingPower,
    ErrInvalidVoteExtension,
    ErrMissingInjectedCommit,
    ErrVoteExtensionSignature,
)
from dait_chain.x.pouw.types import (
    INJECTED_MARKER,
    BlockIDFlag,
    ExtendedCommitInfo,
    ExtendedVoteInfo,
    InjectedVoteExtensions,
    ReceiptCommit,
    VoteExt,
    Voter,
)

COMMIT = BlockIDFlag.BLOCK_ID_FLAG_COMMIT
ABSENT = BlockIDFlag.BLOCK_ID_FLAG_ABSENT
NIL = BlockIDFlag.BLOCK_ID_FLAG_NIL

CommitKey = tuple[str, bytes]  # (host, commit_hash)


# --- thresholds (specs §7.1) --------------------------------------------------------------


def required_voting_power(total_power: int) -> int:
    """floor(totalVP * 2 / 3) + 1, ValidateVoteExtensions' requiredVP (specs §7.1)."""
    return total_power * 2 // 3 + 1


def is_force_include_backed(backing_power: int, total_power: int) -> bool:
    """A commit hash is backed by >= 2/3 of the voting power: 3 * backing >= 2 * total
    (specs §7.1; seed 003: "referenced by >=2/3 voting power")."""
    return 3 * backing_power >= 2 * total_power


# --- one vote extension (specs §7.2) ------------------------------------------------------


def validate_vote_ext(ext: VoteExt, max_commits: int) -> None:
    """VerifyVoteExtension's rules on a decoded body: at most max_commits entries, each
    host a canonical address, entries strictly ascending by (host, commit_hash)."""
    if len(ext.host_commits) > max_commits:
        raise ErrInvalidVoteExtension(f"{len(ext.host_commits)} commits > {max_commits}")
    previous: CommitKey | None = None
    for entry in ext.host_commits:
        try:
            check_address(entry.host, "host")
        except DaitError as exc:
            raise ErrInvalidVoteExtension(f"host {entry.host!r}: {exc.log}") from None
        key = entry.sort_key()
        if previous is not None and key <= previous:
            raise ErrInvalidVoteExtension("host_commits not strictly ascending")
        previous = key


def decode_vote_extension(raw: bytes, max_commits: int) -> VoteExt:
    """The VoteExt a vote extension carries, checked by validate_vote_ext (specs §7.2)."""
    try:
        ext = VoteExt.decode(raw)
    except CodecError as exc:
        raise ErrInvalidVoteExtension(exc.log) from None
    validate_vote_ext(ext, max_commits)
    return ext


def build_vote_ext(commits: Iterable[ReceiptCommit], max_commits: int) -> VoteExt:
    """The VoteExt of the commits a validator saw: sorted, deduplicated, and cut to the
    first max_commits in that order (specs §7.2)."""
    unique = {c.sort_key(): c for c in commits}
    ordered = [unique[k] for k in sorted(unique)][:max_commits]
    return VoteExt(tuple(ordered))


# --- tallying (specs §7.1) ----------------------------------------------------------------


def tally_backing(votes: Iterable[tuple[int, VoteExt]]) -> dict[CommitKey, int]:
    """The voting power behind each (host, commit_hash), over (power, extension) pairs of
    COMMIT votes."""
    backing: dict[CommitKey, int] = {}
    for power, ext in votes:
        for entry in ext.host_commits:
            key = entry.sort_key()
            backing[key] = backing.get(key, 0) + power
    return backing


def force_included_commits(
    votes: Iterable[tuple[int, VoteExt]], total_power: int
) -> tuple[ReceiptCommit, ...]:
    """Every commit backed by >= 2/3 of total_power, sorted by (host, commit_hash)."""
    backing = tally_backing(votes)
    return tuple(
        ReceiptCommit(commit_hash=key[1], host=key[0])
        for key in sorted(backing)
        if is_force_include_backed(backing[key], total_power)
    )


# --- the extended commit (specs §7.3) -----------------------------------------------------


def vote_order_key(operator: str, power: int) -> tuple[int, bytes]:
    """CometBFT's commit order: voting power descending, then address bytes ascending."""
    return (-power, decode_address(operator))


def ordered_validator_set(validators: Iterable[Voter]) -> tuple[Voter, ...]:
    """The validator set in commit order (vote_order_key)."""
    return tuple(sorted(validators, key=lambda v: vote_order_key(v.operator, v.power)))


def to_extended_commit(info: CommitInfo) -> ExtendedCommitInfo:
    """The wire form of the app's CommitInfo."""
    return ExtendedCommitInfo(
        round=info.round,
        votes=tuple(
            ExtendedVoteInfo(
                validator=v.validator,
                power=v.power,
                vote_extension=v.vote_extension,
                extension_signature=v.extension_signature,
                block_id_flag=BlockIDFlag(int(v.block_id_flag)),
            )
            for v in info.votes
        ),
    )


def check_commit_lists_validator_set(
    commit: ExtendedCommitInfo, validators: Sequence[Voter]
) -> None:
    """The votes are the validator set in commit order, one each, with their power, and
    a known flag (validateExtendedCommitAgainstLastCommit's order and membership rules)."""
    expected = ordered_validator_set(validators)
    if len(commit.votes) != len(expected):
        raise ErrExtendedCommitMismatch(f"{len(commit.votes)} votes for {len(expected)} validators")
    for vote, val in zip(commit.votes, expected, strict=True):
        if vote.validator != val.operator or vote.power != val.power:
            raise ErrExtendedCommitMismatch(
                f"vote {vote.validator}/{vote.power} where {val.operator}/{val.power} belongs"
            )
        if vote.block_id_flag not in (COMMIT, ABSENT, NIL):
            raise ErrExtendedCommitMismatch(f"{vote.validator}: flag {vote.block_id_flag}")


def check_commit_matches_last_commit(commit: ExtendedCommitInfo, last: CommitInfo) -> None:
    """The injected commit is the block's LastCommit: same round, and vote by vote the same
    validator, power and flag (validateExtendedCommitAgainstLastCommit)."""
    if commit.round != last.round:
        raise ErrExtendedCommitMismatch(f"round {commit.round} != last commit {last.round}")
    if len(commit.votes) != len(last.votes):
        raise ErrExtendedCommitMismatch("vote count differs from the last commit")
    for vote, other in zip(commit.votes, last.votes, strict=True):
        if (vote.validator, vote.power, int(vote.block_id_flag)) != (
            other.validator,
            other.power,
            int(other.block_id_flag),
        ):
            raise ErrExtendedCommitMismatch(f"{vote.validator}: differs from the last commit")


def check_vote_extension_signatures(
    commit: ExtendedCommitInfo,
    validators: Sequence[Voter],
    chain_id: str,
    height: int,
) -> int:
    """Every COMMIT vote's extension signature verifies with the validator's consensus key
    over VoteExtensionSignBytes(chain_id, height - 1, round, extension); other votes carry
    neither extension nor signature. Returns the COMMIT votes' power (sumVP)."""
    keys = {v.operator: v.consensus_pubkey for v in validators}
    signed_power = 0
    for vote in commit.votes:
        if vote.block_id_flag != COMMIT:
            if vote.vote_extension or vote.extension_signature:
                raise ErrVoteExtensionSignature(f"{vote.validator}: extension on a non-commit vote")
            continue
        if not vote.extension_signature:
            raise ErrVoteExtensionSignature(f"{vote.validator}: empty extension signature")
        sign_bytes = vote_extension_sign_bytes(
            chain_id, height - 1, commit.round, vote.vote_extension
        )
        try:
            ok = verify(keys[vote.validator], sign_bytes, vote.extension_signature)
        except CryptoError as exc:
            raise ErrVoteExtensionSignature(f"{vote.validator}: {exc.log}") from None
        if not ok:
            raise ErrVoteExtensionSignature(f"{vote.validator}: signature does not verify")
        signed_power += vote.power
    return signed_power


def check_voting_power(signed_power: int, total_power: int) -> None:
    """sumVP >= floor(totalVP * 2 / 3) + 1, and totalVP > 0."""
    if total_power <= 0:
        raise ErrInsufficientVotingPower(f"total voting power {total_power}")
    required = required_voting_power(total_power)
    if signed_power < required:
        raise ErrInsufficientVotingPower(f"got {signed_power}, need >= {required}")


def commit_votes(commit: ExtendedCommitInfo, max_commits: int) -> list[tuple[int, VoteExt]]:
    """(power, decoded extension) of every COMMIT vote; a malformed extension is an error
    (an honest validator would have refused that vote in VerifyVoteExtension)."""
    return [
        (vote.power, decode_vote_extension(vote.vote_extension, max_commits))
        for vote in commit.votes
        if vote.block_id_flag == COMMIT
    ]


def total_power_of(commit: ExtendedCommitInfo) -> int:
    """totalVP: the power of every listed vote, whatever its flag."""
    return sum(v.power for v in commit.votes)


def decode_injected(tx: bytes) -> InjectedVoteExtensions:
    """The injected extended commit of a proposal's first tx, or ErrMissingInjectedCommit."""
    try:
        injected = InjectedVoteExtensions.decode(tx)
    except CodecError as exc:
        raise ErrMissingInjectedCommit(exc.log) from None
    if injected.marker != INJECTED_MARKER:
        raise ErrMissingInjectedCommit(f"marker {injected.marker!r}")
    return injected


def is_injected_tx(tx: bytes) -> bool:
    """Whether tx is an injected extended commit (decodes with the marker)."""
    try:
        decode_injected(tx)
    except ErrMissingInjectedCommit:
        return False
    return True


def validate_injected(
    injected: InjectedVoteExtensions,
    validators: Sequence[Voter],
    chain_id: str,
    height: int,
    max_commits: int,
    last_commit: CommitInfo | None,
) -> tuple[ReceiptCommit, ...]:
    """ProcessProposal's checks of the injected extended commit at `height`, in order
    (specs §7.3); returns the force-included commits.

    1. the votes list the validator set in commit order (ErrExtendedCommitMismatch);
    2. they are the block's LastCommit, when given (ErrExtendedCommitMismatch);
    3. every COMMIT vote's extension signature is valid (ErrVoteExtensionSignature);
    4. the signed power is >= floor(totalVP * 2 / 3) + 1 (ErrInsufficientVotingPower);
    5. every extension is a valid VoteExt (ErrInvalidVoteExtension);
    6. force_included is exactly the commits backed by >= 2/3 of totalVP
       (ErrForceIncludeMismatch).
    """
    commit = injected.commit
    check_commit_lists_validator_set(commit, validators)
    if last_commit is not None:
        check_commit_matches_last_commit(commit, last_commit)
    signed = check_vote_extension_signatures(commit, validators, chain_id, height)
    total = total_power_of(commit)
    check_voting_power(signed, total)
    expected = force_included_commits(commit_votes(commit, max_commits), total)
    if injected.force_included != expected:
        missing = sorted(set(expected) - set(injected.force_included), key=_key)
        extra = sorted(set(injected.force_included) - set(expected), key=_key)
        raise ErrForceIncludeMismatch(
            f"missing {[m.commit_hash.hex() for m in missing]}, "
            f"extra {[e.commit_hash.hex() for e in extra]}"
        )
    return expected


def _key(commit: ReceiptCommit) -> CommitKey:
    return commit.sort_key()


__all__ = [
    "build_vote_ext",
    "check_commit_lists_validator_set",
    "check_commit_matches_last_commit",
    "check_vote_extension_signatures",
    "check_voting_power",
    "commit_votes",
    "decode_injected",
    "decode_vote_extension",
    "force_included_commits",
    "is_force_include_backed",
    "is_injected_tx",
    "ordered_validator_set",
    "required_voting_power",
    "tally_backing",
    "to_extended_commit",
    "total_power_of",
    "validate_injected",
    "validate_vote_ext",
    "vote_order_key",
]
