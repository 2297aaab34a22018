"""Simulation of x/state_channel: a chain driver, off-chain sessions, weighted operations
and the demo scenario (Cosmos x/<module>/simulation; specs/state_channel.md §18).

- `ChainDriver` runs a real `DaitApp` block by block with real signed txs and records
  every block, so whatever it ran can be written out as a replayable tx stream.
- `OffChainChannel` advances a channel's co-signed state through SPUR-IC's own functions
  (`spurc.host.issue` signs receipt n and the provisional state n, `spurc.cosign.cosign`
  counter-signs it) and tracks what each party knows: after call n the user holds
  co-signed state n, the host receives it with the next request (seed 002 §7 step 8).
- `weighted_operations` are the harness's random operations (rng passed in, as Cosmos
  passes a rand.Rand; nothing here draws randomness of its own).
- `demo_scenario` runs two channels end to end with the full SPUR-IC tenant and host
  sessions: a few hundred calls and a cooperative close, and a dispute won by the honest
  host.
"""

from __future__ import annotations

import random
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from dait_chain.app.abci import FinalizeBlockRequest, FinalizeBlockResult, TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.events import Event
from dait_chain.app.genesis import GenesisSpec, build_genesis
from dait_chain.app.tx import build_tx
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.secp256k1 import sign_with_domain
from dait_chain.sim.harness import expect_of
from dait_chain.sim.stream import StreamBlock, StreamHeader, new_header, write_stream
from dait_chain.spurc.attestation import QuoteCache, simulated_registry
from dait_chain.spurc.channel import Frontier
from dait_chain.spurc.cosign import cosign
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.host import HostIdentity, issue
from dait_chain.spurc.model import SimOutput
from dait_chain.spurc.payload import InferRequest
from dait_chain.spurc.session import HostSession, TenantSession
from dait_chain.spurc.signing import state_signing_payload
from dait_chain.spurc.simworld import (
    account_address,
    account_privkey,
    sim_host_identity,
    sim_policy,
)
from dait_chain.spurc.store import Durability
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel import events as ev
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.keys import DOMAIN_CLOSE, MODULE_NAME
from dait_chain.x.state_channel.rules import derive_channel_id, opening_state
from dait_chain.x.state_channel.types import (
    Channel,
    GenesisState,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
    Params,
    SettleReason,
)

GENESIS_TIME_MS: Final = 1_700_000_000_000
BLOCK_INTERVAL_MS: Final = 999  # decisions.md: blocks are nominally 999 ms apart
DEFAULT_FEE: Final = 1_000  # x/auth min_fee default
DEFAULT_CHAIN_ID: Final = "dait-sim-1"
DEFAULT_MODEL_ID: Final = "qwen2.5-32b-instruct"


# --- parties and the chain ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A named simulated account (keys from spurc.simworld, so hosts match their identity)."""

    name: str
    privkey: bytes
    address: str


def party(name: str) -> Party:
    """The simulated party `name`: the same key SPUR-IC's simulated world gives it."""
    return Party(name, account_privkey(name), account_address(name))


@dataclass(frozen=True, slots=True)
class BlockOutcome:
    """A block's results, with the events of its txs and its EndBlocker in order."""

    block: StreamBlock
    result: FinalizeBlockResult

    @property
    def tx_results(self) -> tuple[TxResult, ...]:
        return self.result.tx_results

    def events(self) -> tuple[Event, ...]:
        """Every event of the block: the txs' in order, then the EndBlocker's."""
        out: list[Event] = []
        for tx in self.result.tx_results:
            out.extend(tx.events)
        out.extend(self.result.end_events)
        return tuple(out)


def fee_paid(result: TxResult) -> tuple[str, int] | None:
    """(payer, uDAIT) of the fee a tx paid, from the ante's `tx` event; None when the ante
    refused the tx (then nothing of it remains, not even the fee)."""
    for event in result.events:
        fee, payer = event.get("fee"), event.get("fee_payer")
        if event.type == "tx" and fee is not None and payer is not None:
            return payer, int(fee.removesuffix("uDAIT") or "0")
    return None


