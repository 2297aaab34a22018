"""Stateful fuzzer of x/state_channel (specs/state_channel.md §18).

A Hypothesis `RuleBasedStateMachine` drives a real `DaitApp` block by block with real
signed txs. Users and hosts are honest or adversarial; off-chain calls advance co-signed
states through SPUR-IC (`OffChainChannel`); adversaries present stale states, states of
another channel, forged or swapped signatures, equal turns, provisional states, late
responses, closes racing challenges and challenges in the deadline block; time jumps to
just before, at and just after every scheduled item.

Three oracles are checked after every block:

1. An independent model of the rules (`ModelChannel`, written from the spec, not from the
   keeper) predicts whether each tx is accepted and what every settlement pays; the chain
   must agree, tx by tx, and its stored state must equal the model's.
2. The honesty properties: an honest host that answers inside the window is paid at
   least its latest co-signed `spent_amount`; an honest user never pays more than its
   latest co-signed `spent_amount`; a channel settles at most once.
3. Conservation (the parties' balances, the escrow and the fees they paid add up to the
   genesis funds) and every registered invariant of the app.

A failing run, as Hypothesis shrank it, is written as a replayable tx stream (sim.stream
format; `dait-sim replay PATH`) with the step count in the header's meta.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Final, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    get_state_machine_test,
    initialize,
    invariant,
    precondition,
    rule,
)

from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, pubkey_from_privkey, sign_with_domain, verify
from dait_chain.spurc.cosign import check_presentable, cosign
from dait_chain.spurc.errors import SpurcError
from dait_chain.spurc.signing import state_signing_payload
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel import events as ev
from dait_chain.x.state_channel.keys import DOMAIN_CLOSE
from dait_chain.x.state_channel.params import DEFAULT_CHALLENGE_WINDOW_MS
from dait_chain.x.state_channel.rules import opening_state
from dait_chain.x.state_channel.simulation import (
    BlockOutcome,
    ChainDriver,
    OffChainChannel,
    Party,
    close_consent,
    open_msg,
    party,
)
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    ChannelStatus,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)

W: Final = DEFAULT_CHALLENGE_WINDOW_MS
FUNDS: Final = 1_000_000_000
MAX_CHANNELS: Final = 4
USERS: Final = (party("fuzz-user-0"), party("fuzz-user-1"))
HOSTS: Final = (party("fuzz-host-0"), party("fuzz-host-1"))
MALLORY: Final = party("fuzz-mallory")
EVERYONE: Final = (*USERS, *HOSTS, MALLORY)

KINDS: Final = ("challenge", "respond", "close")
# What an actor presents. Honest actors only ever use "latest".
# Stale states are the adversary's main weapon, so they are drawn three times as often.
VARIANTS: Final = (
    "latest",
    "stale",
    "stale",
    "stale",
    "turn0",
    "provisional",
    "abandoned",
    "other_channel",
    "forged",
    "swapped",
    "rewrite_same_turn",
    "overspend",
    "too_many_calls",
    "no_consent",
)
ACTORS: Final = ("user", "host", "user", "host", "third")
CHECKED_MODULES: Final = frozenset({"auth", "bank", "state_channel"})
WHEN: Final = ("tick", "minute", "hour", "due-1", "due", "due+1")


# --- the independent model ----------------------------------------------------------------


def _pubkey_of(p: Party) -> bytes:
    return pubkey_from_privkey(p.privkey)


@dataclass
class ModelChannel:
    """The spec's view of one channel (specs §3-§10), kept apart from the keeper."""

    channel_id: bytes
    user: Party
    host: Party
    opening: ChannelState
    status: ChannelStatus = OPEN
    stored: ChannelState | None = None
    expires_at: int | None = None

    @property
    def current(self) -> ChannelState:
        """The stored state: the opening state until a challenge, then the highest."""
        return self.opening if self.stored is None else self.stored


def model_signatures_ok(state: ChannelState) -> bool:
    """Both signatures present and valid, checked by SPUR-IC's own verifier (specs §6.4)."""
    if not state.sig_user or not state.sig_host:
        return False
    try:
        check_presentable(state)
    except SpurcError:
        return False
    return True


def model_consent_ok(state: ChannelState, counterparty: Party, sig: bytes) -> bool:
    """The close consent verifies under the counterparty's known public key (specs §7.3)."""
    if len(sig) != 64:
        return False
    try:
        return verify(_pubkey_of(counterparty), DOMAIN_CLOSE + state_signing_payload(state), sig)
    except Exception:  # malformed (high-S, range): not a consent
        return False


