"""chain/state_channel: channel flows, every refusal, window edges, seeded runs.

specs/state_channel.md. alice (the user) opens a channel to hank (the host); mallory is a
third account. States come from SPUR-IC's own functions (OffChainChannel: host-issued
receipts and provisional states, the user's counter-signatures); states no honest session
would produce are signed by both keys on purpose, so that the case shows the chain
refuses them for the rule named, not for a bad signature.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from dait_chain.crypto.address import encode_address, module_address
from dait_chain.crypto.hashing import sha256
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, privkey_from_seed, sign_with_domain
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.spurc.values import ChannelState
from dait_chain.vectors.case import CaseSpec
from dait_chain.vectors.chain_run import ChainBuilder, built, chain_case, genesis_of
from dait_chain.x.state_channel.keeper import Keeper
from dait_chain.x.state_channel.rules import derive_channel_id, opening_state
from dait_chain.x.state_channel.simulation import (
    OffChainChannel,
    Party,
    close_consent,
    party,
    run_random_blocks,
)
from dait_chain.x.state_channel.types import (
    MsgChallengeChannel,
    MsgCloseChannel,
    MsgOpenChannel,
    MsgRespondChallenge,
)

SPEC = "specs/state_channel.md"
ALICE, HANK, MALLORY = party("alice"), party("hank"), party("mallory")
FUNDS = 1_000_000_000
ESCROW = 5_000_000
MAX_CALLS = 100
DAY_MS = 86_400_000
MODEL = "qwen2.5-32b-instruct"
SEEDS = (1, 2, 3)


@dataclass
class Scene:
    """A chain on which alice opened a channel to hank, and the channel's off-chain side."""

    b: ChainBuilder
    channel_id: bytes
    offchain: OffChainChannel
    deadline: int

    def calls(self, n: int) -> ChannelState:
        """n honest calls; the user's latest co-signed state."""
        for _ in range(n):
            assert self.offchain.call(self.b.time_ms, 3, 5)
        return self.offchain.user_latest

    def state(self, turn: int) -> ChannelState:
        return self.offchain.cosigned[turn]

    def tx(self, who: Party, msg: object, **kw: object) -> None:
        self.b.block(self.b.sign(who, msg), **kw)  # type: ignore[arg-type]


def keeper(b: ChainBuilder) -> Keeper:
    k = b.app.module("state_channel").keeper
    assert isinstance(k, Keeper)
    return k


def open_msg(
    deadline: int,
    *,
    escrow: int = ESCROW,
    host: str = HANK.address,
    model: str = MODEL,
    max_calls: int = MAX_CALLS,
) -> MsgOpenChannel:
    return MsgOpenChannel(ALICE.address, host, model, max_calls, deadline, escrow)


def scene(*, deadline_in_ms: int = 7 * DAY_MS) -> Scene:
    """Open the channel (block 1); hank and mallory have each sent a tx, so their keys are
    on record and a refused tx changes exactly the fee and the sequence."""
    b = ChainBuilder(genesis_of([(ALICE, FUNDS), (HANK, FUNDS), (MALLORY, FUNDS)]))
    deadline = b.harness.implied_time(1) + deadline_in_ms
    msg = open_msg(deadline)
    seq = keeper(b).next_sequence(b.app.query_context(), ALICE.address)
    channel_id = derive_channel_id(b.app.chain_id, ALICE.address, HANK.address, seq)
    warm = MsgOpenChannel(HANK.address, MALLORY.address, MODEL, 1, deadline, 1_000)
    warm2 = MsgOpenChannel(MALLORY.address, HANK.address, MODEL, 1, deadline, 1_000)
    b.block(b.sign(ALICE, msg), b.sign(HANK, warm), b.sign(MALLORY, warm2))
    identity = sim_host_identity(HANK.name, model_id=MODEL)
    return Scene(
        b, channel_id, OffChainChannel(opening_state(channel_id, msg), ALICE, identity), deadline
    )


def sign_state(state: ChannelState, *keys_for: tuple[str, bytes]) -> ChannelState:
    """The state with the named signatures made by the given keys (seed 002 §6 payload)."""
    payload = replace(state, sig_user=b"", sig_host=b"").encode()
    out = state
    for name, key in keys_for:
        signature = sign_with_domain(key, DOMAIN_STATE, payload)
        out = (
            replace(out, sig_user=signature)
            if name == "sig_user"
            else replace(out, sig_host=signature)
        )
    return out