class ChainDriver:
    """A `DaitApp` fed block by block with signed txs; every block is recorded."""

    def __init__(
        self,
        funded: Sequence[tuple[Party, int]],
        *,
        chain_id: str = DEFAULT_CHAIN_ID,
        genesis_time_ms: int = GENESIS_TIME_MS,
        params: Params | None = None,
    ) -> None:
        sections = {}
        if params is not None:
            sections[MODULE_NAME] = GenesisState(params=params).to_json()
        spec = GenesisSpec(
            chain_id=chain_id,
            genesis_time_ms=genesis_time_ms,
            accounts=tuple((p.address, amount) for p, amount in funded),
            sections=sections,
        )
        self.genesis = build_genesis(spec)
        self.chain_id = chain_id
        self.app = DaitApp()
        self.app.init_chain(self.genesis)
        self.genesis_time_ms = genesis_time_ms
        self.parties = {p.address: p for p, _ in funded}
        self.blocks: list[BlockOutcome] = []
        self.fees_paid: dict[str, int] = {}

    # --- reads -----------------------------------------------------------------------------

    @property
    def height(self) -> int:
        return self.app.height

    @property
    def time_ms(self) -> int:
        return self.app.time_ms

    def balance(self, address: str) -> int:
        return self.app.bank.balance(self.app.query_context(), address)

    def escrow_balance(self) -> int:
        """What the state_channel module account holds."""
        return self.app.bank.module_balance(self.app.query_context(), MODULE_NAME)

    @property
    def keeper(self) -> Keeper:
        """The x/state_channel keeper of the app."""
        keeper = self.app.module(MODULE_NAME).keeper
        assert isinstance(keeper, Keeper)
        return keeper

    def channel(self, channel_id: bytes) -> Channel | None:
        return self.keeper.get_channel(self.app.query_context(), channel_id)

    def next_channel_id(self, user: Party, host: Party) -> bytes:
        """The id the user's next channel to host will get (specs §4)."""
        seq = self.keeper.next_sequence(self.app.query_context(), user.address)
        return derive_channel_id(self.chain_id, user.address, host.address, seq)

    def _account(self, address: str) -> tuple[int, int]:
        account = self.app.auth.account(self.app.query_context(), address)
        if account is None:
            raise KeyError(f"{address} has no account")
        return account.account_number, account.sequence

    # --- writes ----------------------------------------------------------------------------

    def sign(
        self, signer: Party, msgs: Sequence[ProtoValue], *, fee: int = DEFAULT_FEE, ahead: int = 0
    ) -> bytes:
        """A tx of msgs signed by `signer` at its next sequence (+ `ahead` within a block)."""
        number, sequence = self._account(signer.address)
        return build_tx(msgs, signer.privkey, self.chain_id, number, sequence + ahead, fee)

    def block(
        self,
        submissions: Sequence[tuple[Party, ProtoValue]] = (),
        *,
        time_ms: int | None = None,
        proposer: str = "",
    ) -> BlockOutcome:
        """Finalize the next block with one tx per submission, at `time_ms` (default: the
        last block time + 999 ms)."""
        ahead: dict[str, int] = {}
        txs: list[bytes] = []
        for signer, msg in submissions:
            n = ahead.get(signer.address, 0)
            txs.append(self.sign(signer, (msg,), ahead=n))
            ahead[signer.address] = n + 1
        return self.raw_block(tuple(txs), time_ms=time_ms, proposer=proposer)

    def raw_block(
        self, txs: tuple[bytes, ...], *, time_ms: int | None = None, proposer: str = ""
    ) -> BlockOutcome:
        """Finalize the next block with the given tx bytes. Block times strictly increase
        (a tx stream requires it; specs/harness.md "Tx streams")."""
        when = self.time_ms + BLOCK_INTERVAL_MS if time_ms is None else time_ms
        if when <= self.time_ms:
            raise ValueError(f"block time {when} does not move past {self.time_ms}")
        block = StreamBlock(self.height + 1, when, txs, proposer)
        result = self.app.finalize_block(
            FinalizeBlockRequest(block.height, block.time_ms, proposer, block.txs)
        )
        for tx in result.tx_results:
            paid = fee_paid(tx)
            if paid is not None:
                self.fees_paid[paid[0]] = self.fees_paid.get(paid[0], 0) + paid[1]
        outcome = BlockOutcome(block, result)
        self.blocks.append(outcome)
        return outcome

    # --- the tx stream ---------------------------------------------------------------------

    def stream_header(self, meta: dict[str, object] | None = None) -> StreamHeader:
        """The header of this run's tx stream: the chain id and the whole genesis inline."""
        return new_header(self.chain_id, self.genesis, self.genesis_time_ms, meta=meta)

    def stream_blocks(self) -> list[StreamBlock]:
        """Every block run, with its results as the expected results (app hash included)."""
        return [replace(o.block, expect=expect_of(o.result)) for o in self.blocks]

    def write_stream(self, path: Path, meta: dict[str, object] | None = None) -> None:
        """Write the run as a replayable tx stream (`dait-sim replay PATH`)."""
        write_stream(path, self.stream_header(meta), self.stream_blocks())


