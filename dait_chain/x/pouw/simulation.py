"""x/pouw simulation: a world of validators, hosts and tenants, weighted operations for the
harness, and `demo_scenario` (specs/pouw.md §13).

Everything derives from names and seeds: a party's key is
`dait_chain.spurc.simworld.account_privkey(name)`, a host's TEE key and quote come from
the simulated vendor (`sim_host_identity`), so tests, benchmarks and the demo agree on
every key without exchanging secrets.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from dait_chain.app.abci import FinalizeBlockRequest, FinalizeBlockResult
from dait_chain.app.app import DaitApp
from dait_chain.app.genesis import GenesisSpec, build_genesis, genesis_validators
from dait_chain.app.module import ModuleFactory
from dait_chain.app.modules import DEFAULT_MODULES
from dait_chain.app.tx import build_tx
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import pubkey_from_privkey
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.signing import sign_receipt
from dait_chain.spurc.simworld import (
    DEFAULT_MODEL_ID,
    account_address,
    account_privkey,
    sim_host_identity,
    sim_vendor,
)
from dait_chain.x.distribution.types import DEFAULT_PARAMS as DISTRIBUTION_DEFAULTS
from dait_chain.x.pouw.keeper import PouwKeeper, commit_hash_of, job_id_for
from dait_chain.x.pouw.module import module_factory as pouw_factory
from dait_chain.x.pouw.module import new_module as new_pouw
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.types import (
    GenesisState,
    Model,
    MsgCommitReceipt,
    MsgRevealReceipt,
    MsgSetCreditTarget,
    Receipt,
    SpurcReceipt,
)
from dait_chain.x.state_channel.rules import derive_channel_id
from dait_chain.x.state_channel.types import MsgOpenChannel
from dait_chain.x.tee_attest.module import module_factory as tee_factory
from dait_chain.x.tee_attest.module import new_module as new_tee_attest
from dait_chain.x.tee_attest.params import Params as TeeParams
from dait_chain.x.tee_attest.types import GenesisState as TeeGenesis

CHAIN_ID: Final = "dait-pouw-sim-1"
GENESIS_TIME_MS: Final = 1_700_000_000_000
BLOCK_MS: Final = 999
FEE: Final = 1_000  # x/auth's default min_fee
FUNDS: Final = 10**12
ESCROW: Final = 10_000_000
MODEL_WEIGHT: Final = "1.000000000000000000"


@dataclass(frozen=True, slots=True)
class Party:
    """A named account whose key comes from spurc.simworld."""

    name: str
    privkey: bytes
    address: str


def party(name: str) -> Party:
    """The simulated party `name`."""
    return Party(name, account_privkey(name), account_address(name))


def app_modules(authority: str | None = None) -> tuple[ModuleFactory, ...]:
    """The default module list, with x/tee_attest and x/pouw built with `authority` as their
    gov authority when given (a test names an account whose key it holds)."""
    base = tuple(f for f in DEFAULT_MODULES if f not in (new_tee_attest, new_pouw))
    if authority is None:
        return (*base, new_tee_attest, new_pouw)
    return (*base, tee_factory(authority), pouw_factory(authority))


def evidence_receipts(
    identity: HostIdentity,
    channel_id: bytes,
    first_call_seq: int,
    tokens_out: Sequence[int],
    timestamp_ms: int,
    *,
    model_hash: bytes | None = None,
) -> tuple[SpurcReceipt, ...]:
    """SPUR-IC receipts of consecutive calls, signed by the host's TEE key and carrying its
    quote (seed 002 §3, §6)."""
    out = []
    for i, tokens in enumerate(tokens_out):
        seq = first_call_seq + i
        tag = channel_id + seq.to_bytes(8, "big")
        receipt = SpurcReceipt(
            channel_id=channel_id,
            call_seq=seq,
            request_hash=sha256(b"request" + tag),
            response_hash=sha256(b"response" + tag),
            model_hash=identity.terms.model_hash if model_hash is None else model_hash,
            tokens_in=1,
            tokens_out=tokens,
            price_uDAIT=0,
            tee_quote=identity.quote,
            tee_pubkey=identity.tee_pubkey,
            timestamp=timestamp_ms,
        )
        out.append(sign_receipt(receipt, identity.tee_privkey))
    return tuple(out)


def job_receipt(
    host: str, model_id: str, evidence: Sequence[SpurcReceipt], commit_height: int
) -> Receipt:
    """The pouw Receipt a host commits to for this evidence (specs §8.2)."""
    return Receipt(
        host=host,
        model_id=model_id,
        tokens_out=sum(e.tokens_out for e in evidence),
        tee_attested=True,
        job_id=job_id_for(evidence[0].channel_id, evidence[0].call_seq),
        commit_height=commit_height,
    )


@dataclass
class HostState:
    """A host of the world: its keys and its channel's next call."""

    party: Party
    identity: HostIdentity
    channel_id: bytes = b""
    next_call: int = 1


