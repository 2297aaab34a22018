"""Multi-validator ABCI++ rounds: the node side of vote extensions and censorship
(specs/pouw.md §7.5, §13).

The app (`DaitApp`) is the state machine every honest node runs; this module plays the
nodes around it, block by block:

1. **Gossip.** A submitted tx reaches each validator's own mempool at a height drawn from
   a seeded gossip model (at once, after a few blocks, or never).
2. **Rounds.** The proposer of round r is CometBFT's weighted round robin
   (`dait_chain.app.proposer`): round 0 is the height's proposer, round r the set
   incremented r times. The proposer builds its block with `prepare_proposal` from its
   mempool and the extended commit it gathered; every validator runs `process_proposal`;
   the block is decided when the validators accepting it hold at least
   floor(2/3 total) + 1 of the voting power, otherwise the next round's proposer tries.
3. **Votes.** Every validator extends its precommit (`extend_vote` with its own mempool)
   and signs the extension with its consensus key over CometBFT's
   VoteExtensionSignBytes; the others run `verify_vote_extension`, and a vote whose
   extension fails it is not counted (ABSENT in the next proposer's view).
4. **Commit.** The decided block goes to `finalize_block`; its txs leave every mempool.

Colluding validators run modified software (`Collusion`): as proposers they leave the
targeted hosts' txs out and list only as many honest votes as the 2/3 + 1 rule needs
(preferring votes that do not back a targeted commit), so that no targeted commit reaches
the >= 2/3 force-include threshold; as voters they extend with nothing; and when they hold
at least 1/3 of the power they can refuse every honest proposal.

Randomness comes only from the seeds given; the same inputs give the same blocks.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from dait_chain.app.abci import (
    BlockIDFlag,
    CommitInfo,
    ExtendVoteRequest,
    FinalizeBlockRequest,
    FinalizeBlockResult,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
    VoteInfo,
    vote_extension_sign_bytes,
)
from dait_chain.app.app import DaitApp
from dait_chain.app.context import Context, ExecMode
from dait_chain.app.events import Event
from dait_chain.app.proposer import (
    ProposerSet,
    consensus_address,
    increment,
    new_proposer_set,
    update,
)
from dait_chain.app.tx import decode_tx
from dait_chain.codec.errors import CodecError
from dait_chain.crypto.address import address_from_pubkey
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import sign
from dait_chain.errors import DaitError
from dait_chain.store.kv import CacheKV
from dait_chain.x.pouw import events as pouw_events
from dait_chain.x.pouw.module import PouwModule
from dait_chain.x.pouw.types import (
    INJECTED_MARKER,
    InjectedVoteExtensions,
    MsgCommitReceipt,
    VoteExt,
)
from dait_chain.x.pouw.vote_extensions import decode_injected, is_injected_tx, required_voting_power

BLOCK_INTERVAL_MS = 999  # decisions.md: blocks are nominally 999 ms apart
PERMILLE = 1000


class LivenessFailure(Exception):
    """No proposal gathered +2/3 of the voting power within the round limit."""


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GossipModel:
    """When each validator sees a submitted tx: at once with probability
    see_now_permille / 1000, else after 1..max_delay_blocks blocks (uniform); and never
    with probability never_permille / 1000 (decided first)."""

    seed: int = 0
    see_now_permille: int = PERMILLE
    max_delay_blocks: int = 0
    never_permille: int = 0


@dataclass(frozen=True, slots=True)
class Collusion:
    """Who colludes and how (specs/pouw.md §13). `targets` are the hosts whose commits the
    colluders censor; empty means every host."""

    colluders: frozenset[str] = frozenset()
    targets: frozenset[str] = frozenset()
    omit_txs: bool = True  # as proposer: leave the targeted hosts' txs out
    drop_votes: bool = True  # as proposer: list as few honest votes as 2/3 + 1 allows
    omit_forced: bool = False  # as proposer: strike targeted commits from force_included
    withhold_extensions: bool = True  # as voter: extend with an empty VoteExt
    reject_honest: bool = True  # in ProcessProposal: refuse every honest proposal


# --- reports ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoundReport:
    """One round: who proposed, the power that accepted, and why honest nodes refused."""

    round: int
    proposer: str
    colluding: bool
    accepted_power: int
    rejection: str  # the registered error honest nodes found ("" if they accepted)


@dataclass(frozen=True, slots=True)
class HeightReport:
    """One decided height."""

    height: int
    time_ms: int
    rounds: tuple[RoundReport, ...]
    txs: tuple[bytes, ...]
    result: FinalizeBlockResult

    @property
    def decided(self) -> RoundReport:
        return self.rounds[-1]


@dataclass
class _Node:
    operator: str
    privkey: bytes
    colluding: bool
    mempool: dict[bytes, bytes] = field(default_factory=dict)  # tx hash -> tx, by arrival


@dataclass(frozen=True, slots=True)
class _Arrival:
    height: int
    order: int
    operator: str
    tx: bytes


def _rng(*parts: int) -> random.Random:
    """A Random seeded from the parts through sha256 (independent of PYTHONHASHSEED)."""
    digest = sha256("/".join(str(p) for p in parts).encode())
    return random.Random(int.from_bytes(digest[:8], "big"))


def tx_signer(tx: bytes) -> str | None:
    """The address of a tx's single signer, when its SignerInfo carries the public key."""
    try:
        decoded = decode_tx(tx)
    except (CodecError, DaitError):
        return None
    infos = decoded.auth_info.signer_infos
    if len(infos) != 1 or infos[0].public_key is None:
        return None
    key = getattr(infos[0].public_key, "key", None)
    return address_from_pubkey(key) if isinstance(key, bytes) else None