def channel_events(outcome: BlockOutcome) -> tuple[Event, ...]:
    """The x/state_channel events of a block, in order."""
    types = {
        ev.EVENT_CHANNEL_OPENED,
        ev.EVENT_CHANNEL_CHALLENGED,
        ev.EVENT_CHALLENGE_RESPONDED,
        ev.EVENT_CHANNEL_CLOSED,
        ev.EVENT_CHANNEL_SETTLED,
    }
    return tuple(e for e in outcome.events() if e.type in types)


# --- off-chain --------------------------------------------------------------------------------


def close_consent(state: ChannelState, privkey: bytes) -> bytes:
    """A party's consent to close on exactly `state` (specs §7.3):
    sign(sha256("DAIT-CLOSE-v1\\x00" || canonical_state_minus_sigs))."""
    return sign_with_domain(privkey, DOMAIN_CLOSE, state_signing_payload(state))


def open_msg(
    user: Party,
    host: Party,
    *,
    escrow: int,
    max_calls: int,
    deadline: int,
    model_id: str = DEFAULT_MODEL_ID,
) -> MsgOpenChannel:
    """MsgOpenChannel from the user to the host."""
    return MsgOpenChannel(user.address, host.address, model_id, max_calls, deadline, escrow)


class OffChainChannel:
    """A channel's off-chain life between an honest SPUR-IC host and tenant.

    `cosigned[n]` is co-signed state n (`cosigned[0]` the unsigned opening state). The user
    knows every state it cosigned (`user_turn`); the host knows a cosigned state once a
    request carried it (`host_turn`, one behind after each call until `deliver`).
    """

    def __init__(self, opening: ChannelState, user: Party, identity: HostIdentity) -> None:
        self.user = user
        self.identity = identity
        self.cosigned: list[ChannelState] = [opening]
        self.frontiers: list[Frontier] = [Frontier.empty()]
        self.provisional: ChannelState | None = None
        # Host-signed provisional states the user never counter-signed and the host then
        # replaced by serving the same turn again (SPUR-IC's retry).
        self.abandoned: list[ChannelState] = []
        self.host_turn = 0
        self.calls = 0

    @property
    def channel_id(self) -> bytes:
        return self.cosigned[0].channel_id

    @property
    def user_latest(self) -> ChannelState:
        return self.cosigned[-1]

    @property
    def host_latest(self) -> ChannelState:
        return self.cosigned[self.host_turn]

    def call(self, now_ms: int, tokens_in: int, tokens_out: int, *, cosigned: bool = True) -> bool:
        """One inference call: the request carries the user's latest state (the host learns
        it), the host issues receipt n and provisional state n, the user counter-signs it
        (unless `cosigned` is False: the state stays provisional). False if the host refuses
        (past the deadline, max_calls reached, escrow overspent)."""
        self.deliver()
        base = self.user_latest
        self.calls += 1
        request = InferRequest(f"call {self.calls}", {}, f"nonce-{self.calls}")
        output = SimOutput(("ok",), tokens_in, tokens_out)
        try:
            issued = issue(self.identity, base, self.frontiers[-1], request, output, now_ms=now_ms)
        except SpurcError:
            return False
        if self.provisional is not None:
            self.abandoned.append(self.provisional)
        self.provisional = issued.state
        if cosigned:
            self.cosigned.append(cosign(issued.state, self.user.privkey))
            self.frontiers.append(issued.frontier)
            self.provisional = None
        return True

    def deliver(self) -> None:
        """The user ships its latest co-signed state to the host (the next request)."""
        self.host_turn = len(self.cosigned) - 1


