"""x/pouw block hooks and ABCI++ handlers (specs/pouw.md §6.2, §7, §8.2).

- PreBlock: claim the injected extended commit (the block's first tx), record the
  force-included commits, remember the voting set.
- BeginBlock: end the rolling window of the audits due (seed 003 "audit-counter
  rolling-window decrement").
- EndBlock: prune the commits whose reveal window ends here (seed 003 "EndBlock
  commit-expiry pruning").
- ExtendVote / VerifyVoteExtension / PrepareProposal / ProcessProposal: the vote-extension
  protocol of seed 003 step 3, checked as cosmos-sdk's ValidateVoteExtensions does.
"""

from __future__ import annotations

from dait_chain.app.abci import (
    CommitInfo,
    ExtendVoteRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
)
from dait_chain.app.context import Context
from dait_chain.codec.tx import TxBody, TxRaw
from dait_chain.errors import DaitError
from dait_chain.x.pouw import events as ev
from dait_chain.x.pouw.errors import (
    ErrInvalidVoteExtension,
    ErrMissingInjectedCommit,
    ErrUnexpectedInjectedCommit,
)
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.types import (
    INJECTED_MARKER,
    InjectedVoteExtensions,
    MsgCommitReceipt,
    ReceiptCommit,
    VoteExt,
)
from dait_chain.x.pouw.vote_extensions import (
    COMMIT,
    CommitKey,
    build_vote_ext,
    decode_injected,
    decode_vote_extension,
    force_included_commits,
    is_injected_tx,
    to_extended_commit,
    total_power_of,
    validate_injected,
)

# --- block hooks --------------------------------------------------------------------------


def pre_block(keeper: PouwKeeper, ctx: Context, txs: tuple[bytes, ...]) -> int:
    """Claim the injected extended commit if the block starts with one and record the
    commits it backs by >= 2/3 of the voting power (specs §7.4). Returns how many leading
    txs pouw claimed (0 or 1).

    Signatures are not re-checked here: the block was accepted by validators holding more
    than 2/3 of the power, each of which ran ProcessProposal. The backed set is recomputed
    from the votes rather than read from force_included (nothing recomputable is trusted).
    """
    if txs and is_injected_tx(txs[0]):
        record_force_included(keeper, ctx, decode_injected(txs[0]))
        return 1
    return 0


def record_force_included(
    keeper: PouwKeeper, ctx: Context, injected: InjectedVoteExtensions
) -> tuple[ReceiptCommit, ...]:
    """Record every backed commit that is not pending yet; emit VoteExtensionsInjected."""
    commit = injected.commit
    max_commits = keeper.get_params(ctx).max_vote_extension_commits
    votes: list[tuple[int, VoteExt]] = []
    for vote in commit.votes:
        if vote.block_id_flag != COMMIT:
            continue
        try:
            votes.append((vote.power, decode_vote_extension(vote.vote_extension, max_commits)))
        except ErrInvalidVoteExtension:
            continue  # unreachable in an accepted block; a bad vote then backs nothing
    total = total_power_of(commit)
    backed = force_included_commits(votes, total)
    for entry in backed:
        if not keeper.is_pending(ctx, entry.host, entry.commit_hash):
            keeper.record_commit(ctx, entry.host, entry.commit_hash, True)
    ctx.events.emit(
        ev.EVENT_VOTE_EXTENSIONS_INJECTED,
        round=commit.round,
        voting_power=sum(p for p, _ in votes),
        total_voting_power=total,
        force_included=len(backed),
    )
    return backed


def begin_block(keeper: PouwKeeper, ctx: Context) -> None:
    """Expire the audits whose window ends at this height (specs §6.2)."""
    keeper.expire_audits(ctx)


def end_block(keeper: PouwKeeper, ctx: Context) -> None:
    """Prune the commits whose reveal_by_height is this height (specs §8.2); record a
    change of the active set (specs §7.3)."""
    keeper.prune_expired_commits(ctx)
    keeper.track_voter_changes(ctx)


# --- vote extensions (specs §7.2) ---------------------------------------------------------