@dataclass
class PouwWorld:
    """A chain with validators, hosts with one open channel each, and the sequence numbers
    of every signer. `block` finalizes directly (one proposer); a consensus.Network can
    drive the same app through ABCI++ rounds instead."""

    app: DaitApp
    validators: tuple[Party, ...]
    hosts: tuple[HostState, ...]
    user: Party
    gov: Party
    auditor: Party
    model_id: str
    sequences: dict[str, int] = field(default_factory=dict)

    @property
    def keeper(self) -> PouwKeeper:
        keeper = self.app.module("pouw").keeper
        assert isinstance(keeper, PouwKeeper)
        return keeper

    def sign(self, signer: Party, msgs: Sequence[ProtoValue]) -> bytes:
        """A tx of msgs by signer at its next sequence (tracked locally, so several txs of
        one signer can wait in mempools)."""
        account = self.app.auth.account(self.app.query_context(), signer.address)
        assert account is not None, signer.name
        seq = self.sequences.get(signer.address, account.sequence)
        self.sequences[signer.address] = seq + 1
        return build_tx(msgs, signer.privkey, self.app.chain_id, account.account_number, seq, FEE)

    def block(
        self, txs: Sequence[bytes] = (), *, time_ms: int | None = None
    ) -> FinalizeBlockResult:
        """Finalize the next block with txs, proposed by the first validator."""
        when = self.app.time_ms + BLOCK_MS if time_ms is None else time_ms
        return self.app.finalize_block(
            FinalizeBlockRequest(self.app.height + 1, when, self.validators[0].address, tuple(txs))
        )

    def job(
        self, host: HostState, tokens_out: Sequence[int]
    ) -> tuple[Receipt, tuple[SpurcReceipt, ...]]:
        """The next calls of the host's channel as evidence, and the Receipt committing to
        them (commit_height = the last committed height)."""
        evidence = evidence_receipts(
            host.identity, host.channel_id, host.next_call, tokens_out, self.app.time_ms
        )
        host.next_call += len(tokens_out)
        receipt = job_receipt(host.party.address, self.model_id, evidence, self.app.height)
        return receipt, evidence

    def commit_tx(self, host: HostState, receipt: Receipt) -> bytes:
        """MsgCommitReceipt for receipt, signed by the host."""
        msg = MsgCommitReceipt(host.party.address, commit_hash_of(receipt.encode()), 0)
        return self.sign(host.party, (msg,))

    def reveal_tx(
        self, host: HostState, receipt: Receipt, evidence: Sequence[SpurcReceipt]
    ) -> bytes:
        """MsgRevealReceipt for receipt and its evidence, signed by the host."""
        return self.sign(
            host.party, (MsgRevealReceipt(host.party.address, receipt, tuple(evidence)),)
        )