# --- weighted operations (Cosmos simulation) ------------------------------------------------


@dataclass
class SimWorld:
    """What the random operations act on: the chain and the channels' off-chain sides."""

    chain: ChainDriver
    users: tuple[Party, ...]
    hosts: tuple[Party, ...]
    channels: dict[bytes, OffChainChannel] = field(default_factory=dict)

    def live(self) -> list[OffChainChannel]:
        """Off-chain channels whose on-chain record is not settled, in channel_id order."""
        out = []
        for cid in sorted(self.channels):
            channel = self.chain.channel(cid)
            if channel is not None and channel.settlement is None:
                out.append(self.channels[cid])
        return out


Operation = Callable[[random.Random, SimWorld], list[tuple[Party, ProtoValue]]]


@dataclass(frozen=True, slots=True)
class WeightedOperation:
    """A random operation and its relative weight (Cosmos simulation.WeightedOperation)."""

    name: str
    weight: int
    op: Operation


def op_open_channel(rng: random.Random, world: SimWorld) -> list[tuple[Party, ProtoValue]]:
    """A user opens a channel to a host; the off-chain side is set up for it."""
    user = rng.choice(world.users)
    host = rng.choice(world.hosts)
    deadline = world.chain.time_ms + rng.randint(60_000, 7 * 86_400_000)
    msg = open_msg(
        user,
        host,
        escrow=rng.randint(10_000, 1_000_000),
        max_calls=rng.randint(5, 500),
        deadline=deadline,
    )
    cid = world.chain.next_channel_id(user, host)
    world.channels[cid] = OffChainChannel(
        opening_state(cid, msg), user, sim_host_identity(host.name, model_id=msg.model_id)
    )
    return [(user, msg)]


def op_offchain_calls(rng: random.Random, world: SimWorld) -> list[tuple[Party, ProtoValue]]:
    """A few inference calls on a live channel (no tx)."""
    live = world.live()
    if live:
        channel = rng.choice(live)
        for _ in range(rng.randint(1, 10)):
            channel.call(world.chain.time_ms, rng.randint(1, 50), rng.randint(1, 200))
    return []


def op_close_channel(rng: random.Random, world: SimWorld) -> list[tuple[Party, ProtoValue]]:
    """The user closes a live channel cooperatively on its latest state, with the host's
    consent."""
    live = world.live()
    if not live:
        return []
    channel = rng.choice(live)
    channel.deliver()
    state = channel.user_latest
    if state.turn_num == 0:
        return []
    consent = close_consent(state, channel.identity.account_privkey)
    return [
        (channel.user, MsgCloseChannel(channel.user.address, channel.channel_id, state, consent))
    ]


def op_challenge_channel(rng: random.Random, world: SimWorld) -> list[tuple[Party, ProtoValue]]:
    """The host challenges a live channel with its latest co-signed state."""
    live = world.live()
    if not live:
        return []
    channel = rng.choice(live)
    host = world.chain.parties[channel.identity.host_addr]
    msg = MsgChallengeChannel(host.address, channel.channel_id, channel.host_latest)
    return [(host, msg)]