def tx_sequence(tx: bytes) -> tuple[str, int] | None:
    """(signer, account sequence) of a single-signer tx that carries its public key."""
    signer = tx_signer(tx)
    if signer is None:
        return None
    return signer, decode_tx(tx).auth_info.signer_infos[0].sequence


def commits_of(tx: bytes) -> list[tuple[str, bytes]]:
    """(host, commit_hash) of every MsgCommitReceipt in a tx."""
    try:
        decoded = decode_tx(tx)
    except (CodecError, DaitError):
        return []
    return [
        (m.signer, m.commit_hash) for m in decoded.body.messages if isinstance(m, MsgCommitReceipt)
    ]


class Network:
    """The validators of a DaitApp chain, running ABCI++ rounds block by block."""

    def __init__(
        self,
        app: DaitApp,
        consensus_keys: Mapping[str, bytes],
        *,
        gossip: GossipModel | None = None,
        collusion: Collusion | None = None,
        block_interval_ms: int = BLOCK_INTERVAL_MS,
        max_rounds: int = 64,
    ) -> None:
        self.app = app
        self.gossip = gossip or GossipModel()
        self.collusion = collusion or Collusion()
        self.block_interval_ms = block_interval_ms
        self.max_rounds = max_rounds
        validators = app.validators()
        if not validators:
            raise ValueError("the chain has no active validator")
        self.nodes: dict[str, _Node] = {}
        for v in validators:
            key = consensus_keys[v.operator]
            self.nodes[v.operator] = _Node(v.operator, key, v.operator in self.collusion.colluders)
        self.by_address = {consensus_address(v.consensus_pubkey): v.operator for v in validators}
        self.powers = {consensus_address(v.consensus_pubkey): v.power for v in validators}
        self.proposers: ProposerSet = new_proposer_set(sorted(self.powers.items()))
        # A chain that already has blocks joins the simulation as if every current
        # validator had precommitted the last block in round 0 with an empty extension.
        self.last_commit: CommitInfo | None = (
            self._empty_votes(app.height) if app.height >= 1 else None
        )
        self.arrivals: list[_Arrival] = []
        self.submitted = 0
        self.reports: list[HeightReport] = []
        # (host, commit_hash) -> (height submitted, height it became pending on chain or None)
        self.commit_log: dict[tuple[str, bytes], list[int | None]] = {}

    def _empty_votes(self, height: int) -> CommitInfo:
        votes = []
        for v in self.app.validators():
            node = self.nodes[v.operator]
            sig = sign(node.privkey, vote_extension_sign_bytes(self.app.chain_id, height, 0, b""))
            votes.append(VoteInfo(v.operator, v.power, BlockIDFlag.COMMIT, b"", sig))
        return CommitInfo(0, tuple(votes))

    # --- mempools -------------------------------------------------------------------------

    def submit(self, tx: bytes) -> None:
        """Broadcast a tx before the next block; each validator sees it per the gossip
        model."""
        g = self.gossip
        height = self.app.height + 1
        order = self.submitted
        self.submitted += 1
        for host, commit_hash in commits_of(tx):
            self.commit_log.setdefault((host, commit_hash), [height, None])
        for index, operator in enumerate(sorted(self.nodes)):
            rng = _rng(g.seed, order, index)
            if rng.randrange(PERMILLE) < g.never_permille:
                continue
            delay = 0
            if rng.randrange(PERMILLE) >= g.see_now_permille and g.max_delay_blocks > 0:
                delay = rng.randint(1, g.max_delay_blocks)
            self.arrivals.append(_Arrival(height + delay, order, operator, tx))

    def _sequence_ordered(self, txs: tuple[bytes, ...]) -> tuple[bytes, ...]:
        """What a Cosmos nonce-ordered mempool offers a proposer: per signer, the txs whose
        sequences continue the account's on-chain sequence without a gap, in sequence
        order, each signer's run placed where its first tx arrived."""
        ctx = self.app.query_context()
        runs: dict[str, dict[int, bytes]] = {}
        order: list[str] = []
        loose: list[bytes] = []
        for tx in txs:
            found = tx_sequence(tx)
            if found is None:
                loose.append(tx)
                continue
            signer, seq = found
            if signer not in runs:
                runs[signer] = {}
                order.append(signer)
            runs[signer].setdefault(seq, tx)
        out: list[bytes] = []
        for signer in order:
            account = self.app.auth.account(ctx, signer)
            expected = 0 if account is None else account.sequence
            while expected in runs[signer]:
                out.append(runs[signer][expected])
                expected += 1
        return (*out, *loose)

    def _recheck(self) -> None:
        """After a block, drop every mempool tx whose sequence is already used (CheckTx's
        recheck in Cosmos)."""
        ctx = self.app.query_context()
        used: dict[str, int] = {}
        for node in self.nodes.values():
            for key, tx in list(node.mempool.items()):
                found = tx_sequence(tx)
                if found is None:
                    continue
                signer, seq = found
                if signer not in used:
                    account = self.app.auth.account(ctx, signer)
                    used[signer] = 0 if account is None else account.sequence
                if seq < used[signer]:
                    del node.mempool[key]

    def _deliver_arrivals(self, height: int) -> None:
        due = sorted((a for a in self.arrivals if a.height <= height), key=lambda a: a.order)
        self.arrivals = [a for a in self.arrivals if a.height > height]
        for a in due:
            self.nodes[a.operator].mempool.setdefault(sha256(a.tx), a.tx)

    # --- the validator set ----------------------------------------------------------------

    def _sync_validator_set(self) -> None:
        """Apply the app's power changes to the proposer set (at the next height; CometBFT
        waits two heights, a difference the simulation accepts)."""
        current = {consensus_address(v.consensus_pubkey): v for v in self.app.validators()}
        changes = [(a, v.power) for a, v in current.items() if self.powers.get(a) != v.power]
        changes += [(a, 0) for a in self.powers if a not in current]
        if not changes:
            return
        self.proposers = update(self.proposers, sorted(changes))
        for a, v in current.items():
            self.by_address[a] = v.operator
            if v.operator not in self.nodes:
                raise ValueError(f"no consensus key for new validator {v.operator}")
        self.powers = {a: v.power for a, v in current.items()}

    # --- proposals ------------------------------------------------------------------------

    def _targeted(self, host: str) -> bool:
        return not self.collusion.targets or host in self.collusion.targets

    def _extension_backs_target(self, extension: bytes) -> bool:
        try:
            ext = VoteExt.decode(extension)
        except CodecError:
            return False
        return any(self._targeted(c.host) for c in ext.host_commits)

    def _minimal_votes(self, commit: CommitInfo) -> CommitInfo:
        """A colluding proposer's LastCommit: every colluder's vote, then honest votes not
        backing a targeted commit, then the rest, by power, only until 2/3 + 1 is reached;
        every other vote becomes ABSENT."""
        total = sum(v.power for v in commit.votes)
        quorum = required_voting_power(total)
        committed = [v for v in commit.votes if v.block_id_flag == BlockIDFlag.COMMIT]
        colluders = self.collusion.colluders
        chosen = {v.validator for v in committed if v.validator in colluders}
        power = sum(v.power for v in committed if v.validator in colluders)
        honest = [v for v in committed if v.validator not in colluders]
        honest.sort(key=lambda v: (self._extension_backs_target(v.vote_extension), -v.power))
        for v in honest:
            if power >= quorum:
                break
            chosen.add(v.validator)
            power += v.power
        return CommitInfo(
            commit.round,
            tuple(
                v if v.validator in chosen else VoteInfo(v.validator, v.power, BlockIDFlag.ABSENT)
                for v in commit.votes
            ),
        )

    def _propose(
        self, node: _Node, height: int, time_ms: int
    ) -> tuple[tuple[bytes, ...], CommitInfo | None]:
        mempool = self._sequence_ordered(tuple(node.mempool.values()))
        last = self.last_commit
        c = self.collusion
        if node.colluding and c.omit_txs:
            mempool = tuple(tx for tx in mempool if not self._targeted_tx(tx))
        if node.colluding and c.drop_votes and last is not None:
            last = self._minimal_votes(last)
        txs = self.app.prepare_proposal(
            PrepareProposalRequest(height, time_ms, node.operator, mempool, last)
        )
        if node.colluding and c.omit_forced and txs and is_injected_tx(txs[0]):
            injected = decode_injected(txs[0])
            kept = tuple(e for e in injected.force_included if not self._targeted(e.host))
            txs = (
                InjectedVoteExtensions(INJECTED_MARKER, injected.commit, kept).encode(),
                *txs[1:],
            )
        return txs, last

    def _targeted_tx(self, tx: bytes) -> bool:
        signer = tx_signer(tx)
        if signer is not None and self.collusion.targets and signer in self.collusion.targets:
            return True
        return any(self._targeted(host) for host, _ in commits_of(tx))

    def _honest_rejection(self, req: ProcessProposalRequest) -> str:
        """The registered error an honest node finds in the proposal ("" if none)."""
        if self.app.process_proposal(req):
            return ""
        pouw = self.app.module("pouw")
        if isinstance(pouw, PouwModule):
            ctx = Context(
                self.app.chain_id,
                req.height,
                req.time_ms,
                req.proposer,
                CacheKV(self.app.store),
                mode=ExecMode.PROPOSAL,
            )
            err = pouw.proposal_error(ctx, req)
            if err is not None:
                return type(err).__name__
        return "rejected"

    # --- one height -----------------------------------------------------------------------

    def step(self, time_ms: int | None = None) -> HeightReport:
        """Run the rounds of the next height until a block is decided, the votes and their
        extensions, and FinalizeBlock."""
        app = self.app
        height = app.height + 1
        when = app.time_ms + self.block_interval_ms if time_ms is None else time_ms
        self._sync_validator_set()
        self._deliver_arrivals(height)
        validators = app.validators()
        total = sum(v.power for v in validators)
        quorum = required_voting_power(total)
        rounds: list[RoundReport] = []
        decided: tuple[tuple[bytes, ...], CommitInfo | None, int, str] | None = None
        for r in range(self.max_rounds):
            pset = self.proposers if r == 0 else increment(self.proposers, r)
            proposer = self.nodes[self.by_address[pset.proposer]]
            txs, last = self._propose(proposer, height, when)
            req = ProcessProposalRequest(height, when, proposer.operator, txs, last)
            rejection = self._honest_rejection(req)
            accepted = 0
            for v in validators:
                node = self.nodes[v.operator]
                if node.colluding:
                    ok = proposer.colluding or not self.collusion.reject_honest
                else:
                    ok = rejection == ""
                accepted += v.power if ok else 0
            rounds.append(
                RoundReport(r, proposer.operator, proposer.colluding, accepted, rejection)
            )
            if accepted >= quorum:
                decided = (txs, last, r, proposer.operator)
                break
        if decided is None:
            raise LivenessFailure(f"height {height}: no block after {self.max_rounds} rounds")
        txs, last, round_, proposer_op = decided
        votes = self._votes(height, when, round_, txs)
        result = app.finalize_block(
            FinalizeBlockRequest(height, when, proposer_op, txs, decided_last_commit=last)
        )
        self.last_commit = votes
        self.proposers = increment(self.proposers, 1)
        included = {sha256(tx) for tx in txs}
        for node in self.nodes.values():
            for key in [k for k in node.mempool if k in included]:
                del node.mempool[key]
        self._recheck()
        self._log_commits(height, result)
        report = HeightReport(height, when, tuple(rounds), txs, result)
        self.reports.append(report)
        return report

    def _votes(
        self,
        height: int,
        time_ms: int,
        round_: int,
        txs: tuple[bytes, ...],
    ) -> CommitInfo:
        """Every validator's signed extension of its precommit, as the next proposer sees
        them: a vote whose extension fails VerifyVoteExtension is ABSENT."""
        app = self.app
        out: list[VoteInfo] = []
        verdicts: dict[bytes, bool] = {}
        for v in app.validators():
            node = self.nodes[v.operator]
            if node.colluding and self.collusion.withhold_extensions:
                ext = b""
            else:
                ext = app.extend_vote(
                    ExtendVoteRequest(
                        height, time_ms, node.operator, txs, tuple(node.mempool.values())
                    )
                )
            if ext not in verdicts:
                verdicts[ext] = app.verify_vote_extension(
                    VerifyVoteExtensionRequest(height, node.operator, ext)
                )
            if not verdicts[ext]:
                out.append(VoteInfo(v.operator, v.power, BlockIDFlag.ABSENT))
                continue
            sig = sign(node.privkey, vote_extension_sign_bytes(app.chain_id, height, round_, ext))
            out.append(VoteInfo(v.operator, v.power, BlockIDFlag.COMMIT, ext, sig))
        return CommitInfo(round_, tuple(out))

    def _log_commits(self, height: int, result: FinalizeBlockResult) -> None:
        events: list[Event] = list(result.begin_events)
        for tx in result.tx_results:
            events.extend(tx.events)
        for event in events:
            if event.type != pouw_events.EVENT_COMMIT_RECORDED:
                continue
            host = event.get(pouw_events.ATTR_HOST) or ""
            commit_hash = bytes.fromhex(event.get(pouw_events.ATTR_COMMIT_HASH) or "")
            entry = self.commit_log.setdefault((host, commit_hash), [height, None])
            if entry[1] is None:
                entry[1] = height

    # --- measurements ---------------------------------------------------------------------

    def inclusion_delays(self) -> dict[tuple[str, bytes], int | None]:
        """For every commit seen, blocks from its submission to the block that recorded it
        (0 = the block it was submitted for), or None if it is not on chain yet."""
        return {
            key: None if seen is None else seen - submitted
            for key, (submitted, seen) in sorted(self.commit_log.items())
            if submitted is not None
        }


__all__ = [
    "BLOCK_INTERVAL_MS",
    "Collusion",
    "GossipModel",
    "HeightReport",
    "LivenessFailure",
    "Network",
    "RoundReport",
    "commits_of",
    "tx_sequence",
    "tx_signer",
]