def build_world(
    *,
    validator_bonds: Sequence[int] = (4_000_000_000, 3_000_000_000, 2_000_000_000, 1_000_000_000),
    hosts: int = 2,
    params: Params | None = None,
    model_id: str = DEFAULT_MODEL_ID,
    allocation_interval_blocks: int | None = None,
    block_reward: int | None = None,
    prefix: str = "pouw",
    extra_sections: Mapping[str, dict[str, Any]] | None = None,
) -> PouwWorld:
    """A chain at height 1: validators bonded at genesis, the model registered and the
    simulated vendor's root trusted at genesis, and one channel per host opened by the
    user in block 1."""
    validators = tuple(party(f"{prefix}-val{i}") for i in range(len(validator_bonds)))
    host_parties = tuple(party(f"{prefix}-host{i}") for i in range(hosts))
    user = party(f"{prefix}-user")
    gov = party(f"{prefix}-gov")
    auditor = party(f"{prefix}-auditor")
    identities = [sim_host_identity(p.name, model_id=model_id) for p in host_parties]
    # sim_host_identity derives the account key from the name, as party() does.
    assert all(i.host_addr == p.address for i, p in zip(identities, host_parties, strict=True))
    pouw_params = params or Params(auditors=(auditor.address,))
    model = Model(model_id, MODEL_WEIGHT, True, identities[0].terms.model_hash)
    distribution = DISTRIBUTION_DEFAULTS
    if allocation_interval_blocks is not None:
        distribution = replace(distribution, allocation_interval_blocks=allocation_interval_blocks)
    if block_reward is not None:
        distribution = replace(distribution, block_reward=block_reward)
    sections: dict[str, dict[str, Any]] = {
        "tee_attest": TeeGenesis(TeeParams(trusted_roots=(sim_vendor().root_pubkey,))).to_json(),
        "pouw": GenesisState(pouw_params, models=(model,)).to_json(),
    }
    sections.update(extra_sections or {})
    accounts = tuple((p.address, FUNDS) for p in (*host_parties, user, gov, auditor))
    spec = GenesisSpec(
        chain_id=CHAIN_ID,
        genesis_time_ms=GENESIS_TIME_MS,
        accounts=accounts,
        validators=genesis_validators(
            [
                (v.address, pubkey_from_privkey(v.privkey), bond)
                for v, bond in zip(validators, validator_bonds, strict=True)
            ]
        ),
        distribution_params=distribution,
        sections=sections,
    )
    app = DaitApp(app_modules(gov.address))
    app.init_chain(build_genesis(spec))
    world = PouwWorld(
        app,
        validators,
        tuple(HostState(p, i) for p, i in zip(host_parties, identities, strict=True)),
        user,
        gov,
        auditor,
        model_id,
    )
    deadline = GENESIS_TIME_MS + 30 * 86_400_000
    opens = []
    for n, host in enumerate(world.hosts):
        host.channel_id = derive_channel_id(CHAIN_ID, user.address, host.party.address, n)
        opens.append(
            world.sign(
                user,
                (
                    MsgOpenChannel(
                        user.address, host.party.address, model_id, 10**9, deadline, ESCROW
                    ),
                ),
            )
        )
    result = world.block(opens)
    assert all(r.ok for r in result.tx_results), [r.log for r in result.tx_results]
    return world


# --- weighted operations (Cosmos simulation) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeightedOperation:
    """A named operation and its weight: it returns the txs to submit this block."""

    name: str
    weight: int
    run: Callable[[random.Random, PouwSimState], list[bytes]]


@dataclass
class PouwSimState:
    """What the operations remember between blocks: committed-but-unrevealed jobs."""

    world: PouwWorld
    committed: list[tuple[int, HostState, Receipt, tuple[SpurcReceipt, ...]]] = field(
        default_factory=list
    )