def op_respond_challenge(rng: random.Random, world: SimWorld) -> list[tuple[Party, ProtoValue]]:
    """The user answers a challenge with its latest co-signed state."""
    live = world.live()
    if not live:
        return []
    channel = rng.choice(live)
    return [
        (
            channel.user,
            MsgRespondChallenge(channel.user.address, channel.channel_id, channel.user_latest),
        )
    ]


def weighted_operations() -> tuple[WeightedOperation, ...]:
    """The module's operations for the harness's random block loop."""
    return (
        WeightedOperation("open_channel", 20, op_open_channel),
        WeightedOperation("offchain_calls", 50, op_offchain_calls),
        WeightedOperation("close_channel", 10, op_close_channel),
        WeightedOperation("challenge_channel", 5, op_challenge_channel),
        WeightedOperation("respond_challenge", 5, op_respond_challenge),
    )


def run_random_blocks(seed: int, blocks: int, *, users: int = 3, hosts: int = 2) -> SimWorld:
    """A seeded random run of the weighted operations, one operation per block."""
    rng = random.Random(seed)
    user_parties = tuple(party(f"sim-user-{i}") for i in range(users))
    host_parties = tuple(party(f"sim-host-{i}") for i in range(hosts))
    chain = ChainDriver([(p, 10**12) for p in (*user_parties, *host_parties)])
    world = SimWorld(chain, user_parties, host_parties)
    ops = weighted_operations()
    for _ in range(blocks):
        op = rng.choices(ops, weights=[o.weight for o in ops])[0]
        chain.block(op.op(rng, world), time_ms=chain.time_ms + rng.randint(999, 3_600_000))
    return world


