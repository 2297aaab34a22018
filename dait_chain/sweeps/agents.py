"""The agents of a sweep run: tenants, hosts (SPUR-IC servers and market providers),
auditors; validators are passive chain members whose collusion the network mode plays
(specs/sweeps.md "Agents").

Agents never touch the store: each block they look at the committed state and at what
the chain said about their own txs (results and events), and return messages to sign.
Each agent draws from its own Random (`config.stream_rng(root, name)`), so adding or
removing one agent does not change what the others draw.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Final

from dait_chain.app.abci import TxResult
from dait_chain.codec.value import ProtoValue
from dait_chain.spurc.channel import Frontier
from dait_chain.spurc.cosign import cosign
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.host import HostIdentity, issue
from dait_chain.spurc.model import SimOutput
from dait_chain.spurc.payload import InferRequest
from dait_chain.spurc.values import ChannelState, Receipt
from dait_chain.sweeps.config import HostsConfig, TenantsConfig
from dait_chain.sweeps.metrics import Dispute
from dait_chain.x.compute_market.types import (
    Attribute,
    JobSpec,
    MsgCreateBid,
    MsgCreateDeployment,
    MsgRegisterProvider,
)
from dait_chain.x.pouw.keeper import commit_hash_of, job_id_for
from dait_chain.x.pouw.types import (
    MsgCommitReceipt,
    MsgReportAudit,
    MsgRevealReceipt,
    MsgSetCreditTarget,
)
from dait_chain.x.pouw.types import Receipt as PouwReceipt
from dait_chain.x.state_channel.rules import opening_state
from dait_chain.x.state_channel.simulation import close_consent
from dait_chain.x.state_channel.types import (
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)

if TYPE_CHECKING:
    from dait_chain.sweeps.world import World

TOKENS_IN: Final = 32  # prompt tokens per call (the rate card charges none for them)
SESSION_DEADLINE_MS: Final = 86_400_000  # a session's channel deadline: a day after open
REGION: Final = "na-east"


@dataclass(frozen=True, slots=True)
class Account:
    """A named key pair and its address."""

    name: str
    privkey: bytes
    address: str


@dataclass(frozen=True, slots=True)
class Submission:
    """A tx an agent wants in the next block: signer, messages, what to call with its
    result, and whether its fee is a dispute cost (None: not a dispute tx; else whether
    the payer is cheating)."""

    signer: Account
    msgs: tuple[ProtoValue, ...]
    on_result: Callable[[TxResult], None] | None = None
    dispute_payer_dishonest: bool | None = None


# --- channel sessions ------------------------------------------------------------------------


@dataclass
class Session:
    """One channel session between a tenant and a host, off chain and on chain.

    `states[n]` is co-signed state n (`states[0]` the opening state); `tokens[n]` the output
    tokens of calls 1..n; `planned` the output tokens of every call the tenant plans.
    """

    tenant: Tenant
    host: Host
    channel_id: bytes
    opening: ChannelState
    planned: tuple[int, ...]
    host_cheats: bool
    fault_call: int  # the call a cheating host overcharges (1-based)
    tenant_cheats: bool
    states: list[ChannelState] = field(default_factory=list)
    frontiers: list[Frontier] = field(default_factory=list)
    tokens: list[int] = field(default_factory=lambda: [0])
    provisional: ChannelState | None = None  # the overcharged state the tenant refused
    live: bool = False
    ended: bool = False

    @property
    def turn(self) -> int:
        """The latest co-signed turn."""
        return len(self.states) - 1

    def call(self, world: World, now_ms: int) -> bool:
        """The next planned call through SPUR-IC (seed 002 §7): the host issues receipt n and
        provisional state n, the tenant checks the price against the rate card and
        counter-signs. False when the session cannot go on (a fault, or the host refuses)."""
        n = self.turn + 1
        tokens_out = self.planned[n - 1]
        request = InferRequest(f"sweep call {n}", {}, f"{self.channel_id.hex()}/{n}")
        output = SimOutput(("ok",), TOKENS_IN, tokens_out)
        identity = self.host.identity
        cheating_now = self.host_cheats and n == self.fault_call
        if cheating_now:
            # The cheating host bills 10x its rate card; the tenant recomputes the price,
            # refuses to counter-sign, and the session ends in a dispute.
            card = identity.terms.rate_card
            dearer = replace(
                card,
                per_call_uDAIT=card.per_call_uDAIT * 10 + 1,
                per_token_out_uDAIT=card.per_token_out_uDAIT * 10,
            )
            identity = replace(identity, terms=replace(identity.terms, rate_card=dearer))
        try:
            issued = issue(
                identity, self.states[-1], self.frontiers[-1], request, output, now_ms=now_ms
            )
        except SpurcError:
            return False
        if cheating_now:
            self.provisional = issued.state
            world.recorder.cheaters.add(self.host.account.address)
            self.host.cheated = True
            return False
        self.states.append(cosign(issued.state, self.tenant.account.privkey))
        self.frontiers.append(issued.frontier)
        self.tokens.append(self.tokens[-1] + tokens_out)
        self.host.served(self.channel_id, issued.receipt)
        return True

    def forgone(self) -> int:
        """What the calls from the fault on would have paid an honest host."""
        card = self.host.identity.terms.rate_card
        return sum(card.price(TOKENS_IN, t) for t in self.planned[self.turn :])


# --- tenants ---------------------------------------------------------------------------------


class Tenant:
    """Demand: one channel session at a time, and lease jobs (specs/sweeps.md "Tenants")."""

    def __init__(self, account: Account, config: TenantsConfig, rng: random.Random) -> None:
        self.account = account
        self.config = config
        self.rng = rng
        self.session: Session | None = None
        self.opening = False

    def act(self, world: World, height: int, now_ms: int) -> list[Submission]:
        """This block's txs: open, call, close or cheat in the session; maybe a lease job."""
        out: list[Submission] = []
        c = self.config
        session = self.session
        if session is None and not self.opening and self.rng.random() < c.session_rate:
            out.append(self._open(world, now_ms))
        elif session is not None and session.live and not session.ended:
            out.extend(self._calls(world, session, now_ms))
        if self.rng.random() < c.lease_rate:
            out.append(self._deploy(world))
        return out

    def _open(self, world: World, now_ms: int) -> Submission:
        c = self.config
        host = world.hosts[self.rng.randrange(len(world.hosts))]
        calls = self.rng.randint(c.session_calls_min, c.session_calls_max)
        planned = tuple(self.rng.randint(c.tokens_out_min, c.tokens_out_max) for _ in range(calls))
        tenant_cheats = self.rng.random() >= c.honesty
        host_cheats, fault = host.plan_session(calls)
        card = host.identity.terms.rate_card
        escrow = max(sum(card.price(TOKENS_IN, t) for t in planned), world.min_escrow)
        msg = MsgOpenChannel(
            self.account.address,
            host.account.address,
            host.identity.model_id,
            calls,
            now_ms + SESSION_DEADLINE_MS,
            escrow,
        )
        channel_id = world.next_channel_id(self.account.address, host.account.address)
        session = Session(
            self,
            host,
            channel_id,
            opening_state(channel_id, msg),
            planned,
            host_cheats,
            fault,
            tenant_cheats,
        )
        session.states.append(session.opening)
        session.frontiers.append(Frontier.empty())
        self.opening = True

        def opened(result: TxResult) -> None:
            self.opening = False
            if result.ok:
                session.live = True
                self.session = session
                world.sessions[channel_id] = session

        return Submission(self.account, (msg,), opened)

    def _calls(self, world: World, session: Session, now_ms: int) -> list[Submission]:
        ok = True
        for _ in range(self.config.calls_per_block):
            if session.turn >= len(session.planned):
                break
            ok = session.call(world, now_ms)
            if not ok:
                break
        if session.provisional is not None:
            # A fault: the tenant challenges with the last state both signed (seed 002 §7).
            return [self._challenge(world, session, session.states[-1], dishonest=False)]
        if not ok or session.turn >= len(session.planned):
            return [self._finish(world, session)]
        return []

    def _finish(self, world: World, session: Session) -> Submission:
        if session.tenant_cheats:
            # The cheating tenant presents the opening state, hoping to pay nothing.
            return self._challenge(world, session, session.opening, dishonest=True)
        latest = session.states[-1]
        consent = close_consent(latest, session.host.identity.account_privkey)
        session.ended = True
        msg = MsgCloseChannel(self.account.address, session.channel_id, latest, consent)

        def closed(result: TxResult) -> None:
            if result.ok:
                world.recorder.settled_tokens(session.tokens[-1])
                world.sessions.pop(session.channel_id, None)
            self.session = None

        return Submission(self.account, (msg,), closed)

    def _challenge(
        self, world: World, session: Session, state: ChannelState, *, dishonest: bool
    ) -> Submission:
        session.ended = True
        world.recorder.disputes[session.channel_id] = Dispute(
            session.channel_id,
            honest_spent=session.states[-1].spent_amount,
            host_dishonest=session.provisional is not None,
            tenant_dishonest=dishonest,
            forgone=session.forgone() if session.provisional is not None else 0,
        )
        if dishonest:
            world.recorder.cheaters.add(self.account.address)
        msg = MsgChallengeChannel(self.account.address, session.channel_id, state)
        return Submission(self.account, (msg,), None, dispute_payer_dishonest=dishonest)

    def settled(self, world: World, session: Session, turn: int) -> None:
        """The chain settled the session's channel at `turn` (a dispute ended)."""
        world.recorder.settled_tokens(session.tokens[min(turn, session.turn)])
        self.session = None

    def _deploy(self, world: World) -> Submission:
        c = self.config
        duration = self.rng.randint(c.lease_duration_min, c.lease_duration_max)
        job = JobSpec(
            model=world.model_id,
            attributes=(
                Attribute("gpu_class", world.gpu_class + "-or-newer"),
                Attribute("region", REGION),
            ),
            replayable=True,
            price_ceiling_uDAIT=c.lease_ceiling,
            duration_blocks=duration,
        )
        msg = MsgCreateDeployment(self.account.address, job, c.lease_ceiling * duration)
        return Submission(self.account, (msg,), world.deployment_created)