def op_commit(rng: random.Random, state: PouwSimState) -> list[bytes]:
    """A random host commits to a job of 1-3 calls."""
    world = state.world
    host = rng.choice(world.hosts)
    receipt, evidence = world.job(host, [rng.randint(1, 500) for _ in range(rng.randint(1, 3))])
    state.committed.append((world.app.height + 1, host, receipt, evidence))
    return [world.commit_tx(host, receipt)]


def op_reveal(rng: random.Random, state: PouwSimState) -> list[bytes]:
    """The oldest job whose commit is on chain and at least one block old is revealed."""
    world = state.world
    for i, (height, host, receipt, evidence) in enumerate(state.committed):
        if height < world.app.height + 1 and world.keeper.is_pending(
            world.app.query_context(), host.party.address, commit_hash_of(receipt.encode())
        ):
            del state.committed[i]
            return [world.reveal_tx(host, receipt, evidence)]
    return []


def op_retarget(rng: random.Random, state: PouwSimState) -> list[bytes]:
    """A random host points its credits at a random validator (or at none)."""
    world = state.world
    host = rng.choice(world.hosts)
    options = ["", *(v.address for v in world.validators)]
    current = world.keeper.credit_target(world.app.query_context(), host.party.address)
    choices = [o for o in options if o != current]
    msg = MsgSetCreditTarget(host.party.address, rng.choice(choices))
    return [world.sign(host.party, (msg,))]


def weighted_operations() -> tuple[WeightedOperation, ...]:
    """The x/pouw operations the harness draws from (Cosmos WeightedOperations)."""
    return (
        WeightedOperation("commit", 50, op_commit),
        WeightedOperation("reveal", 40, op_reveal),
        WeightedOperation("retarget", 10, op_retarget),
    )


def draw_operation(rng: random.Random, ops: Sequence[WeightedOperation]) -> WeightedOperation:
    """One operation, drawn by weight."""
    pick = rng.randrange(sum(op.weight for op in ops))
    for op in ops:
        if pick < op.weight:
            return op
        pick -= op.weight
    raise AssertionError("unreachable: pick < total weight")


# --- the demo ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidatorSummary:
    """One validator at the end of the demo."""

    operator: str
    power: int
    credits: str
    effective_stake: str
    rewards_uDAIT: int


@dataclass(frozen=True, slots=True)
class PouwDemoSummary:
    """What `demo_scenario` did and where the rewards went."""

    blocks: int
    commits_submitted: int
    commits_force_included: int
    reveals_credited: int
    rejected_proposals: int
    host_credits: tuple[tuple[str, str], ...]
    validators: tuple[ValidatorSummary, ...]
    community_pool_uDAIT: int
    app_hash: str

    def lines(self) -> list[str]:
        """A short human-readable report."""
        out = [
            f"x/pouw demo: {self.blocks} blocks, {self.commits_submitted} commits "
            f"({self.commits_force_included} force-included from vote extensions), "
            f"{self.reveals_credited} reveals credited, "
            f"{self.rejected_proposals} proposals rejected",
        ]
        for host, credits in self.host_credits:
            out.append(f"  host {host}: credits {credits}")
        for v in self.validators:
            out.append(
                f"  validator {v.operator}: power {v.power}, credits {v.credits}, "
                f"effective stake {v.effective_stake}, rewards {v.rewards_uDAIT} uDAIT"
            )
        out.append(f"  community pool {self.community_pool_uDAIT} uDAIT; app hash {self.app_hash}")
        return out