# --- the demo --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelSummary:
    """One channel of the demo, as the chain settled it."""

    channel_id: str
    calls: int
    escrow_uDAIT: int
    paid_host_uDAIT: int
    refunded_user_uDAIT: int
    settled_turn: int
    reason: str


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What `demo_scenario` did: two channels, the blocks it took, the final app hash."""

    cooperative: ChannelSummary
    dispute: ChannelSummary
    blocks: int
    app_hash: str
    invariants_broken: tuple[str, ...]


def _summary(chain: ChainDriver, channel_id: bytes, calls: int) -> ChannelSummary:
    record = chain.channel(channel_id)
    assert record is not None and record.settlement is not None
    s = record.settlement
    cooperative = s.reason == SettleReason.SETTLE_REASON_COOPERATIVE
    reason = ev.REASON_COOPERATIVE if cooperative else ev.REASON_CHALLENGE_EXPIRED
    return ChannelSummary(
        channel_id.hex(),
        calls,
        record.escrow,
        s.paid_host_uDAIT,
        s.refunded_user_uDAIT,
        s.turn_num,
        reason,
    )


def _expect_ok(outcome: BlockOutcome) -> None:
    for result in outcome.tx_results:
        if not result.ok:
            raise RuntimeError(f"demo tx refused: {result.codespace}/{result.code} {result.log}")


def demo_scenario(
    *, calls: int = 200, dispute_calls: int = 40, workdir: Path | None = None
) -> DemoSummary:
    """Two channels on one chain, through the full SPUR-IC tenant and host sessions.

    1. alice opens a channel to host-a, makes `calls` inference calls off-chain and closes
       cooperatively on the last state (host-a's close consent): settled at once.
    2. bob opens a channel to host-b, makes `dispute_calls` calls, then challenges with the
       opening state (turn 0, hoping to pay nothing); host-b, honest, responds inside the
       24 h window with its latest co-signed state; the EndBlocker of the first block at or
       past the expiry settles it at that state.
    """
    alice, bob, host_a, host_b = party("alice"), party("bob"), party("host-a"), party("host-b")
    chain = ChainDriver([(p, 100_000_000) for p in (alice, bob, host_a, host_b)])
    deadline = chain.time_ms + 86_400_000
    with tempfile.TemporaryDirectory(prefix="dait-demo-") as tmp:
        base = workdir or Path(tmp)
        # Channel 1: many calls, cooperative close.
        coop_id, coop_state = _demo_channel(chain, alice, host_a, base / "coop", calls, deadline)
        consent = close_consent(coop_state, account_privkey(host_a.name))
        _expect_ok(
            chain.block([(alice, MsgCloseChannel(alice.address, coop_id, coop_state, consent))])
        )
        # Channel 2: a dispute the honest host wins.
        dispute_id, host_state = _demo_channel(
            chain, bob, host_b, base / "dispute", dispute_calls, deadline
        )
        opening = chain.channel(dispute_id)
        assert opening is not None
        _expect_ok(
            chain.block([(bob, MsgChallengeChannel(bob.address, dispute_id, opening.state))])
        )
        _expect_ok(
            chain.block(
                [(host_b, MsgRespondChallenge(host_b.address, dispute_id, host_state))],
                time_ms=chain.time_ms + 3_600_000,
            )
        )
        challenged = chain.channel(dispute_id)
        assert challenged is not None and challenged.challenge is not None
        chain.block(time_ms=challenged.challenge.expires_at_ms)
    broken = tuple(f"{m}/{n}: {msg}" for m, n, msg in chain.app.check_invariants())
    return DemoSummary(
        _summary(chain, coop_id, calls),
        _summary(chain, dispute_id, dispute_calls),
        len(chain.blocks),
        chain.app.app_hash.hex(),
        broken,
    )


def _demo_channel(
    chain: ChainDriver, user: Party, host: Party, workdir: Path, calls: int, deadline: int
) -> tuple[bytes, ChannelState]:
    """Open a channel on chain and run `calls` calls through TenantSession/HostSession.
    Returns the channel id and the host's latest co-signed state after a final sync."""
    msg = open_msg(user, host, escrow=5_000_000, max_calls=10_000, deadline=deadline)
    channel_id = chain.next_channel_id(user, host)
    _expect_ok(chain.block([(user, msg)]))
    record = chain.channel(channel_id)
    assert record is not None
    identity = sim_host_identity(host.name, model_id=msg.model_id)
    workdir.mkdir(parents=True, exist_ok=True)
    tenant = TenantSession.create(
        workdir / "tenant.sqlite",
        open_state=record.state,
        terms=identity.terms,
        user_privkey=user.privkey,
        policy=sim_policy(),
        registry=simulated_registry(),
        quote_cache=QuoteCache(),
        durability=Durability.PROCESS,
    )
    host_session = HostSession.create(
        workdir / "host.sqlite",
        open_state=record.state,
        identity=identity,
        durability=Durability.PROCESS,
    )
    try:
        now = chain.time_ms
        for i in range(calls):
            prepared = tenant.prepare(f"demo prompt {i}", {"max_tokens": 8}, f"demo-{i}")
            now += 50
            served = host_session.handle(prepared.headers, prepared.body, now_ms=now, stream=False)
            tenant.accept(prepared, served.reply.headers, served.reply.body, now_ms=now + 10)
        # One more request ships the last co-signed state to the host (seed 002 §7 step 8);
        # the host serves it too, and the tenant keeps that call's state provisional.
        final = tenant.state
        prepared = tenant.prepare("sync", {"max_tokens": 1}, "demo-sync")
        host_session.handle(prepared.headers, prepared.body, now_ms=now + 100, stream=False)
        host_latest = host_session.dispute_evidence()
        assert host_latest == final
    finally:
        tenant.close()
        host_session.close()
    return channel_id, host_latest


__all__ = [
    "BLOCK_INTERVAL_MS",
    "DEFAULT_FEE",
    "GENESIS_TIME_MS",
    "BlockOutcome",
    "ChainDriver",
    "ChannelSummary",
    "DemoSummary",
    "OffChainChannel",
    "Party",
    "SimWorld",
    "WeightedOperation",
    "channel_events",
    "close_consent",
    "demo_scenario",
    "fee_paid",
    "open_msg",
    "party",
    "run_random_blocks",
    "weighted_operations",
]
