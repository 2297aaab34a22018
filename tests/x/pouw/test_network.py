"""The full block loop with several validators: gossip, rounds, vote extensions,
force-include and censorship (specs/pouw.md §7.5, §13; dait_chain/sim/consensus.py)."""

from __future__ import annotations

from dait_chain.app.proposer import increment
from dait_chain.crypto.hashing import sha256
from dait_chain.sim.consensus import Collusion, GossipModel, Network
from dait_chain.x.pouw.keeper import commit_hash_of
from dait_chain.x.pouw.simulation import build_world, censorship_run

EQUAL = tuple(1_000_000_000 for _ in range(4))


def keys_of(world: object) -> dict[str, bytes]:
    return {v.address: v.privkey for v in world.validators}  # type: ignore[attr-defined]


def proposer_order(network: Network, heights: int) -> list[str]:
    """The round-0 proposers of the next heights (CometBFT priority, one increment per
    height)."""
    pset = network.proposers
    out = []
    for _ in range(heights):
        out.append(network.by_address[pset.proposer])
        pset = increment(pset, 1)
    return out


def test_proposal_omitting_a_backed_commit_is_rejected_and_the_next_round_includes_it() -> None:
    """Four equal validators, one colluding. The host's commit reaches every mempool but
    the honest proposer of height h's (it never saw it), so block h lacks it and the other
    three validators (3/4 of the power) put it in their vote extensions. At h + 1 the
    colluder proposes first and strikes the commit from force_included: the three honest
    validators reject the proposal (ErrForceIncludeMismatch), round 0 fails with 1/4 of
    the power, and round 1's honest proposer force-includes the commit."""
    world = build_world(validator_bonds=EQUAL, hosts=1, prefix="omit")
    network = Network(world.app, keys_of(world))
    order = proposer_order(network, 12)
    start = next(i for i in range(11) if order[i] != order[i + 1])
    honest_first, colluder = order[start], order[start + 1]
    network = Network(
        world.app,
        keys_of(world),
        collusion=Collusion(
            colluders=frozenset({colluder}),
            drop_votes=False,
            omit_forced=True,
            withhold_extensions=False,
            reject_honest=False,
        ),
    )
    for _ in range(start):
        network.step()
    host = world.hosts[0]
    receipt, _ = world.job(host, [10])
    tx = world.commit_tx(host, receipt)
    for operator, node in network.nodes.items():
        if operator != honest_first:
            node.mempool[sha256(tx)] = tx
    first = network.step()
    assert first.decided.proposer == honest_first
    assert tx not in first.txs
    second = network.step()
    refused, decided = second.rounds
    assert (refused.proposer, refused.colluding) == (colluder, True)
    assert refused.rejection == "ErrForceIncludeMismatch"
    assert refused.accepted_power == 1_000  # the colluder alone
    assert not decided.colluding and decided.rejection == ""
    forced = [
        e.as_dict()
        for e in second.result.begin_events
        if e.type == "ReceiptCommitted" and e.get("source") == "vote_extensions"
    ]
    assert [f["commit_hash"] for f in forced] == [commit_hash_of(receipt.encode()).hex()]


def test_honest_validators_force_include_what_the_proposer_never_saw() -> None:
    """No collusion, but each validator misses 20 % of the txs: every commit seen by >= 2/3
    of the power lands within a block or two, many through vote extensions."""
    result = censorship_run(
        validators=4, colluders=0, blocks=30, hosts=3, strategy="honest", never_permille=200
    )
    assert result.force_included > 0
    assert result.rejected_rounds == 0
    assert result.max_delay <= 2


def test_colluders_below_one_third_delay_a_commit_only_while_they_propose() -> None:
    """3 of 10 equal validators censor every commit with the smart strategy. A commit
    waits exactly as long as colluders keep proposing: its delay is the number of
    consecutive colluder proposers from the height it was broadcast for, and every
    commit is on chain once an honest validator proposes."""
    result = censorship_run(validators=10, colluders=3, blocks=30, hosts=3, strategy="smart")
    world = build_world(validator_bonds=tuple(10**9 for _ in range(10)), hosts=1, prefix="cens10")
    network = Network(world.app, keys_of(world))
    colluders = {v.address for v in world.validators[:3]}
    order = proposer_order(network, 40)
    longest = run = 0
    for proposer in order:
        run = run + 1 if proposer in colluders else 0
        longest = max(longest, run)
    assert result.rejected_rounds == 0
    assert result.max_delay <= longest
    assert result.never_included <= 3  # at most the last commit of each host, still waiting
    assert result.included == result.commits - result.never_included


def test_colluders_with_one_third_or_more_censor_every_commit() -> None:
    """4 of 10 equal validators: they can refuse every honest proposal (the honest 60 % is
    below 2/3 + 1), so only colluders' blocks are decided, and the honest 60 % behind a
    commit never reaches the 2/3 force-include threshold."""
    result = censorship_run(validators=10, colluders=4, blocks=25, hosts=2, strategy="smart")
    assert result.included == 0
    assert result.heights_with_extra_rounds > 0


def test_the_block_loop_is_deterministic() -> None:
    """The same world, gossip seed and strategy give the same blocks and app hashes."""

    def run() -> list[bytes]:
        world = build_world(validator_bonds=EQUAL, hosts=2, prefix="det")
        network = Network(
            world.app,
            keys_of(world),
            gossip=GossipModel(
                seed=3, see_now_permille=500, max_delay_blocks=2, never_permille=100
            ),
            collusion=Collusion(colluders=frozenset({world.validators[1].address})),
        )
        hashes = []
        for _ in range(8):
            for host in world.hosts:
                receipt, _ = world.job(host, [3])
                network.submit(world.commit_tx(host, receipt))
            hashes.append(network.step().result.app_hash)
        return hashes

    assert run() == run()
