"""Vote extensions and the injected extended commit (specs/pouw.md §7).

The pure rules first (thresholds, VoteExt shape, tallying), then the app's ABCI++ entry
points with real signatures: every ProcessProposal refusal is produced by a concrete
proposal, honest ProcessProposal returns False, and pouw names the rule it broke.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from dait_chain.app.abci import (
    BlockIDFlag,
    CommitInfo,
    ExtendVoteRequest,
    PrepareProposalRequest,
    ProcessProposalRequest,
    VerifyVoteExtensionRequest,
    VoteInfo,
    vote_extension_sign_bytes,
)
from dait_chain.app.context import Context, ExecMode
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import sign
from dait_chain.errors import DaitError
from dait_chain.store.kv import CacheKV
from dait_chain.x.pouw.errors import (
    ErrExtendedCommitMismatch,
    ErrForceIncludeMismatch,
    ErrInsufficientVotingPower,
    ErrInvalidVoteExtension,
    ErrMissingInjectedCommit,
    ErrUnexpectedInjectedCommit,
    ErrVoteExtensionSignature,
)
from dait_chain.x.pouw.module import PouwModule
from dait_chain.x.pouw.simulation import PouwWorld, party
from dait_chain.x.pouw.types import (
    INJECTED_MARKER,
    InjectedVoteExtensions,
    MsgCommitReceipt,
    ReceiptCommit,
    VoteExt,
)
from dait_chain.x.pouw.vote_extensions import (
    build_vote_ext,
    decode_vote_extension,
    force_included_commits,
    is_force_include_backed,
    required_voting_power,
    to_extended_commit,
)

from .scene import make_world

HOSTS = sorted(party(f"ve-host{i}").address for i in range(3))


def rc(host: str, tag: bytes) -> ReceiptCommit:
    return ReceiptCommit(commit_hash=sha256(tag), host=host)


# --- thresholds (specs §7.1) ----------------------------------------------------------------


@pytest.mark.parametrize(("total", "required"), [(1, 1), (3, 3), (4, 3), (99, 67), (100, 67)])
def test_required_power_is_floor_two_thirds_plus_one(total: int, required: int) -> None:
    """cosmos-sdk ValidateVoteExtensions: requiredVP = ((totalVP * 2) / 3) + 1."""
    assert required_voting_power(total) == required


@pytest.mark.parametrize(
    ("backing", "total", "forced"),
    [
        (66, 100, False),
        (67, 100, True),
        (65, 99, False),
        (66, 99, True),
        (1, 3, False),
        (2, 3, True),
    ],
)
def test_a_commit_is_force_included_at_two_thirds_of_the_power(
    backing: int, total: int, forced: bool
) -> None:
    """Seed 003: "Any commit referenced by >=2/3 voting power MUST be force-included":
    3 x backing >= 2 x total, so exactly 2/3 (66 of 99) counts."""
    assert is_force_include_backed(backing, total) == forced


# --- VoteExt (specs §7.2) ---------------------------------------------------------------------


def test_vote_ext_is_sorted_deduplicated_and_capped() -> None:
    """Entries ascend by (host, commit_hash), once each, and only the first max stay."""
    commits = [rc(HOSTS[1], b"b"), rc(HOSTS[0], b"a"), rc(HOSTS[1], b"b"), rc(HOSTS[2], b"c")]
    ext = build_vote_ext(commits, 2)
    assert ext.host_commits == (rc(HOSTS[0], b"a"), rc(HOSTS[1], b"b"))


def test_empty_vote_ext_is_empty_bytes() -> None:
    assert build_vote_ext([], 10).encode() == b""
    assert decode_vote_extension(b"", 10) == VoteExt()


@pytest.mark.parametrize(
    "ext",
    [
        VoteExt((rc(HOSTS[1], b"x"), rc(HOSTS[0], b"x"))),  # unsorted
        VoteExt((rc(HOSTS[0], b"x"), rc(HOSTS[0], b"x"))),  # duplicate
        VoteExt((rc("not-an-address", b"x"),)),  # bad host
        VoteExt(tuple(rc(HOSTS[0], bytes([i])) for i in range(4))),  # over the cap of 3
    ],
)
def test_malformed_vote_ext_is_refused(ext: VoteExt) -> None:
    with pytest.raises(ErrInvalidVoteExtension):
        decode_vote_extension(ext.encode(), 3)


def test_vote_ext_bytes_that_are_not_a_vote_ext_are_refused() -> None:
    with pytest.raises(ErrInvalidVoteExtension):
        decode_vote_extension(b"\x12\x00", 3)  # field 2 is unknown to VoteExt


def test_backing_counts_each_commit_vote_power_once() -> None:
    a, b = rc(HOSTS[0], b"a"), rc(HOSTS[1], b"b")
    votes = [(40, VoteExt((a, b))), (30, VoteExt((a,))), (30, VoteExt((b,)))]
    assert force_included_commits(votes, 100) == (a, b)
    assert force_included_commits(votes[:2], 100) == (a,)


# --- the app's ABCI++ entry points ---------------------------------------------------------


def _pouw(world: PouwWorld) -> PouwModule:
    module = world.app.module("pouw")
    assert isinstance(module, PouwModule)
    return module


def signed_votes(world: PouwWorld, extensions: dict[str, bytes], round_: int = 0) -> CommitInfo:
    """Every validator's COMMIT vote on the last block, with its extension (default empty)
    signed over VoteExtensionSignBytes(chain_id, last height, round, extension)."""
    app = world.app
    keys = {v.address: v.privkey for v in world.validators}
    votes = []
    for v in app.validators():
        ext = extensions.get(v.operator, b"")
        sig = sign(
            keys[v.operator], vote_extension_sign_bytes(app.chain_id, app.height, round_, ext)
        )
        votes.append(VoteInfo(v.operator, v.power, BlockIDFlag.COMMIT, ext, sig))
    return CommitInfo(round_, tuple(votes))


def rejection(
    world: PouwWorld, txs: tuple[bytes, ...], last: CommitInfo | None
) -> DaitError | None:
    """Honest ProcessProposal's verdict and pouw's reason."""
    app = world.app
    h, t = app.height + 1, app.time_ms + 999
    req = ProcessProposalRequest(h, t, world.validators[0].address, txs, last)
    ctx = Context(app.chain_id, h, t, req.proposer, CacheKV(app.store), mode=ExecMode.PROPOSAL)
    error = _pouw(world).proposal_error(ctx, req)
    assert app.process_proposal(req) == (error is None)
    return error


def prepared(
    world: PouwWorld, last: CommitInfo, mempool: tuple[bytes, ...] = ()
) -> tuple[bytes, ...]:
    app = world.app
    return app.prepare_proposal(
        PrepareProposalRequest(
            app.height + 1, app.time_ms + 999, world.validators[0].address, mempool, last
        )
    )


def with_injected(txs: tuple[bytes, ...], change: object) -> tuple[bytes, ...]:
    injected = InjectedVoteExtensions.decode(txs[0])
    return (replace(injected, **change).encode(), *txs[1:])  # type: ignore[arg-type]


def backed_ext(world: PouwWorld) -> tuple[bytes, ReceiptCommit]:
    host = world.hosts[0].party.address
    commit = rc(host, b"job")
    return VoteExt((commit,)).encode(), commit


def test_honest_proposal_injects_the_extended_commit_and_is_accepted() -> None:
    world = make_world()
    ext, commit = backed_ext(world)
    ops = [v.address for v in world.validators]
    last = signed_votes(world, dict.fromkeys(ops[:3], ext))  # powers 4+3+2 of 10
    txs = prepared(world, last)
    injected = InjectedVoteExtensions.decode(txs[0])
    assert injected.marker == INJECTED_MARKER
    assert injected.force_included == (commit,)
    assert rejection(world, txs, last) is None


def test_proposal_without_the_extended_commit_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    assert isinstance(rejection(world, (), last), ErrMissingInjectedCommit)


def test_extended_commit_in_the_first_block_is_rejected() -> None:
    """A fresh chain enables vote extensions after its first block (CometBFT's
    VoteExtensionsEnableHeight = the initial height)."""
    from dait_chain.app.app import DaitApp
    from dait_chain.app.genesis import GenesisSpec, build_genesis, genesis_validators
    from dait_chain.crypto.secp256k1 import pubkey_from_privkey

    world = make_world()
    fresh = DaitApp()
    v = world.validators[0]
    fresh.init_chain(
        build_genesis(
            GenesisSpec(
                validators=genesis_validators([(v.address, pubkey_from_privkey(v.privkey), 10**9)])
            )
        )
    )
    injected = InjectedVoteExtensions(INJECTED_MARKER, to_extended_commit(CommitInfo(0, ())))
    req = ProcessProposalRequest(1, 1, v.address, (injected.encode(),), None)
    ctx = Context(fresh.chain_id, 1, 1, v.address, CacheKV(fresh.store), mode=ExecMode.PROPOSAL)
    module = fresh.module("pouw")
    assert isinstance(module, PouwModule)
    assert isinstance(module.proposal_error(ctx, req), ErrUnexpectedInjectedCommit)
    assert not fresh.process_proposal(req)


def test_extended_commit_missing_a_validator_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    short = CommitInfo(0, last.votes[:-1])
    txs = prepared(world, short)
    assert isinstance(rejection(world, txs, short), ErrExtendedCommitMismatch)


def test_extended_commit_with_a_wrong_power_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    bent = CommitInfo(0, (replace(last.votes[0], power=last.votes[0].power + 1), *last.votes[1:]))
    txs = prepared(world, bent)
    assert isinstance(rejection(world, txs, bent), ErrExtendedCommitMismatch)


def test_extended_commit_out_of_commit_order_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    swapped = CommitInfo(0, (last.votes[1], last.votes[0], *last.votes[2:]))
    txs = prepared(world, swapped)
    assert isinstance(rejection(world, txs, swapped), ErrExtendedCommitMismatch)


def test_extended_commit_differing_from_the_blocks_last_commit_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    txs = prepared(world, last)
    other = CommitInfo(1, last.votes)
    assert isinstance(rejection(world, txs, other), ErrExtendedCommitMismatch)


def test_extended_commit_with_a_forged_signature_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    forged = replace(last.votes[2], extension_signature=last.votes[3].extension_signature)
    bad = CommitInfo(0, (*last.votes[:2], forged, last.votes[3]))
    txs = prepared(world, bad)
    assert isinstance(rejection(world, txs, bad), ErrVoteExtensionSignature)


def test_extension_signed_for_another_height_is_rejected() -> None:
    world = make_world()
    app = world.app
    v = world.validators[1]
    stale = sign(v.privkey, vote_extension_sign_bytes(app.chain_id, app.height - 1, 0, b""))
    last = signed_votes(world, {})
    bad = CommitInfo(
        0,
        tuple(
            replace(x, extension_signature=stale) if x.validator == v.address else x
            for x in last.votes
        ),
    )
    txs = prepared(world, bad)
    assert isinstance(rejection(world, txs, bad), ErrVoteExtensionSignature)


def test_absent_vote_carrying_an_extension_is_rejected() -> None:
    world = make_world()
    last = signed_votes(world, {})
    absent = replace(last.votes[3], block_id_flag=BlockIDFlag.ABSENT)
    bad = CommitInfo(0, (*last.votes[:3], absent))
    txs = prepared(world, bad)
    assert isinstance(rejection(world, txs, bad), ErrVoteExtensionSignature)


def test_extended_commit_below_two_thirds_plus_one_is_rejected() -> None:
    """Powers 4000, 3000, 2000, 1000: 4000 + 2000 = 6000 signed is below
    floor(2 x 10,000 / 3) + 1 = 6667; 4000 + 3000 = 7000 is enough."""
    world = make_world()
    last = signed_votes(world, {})
    absent = [VoteInfo(x.validator, x.power, BlockIDFlag.ABSENT) for x in last.votes]
    thin = CommitInfo(0, (last.votes[0], absent[1], last.votes[2], absent[3]))
    txs = prepared(world, thin)
    assert isinstance(rejection(world, txs, thin), ErrInsufficientVotingPower)
    enough = CommitInfo(0, (last.votes[0], last.votes[1], absent[2], absent[3]))
    assert rejection(world, prepared(world, enough), enough) is None


def test_extended_commit_with_a_malformed_extension_is_rejected() -> None:
    world = make_world()
    bad_ext = VoteExt((rc(HOSTS[1], b"x"), rc(HOSTS[0], b"x"))).encode()  # unsorted
    last = signed_votes(world, {world.validators[3].address: bad_ext})
    injected = InjectedVoteExtensions(INJECTED_MARKER, to_extended_commit(last))
    assert isinstance(rejection(world, (injected.encode(),), last), ErrInvalidVoteExtension)


def test_proposal_omitting_a_backed_commit_is_rejected() -> None:
    world = make_world()
    ext, _ = backed_ext(world)
    ops = [v.address for v in world.validators]
    last = signed_votes(world, dict.fromkeys(ops[:3], ext))
    txs = with_injected(prepared(world, last), {"force_included": ()})
    assert isinstance(rejection(world, txs, last), ErrForceIncludeMismatch)


def test_proposal_force_including_an_unbacked_commit_is_rejected() -> None:
    """Backed by 4000 + 1000 of 10,000: below 2/3, so it must not be listed."""
    world = make_world()
    ext, commit = backed_ext(world)
    ops = [v.address for v in world.validators]
    last = signed_votes(world, {ops[0]: ext, ops[3]: ext})
    txs = prepared(world, last)
    assert InjectedVoteExtensions.decode(txs[0]).force_included == ()
    forced = with_injected(txs, {"force_included": (commit,)})
    assert isinstance(rejection(world, forced, last), ErrForceIncludeMismatch)


def test_finalize_records_the_backed_commits_as_force_included() -> None:
    world = make_world()
    ext, commit = backed_ext(world)
    ops = [v.address for v in world.validators]
    last = signed_votes(world, dict.fromkeys(ops[:3], ext))
    txs = prepared(world, last)
    result = world.block(txs)
    assert result.tx_results[0].log == "pouw pseudo-tx"
    recorded = [e.as_dict() for e in result.begin_events if e.type == "ReceiptCommitted"]
    assert recorded == [
        {
            "host": commit.host,
            "commit_hash": commit.commit_hash.hex(),
            "commit_height": str(world.app.height),
            "reveal_by_height": str(world.app.height + 5),
            "source": "vote_extensions",
        }
    ]
    injected = [e.as_dict() for e in result.begin_events if e.type == "VoteExtensionsInjected"]
    assert injected == [
        {
            "round": "0",
            "voting_power": "10000",
            "total_voting_power": "10000",
            "force_included": "1",
        }
    ]


# --- ExtendVote / VerifyVoteExtension ------------------------------------------------------


def test_extend_vote_reports_mempool_commits_not_in_the_block_nor_on_chain() -> None:
    world = make_world()
    host = world.hosts[0]
    pending = world.sign(
        host.party, (MsgCommitReceipt(host.party.address, sha256(b"on chain"), 0),)
    )
    world.block([pending])
    in_block = world.sign(
        host.party, (MsgCommitReceipt(host.party.address, sha256(b"in block"), 0),)
    )
    waiting = world.sign(host.party, (MsgCommitReceipt(host.party.address, sha256(b"waiting"), 0),))
    app = world.app
    req = ExtendVoteRequest(
        app.height + 1,
        app.time_ms + 999,
        world.validators[0].address,
        (in_block,),
        (pending, in_block, waiting),
    )
    ext = VoteExt.decode(app.extend_vote(req))
    assert ext.host_commits == (
        ReceiptCommit(commit_hash=sha256(b"waiting"), host=host.party.address),
    )


def test_verify_vote_extension_accepts_valid_and_refuses_malformed_bodies() -> None:
    world = make_world()
    app = world.app
    good = build_vote_ext([rc(HOSTS[0], b"a")], 10).encode()
    bad = VoteExt((rc(HOSTS[1], b"x"), rc(HOSTS[0], b"x"))).encode()
    v = world.validators[0].address
    assert app.verify_vote_extension(VerifyVoteExtensionRequest(app.height + 1, v, good))
    assert not app.verify_vote_extension(VerifyVoteExtensionRequest(app.height + 1, v, bad))