def model_fixed_ok(m: ModelChannel, channel_id: bytes, state: ChannelState) -> bool:
    o = m.opening
    return (
        state.channel_id == channel_id == m.channel_id
        and (state.user_addr, state.host_addr, state.model_id)
        == (o.user_addr, o.host_addr, o.model_id)
        and (state.max_calls, state.deadline, state.escrow_amount)
        == (o.max_calls, o.deadline, o.escrow_amount)
        and state.spent_amount <= state.escrow_amount
        and state.call_count <= state.max_calls
    )


def model_accepts(m: ModelChannel | None, signer: Party, msg: ProtoValue, now: int) -> bool:
    """Whether the spec accepts msg at block time now (specs §6, §7)."""
    if isinstance(msg, MsgOpenChannel):
        return True  # the fuzzer only opens valid channels the user can pay for
    if m is None or m.status == SETTLED:
        return False
    if signer.address not in (m.user.address, m.host.address):
        return False
    state = getattr(msg, "state", None)
    if state is None:
        return False
    channel_id: bytes = getattr(msg, "channel_id", b"")
    if isinstance(msg, MsgChallengeChannel):
        if m.status != OPEN or not model_fixed_ok(m, channel_id, state):
            return False
        return state == m.opening or model_signatures_ok(state)
    if isinstance(msg, MsgRespondChallenge):
        assert m.expires_at is not None or m.status != CHALLENGED
        if m.status != CHALLENGED or m.expires_at is None or now >= m.expires_at:
            return False
        if not model_fixed_ok(m, channel_id, state):
            return False
        return state.turn_num > m.current.turn_num and model_signatures_ok(state)
    if isinstance(msg, MsgCloseChannel):
        if m.status == CHALLENGED and (m.expires_at is None or now >= m.expires_at):
            return False
        if not model_fixed_ok(m, channel_id, state):
            return False
        counterparty = m.host if signer.address == m.user.address else m.user
        return (
            state.turn_num >= m.current.turn_num
            and model_signatures_ok(state)
            and model_consent_ok(state, counterparty, msg.counterparty_close_sig)
        )
    return False


# --- the fuzzed world ---------------------------------------------------------------------


@dataclass
class FuzzChannel:
    """A channel of the fuzz run: its off-chain side, its parties' honesty, its model."""

    offchain: OffChainChannel
    user: Party
    host: Party
    user_honest: bool
    host_honest: bool
    model: ModelChannel
    # The honest host agreed to close (it consented to the user's close, or sent its own):
    # from then on it serves no more calls and takes no more states.
    closing: bool = False
    settled_events: int = 0


@dataclass(frozen=True, slots=True)
class Pending:
    """A tx waiting for the next block; the model judges it when the block runs, in tx
    order."""

    signer: Party
    msg: ProtoValue
    label: str


T = TypeVar("T")


def _recorded(fn: Callable[..., T], *, step: bool = True) -> Callable[..., T]:
    """Write the run as a tx stream if the rule or invariant fails (the last failing run
    Hypothesis executes is the shrunk one, so that is the stream left on disk). Rules
    count as steps; invariants do not."""

    def wrapper(self: StateChannelMachine, *args: Any, **kwargs: Any) -> T:
        self.steps += int(step)
        try:
            return fn(self, *args, **kwargs)
        except Exception as exc:
            self.record_failure(exc)
            raise

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    wrapper.__wrapped__ = fn  # type: ignore[attr-defined]
    return wrapper


def _checked(fn: Callable[..., T]) -> Callable[..., T]:
    """`_recorded` for an invariant: not counted as a step."""
    return _recorded(fn, step=False)


