"""Channel life on a real chain: open, close, challenge, respond, settle; events, queries,
genesis and invariants (specs/state_channel.md §3-§16)."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from dait_chain.app.app import DaitApp
from dait_chain.crypto.address import module_address
from dait_chain.store.kv import KV, Pair
from dait_chain.x.state_channel import events as ev
from dait_chain.x.state_channel.abci import end_blocker, next_due_time
from dait_chain.x.state_channel.invariants import INVARIANTS
from dait_chain.x.state_channel.simulation import open_msg
from dait_chain.x.state_channel.types import (
    CHALLENGED,
    OPEN,
    SETTLED,
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgRespondChallenge,
    QueryChallengesDueRequest,
    QueryChannelRequest,
    QueryChannelsByPartyRequest,
)

from .scene import ALICE, ESCROW, FUNDS, HANK, MALLORY, Scene, make_scene

W = 86_400_000
MODULE = module_address("state_channel")


def _close(scene: Scene, turn: int) -> MsgCloseChannel:
    state = scene.state(turn)
    return MsgCloseChannel(ALICE.address, scene.channel_id, state, scene.consent(state, HANK))


# --- open (specs §5) ----------------------------------------------------------------------


def test_open_locks_the_escrow_and_stores_turn_zero() -> None:
    scene = make_scene()
    record = scene.record()
    assert record.status == OPEN
    assert (record.state.turn_num, record.state.spent_amount, record.state.call_count) == (0, 0, 0)
    assert record.state.receipts_merkle_root == hashlib.sha256(b"").digest()
    # alice paid the escrow and one fee; the module holds every unsettled escrow.
    assert scene.chain.balance(ALICE.address) == FUNDS - ESCROW - 1_000
    assert scene.chain.escrow_balance() == ESCROW + 2 * 1_000  # + the two warm-up channels


def test_channel_opened_event_carries_its_attributes_in_order() -> None:
    scene = make_scene()
    deadline = scene.chain.time_ms + W
    msg = open_msg(ALICE, MALLORY, escrow=7_000, max_calls=3, deadline=deadline)
    expected_id = scene.chain.next_channel_id(ALICE, MALLORY)
    outcome = scene.chain.block([(ALICE, msg)])
    [event] = [e for e in outcome.events() if e.type == ev.EVENT_CHANNEL_OPENED]
    assert [a.key for a in event.attributes] == [*ev.CHANNEL_OPENED_ATTRS, "msg_index"]
    assert [a.value for a in event.attributes] == [
        expected_id.hex(),
        ALICE.address,
        MALLORY.address,
        "qwen2.5-32b-instruct",
        "3",
        str(deadline),
        "7000",
        "1",  # alice's second channel
        "0",
    ]


def test_user_sequence_gives_each_channel_a_new_id() -> None:
    scene = make_scene()
    first = scene.channel_id
    second = scene.chain.next_channel_id(ALICE, HANK)
    msg = open_msg(ALICE, HANK, escrow=ESCROW, max_calls=5, deadline=scene.deadline)
    assert scene.chain.block([(ALICE, msg)]).tx_results[0].ok
    assert second != first and scene.chain.channel(second) is not None


# --- cooperative close (specs §7.3, §10) --------------------------------------------------


def test_cooperative_close_pays_spent_to_host_and_the_rest_to_user() -> None:
    scene = make_scene()
    latest = scene.calls(5, tokens_in=4, tokens_out=10)
    # The simulated host's rate card: 10 per call + 1 per token in + 2 per token out.
    assert latest.spent_amount == 5 * (10 + 4 + 2 * 10)
    alice0 = scene.chain.balance(ALICE.address)
    hank0 = scene.chain.balance(HANK.address)
    outcome = scene.chain.block([(ALICE, _close(scene, 5))])
    assert outcome.tx_results[0].ok, outcome.tx_results[0].log
    assert scene.chain.balance(HANK.address) == hank0 + latest.spent_amount
    assert scene.chain.balance(ALICE.address) == alice0 - 1_000 + ESCROW - latest.spent_amount
    types = [e.type for e in outcome.events() if e.type.startswith("Channel")]
    assert types == [ev.EVENT_CHANNEL_CLOSED, ev.EVENT_CHANNEL_SETTLED]
    [settled] = scene.events(outcome, ev.EVENT_CHANNEL_SETTLED)
    assert [a.key for a in settled.attributes] == [*ev.CHANNEL_SETTLED_ATTRS, "msg_index"]
    assert settled.as_dict() | {"msg_index": "0"} == {
        "channel_id": scene.channel_id.hex(),
        "user": ALICE.address,
        "host": HANK.address,
        "reason": "cooperative",
        "turn_num": "5",
        "paid_host_uDAIT": str(latest.spent_amount),
        "refunded_user_uDAIT": str(ESCROW - latest.spent_amount),
        "msg_index": "0",
    }
    assert scene.record().status == SETTLED


def test_close_during_a_challenge_settles_at_once_and_unschedules_the_expiry() -> None:
    scene = make_scene()
    scene.calls(3)
    challenge = MsgChallengeChannel(ALICE.address, scene.channel_id, scene.state(1))
    assert scene.chain.block([(ALICE, challenge)]).tx_results[0].ok
    assert scene.chain.block([(ALICE, _close(scene, 3))]).tx_results[0].ok
    assert scene.record().status == SETTLED
    keeper = scene.chain.keeper
    ctx = scene.chain.app.query_context()
    assert not any(cid == scene.channel_id for _, cid in keeper.schedule.iterate(ctx))


def test_close_by_the_host_with_the_users_consent_is_accepted() -> None:
    scene = make_scene()
    state = scene.calls(2)
    msg = MsgCloseChannel(HANK.address, scene.channel_id, state, scene.consent(state, ALICE))
    assert scene.chain.block([(HANK, msg)]).tx_results[0].ok


# --- dispute (specs §7.1, §7.2, §8) -------------------------------------------------------


def test_honest_host_wins_a_stale_challenge() -> None:
    """The user challenges with turn 0 after 6 calls; the host answers with turn 6 and is
    paid turn 6's spent_amount at expiry."""
    scene = make_scene()
    latest = scene.calls(6)
    scene.offchain.deliver()
    outcome = scene.chain.block(
        [(ALICE, MsgChallengeChannel(ALICE.address, scene.channel_id, scene.state(0)))]
    )
    [challenged] = scene.events(outcome, ev.EVENT_CHANNEL_CHALLENGED)
    assert [a.key for a in challenged.attributes] == [*ev.CHANNEL_CHALLENGED_ATTRS, "msg_index"]
    t = outcome.block.time_ms
    outcome = scene.chain.block(
        [(HANK, MsgRespondChallenge(HANK.address, scene.channel_id, latest))], time_ms=t + 1000
    )
    [responded] = scene.events(outcome, ev.EVENT_CHALLENGE_RESPONDED)
    assert [a.key for a in responded.attributes] == [*ev.CHALLENGE_RESPONDED_ATTRS, "msg_index"]
    assert (responded.get("previous_turn_num"), responded.get("turn_num")) == ("0", "6")
    hank0 = scene.chain.balance(HANK.address)
    outcome = scene.chain.block([], time_ms=t + W)
    [settled] = scene.events(outcome, ev.EVENT_CHANNEL_SETTLED)
    assert settled.get("reason") == "challenge_expired"
    assert scene.chain.balance(HANK.address) == hank0 + latest.spent_amount