def cosign_both(state: ChannelState) -> ChannelState:
    return sign_state(state, ("sig_user", ALICE.privkey), ("sig_host", HANK.privkey))


def challenge(
    s: Scene, state: ChannelState | None, signer: str = ALICE.address
) -> MsgChallengeChannel:
    return MsgChallengeChannel(signer, s.channel_id, state)


def challenged(s: Scene, turn: int) -> None:
    """turn calls, then hank challenges with co-signed state `turn`."""
    s.calls(turn)
    s.tx(HANK, challenge(s, s.state(turn), HANK.address))


# ---- flows ---------------------------------------------------------------------------------


def flow_cases() -> Iterator[CaseSpec]:
    """Open, calls, cooperative close; disputes settled by the EndBlocker; the deadline."""
    s = scene()
    state = s.calls(3)
    s.tx(
        ALICE,
        MsgCloseChannel(ALICE.address, s.channel_id, state, close_consent(state, HANK.privkey)),
    )
    yield built(
        "flow",
        "cooperative_close",
        "open, three calls, close by the user with the host's consent",
        "Cooperative: both sides sign the latest ChannelState and one of them broadcasts "
        "MsgCloseChannel. Settlement is immediate. (seed 000)",
        f"{SPEC} §7.3, §10",
        s.b,
    )

    s = scene()
    s.calls(3)
    s.tx(HANK, challenge(s, s.state(1), HANK.address))
    s.tx(ALICE, MsgRespondChallenge(ALICE.address, s.channel_id, s.state(3)))
    record = keeper(s.b).get_channel(s.b.app.query_context(), s.channel_id)
    assert record is not None and record.challenge is not None
    s.b.block(time_ms=record.challenge.expires_at_ms)
    yield built(
        "flow",
        "dispute_answered",
        "the host challenges with turn 1, the user answers with turn 3, the window expires",
        "Unilateral / dispute: tenant or host broadcasts MsgChallengeChannel with their last "
        "signed state. The 24-hour challenge window opens; either side can submit a higher "
        "turn_num with MsgRespondChallenge. The on-chain EndBlocker settles when the "
        "window expires. (seed 000)",
        f"{SPEC} §7.1, §7.2, §8.2",
        s.b,
    )

    s = scene()
    s.tx(ALICE, challenge(s, s.state(0)))
    s.b.block(time_ms=s.b.time_ms + DAY_MS)
    yield built(
        "flow",
        "opening_state_challenge",
        "the user challenges with the unsigned opening state; expiry refunds the escrow",
        "A dispute may present turn 0 or any state carrying both signatures (decisions.md)",
        f"{SPEC} §6.4, §8.2",
        s.b,
    )

    s = scene(deadline_in_ms=60_000)
    s.calls(2)
    s.b.block(time_ms=s.deadline)
    s.tx(HANK, MsgRespondChallenge(HANK.address, s.channel_id, s.state(2)))
    s.b.block(time_ms=s.deadline + DAY_MS)
    yield built(
        "flow",
        "deadline_challenge",
        "the deadline opens the chain's challenge on the stored state; the host answers; expiry "
        "settles",
        "At the channel's deadline, if it is still open, the chain itself opens a challenge on the "
        "stored state (decisions.md)",
        f"{SPEC} §8.1, D8",
        s.b,
    )

    for name, offset, what in (
        ("minus_1", -1, "accepted"),
        ("at", 0, "late: refused, and that block settles"),
        ("plus_1", 1, "late"),
    ):
        s = scene()
        challenged(s, 1)
        s.calls(1)
        record = keeper(s.b).get_channel(s.b.app.query_context(), s.channel_id)
        assert record is not None and record.challenge is not None
        s.tx(
            ALICE,
            MsgRespondChallenge(ALICE.address, s.channel_id, s.state(2)),
            time_ms=record.challenge.expires_at_ms + offset,
        )
        yield built(
            "windows",
            f"respond_expiry_{name}",
            f"a response at expiry {offset:+d} ms: {what}",
            "Time windows are half-open: ... So a challenge response in the block whose time "
            "equals the expiry is rejected as late, and that block settles the channel. "
            "(decisions.md)",
            f"{SPEC} §9",
            s.b,
        )
    for name, offset in (("minus_1", -1), ("at", 0), ("plus_1", 1)):
        s = scene(deadline_in_ms=60_000)
        s.b.block(time_ms=s.deadline + offset)
        yield built(
            "windows",
            f"deadline_{name}",
            f"an empty block at deadline {offset:+d} ms",
            "At the channel deadline ... block_time >= deadline: its EndBlocker opens the chain's "
            "challenge",
            f"{SPEC} §9",
            s.b,
        )