def demo_scenario(
    *, blocks: int = 40, hosts: int = 3, seed: int = 7, colluding: int = 0
) -> PouwDemoSummary:
    """Four validators (stakes 4:3:2:1), `hosts` hosts pointing their credits at the
    smaller validators, commits gossiped to the validators' mempools (some late, some
    never), vote extensions force-including what >= 2/3 saw, reveals crediting the hosts,
    and rewards allocated every 10 blocks by effective stake. With `colluding` > 0 the
    largest validators collude to censor every commit (specs §13)."""
    from dait_chain.sim.consensus import Collusion, GossipModel, Network  # the sim layer

    world = build_world(hosts=hosts, allocation_interval_blocks=10)
    colluders = frozenset(v.address for v in world.validators[:colluding])
    network = Network(
        world.app,
        {v.address: v.privkey for v in world.validators},
        gossip=GossipModel(seed=seed, see_now_permille=600, max_delay_blocks=3, never_permille=100),
        collusion=Collusion(colluders=colluders),
    )
    rng = random.Random(seed)
    for i, host in enumerate(world.hosts):
        target = world.validators[len(world.validators) - 1 - (i % len(world.validators))]
        network.submit(
            world.sign(host.party, (MsgSetCreditTarget(host.party.address, target.address),))
        )
    state = PouwSimState(world)
    ops = (WeightedOperation("commit", 60, op_commit), WeightedOperation("reveal", 40, op_reveal))
    rewards: dict[str, int] = {}
    pool = 0
    reveals = 0
    for _ in range(blocks):
        for _ in range(2):
            for tx in draw_operation(rng, ops).run(rng, state):
                network.submit(tx)
        report = network.step()
        for tx_result in report.result.tx_results:
            reveals += sum(1 for e in tx_result.events if e.type == "ReceiptRevealed")
        for event in report.result.begin_events:
            amount = event.get("amount")
            if event.type == "rewards" and amount is not None:
                validator = event.get("validator") or ""
                rewards[validator] = rewards.get(validator, 0) + int(amount.removesuffix("uDAIT"))
            if event.type == "community_pool" and amount is not None:
                pool += int(amount.removesuffix("uDAIT"))
    ctx = world.app.query_context()
    keeper = world.keeper
    forced = sum(
        1
        for r in network.reports
        for e in r.result.begin_events
        if e.type == "ReceiptCommitted" and e.get("source") == "vote_extensions"
    )
    summaries = tuple(
        ValidatorSummary(
            v.operator,
            v.power,
            str(keeper.get_validator_credits(ctx, v.operator)),
            str(keeper.effective_stake(ctx, v.operator, v.power)),
            rewards.get(v.operator, 0),
        )
        for v in world.app.validators()
    )
    return PouwDemoSummary(
        blocks=blocks,
        commits_submitted=len(network.commit_log),
        commits_force_included=forced,
        reveals_credited=reveals,
        rejected_proposals=sum(len(r.rounds) - 1 for r in network.reports),
        host_credits=tuple(
            (h.party.address, str(keeper.get_decayed_credits(ctx, h.party.address)))
            for h in world.hosts
        ),
        validators=summaries,
        community_pool_uDAIT=pool,
        app_hash=world.app.app_hash.hex(),
    )


# --- censorship (specs §13) ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CensorshipResult:
    """One censorship run: how long commits waited, and what it cost the chain.

    Delays are in blocks from the height a commit tx was broadcast for to the height that
    recorded it (0 = the same block)."""

    validators: int
    colluders: int
    colluding_power: int
    total_power: int
    strategy: str
    blocks: int
    commits: int
    included: int
    max_delay: int
    total_delay: int
    delay_histogram: tuple[tuple[int, int], ...]
    force_included: int
    rejected_rounds: int
    heights_with_extra_rounds: int

    @property
    def never_included(self) -> int:
        return self.commits - self.included


STRATEGIES: Final = ("honest", "smart", "naive")