# --- hosts -------------------------------------------------------------------------------------


@dataclass
class Job:
    """A pouw job a host committed to: its receipt, evidence and whether it is inflated."""

    receipt: PouwReceipt
    evidence: tuple[Receipt, ...]
    inflated: bool
    reveal_after: int = 0  # the commit's height; the reveal goes in a later block


class Host:
    """Supply: serves sessions, bids on lease orders, turns its receipts into pouw credits
    (specs/sweeps.md "Hosts")."""

    def __init__(
        self,
        account: Account,
        identity: HostIdentity,
        config: HostsConfig,
        rng: random.Random,
        target: str,
    ) -> None:
        self.account = account
        self.identity = identity
        self.config = config
        self.rng = rng
        self.target = target
        self.lease_price = rng.randint(config.lease_price_min, config.lease_price_max)
        self.cheated = False
        self.bid_on: set[int] = set()
        self.buffers: dict[bytes, list[Receipt]] = {}
        self.committing: list[Job] = []
        self.to_reveal: list[Job] = []
        self.responses: list[Submission] = []

    def plan_session(self, calls: int) -> tuple[bool, int]:
        """Whether this host will cheat in a new session, and at which call."""
        cheats = self.rng.random() >= self.config.honesty
        return cheats, self.rng.randint(1, calls)

    def setup(self, world: World) -> list[Submission]:
        """Block 1: register as a provider, point credits at the target validator."""
        provider = MsgRegisterProvider(
            provider=self.account.address,
            host_uri=f"grpcs://{self.account.name}.dait.example:443",
            tee_pubkey=self.identity.tee_pubkey,
            capacity=self.config.capacity,
            attributes=(Attribute("gpu_class", self.config.gpu_class), Attribute("region", REGION)),
        )
        target = MsgSetCreditTarget(self.account.address, self.target)
        return [Submission(self.account, (provider,)), Submission(self.account, (target,))]

    def served(self, channel_id: bytes, receipt: Receipt) -> None:
        """A receipt the tenant accepted: evidence for a future pouw job."""
        self.buffers.setdefault(channel_id, []).append(receipt)

    def act(self, world: World, height: int) -> list[Submission]:
        """This block's txs: dispute responses, reveals, new commits, bids."""
        out = list(self.responses)
        self.responses.clear()
        out.extend(self._reveals(world, height))
        out.extend(self._commits(world))
        out.extend(self._bids(world))
        return out

    def _reveals(self, world: World, height: int) -> list[Submission]:
        due = [j for j in self.to_reveal if j.reveal_after < height]
        self.to_reveal = [j for j in self.to_reveal if j.reveal_after >= height]
        out = []
        for job in due:
            msg = MsgRevealReceipt(self.account.address, job.receipt, job.evidence)

            def revealed(result: TxResult, job: Job = job) -> None:
                if not result.ok:
                    world.recorder.reveals_refused += 1
                    if job.inflated:
                        world.recorder.lost_tokens += sum(e.tokens_out for e in job.evidence)

            out.append(Submission(self.account, (msg,), revealed))
        return out

    def _commits(self, world: World) -> list[Submission]:
        out = []
        for channel_id in sorted(self.buffers):
            receipts = self.buffers[channel_id]
            session = world.sessions.get(channel_id)
            done = session is None or session.ended
            while len(receipts) >= self.config.job_calls or (done and receipts):
                batch, receipts = (
                    receipts[: self.config.job_calls],
                    receipts[self.config.job_calls :],
                )
                out.append(self._commit(world, tuple(batch)))
            if receipts:
                self.buffers[channel_id] = receipts
            else:
                del self.buffers[channel_id]
        return out

    def _commit(self, world: World, evidence: tuple[Receipt, ...]) -> Submission:
        tokens = sum(e.tokens_out for e in evidence)
        inflated = self.rng.random() >= self.config.honesty
        if inflated:
            # The cheating host claims twice the tokens its evidence shows; the chain
            # recounts them (specs/pouw.md §8.2 check 12) and refuses the reveal.
            self.cheated = True
            world.recorder.cheaters.add(self.account.address)
            tokens *= 2
        receipt = PouwReceipt(
            host=self.account.address,
            model_id=self.identity.model_id,
            tokens_out=tokens,
            tee_attested=True,
            job_id=job_id_for(evidence[0].channel_id, evidence[0].call_seq),
            commit_height=world.height,
        )
        job = Job(receipt, evidence, inflated)
        msg = MsgCommitReceipt(self.account.address, commit_hash_of(receipt.encode()), 0)

        def committed(result: TxResult) -> None:
            if result.ok:
                job.reveal_after = world.height
                self.to_reveal.append(job)

        return Submission(self.account, (msg,), committed)

    def _bids(self, world: World) -> list[Submission]:
        out = []
        free = self.config.capacity - world.active_leases.get(self.account.address, 0)
        for deployment_id in world.open_orders():
            if free <= 0:
                break
            if deployment_id in self.bid_on or self.rng.random() >= self.config.bid_probability:
                continue
            if self.lease_price > world.ceilings.get(deployment_id, 0):
                continue
            self.bid_on.add(deployment_id)
            msg = MsgCreateBid(self.account.address, deployment_id, self.lease_price)
            out.append(Submission(self.account, (msg,), world.bid_placed))
        return out

    def challenged(self, world: World, session: Session, presented_turn: int) -> None:
        """A challenge on one of this host's channels: an honest host presents the latest
        state both signed if it is newer (it knows turn n-1 after call n, seed 002 §7 step
        8); a cheating host presents the overcharged state the tenant never signed."""
        if session.provisional is not None:
            state = session.provisional
            dishonest = True
        else:
            known = max(0, session.turn - 1)
            if known <= presented_turn:
                return
            state = session.states[known]
            dishonest = False
        msg = MsgRespondChallenge(self.account.address, session.channel_id, state)
        self.responses.append(
            Submission(self.account, (msg,), None, dispute_payer_dishonest=dishonest)
        )


# --- auditors -----------------------------------------------------------------------------------


class Auditor:
    """Spot-checks a random host now and then and reports to x/pouw (specs §6.1)."""

    def __init__(self, account: Account, rate: float, detection: float, rng: random.Random):
        self.account = account
        self.rate = rate
        self.detection = detection
        self.rng = rng

    def act(self, world: World) -> list[Submission]:
        """Maybe one audit: a host that has cheated fails with probability `detection`."""
        if self.rng.random() >= self.rate:
            return []
        host = world.hosts[self.rng.randrange(len(world.hosts))]
        failed = host.cheated and self.rng.random() < self.detection
        msg = MsgReportAudit(self.account.address, host.account.address, failed)
        return [Submission(self.account, (msg,))]


__all__ = ["Account", "Auditor", "Host", "Job", "Session", "Submission", "Tenant"]
