"""One sweep run: a fresh chain with its agents, driven block by block through the
harness (specs/sweeps.md "A run").

`run_task(task)` builds everything it uses from the task alone (the model with its point
applied, the seed's randomness root): its own DaitApp, its own agents, its own recorder.
Nothing is shared with another run, so a worker can run any task in any order and give
the same result. Keys and TEE quotes are pure functions of names and are cached per
process (the cache holds no run state).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from typing import Any, Final

from dait_chain.app.abci import FinalizeBlockResult, TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.genesis import GenesisSpec, build_genesis, genesis_validators
from dait_chain.app.tx import build_tx
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import pubkey_from_privkey
from dait_chain.sim.consensus import Collusion, GossipModel, Network
from dait_chain.sim.harness import BlockRun, Harness
from dait_chain.sim.stream import StreamBlock
from dait_chain.spurc.channel import RateCard
from dait_chain.spurc.host import HostIdentity
from dait_chain.spurc.simworld import (
    DEFAULT_MODEL_ID,
    account_address,
    account_privkey,
    sim_host_identity,
    sim_vendor,
)
from dait_chain.sweeps.agents import Account, Auditor, Host, Session, Submission, Tenant
from dait_chain.sweeps.config import ModelConfig, RunTask, module_params, stream_rng
from dait_chain.sweeps.metrics import Recorder, ValidatorState, snapshot, snapshot_heights
from dait_chain.x.auth.types import DEFAULT_PARAMS as AUTH_DEFAULTS
from dait_chain.x.compute_market.genesis import GenesisState as MarketGenesis
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.simulation import app_modules
from dait_chain.x.pouw.types import GenesisState as PouwGenesis
from dait_chain.x.pouw.types import Model
from dait_chain.x.state_channel.keeper import Keeper as ChannelKeeper
from dait_chain.x.state_channel.rules import derive_channel_id
from dait_chain.x.state_channel.types import GenesisState as ChannelGenesis
from dait_chain.x.tee_attest.params import Params as TeeParams
from dait_chain.x.tee_attest.types import GenesisState as TeeGenesis

CHAIN_ID: Final = "dait-sweep-1"
GENESIS_TIME_MS: Final = 1_700_000_000_000
FUNDS_UDAIT: Final = 10**12  # every agent account: a million DAIT, never the constraint
UDAIT_PER_DAIT: Final = 1_000_000


@dataclass(frozen=True, slots=True)
class RunResult:
    """What one run produced: its key, the metric rows and the validator rows."""

    run_id: str
    point_index: int
    point: tuple[tuple[str, int | float | str], ...]
    seed: int
    rows: tuple[dict[str, int | float | str], ...]
    validators: tuple[dict[str, int | float | str], ...]


# --- names and keys (pure, cached) -------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def account_of(name: str) -> Account:
    """The account of a named agent (spurc.simworld's key derivation)."""
    return Account(name, account_privkey(name), account_address(name))


@functools.lru_cache(maxsize=1024)
def identity_of(name: str, per_call: int, per_token_out: int) -> HostIdentity:
    """A host's TEE identity and quote from the simulated vendor, with its rate card."""
    card = RateCard(per_call_uDAIT=per_call, per_token_out_uDAIT=per_token_out)
    return sim_host_identity(name, model_id=DEFAULT_MODEL_ID, rate_card=card)


def draw_stakes(model: ModelConfig, root: bytes) -> tuple[int, ...]:
    """Validator self-bonds in DAIT: the configured list, or lognormal draws around the
    median (stream "stakes")."""
    v = model.validators
    if v.stake_dait:
        return v.stake_dait
    rng = stream_rng(root, "stakes")
    return tuple(
        max(1, round(v.stake_median_dait * math.exp(v.stake_sigma * rng.gauss(0.0, 1.0))))
        for _ in range(v.count)
    )


def credit_targets(model: ModelConfig, stakes: tuple[int, ...], root: bytes) -> tuple[int, ...]:
    """The validator index each host points its credits at: the first
    round(concentration x hosts) hosts at the target validator (largest or smallest stake,
    lowest index on ties), the others spread evenly over the other validators in an order
    shuffled per seed (stream "targets")."""
    h, count = model.hosts, len(stakes)
    if h.concentration_target == "largest":
        target = min(range(count), key=lambda i: (-stakes[i], i))
    else:
        target = min(range(count), key=lambda i: (stakes[i], i))
    concentrated = round(h.concentration * h.count)
    others = [i for i in range(count) if i != target] or [target]
    stream_rng(root, "targets").shuffle(others)
    return tuple(
        target if j < concentrated else others[(j - concentrated) % len(others)]
        for j in range(h.count)
    )


def target_validator(model: ModelConfig, stakes: tuple[int, ...]) -> int:
    """The index of the concentration target."""
    count = len(stakes)
    if model.hosts.concentration_target == "largest":
        return min(range(count), key=lambda i: (-stakes[i], i))
    return min(range(count), key=lambda i: (stakes[i], i))


# --- the world ----------------------------------------------------------------------------------


class World:
    """A run's chain, agents and recorder; signs the agents' txs and tells them what
    the chain did with them."""

    def __init__(self, task: RunTask) -> None:
        model = task.model
        root = task.rng_root
        self.model = model
        self.model_id = DEFAULT_MODEL_ID
        self.gpu_class = model.hosts.gpu_class
        stakes = draw_stakes(model, root)
        self.validators = tuple(account_of(f"val{i}") for i in range(len(stakes)))
        colluding = sorted(range(len(stakes)), key=lambda i: (-stakes[i], i))
        self.colluders = frozenset(
            self.validators[i].address for i in colluding[: model.validators.colluding]
        )
        self.target = self.validators[target_validator(model, stakes)].address
        targets = credit_targets(model, stakes, root)
        h = model.hosts
        self.hosts = tuple(
            Host(
                account_of(f"host{j}"),
                identity_of(f"host{j}", h.price_per_call, h.price_per_token_out),
                h,
                stream_rng(root, f"host{j}"),
                self.validators[targets[j]].address,
            )
            for j in range(h.count)
        )
        self.tenants = tuple(
            Tenant(account_of(f"tenant{i}"), model.tenants, stream_rng(root, f"tenant{i}"))
            for i in range(model.tenants.count)
        )
        a = model.auditors
        self.auditors = tuple(
            Auditor(
                account_of(f"auditor{i}"),
                a.audit_rate,
                a.detection,
                stream_rng(root, f"auditor{i}"),
            )
            for i in range(a.count)
        )
        self.gov = account_of("gov")
        self.recorder = Recorder(
            tuple(v.address for v in self.validators), tuple(x.account.address for x in self.hosts)
        )
        self.sessions: dict[bytes, Session] = {}
        self.ceilings: dict[int, int] = {}
        self._open_orders: set[int] = set()
        self.active_leases: dict[str, int] = {}
        self._pending: dict[bytes, Submission] = {}
        self._seq: dict[str, int] = {}
        self._numbers: dict[str, int] = {}
        self.fee = AUTH_DEFAULTS.min_fee
        genesis = self._genesis(stakes)
        self.app = DaitApp(app_modules(self.gov.address))
        self.stakes = stakes
        self.min_escrow = module_params(
            "state_channel", model.module_params("state_channel")
        ).min_escrow_uDAIT
        self.harness: Harness | None = None
        self.network: Network | None = None
        interval = model.run.block_interval_ms
        if model.run.consensus == "network":
            self.app.init_chain(genesis)
            self.network = Network(
                self.app,
                {v.address: v.privkey for v in self.validators},
                gossip=GossipModel(seed=int.from_bytes(sha256(root + b"/gossip")[:8], "big")),
                collusion=Collusion(colluders=self.colluders),
                block_interval_ms=interval,
            )
        else:
            self.harness = Harness.from_genesis(
                genesis, interval_ms=interval, observers=(self,), app=self.app
            )

    # --- genesis ---------------------------------------------------------------------------

    def _genesis(self, stakes: tuple[int, ...]) -> dict[str, Any]:
        model = self.model
        auditors = tuple(sorted(a.account.address for a in self.auditors))
        pouw = replace(module_params("pouw", model.module_params("pouw")), auditors=auditors)
        identity = self.hosts[0].identity if self.hosts else identity_of("host0", 0, 0)
        models = (Model(self.model_id, model.hosts.model_weight, True, identity.terms.model_hash),)
        funded = [x.account for x in self.hosts] + [t.account for t in self.tenants]
        funded += [a.account for a in self.auditors] + [self.gov]
        spec = GenesisSpec(
            chain_id=CHAIN_ID,
            genesis_time_ms=GENESIS_TIME_MS,
            accounts=tuple((a.address, FUNDS_UDAIT) for a in funded),
            validators=genesis_validators(
                [
                    (v.address, pubkey_from_privkey(v.privkey), stake * UDAIT_PER_DAIT)
                    for v, stake in zip(self.validators, stakes, strict=True)
                ]
            ),
            staking_params=module_params("staking", model.module_params("staking")),
            distribution_params=module_params("distribution", model.module_params("distribution")),
            sections={
                "tee_attest": TeeGenesis(
                    TeeParams(trusted_roots=(sim_vendor().root_pubkey,))
                ).to_json(),
                "pouw": PouwGenesis(pouw, models=models).to_json(),
                "compute_market": MarketGenesis(
                    params=module_params("compute_market", model.module_params("compute_market"))
                ).to_json(),
                "state_channel": ChannelGenesis(
                    params=module_params("state_channel", model.module_params("state_channel"))
                ).to_json(),
            },
        )
        return build_genesis(spec)

    # --- what agents read ------------------------------------------------------------------

    @property
    def height(self) -> int:
        """The last committed height."""
        return self.app.height

    def next_channel_id(self, user: str, host: str) -> bytes:
        """The id the user's next channel gets (specs/state_channel.md §4)."""
        keeper = self.app.keepers.get("state_channel", ChannelKeeper)
        seq = keeper.next_sequence(self.app.query_context(), user)
        return derive_channel_id(CHAIN_ID, user, host, seq)

    def open_orders(self) -> list[int]:
        """Open deployment orders, by id."""
        return sorted(self._open_orders)

    def deployment_created(self, result: TxResult) -> None:
        """A tenant's deploy tx ran: its order is open for bids from the next block."""
        for event in result.events:
            if event.type == "DeploymentCreated":
                deployment = int(event.get("deployment_id") or 0)
                self._open_orders.add(deployment)
                self.ceilings[deployment] = int(event.get("price_ceiling_uDAIT") or 0)

    def bid_placed(self, result: TxResult) -> None:
        """A bid tx ran; a refused one is counted (e.g. the order was full)."""
        if not result.ok:
            self.recorder.bids_refused += 1

    # --- signing -----------------------------------------------------------------------------

    def sign(self, sub: Submission) -> bytes:
        """The submission as a signed tx at the signer's next sequence."""
        address = sub.signer.address
        if address not in self._numbers:
            account = self.app.auth.account(self.app.query_context(), address)
            assert account is not None, sub.signer.name
            self._numbers[address] = account.account_number
        if address not in self._seq:
            account = self.app.auth.account(self.app.query_context(), address)
            self._seq[address] = 0 if account is None else account.sequence
        seq = self._seq[address]
        self._seq[address] = seq + 1
        tx = build_tx(sub.msgs, sub.signer.privkey, CHAIN_ID, self._numbers[address], seq, self.fee)
        self._pending[sha256(tx)] = sub
        return tx

    # --- blocks ------------------------------------------------------------------------------

    def on_block(self, run: BlockRun) -> None:
        """Harness observer: every block the harness runs, listed or idle."""
        self.observe(run.height, run.txs, run.result)

    def observe(self, height: int, txs: tuple[bytes, ...], result: FinalizeBlockResult) -> None:
        """Fold a committed block into the recorder and tell the agents what happened."""
        self.recorder.at_height(height)
        self.recorder.observe(result)
        signers: set[str] = set()
        for tx, tx_result in zip(txs, result.tx_results, strict=True):
            sub = self._pending.pop(sha256(tx), None)
            if sub is None:
                continue
            signers.add(sub.signer.address)
            if sub.dispute_payer_dishonest is not None and tx_result.events:
                self.recorder.dispute_fee(self.fee, sub.dispute_payer_dishonest)
            if sub.on_result is not None:
                sub.on_result(tx_result)
        if not self._pending:
            # Everything signed is on chain: re-read sequences lazily (an ante refusal
            # does not bump one).
            self._seq.clear()
        events = [e for r in result.tx_results for e in r.events]
        for event in (*result.begin_events, *events, *result.end_events):
            self._chain_event(event)

    def _chain_event(self, event: Any) -> None:
        kind = event.type
        if kind == "LeaseStarted":
            provider = event.get("provider") or ""
            self.active_leases[provider] = self.active_leases.get(provider, 0) + 1
        elif kind == "LeaseClosed":
            provider = event.get("provider") or ""
            self.active_leases[provider] = self.active_leases.get(provider, 0) - 1
        elif kind == "OrderClosed" or kind == "BidWon":
            self._open_orders.discard(int(event.get("deployment_id") or 0))
        elif kind == "ChannelChallenged":
            session = self.sessions.get(bytes.fromhex(event.get("channel_id") or ""))
            if session is not None and event.get("challenger") == session.tenant.account.address:
                session.host.challenged(self, session, int(event.get("turn_num") or 0))
        elif kind == "ChannelSettled":
            cid = bytes.fromhex(event.get("channel_id") or "")
            session = self.sessions.pop(cid, None)
            if session is not None and cid in self.recorder.disputes:
                session.tenant.settled(self, session, int(event.get("turn_num") or 0))

    def run_block(self, height: int, subs: list[Submission]) -> None:
        """Put the agents' txs into the block at `height` (crossing idle heights before
        it sparsely in direct mode; every height runs in network mode)."""
        txs = tuple(self.sign(s) for s in subs)
        if self.network is not None:
            for tx in txs:
                self.network.submit(tx)
            while self.app.height < height:
                report = self.network.step()
                self.observe(report.height, report.txs, report.result)
            return
        assert self.harness is not None
        if txs:
            when = self.harness.implied_time(height)
            self.harness.run_block(StreamBlock(height, when, txs))
        else:
            self.harness.advance_to(height)

    def run_to(self, height: int) -> None:
        """Make sure the block at `height` has run (an empty one if idle)."""
        if self.network is not None:
            self.run_block(height, [])
            return
        assert self.harness is not None
        self.harness.run_to(height)

    def drain(self, blocks: int) -> None:
        """After the horizon: `blocks` more heights with idle agents but for dispute
        responses, crossed sparsely (also after a network-mode horizon)."""
        if blocks == 0:
            return
        if self.harness is None:
            # The ABCI++ rounds end with the horizon; the chain goes on with one proposer.
            interval = self.model.run.block_interval_ms
            self.harness = Harness(
                self.app,
                interval_ms=interval,
                anchor=(self.app.height, self.app.time_ms),
                observers=(self,),
            )
            self.network = None
        end = self.app.height + blocks
        while True:
            responses = [s for host in self.hosts for s in host.responses]
            for host in self.hosts:
                host.responses.clear()
            if responses:
                self.run_block(self.app.height + 1, responses)
                continue
            due = self.harness.next_due_height()
            if due is None or due > end:
                break
            self.harness.advance_to(due)
        self.harness.run_to(end)

    # --- snapshots ---------------------------------------------------------------------------

    def validator_states(self) -> tuple[ValidatorState, ...]:
        """Every genesis validator's stake, credits and effective stake now."""
        ctx = self.app.query_context()
        keeper = self.app.keepers.get("pouw", PouwKeeper)
        powers = {v.operator: v.power for v in self.app.validators()}
        out = []
        for v in self.validators:
            power = powers.get(v.address, 0)
            out.append(
                ValidatorState(
                    v.address,
                    power,
                    keeper.get_validator_credits(ctx, v.address).raw,
                    keeper.effective_stake(ctx, v.address, power).raw,
                    v.address in self.colluders,
                    v.address == self.target,
                )
            )
        return tuple(out)

    def host_credits(self) -> tuple[int, ...]:
        """Every host's decayed credits now (LegacyDec raw)."""
        ctx = self.app.query_context()
        keeper = self.app.keepers.get("pouw", PouwKeeper)
        return tuple(keeper.get_decayed_credits(ctx, h.account.address).raw for h in self.hosts)


def run_task(task: RunTask) -> RunResult:
    """Run one sweep run from its task alone and return its metric rows
    (specs/sweeps.md "A run")."""
    world = World(task)
    run = task.model.run
    setup = [s for host in world.hosts for s in host.setup(world)]
    world.run_block(1, setup)
    rows: list[dict[str, int | float | str]] = []
    validator_rows: list[dict[str, int | float | str]] = []
    previous: dict[str, int] = {}
    shots = set(snapshot_heights(run.blocks, run.snapshot_every))

    def take(height: int, phase: str) -> None:
        shot = snapshot(
            height, phase, world.recorder, world.validator_states(), world.host_credits(), previous
        )
        rows.append(shot.row)
        validator_rows.extend(shot.validators)
        previous.clear()
        previous.update(world.recorder.rewards)

    interval = run.block_interval_ms
    for height in range(2, run.blocks + 1):
        now = GENESIS_TIME_MS + (height - 1) * interval
        subs: list[Submission] = []
        for host in world.hosts:
            subs.extend(host.act(world, height))
        for tenant in world.tenants:
            subs.extend(tenant.act(world, height, now))
        for auditor in world.auditors:
            subs.extend(auditor.act(world))
        world.run_block(height, subs)
        if height in shots:
            world.run_to(height)
            take(height, "horizon")
    if run.drain_blocks:
        world.drain(run.drain_blocks)
        take(world.height, "drained")
    for index, row in enumerate(rows):
        row["snapshot"] = index
    return RunResult(
        task.run_id,
        task.point.index,
        task.point.values,
        task.seed,
        tuple(rows),
        tuple(validator_rows),
    )


__all__ = ["RunResult", "World", "account_of", "credit_targets", "draw_stakes", "run_task"]