class StateChannelMachine(RuleBasedStateMachine):
    """Users, hosts and a third party on one chain; see the module docstring."""

    failure_path: ClassVar[Path | None] = None
    on_example: ClassVar[Callable[[], None] | None] = None

    def __init__(self) -> None:
        super().__init__()
        if StateChannelMachine.on_example is not None:
            StateChannelMachine.on_example()
        self.chain = ChainDriver([(p, FUNDS) for p in EVERYONE])
        self.channels: list[FuzzChannel] = []
        self.pending: list[Pending] = []
        self.steps = 0
        self.initial_total = FUNDS * len(EVERYONE)

    # --- failure output --------------------------------------------------------------------

    def record_failure(self, exc: BaseException) -> None:
        path = StateChannelMachine.failure_path
        if path is None:
            return
        meta: dict[str, object] = {
            "fuzzer": "state_channel",
            "steps": self.steps,
            "blocks": len(self.chain.blocks),
            "failure": "".join(traceback.format_exception_only(type(exc), exc)).strip(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        self.chain.write_stream(path, meta)

    # --- helpers ---------------------------------------------------------------------------

    def _pick(self, index: int) -> FuzzChannel:
        """A channel by index, among the unsettled ones while there are any."""
        live = [c for c in self.channels if c.model.status != SETTLED]
        pool = live or self.channels
        return pool[index % len(pool)]

    def _honest_host_serves(self, ch: FuzzChannel) -> bool:
        record = self.chain.channel(ch.model.channel_id)
        return record is not None and record.status == OPEN and not ch.closing

    def _state_for(self, ch: FuzzChannel, actor: str, variant: str, pick: int) -> ChannelState:
        """What `actor` presents. Nobody signs with a key it does not hold: a party signs
        only its own half, a third party only with its own key."""
        off = ch.offchain
        known = off.host_latest if actor == "host" else off.user_latest
        if variant == "latest":
            return known
        if variant == "stale" and known.turn_num > 1:
            # A co-signed state strictly below what the actor knows (turn 0 is "turn0").
            return off.cosigned[1 + pick % (known.turn_num - 1)]
        if variant == "turn0":
            return off.cosigned[0]
        if variant == "provisional" and off.provisional is not None:
            return off.provisional
        if variant == "abandoned":
            pool = [*off.abandoned, *([off.provisional] if off.provisional else [])]
            if pool:
                chosen = pool[pick % len(pool)]
                # The user counter-signs a host-signed state it once left provisional.
                return cosign(chosen, ch.user.privkey) if actor == "user" else chosen
        if variant == "other_channel" and len(self.channels) > 1:
            other = self.channels[(self.channels.index(ch) + 1 + pick) % len(self.channels)]
            if other is not ch:
                return other.offchain.user_latest
        if variant == "forged":
            payload = state_signing_payload(known)
            return replace(known, sig_user=sign_with_domain(MALLORY.privkey, DOMAIN_STATE, payload))
        if variant == "swapped" and known.sig_user:
            return replace(known, sig_user=known.sig_host, sig_host=known.sig_user)
        if variant in ("rewrite_same_turn", "overspend", "too_many_calls") and actor != "third":
            if variant == "rewrite_same_turn":
                rewritten = replace(
                    known, spent_amount=min(known.escrow_amount, known.spent_amount + 1 + pick)
                )
            elif variant == "overspend":
                rewritten = replace(known, spent_amount=known.escrow_amount + 1)
            else:
                rewritten = replace(known, call_count=known.max_calls + 1)
            # Only colluding parties can sign what neither honest side would; otherwise the
            # adversary signs its own half and forges nothing (the other half stays).
            payload = state_signing_payload(rewritten)
            user_sig = sign_with_domain(ch.user.privkey, DOMAIN_STATE, payload)
            host_sig = sign_with_domain(ch.host.privkey, DOMAIN_STATE, payload)
            if not (ch.user_honest or ch.host_honest):
                return replace(rewritten, sig_user=user_sig, sig_host=host_sig)
            if actor == "user":
                return replace(rewritten, sig_user=user_sig)
            return replace(rewritten, sig_host=host_sig)
        return known

    def _consent_for(
        self, ch: FuzzChannel, signer: Party, state: ChannelState, variant: str
    ) -> bytes:
        """The counterparty's close consent, if it would give one (specs §7.3)."""
        if variant == "no_consent":
            return b""
        if signer.address == ch.user.address:
            # An honest host consents only to a state at least as high as its latest, and
            # then serves no more; an adversarial host consents to anything.
            if ch.host_honest:
                if state.turn_num < ch.offchain.host_latest.turn_num or not model_signatures_ok(
                    state
                ):
                    return b""
                ch.closing = True
            return close_consent(state, ch.host.privkey)
        if signer.address == ch.host.address:
            # Closing on any state the user signed never makes the user pay more than its
            # latest; an honest user consents.
            return close_consent(state, ch.user.privkey)
        return b""

    def _honest_reactions(self, now: int) -> tuple[list[Pending], list[Pending]]:
        """Responses of honest hosts to challenges below their latest co-signed turn: those
        whose window ends at or before `now` must go in an earlier block."""
        urgent: list[Pending] = []
        relaxed: list[Pending] = []
        for ch in self.channels:
            m = ch.model
            latest = ch.offchain.host_latest
            if not ch.host_honest or m.status != CHALLENGED or m.expires_at is None:
                continue
            if latest.turn_num <= m.current.turn_num:
                continue
            item = Pending(
                ch.host,
                MsgRespondChallenge(ch.host.address, m.channel_id, latest),
                "honest host responds",
            )
            (urgent if m.expires_at <= now else relaxed).append(item)
        return urgent, relaxed

    def _time_for(self, when: str) -> int:
        last = self.chain.time_ms
        due = self.chain.app.next_due().time_ms
        candidates = {"tick": last + 999, "minute": last + 60_000, "hour": last + 3_600_000}
        if due is not None:
            candidates |= {"due-1": due - 1, "due": due, "due+1": due + 1}
        return max(last + 1, candidates.get(when, last + 999))

    def _run_block(self, items: list[Pending], time_ms: int) -> None:
        """Run a block, checking every tx and settlement against the model."""
        # The model decides each tx in order, updating as the chain would.
        predictions = []
        for item in items:
            m = self._model_for(item.msg)
            accepted = model_accepts(m, item.signer, item.msg, time_ms)
            predictions.append(accepted)
            if accepted and m is not None:
                self._model_apply(m, item, time_ms)
        outcome = self.chain.block([(p.signer, p.msg) for p in items], time_ms=time_ms)
        for item, accepted, result in zip(items, predictions, outcome.tx_results, strict=True):
            assert result.ok == accepted, (
                f"{item.label}: model {'accepts' if accepted else 'refuses'}, chain "
                f"{'accepted' if result.ok else 'refused'} ({result.codespace}/{result.code} "
                f"{result.log})"
            )
        expected_settlements = self._model_end_block(time_ms)
        self._check_outcome(outcome, expected_settlements)
        self.registered_invariants_hold()

    def _model_for(self, msg: ProtoValue) -> ModelChannel | None:
        cid = getattr(msg, "channel_id", None)
        for ch in self.channels:
            if ch.model.channel_id == cid:
                return ch.model
        return None

    def _model_apply(self, m: ModelChannel, item: Pending, now: int) -> None:
        state = getattr(item.msg, "state", None)
        assert state is not None
        if isinstance(item.msg, MsgChallengeChannel):
            m.status, m.stored, m.expires_at = CHALLENGED, state, now + W
        elif isinstance(item.msg, MsgRespondChallenge):
            m.stored = state
        elif isinstance(item.msg, MsgCloseChannel):
            m.stored, m.status = state, SETTLED

    def _model_end_block(self, now: int) -> dict[str, int]:
        """specs §8: challenge open channels at their deadline, settle expired challenges.
        Returns channel id (hex) -> expected paid_host for every settlement of the block."""
        settled: dict[str, int] = {}
        for ch in self.channels:
            m = ch.model
            if m.status == OPEN and now >= m.opening.deadline:
                m.status, m.expires_at = CHALLENGED, now + W
            elif m.status == CHALLENGED and m.expires_at is not None and now >= m.expires_at:
                m.status = SETTLED
        for ch in self.channels:
            if ch.model.status == SETTLED and ch.settled_events == 0:
                settled[ch.model.channel_id.hex()] = ch.model.current.spent_amount
        return settled

    def _check_outcome(self, outcome: BlockOutcome, expected: dict[str, int]) -> None:
        seen: dict[str, int] = {}
        for event in outcome.events():
            if event.type != ev.EVENT_CHANNEL_SETTLED:
                continue
            cid = event.get(ev.ATTR_CHANNEL_ID) or ""
            paid = int(event.get(ev.ATTR_PAID_HOST) or "0")
            refund = int(event.get(ev.ATTR_REFUNDED_USER) or "0")
            assert cid not in seen, f"channel {cid} settled twice in one block"
            seen[cid] = paid
            ch = next(c for c in self.channels if c.model.channel_id.hex() == cid)
            ch.settled_events += 1
            assert ch.settled_events == 1, f"channel {cid} settled {ch.settled_events} times"
            assert paid + refund == ch.model.opening.escrow_amount
            if ch.host_honest:
                owed = ch.offchain.host_latest.spent_amount
                assert paid >= owed, f"honest host of {cid} paid {paid} < its latest {owed}"
            if ch.user_honest:
                most = ch.offchain.user_latest.spent_amount
                assert paid <= most, f"honest user of {cid} paid {paid} > its latest {most}"
        assert seen == expected, f"settlements {seen}, model expects {expected}"
        # The chain's record of every channel matches the model's.
        for ch in self.channels:
            record = self.chain.channel(ch.model.channel_id)
            assert record is not None
            cid = ch.model.channel_id.hex()
            assert record.status == ch.model.status, (
                f"{cid}: chain {record.status.name}, model {ch.model.status.name}"
            )
            assert record.state == ch.model.current
            if record.challenge is not None and ch.model.status == CHALLENGED:
                assert record.challenge.expires_at_ms == ch.model.expires_at

    def _block(self, when: str) -> None:
        time_ms = self._time_for(when)
        urgent, relaxed = self._honest_reactions(time_ms)
        if urgent:
            self._run_block(urgent, self.chain.time_ms + 1)
            _, relaxed = self._honest_reactions(time_ms)
        items, self.pending = [*self.pending, *relaxed], []
        self._run_block(items, max(time_ms, self.chain.time_ms + 1))

    # --- rules -----------------------------------------------------------------------------

    @initialize()
    @_recorded
    def start(self) -> None:
        """The chain starts with every party funded (the genesis block)."""
        assert self.chain.height == 0

    @precondition(lambda self: len(self.channels) < MAX_CHANNELS)
    @rule(
        user=st.integers(0, len(USERS) - 1),
        host=st.integers(0, len(HOSTS) - 1),
        escrow=st.sampled_from((100_000, 1_000, 5_000_000)),
        max_calls=st.sampled_from((12, 2, 40)),
        life=st.sampled_from((W // 2, 2 * W, 5 * W)),
        user_honest=st.booleans(),
        host_honest=st.booleans(),
    )
    @_recorded
    def open_channel(
        self,
        user: int,
        host: int,
        escrow: int,
        max_calls: int,
        life: int,
        user_honest: bool,
        host_honest: bool,
    ) -> None:
        """A user opens a channel (its own block; the model expects it to succeed)."""
        u, h = USERS[user], HOSTS[host]
        time_ms = self.chain.time_ms + 999
        urgent, _ = self._honest_reactions(time_ms)
        if urgent:
            self._run_block(urgent, self.chain.time_ms + 1)
            time_ms = max(time_ms, self.chain.time_ms + 1)
        _, relaxed = self._honest_reactions(time_ms)
        msg = open_msg(u, h, escrow=escrow, max_calls=max_calls, deadline=time_ms + life)
        cid = self.chain.next_channel_id(u, h)
        opening = opening_state(cid, msg)
        identity = sim_host_identity(h.name, model_id=msg.model_id)
        model = ModelChannel(cid, u, h, opening)
        self.channels.append(
            FuzzChannel(
                OffChainChannel(opening, u, identity), u, h, user_honest, host_honest, model
            )
        )
        self._run_block([Pending(u, msg, "user opens"), *relaxed], time_ms)

    @precondition(lambda self: bool(self.channels))
    @rule(
        index=st.integers(0, MAX_CHANNELS - 1),
        n=st.integers(1, 6),
        tokens_in=st.integers(1, 40),
        tokens_out=st.integers(1, 200),
        # An adversarial user leaves a state provisional now and then (1 in 4 draws).
        leave_provisional=st.sampled_from((False, False, False, True)),
    )
    @_recorded
    def offchain_calls(
        self, index: int, n: int, tokens_in: int, tokens_out: int, leave_provisional: bool
    ) -> None:
        """n SPUR-IC calls; the last may stay provisional (an adversarial user's choice).
        An honest host serves only an open channel it has not agreed to close, and never
        serves a turn twice (it stops when a provisional state was left uncosigned)."""
        ch = self._pick(index)
        if ch.host_honest and (not self._honest_host_serves(ch) or ch.offchain.provisional):
            return
        for i in range(n):
            last = i == n - 1
            cosigned = not (last and leave_provisional and not ch.user_honest)
            if not ch.offchain.call(
                self.chain.time_ms, tokens_in, tokens_out + i, cosigned=cosigned
            ):
                return

    @precondition(lambda self: bool(self.channels))
    @rule(index=st.integers(0, MAX_CHANNELS - 1))
    @_recorded
    def deliver(self, index: int) -> None:
        """The user ships its latest co-signed state to the host with a request, which an
        honest host takes only while the channel is open on chain (it serves no more once a
        dispute or a close started, so what it knows then is what it answers with)."""
        ch = self._pick(index)
        if ch.host_honest and not self._honest_host_serves(ch):
            return
        ch.offchain.deliver()

    @precondition(lambda self: bool(self.channels))
    @rule(
        index=st.integers(0, MAX_CHANNELS - 1),
        actor=st.sampled_from(ACTORS),
        kind=st.sampled_from(KINDS),
        variant=st.sampled_from(VARIANTS),
        pick=st.integers(0, 7),
    )
    @_recorded
    def submit(self, index: int, actor: str, kind: str, variant: str, pick: int) -> None:
        """Queue a challenge, response or close for the next block. Honest actors present
        their latest co-signed state; adversaries anything in VARIANTS."""
        ch = self._pick(index)
        honest = (actor == "user" and ch.user_honest) or (actor == "host" and ch.host_honest)
        if honest:
            variant = "latest"
        signer = {"user": ch.user, "host": ch.host, "third": MALLORY}[actor]
        if honest and actor == "host" and kind == "close":
            ch.closing = True
        state = self._state_for(ch, actor, variant, pick)
        cid = ch.model.channel_id
        msg: ProtoValue
        if kind == "challenge":
            msg = MsgChallengeChannel(signer.address, cid, state)
        elif kind == "respond":
            msg = MsgRespondChallenge(signer.address, cid, state)
        else:
            consent = self._consent_for(ch, signer, state, variant)
            msg = MsgCloseChannel(signer.address, cid, state, consent)
        self.pending.append(Pending(signer, msg, f"{actor} {kind} {variant}"))

    @rule(when=st.sampled_from(WHEN))
    @_recorded
    def produce_block(self, when: str) -> None:
        """The next block: a tick, a minute or an hour later, or at the next scheduled
        item's time - 1, + 0 or + 1 (a deadline or a challenge expiry)."""
        self._block(when)

    # --- invariants ------------------------------------------------------------------------

    @invariant()
    @_checked
    def funds_are_conserved(self) -> None:
        """Parties' balances + the escrow held + the fees they paid = the genesis funds."""
        balances = sum(self.chain.balance(p.address) for p in EVERYONE)
        fees = sum(self.chain.fees_paid.values())
        assert balances + self.chain.escrow_balance() + fees == self.initial_total

    def registered_invariants_hold(self) -> None:
        """The registered invariants (x/crisis) of the modules these txs touch hold:
        x/state_channel's four, x/bank's and x/auth's. Checked after every block (only
        blocks change the chain's state)."""
        ctx = self.chain.app.query_context()
        for module in self.chain.app.modules:
            if module.name in CHECKED_MODULES:
                for inv in module.invariants():
                    message, broken = inv.check(ctx)
                    assert not broken, f"invariant {inv.module}/{inv.name} broken: {message}"


# --- running --------------------------------------------------------------------------------


@dataclass
class FuzzReport:
    """What a fuzz run did."""

    examples: int = 0
    failure: str | None = None
    stream: Path | None = None
    steps: int | None = None
    extra: dict[str, object] = field(default_factory=dict)


def fuzz_settings(examples: int, *, steps: int = 30, derandomize: bool = False) -> settings:
    """Settings for a command-line run: no example database, no deadline."""
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        database=None,
        derandomize=derandomize,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        print_blob=True,
        report_multiple_bugs=False,
    )


def run_fuzz(
    run_settings: settings,
    *,
    seed: int | None = None,
    failure_path: Path | None = None,
    on_example: Callable[[], None] | None = None,
) -> FuzzReport:
    """Run the state machine; on failure, the shrunk run is at failure_path (a tx stream)."""
    report = FuzzReport()

    def count() -> None:
        report.examples += 1
        if on_example is not None:
            on_example()

    StateChannelMachine.failure_path = failure_path
    StateChannelMachine.on_example = count
    test: Callable[[], None] = get_state_machine_test(  # type: ignore[no-untyped-call]
        StateChannelMachine, settings=run_settings
    )
    if seed is not None:
        test = hypothesis_seed(seed)(test)
    try:
        test()
    except Exception as exc:
        report.failure = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        if failure_path is not None and failure_path.exists():
            report.stream = failure_path
            report.steps = _steps_in(failure_path)
    finally:
        StateChannelMachine.failure_path = None
        StateChannelMachine.on_example = None
    return report


def _steps_in(path: Path) -> int | None:
    from dait_chain.sim.stream import StreamReader

    meta = StreamReader(path).header.meta
    steps = meta.get("steps")
    return steps if isinstance(steps, int) else None


StateChannelTest = StateChannelMachine.TestCase

__all__ = [
    "FuzzReport",
    "ModelChannel",
    "StateChannelMachine",
    "fuzz_settings",
    "model_accepts",
    "run_fuzz",
]