# ---- refusals ------------------------------------------------------------------------------

Refusal = tuple[str, str, Callable[[Scene], tuple[Party, object]]]


def _refusals() -> list[Refusal]:
    def late(s: Scene) -> tuple[Party, object]:
        challenged(s, 1)
        s.calls(1)
        record = keeper(s.b).get_channel(s.b.app.query_context(), s.channel_id)
        assert record is not None and record.challenge is not None
        s.b.block(time_ms=record.challenge.expires_at_ms - 500)
        return ALICE, MsgRespondChallenge(ALICE.address, s.channel_id, s.state(2))

    def settled(s: Scene) -> tuple[Party, object]:
        state = s.calls(2)
        s.tx(
            ALICE,
            MsgCloseChannel(ALICE.address, s.channel_id, state, close_consent(state, HANK.privkey)),
        )
        return HANK, challenge(s, state, HANK.address)

    def provisional(s: Scene) -> tuple[Party, object]:
        s.calls(2)
        assert s.offchain.call(s.b.time_ms, 3, 5, cosigned=False)
        assert s.offchain.provisional is not None
        return HANK, challenge(s, s.offchain.provisional, HANK.address)

    def forged_host(s: Scene) -> tuple[Party, object]:
        state = s.calls(1)
        return ALICE, challenge(
            s, sign_state(state, ("sig_host", privkey_from_seed(b"not the host")))
        )

    def stale_close(s: Scene) -> tuple[Party, object]:
        challenged(s, 3)
        old = s.state(2)
        return ALICE, MsgCloseChannel(
            ALICE.address, s.channel_id, old, close_consent(old, HANK.privkey)
        )

    def second_challenge(s: Scene) -> tuple[Party, object]:
        challenged(s, 1)
        return ALICE, challenge(s, s.state(1))

    def equal_turn(s: Scene) -> tuple[Party, object]:
        challenged(s, 3)
        return ALICE, MsgRespondChallenge(ALICE.address, s.channel_id, s.state(3))

    def own_consent(s: Scene) -> tuple[Party, object]:
        state = s.calls(2)
        return ALICE, MsgCloseChannel(
            ALICE.address, s.channel_id, state, close_consent(state, ALICE.privkey)
        )

    def d(s: Scene) -> int:
        return s.b.harness.implied_time(s.b.height + 1)

    return [
        (
            "open_invalid_host_address",
            "host is not an address",
            lambda s: (ALICE, open_msg(s.deadline, host="dait1nope")),
        ),
        (
            "open_32_byte_host",
            "a 32-byte host address",
            lambda s: (ALICE, open_msg(s.deadline, host=encode_address(sha256(b"x")))),
        ),
        (
            "open_module_account_host",
            "the host is a module account",
            lambda s: (ALICE, open_msg(s.deadline, host=module_address("fee_collector"))),
        ),
        (
            "open_self_channel",
            "user == host",
            lambda s: (ALICE, open_msg(s.deadline, host=ALICE.address)),
        ),
        (
            "open_empty_model_id",
            "an empty model_id",
            lambda s: (ALICE, open_msg(s.deadline, model="")),
        ),
        (
            "open_zero_max_calls",
            "max_calls 0",
            lambda s: (ALICE, open_msg(s.deadline, max_calls=0)),
        ),
        (
            "open_escrow_below_min",
            "escrow 999 < min_escrow_uDAIT 1000",
            lambda s: (ALICE, open_msg(s.deadline, escrow=999)),
        ),
        (
            "open_deadline_at_block_time",
            "deadline equal to the block time",
            lambda s: (ALICE, open_msg(d(s))),
        ),
        (
            "open_deadline_too_far",
            "deadline beyond max_channel_duration_ms",
            lambda s: (ALICE, open_msg(d(s) + 31_536_000_000 + 1)),
        ),
        (
            "open_without_funds",
            "escrow beyond the user's balance",
            lambda s: (ALICE, open_msg(s.deadline, escrow=FUNDS * 2)),
        ),
        (
            "unknown_channel",
            "a channel id nobody opened",
            lambda s: (ALICE, MsgChallengeChannel(ALICE.address, bytes(32), s.state(0))),
        ),
        ("settled_channel", "a challenge after the cooperative close", settled),
        (
            "not_channel_party",
            "mallory challenges",
            lambda s: (MALLORY, challenge(s, s.calls(1), MALLORY.address)),
        ),
        ("missing_state", "a challenge without a state", lambda s: (ALICE, challenge(s, None))),
        (
            "fixed_field_escrow",
            "a cosigned state with another escrow",
            lambda s: (
                ALICE,
                challenge(s, cosign_both(replace(s.calls(1), escrow_amount=ESCROW + 1))),
            ),
        ),
        (
            "fixed_field_channel",
            "a cosigned state of another channel",
            lambda s: (ALICE, challenge(s, cosign_both(replace(s.calls(1), channel_id=bytes(32))))),
        ),
        (
            "spent_exceeds_escrow",
            "spent_amount above the escrow",
            lambda s: (
                HANK,
                challenge(
                    s, cosign_both(replace(s.calls(1), spent_amount=ESCROW + 1)), HANK.address
                ),
            ),
        ),
        (
            "call_count_exceeds_max",
            "call_count above max_calls",
            lambda s: (
                HANK,
                challenge(
                    s, cosign_both(replace(s.calls(1), call_count=MAX_CALLS + 1)), HANK.address
                ),
            ),
        ),
        ("provisional_state", "the host presents its provisional state", provisional),
        (
            "missing_host_signature",
            "sig_host empty",
            lambda s: (ALICE, challenge(s, replace(s.calls(1), sig_host=b""))),
        ),
        (
            "forged_user_signature",
            "mallory signs as the user",
            lambda s: (
                HANK,
                challenge(s, sign_state(s.calls(1), ("sig_user", MALLORY.privkey)), HANK.address),
            ),
        ),
        (
            "swapped_signatures",
            "sig_user and sig_host swapped",
            lambda s: (
                ALICE,
                challenge(
                    s,
                    replace(s.calls(1), sig_user=s.state(1).sig_host, sig_host=s.state(1).sig_user),
                ),
            ),
        ),
        ("forged_host_signature", "another key signs as the host", forged_host),
        ("close_below_stored_turn", "a close on turn 2 after a challenge on turn 3", stale_close),
        ("respond_equal_turn", "a response with the stored turn", equal_turn),
        ("second_challenge", "a challenge during a challenge", second_challenge),
        (
            "respond_without_challenge",
            "a response on an open channel",
            lambda s: (ALICE, MsgRespondChallenge(ALICE.address, s.channel_id, s.calls(1))),
        ),
        ("respond_late", "a response in the block at the expiry", late),
        (
            "close_without_consent",
            "no counterparty consent",
            lambda s: (ALICE, MsgCloseChannel(ALICE.address, s.channel_id, s.calls(2), b"")),
        ),
        ("close_with_own_consent", "the closer's own consent", own_consent),
    ]