def test_challenge_with_the_opening_state_refunds_everything_if_unanswered() -> None:
    """decisions.md: a dispute may present turn 0; with no answer the user gets it all."""
    scene = make_scene()
    alice0 = scene.chain.balance(ALICE.address)
    outcome = scene.chain.block(
        [(ALICE, MsgChallengeChannel(ALICE.address, scene.channel_id, scene.state(0)))]
    )
    scene.chain.block([], time_ms=outcome.block.time_ms + W)
    assert scene.chain.balance(ALICE.address) == alice0 - 1_000 + ESCROW


def test_several_responses_keep_the_highest_turn() -> None:
    scene = make_scene()
    scene.calls(5)
    assert (
        scene.chain.block(
            [(HANK, MsgChallengeChannel(HANK.address, scene.channel_id, scene.state(2)))]
        )
        .tx_results[0]
        .ok
    )
    for turn in (3, 5):
        msg = MsgRespondChallenge(ALICE.address, scene.channel_id, scene.state(turn))
        assert scene.chain.block([(ALICE, msg)]).tx_results[0].ok
    record = scene.record()
    assert record.status == CHALLENGED and record.state.turn_num == 5
    assert record.challenge is not None and record.challenge.responses == 2


# --- queries (specs §13) ------------------------------------------------------------------