def censorship_run(
    *,
    validators: int = 10,
    colluders: int = 0,
    blocks: int = 100,
    hosts: int = 6,
    strategy: str = "smart",
    seed: int = 1,
    see_now_permille: int = 1000,
    max_delay_blocks: int = 0,
    never_permille: int = 0,
    placement: str = "first",
) -> CensorshipResult:
    """Equal-power validators, the first `colluders` of them colluding against every host;
    each host broadcasts a new commit whenever its previous one is on chain; count the
    blocks each commit waits (specs §13).

    Strategies: "smart" colluders leave the commits out of their proposals, list only as
    many honest votes as 2/3 + 1 needs (preferring votes that do not back a commit),
    extend their own votes with nothing, and refuse honest proposals; "naive" ones strike
    the commits from force_included instead of dropping votes (honest validators reject
    that) and accept honest proposals; "honest" is nobody colluding.

    Placement: "first" makes the first validators by name collude; "consecutive" makes
    the colluders the validators that propose one after another in CometBFT's rotation,
    the worst case for the honest side."""
    from dait_chain.app.proposer import increment
    from dait_chain.sim.consensus import Collusion, GossipModel, Network  # the sim layer

    if strategy not in STRATEGIES:
        raise ValueError(f"strategy {strategy!r} not in {STRATEGIES}")
    bonds = tuple(1_000_000_000 for _ in range(validators))
    world = build_world(validator_bonds=bonds, hosts=hosts, prefix=f"cens{validators}")
    keys = {v.address: v.privkey for v in world.validators}
    if placement == "consecutive":
        probe = Network(world.app, keys)
        pset = probe.proposers
        order: list[str] = []
        while len(order) < colluders:
            proposer = probe.by_address[pset.proposer]
            if proposer not in order:
                order.append(proposer)
            pset = increment(pset, 1)
        colluding = frozenset(order)
    else:
        colluding = frozenset(v.address for v in world.validators[:colluders])
    if strategy == "naive":
        collusion = Collusion(
            colluders=colluding,
            drop_votes=False,
            omit_forced=True,
            withhold_extensions=False,
            reject_honest=False,
        )
    else:
        collusion = Collusion(colluders=colluding if strategy == "smart" else frozenset())
    network = Network(
        world.app,
        keys,
        gossip=GossipModel(seed, see_now_permille, max_delay_blocks, never_permille),
        collusion=collusion,
    )
    waiting: dict[str, tuple[str, bytes] | None] = {h.party.address: None for h in world.hosts}
    for _ in range(blocks):
        for host in world.hosts:
            key = waiting[host.party.address]
            if key is not None and network.commit_log[key][1] is None:
                continue
            receipt, _ = world.job(host, [10])
            network.submit(world.commit_tx(host, receipt))
            waiting[host.party.address] = (host.party.address, commit_hash_of(receipt.encode()))
        network.step()
    delays = [d for d in network.inclusion_delays().values() if d is not None]
    histogram: dict[int, int] = {}
    for d in delays:
        histogram[d] = histogram.get(d, 0) + 1
    forced = sum(
        1
        for r in network.reports
        for e in r.result.begin_events
        if e.type == "ReceiptCommitted" and e.get("source") == "vote_extensions"
    )
    power = {v.operator: v.power for v in world.app.validators()}
    return CensorshipResult(
        validators=validators,
        colluders=colluders,
        colluding_power=sum(power[c] for c in colluding),
        total_power=sum(power.values()),
        strategy=strategy,
        blocks=blocks,
        commits=len(network.commit_log),
        included=len(delays),
        max_delay=max(delays, default=0),
        total_delay=sum(delays),
        delay_histogram=tuple(sorted(histogram.items())),
        force_included=forced,
        rejected_rounds=sum(len(r.rounds) - 1 for r in network.reports),
        heights_with_extra_rounds=sum(1 for r in network.reports if len(r.rounds) > 1),
    )


__all__ = [
    "CensorshipResult",
    "PouwDemoSummary",
    "PouwSimState",
    "PouwWorld",
    "ValidatorSummary",
    "WeightedOperation",
    "app_modules",
    "build_world",
    "censorship_run",
    "demo_scenario",
    "draw_operation",
    "evidence_receipts",
    "job_receipt",
    "party",
    "weighted_operations",
]