def refusal_cases() -> Iterator[CaseSpec]:
    """Every refusal through a real signed tx (the tx keeps only fee and sequence)."""
    for name, what, make in _refusals():
        s = scene()
        signer, msg = make(s)
        if name == "respond_late":
            record = keeper(s.b).get_channel(s.b.app.query_context(), s.channel_id)
            assert record is not None and record.challenge is not None
            s.tx(signer, msg, time_ms=record.challenge.expires_at_ms)
        else:
            s.tx(signer, msg)
        yield built(
            "refusals",
            name,
            what,
            "A refused message changes nothing and emits nothing; only the ante handler's fee and "
            "sequence bump remain.",
            f"{SPEC} §5-§7, §14",
            s.b,
        )


# ---- genesis and seeded runs ---------------------------------------------------------------


def genesis_cases() -> Iterator[CaseSpec]:
    """Genesis documents the module refuses (no post-state): a params fault names its rule
    (ErrInvalidParams, D15); every other check of §16 is ErrInvalidGenesis."""
    base = genesis_of([(ALICE, FUNDS)])
    params = {
        "challenge_window_ms": "86400000",
        "min_escrow_uDAIT": "1000",
        "max_channel_duration_ms": "31536000000",
    }
    for name, what, changes in (
        ("params_out_of_range", "challenge_window_ms 0", {"challenge_window_ms": "0"}),
        (
            "params_window_above_max",
            "challenge_window_ms one above 365 days",
            {"challenge_window_ms": "31536000001"},
        ),
        ("params_min_escrow_zero", "min_escrow_uDAIT 0", {"min_escrow_uDAIT": "0"}),
        (
            "params_duration_above_max",
            "max_channel_duration_ms one above 3,650 days",
            {"max_channel_duration_ms": "315360000001"},
        ),
    ):
        yield chain_case(
            "genesis",
            name,
            f"{what} (params are checked at import)",
            "challenge_window_ms: 1 ..= 31,536,000,000; min_escrow_uDAIT >= 1; "
            "max_channel_duration_ms: 1 ..= 315,360,000,000. Import checks: params valid "
            "(ErrInvalidParams)",
            f"{SPEC} §11, §16, D15",
            {**base, "state_channel": {"params": {**params, **changes}}},
            [],
        )
    unsorted = [
        {"user": HANK.address, "next_sequence": "1"},
        {"user": ALICE.address, "next_sequence": "1"},
    ]
    unsorted.sort(key=lambda e: e["user"], reverse=True)
    bad_seq = {**base, "state_channel": {"params": params, "sequences": unsorted}}
    yield chain_case(
        "genesis",
        "sequences_unsorted",
        "user sequences out of order",
        "GenesisState{params, channels (sorted by id), sequences (sorted by user)}",
        f"{SPEC} §16",
        bad_seq,
        [],
    )
    # The export of a chain holding three open channels, then each check of §16 broken.
    exported = scene().b.app.export_genesis()
    rule = (
        "Import checks (ErrInvalidGenesis): ids strictly ascending; each id equals §4's "
        "derivation ...; the state passes §6.2 against itself and §6.3; OPEN has no challenge "
        "and no settlement ...; each user's next_sequence is above every user_sequence of its "
        "channels"
    )
    for name, what, mutate in _genesis_mutations():
        doc = copy.deepcopy(exported)
        mutate(doc["state_channel"])
        yield chain_case("genesis", name, what, rule, f"{SPEC} §16", doc, [])