def test_queries_answer_channel_by_party_and_due_items() -> None:
    scene = make_scene()
    querier = scene.chain.app.module("state_channel").queries()
    ctx = scene.chain.app.query_context()
    got = querier.channel(ctx, QueryChannelRequest(scene.channel_id))  # type: ignore[attr-defined]
    assert got.channel == scene.record()
    # hank is party to all three channels of the scene; alice to one.
    all_hank = querier.channels_by_party(ctx, QueryChannelsByPartyRequest(HANK.address))  # type: ignore[attr-defined]
    ids = [c.channel_id for c in all_hank.channels]
    assert len(ids) == 3 and ids == sorted(ids)
    page = querier.channels_by_party(  # type: ignore[attr-defined]
        ctx, QueryChannelsByPartyRequest(HANK.address, start_after=ids[0], limit=1)
    )
    assert [c.channel_id for c in page.channels] == [ids[1]]
    alice = querier.channels_by_party(ctx, QueryChannelsByPartyRequest(ALICE.address))  # type: ignore[attr-defined]
    assert [c.channel_id for c in alice.channels] == [scene.channel_id]
    due = querier.challenges_due(ctx, QueryChallengesDueRequest(scene.deadline))  # type: ignore[attr-defined]
    assert [(i.due_time_ms, i.status) for i in due.items] == [(scene.deadline, OPEN)] * 3
    assert querier.challenges_due(ctx, QueryChallengesDueRequest(scene.deadline - 1)).items == ()  # type: ignore[attr-defined]


def test_next_due_is_the_earliest_scheduled_time() -> None:
    scene = make_scene()
    assert scene.chain.app.next_due().time_ms == scene.deadline
    outcome = scene.chain.block(
        [(ALICE, MsgChallengeChannel(ALICE.address, scene.channel_id, scene.state(0)))]
    )
    # The challenge expiry (a day) comes before the other channels' deadline (a week).
    assert scene.chain.app.next_due().time_ms == outcome.block.time_ms + W


# --- genesis (specs §16) ------------------------------------------------------------------


def test_export_then_import_gives_the_same_app_hash() -> None:
    scene = make_scene()
    scene.calls(3)
    scene.chain.block([(HANK, MsgChallengeChannel(HANK.address, scene.channel_id, scene.state(3)))])
    exported = scene.chain.app.export_genesis()
    fresh = DaitApp()
    assert fresh.init_chain(exported) == scene.chain.app.app_hash
    assert fresh.export_genesis() == exported
    assert fresh.check_invariants() == []


# --- invariants (specs §12) ---------------------------------------------------------------