def _commits_in_txs(txs: tuple[bytes, ...]) -> list[ReceiptCommit]:
    """Every (signer, commit_hash) of a MsgCommitReceipt inside txs; txs that do not
    decode (or the injected commit) carry none."""
    found: list[ReceiptCommit] = []
    for tx in txs:
        try:
            body = TxBody.decode(TxRaw.decode(tx).body_bytes)
        except DaitError:
            continue
        for msg in body.messages:
            if isinstance(msg, MsgCommitReceipt):
                found.append(ReceiptCommit(commit_hash=msg.commit_hash, host=msg.signer))
    return found


def _force_included_in(txs: tuple[bytes, ...]) -> set[CommitKey]:
    if txs and is_injected_tx(txs[0]):
        return {c.sort_key() for c in decode_injected(txs[0]).force_included}
    return set()


def extend_vote(keeper: PouwKeeper, ctx: Context, req: ExtendVoteRequest) -> bytes:
    """The commits this validator saw in its mempool that neither the block being voted
    on nor the chain already carries (specs §7.2), as proto.Marshal(VoteExt)."""
    in_block = {c.sort_key() for c in _commits_in_txs(req.txs)} | _force_included_in(req.txs)
    seen = [
        c
        for c in _commits_in_txs(req.mempool)
        if c.sort_key() not in in_block and not keeper.is_pending(ctx, c.host, c.commit_hash)
    ]
    max_commits = keeper.get_params(ctx).max_vote_extension_commits
    return build_vote_ext(seen, max_commits).encode()


def verify_vote_extension(
    keeper: PouwKeeper, ctx: Context, req: VerifyVoteExtensionRequest
) -> bool:
    """VerifyVoteExtension: a canonical, sorted, bounded VoteExt (specs §7.2)."""
    try:
        decode_vote_extension(req.vote_extension, keeper.get_params(ctx).max_vote_extension_commits)
    except ErrInvalidVoteExtension:
        return False
    return True


# --- proposals (specs §7.3) ---------------------------------------------------------------


def build_injected(
    keeper: PouwKeeper, ctx: Context, last_commit: CommitInfo
) -> InjectedVoteExtensions:
    """The injected extended commit an honest proposer puts first: the votes it received
    and exactly the commits they back by >= 2/3 of the voting power."""
    commit = to_extended_commit(last_commit)
    max_commits = keeper.get_params(ctx).max_vote_extension_commits
    votes: list[tuple[int, VoteExt]] = []
    for vote in commit.votes:
        if vote.block_id_flag == COMMIT:
            votes.append((vote.power, decode_vote_extension(vote.vote_extension, max_commits)))
    backed = force_included_commits(votes, total_power_of(commit))
    return InjectedVoteExtensions(INJECTED_MARKER, commit, backed)


def prepare_proposal(
    keeper: PouwKeeper, ctx: Context, req: PrepareProposalRequest, txs: tuple[bytes, ...]
) -> tuple[bytes, ...]:
    """Put the extended commit first when a voting set exists (specs §7.3). The other txs
    stay as the app chose them: a host's own MsgCommitReceipt for a commit the extended
    commit force-includes then fails as a duplicate, consuming its sequence as any failed
    Cosmos tx does (dropping it here would strand the host's later txs)."""
    if not keeper.extensions_enabled(ctx, req.height) or req.local_last_commit is None:
        return txs
    return (build_injected(keeper, ctx, req.local_last_commit).encode(), *txs)


def check_proposal(keeper: PouwKeeper, ctx: Context, req: ProcessProposalRequest) -> None:
    """ProcessProposal's pouw checks (specs §7.3), raising the registered error of the
    first rule the proposal breaks."""
    starts_injected = bool(req.txs) and is_injected_tx(req.txs[0])
    if not keeper.extensions_enabled(ctx, req.height):
        if starts_injected:
            raise ErrUnexpectedInjectedCommit(f"height {req.height}")
        return
    if not starts_injected:
        raise ErrMissingInjectedCommit(f"height {req.height}")
    validate_injected(
        decode_injected(req.txs[0]),
        keeper.voters_of(ctx, req.height - 1),
        ctx.chain_id,
        req.height,
        keeper.get_params(ctx).max_vote_extension_commits,
        req.proposed_last_commit,
    )


def process_proposal(keeper: PouwKeeper, ctx: Context, req: ProcessProposalRequest) -> bool:
    """Whether pouw accepts the proposal (check_proposal raises nothing)."""
    try:
        check_proposal(keeper, ctx, req)
    except DaitError:
        return False
    return True