GenesisMutation = Callable[[dict[str, Any]], None]


def _genesis_mutations() -> list[tuple[str, str, GenesisMutation]]:
    def first_channel(update: dict[str, Any]) -> GenesisMutation:
        return lambda section: section["channels"][0].update(update)

    def first_state(update: dict[str, Any]) -> GenesisMutation:
        return lambda section: section["channels"][0]["state"].update(update)

    return [
        ("channels_unsorted", "channels in descending id order", lambda s: s["channels"].reverse()),
        (
            "channel_id_not_derived",
            "a channel whose user_sequence is not the one its id derives from",
            first_channel({"user_sequence": "9"}),
        ),
        (
            "next_sequence_not_above",
            "no user sequences: next_sequence 0 is not above the channels' sequences",
            lambda s: s["sequences"].clear(),
        ),
        (
            "settled_without_settlement",
            "status SETTLED without a settlement record",
            first_channel({"status": "CHANNEL_STATUS_SETTLED"}),
        ),
        (
            "state_spent_above_escrow",
            "a stored state spending more than its escrow",
            first_state({"spent_amount": "99999999999"}),
        ),
        (
            "state_host_is_user",
            "a stored state whose host is its user",
            lambda s: s["channels"][0]["state"].update(
                host_addr=s["channels"][0]["state"]["user_addr"]
            ),
        ),
    ]


def seeded_cases() -> Iterator[CaseSpec]:
    """The module's weighted operations (simulation.py) on fixed seeds."""
    for seed in SEEDS:
        world = run_random_blocks(seed, 12)
        yield chain_case(
            "seeded",
            f"seed_{seed}",
            f"12 blocks of weighted random operations (seed {seed})",
            "open, off-chain calls, cooperative close, challenge, respond, drawn by weight",
            f"{SPEC} §18",
            world.chain.genesis,
            [o.block for o in world.chain.blocks],
        )