def test_invariants_hold_after_a_history_and_each_detects_its_corruption() -> None:
    scene = make_scene()
    scene.calls(3)
    scene.chain.block([(ALICE, _close(scene, 3))])
    assert scene.chain.app.check_invariants() == []
    keeper = scene.chain.keeper
    checks = {name: make(keeper) for name, make in INVARIANTS}

    def broken_after(corrupt: object) -> set[str]:
        ctx = scene.chain.app.query_context()
        corrupt(ctx)  # type: ignore[operator]
        return {name for name, check in checks.items() if check(ctx)[1]}

    record = scene.record()
    settlement = record.settlement
    assert settlement is not None
    # Escrow leaves the module account without a settlement.
    assert "escrow-balance" in broken_after(
        lambda ctx: scene.chain.app.bank.send_from_module(ctx, "state_channel", MALLORY.address, 1)
    )
    # A stored state spending more than its escrow.
    over = replace(record, state=replace(record.state, spent_amount=ESCROW + 1))
    assert "spent-within-escrow" in broken_after(
        lambda ctx: keeper.channels.set(ctx, scene.channel_id, over)
    )
    # A second settlement counted (the settled counter ahead of the SETTLED channels).
    twice = keeper.get_settled_count(scene.chain.app.query_context()) + 1
    assert "settled-once" in broken_after(lambda ctx: keeper.settled_count.set(ctx, twice))
    # next_due later than the earliest scheduled item (it would let a due item wait).
    assert "settled-once" in broken_after(lambda ctx: keeper.next_due_time.set(ctx, 2**63))
    # A settlement that does not add up to the escrow.
    bad = replace(record, settlement=replace(settlement, refunded_user_uDAIT=0))
    assert "payouts-sum-to-escrow" in broken_after(
        lambda ctx: keeper.channels.set(ctx, scene.channel_id, bad)
    )


# --- idle costs one read (specs §8) -------------------------------------------------------


class CountingKV(KV):
    """A view of a store that counts the reads, seeks and writes made through it."""

    def __init__(self, inner: KV) -> None:
        self.inner = inner
        self.reads = self.seeks = self.writes = 0

    def get(self, key: bytes) -> bytes | None:
        self.reads += 1
        return self.inner.get(key)

    def set(self, key: bytes, value: bytes) -> None:
        self.writes += 1
        self.inner.set(key, value)

    def delete(self, key: bytes) -> None:
        self.writes += 1
        self.inner.delete(key)

    def seek_next(self, lo: bytes | None, inclusive: bool, end: bytes | None) -> Pair | None:
        self.seeks += 1
        return self.inner.seek_next(lo, inclusive, end)

    def seek_prev(self, hi: bytes | None, inclusive: bool, start: bytes | None) -> Pair | None:
        self.seeks += 1
        return self.inner.seek_prev(hi, inclusive, start)


def test_idle_endblocker_reads_one_key_and_writes_nothing() -> None:
    scene = make_scene()
    keeper = scene.chain.keeper
    counting = CountingKV(scene.chain.app.query_context().store)
    ctx = scene.chain.app.query_context().with_store(counting)
    end_blocker(ctx, keeper)
    assert (counting.reads, counting.seeks, counting.writes) == (1, 0, 0)
    assert next_due_time(ctx, keeper) == scene.deadline
    assert (counting.reads, counting.seeks) == (2, 0)


def test_next_due_is_a_lower_bound_refreshed_by_the_first_block_at_it() -> None:
    """specs §8: closing removes the channel's entry but leaves next_due where it was (a
    lower bound); the first block at or past it finds nothing due and moves it on."""
    scene = make_scene()
    early = scene.chain.time_ms + W  # before the scene's channels' deadline (a week)
    cid = scene.chain.next_channel_id(MALLORY, ALICE)
    msg = open_msg(MALLORY, ALICE, escrow=5_000, max_calls=1, deadline=early)
    assert scene.chain.block([(MALLORY, msg)]).tx_results[0].ok
    assert scene.chain.app.next_due().time_ms == early
    opening = scene.chain.channel(cid)
    assert opening is not None
    challenge = MsgChallengeChannel(MALLORY.address, cid, opening.state)
    outcome = scene.chain.block([(MALLORY, challenge)])
    assert outcome.tx_results[0].ok
    expiry = outcome.block.time_ms + W
    # The challenge's expiry (later than `early`) replaced the deadline entry, but the
    # bound stays at `early` until a block reaches it.
    assert scene.chain.app.next_due().time_ms == early
    outcome = scene.chain.block([], time_ms=early)
    assert not [e for e in outcome.events() if e.type.startswith("Channel")]
    assert scene.chain.app.next_due().time_ms == expiry
