"""A chain with one open channel and its off-chain history, for the tx-level tests.

alice (the user) opens a channel to hank (the host); mallory is a third account. The
off-chain side advances through SPUR-IC (`OffChainChannel`: host-issued receipts and
provisional states, the user's counter-signatures). States that no honest session would
produce (a changed fixed field, an overspend) are signed here by both keys on purpose,
so that the test shows the chain refuses them for the rule, not for a bad signature.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any

from dait_chain.app.events import Event
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import module_address
from dait_chain.crypto.secp256k1 import DOMAIN_STATE, sign_with_domain
from dait_chain.errors import DaitError
from dait_chain.spurc.simworld import sim_host_identity
from dait_chain.spurc.values import ChannelState
from dait_chain.x.state_channel.rules import opening_state
from dait_chain.x.state_channel.simulation import (
    DEFAULT_FEE,
    BlockOutcome,
    ChainDriver,
    OffChainChannel,
    Party,
    close_consent,
    open_msg,
    party,
)
from dait_chain.x.state_channel.types import Channel

ALICE = party("alice")
HANK = party("hank")
MALLORY = party("mallory")
FUNDS = 1_000_000_000
ESCROW = 5_000_000
MAX_CALLS = 100
DAY_MS = 86_400_000
BLOCK = 999
# The ante's fee payment is all a refused tx leaves in its events (specs/app.md).
ANTE_EVENT_TYPES = frozenset({"coin_spent", "coin_received", "transfer", "tx"})
FEE_COLLECTOR = module_address("fee_collector")


def sign_state(state: ChannelState, *keys_for: tuple[str, bytes]) -> ChannelState:
    """The state with the named signatures (sig_user / sig_host) made by the given keys, over
    seed 002 §6's payload: sha256("DAIT-STATE-v1\\0" || canonical_state_minus_sigs)."""
    payload = replace(state, sig_user=b"", sig_host=b"").encode()
    out = state
    for field_name, key in keys_for:
        sig = sign_with_domain(key, DOMAIN_STATE, payload)
        out = replace(out, **{field_name: sig})  # type: ignore[arg-type]  # sig_user or sig_host
    return out


def cosign_both(state: ChannelState) -> ChannelState:
    """Both parties' signatures on `state`, whatever it says."""
    return sign_state(state, ("sig_user", ALICE.privkey), ("sig_host", HANK.privkey))


@dataclass
class Scene:
    """The chain, the channel's id and its off-chain side."""

    chain: ChainDriver
    channel_id: bytes
    offchain: OffChainChannel
    deadline: int

    def record(self) -> Channel:
        found = self.chain.channel(self.channel_id)
        assert found is not None
        return found

    def calls(self, n: int, tokens_in: int = 3, tokens_out: int = 5) -> ChannelState:
        """n honest calls; returns the user's latest co-signed state."""
        for _ in range(n):
            assert self.offchain.call(self.chain.time_ms, tokens_in, tokens_out)
        return self.offchain.user_latest

    def state(self, turn: int) -> ChannelState:
        """Co-signed state `turn` (0: the unsigned opening state)."""
        return self.offchain.cosigned[turn]

    def consent(self, state: ChannelState, by: Party) -> bytes:
        return close_consent(state, by.privkey)

    def events(self, outcome: BlockOutcome, type_: str) -> list[Event]:
        """The block's events of `type_` about this scene's channel."""
        cid = self.channel_id.hex()
        return [e for e in events_of(outcome, type_) if e.get("channel_id") == cid]


def make_scene(*, deadline_in_ms: int = 7 * DAY_MS, escrow: int = ESCROW) -> Scene:
    """A chain where alice has opened a channel to hank (the block is committed)."""
    chain = ChainDriver([(ALICE, FUNDS), (HANK, FUNDS), (MALLORY, FUNDS)])
    # Every party sends one tx first, so its public key is on record and a refused tx below
    # changes exactly the fee and the sequence.
    deadline = chain.time_ms + BLOCK + deadline_in_ms
    msg = open_msg(ALICE, HANK, escrow=escrow, max_calls=MAX_CALLS, deadline=deadline)
    channel_id = chain.next_channel_id(ALICE, HANK)
    outcome = chain.block([(ALICE, msg)])
    assert outcome.tx_results[0].ok, outcome.tx_results[0].log
    warm = open_msg(HANK, MALLORY, escrow=1_000, max_calls=1, deadline=deadline)
    warm2 = open_msg(MALLORY, HANK, escrow=1_000, max_calls=1, deadline=deadline)
    outcome = chain.block([(HANK, warm), (MALLORY, warm2)])
    assert all(r.ok for r in outcome.tx_results)
    identity = sim_host_identity(HANK.name, model_id=msg.model_id)
    offchain = OffChainChannel(opening_state(channel_id, msg), ALICE, identity)
    return Scene(chain, channel_id, offchain, deadline)


def _balances(doc: dict[str, Any]) -> dict[str, int]:
    return {b["address"]: int(b["amount"]) for b in doc["bank"].get("balances", [])}


def _accounts(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {a["address"]: a for a in doc["auth"].get("accounts", [])}


def expected_after_refusal(before: dict[str, Any], signer: Party, fee: int) -> dict[str, Any]:
    """The export a refused tx must leave: `before` with the fee moved from the signer to
    the fee collector and the signer's sequence one higher (specs/app.md "Tx execution"),
    and nothing else."""
    doc = copy.deepcopy(before)
    balances = _balances(doc)
    balances[signer.address] -= fee
    balances[FEE_COLLECTOR] = balances.get(FEE_COLLECTOR, 0) + fee
    doc["bank"]["balances"] = [
        {"address": a, "amount": str(n)} for a, n in sorted(balances.items()) if n
    ]
    accounts = _accounts(doc)
    account = accounts[signer.address]
    account["sequence"] = str(int(account.get("sequence", "0")) + 1)
    return doc


def body(doc: dict[str, Any]) -> dict[str, Any]:
    # The header fields move with every block (initial_height, time); the state is the rest.
    return {k: v for k, v in doc.items() if k not in ("initial_height", "genesis_time_ms")}


def assert_refused_without_effect(
    scene: Scene,
    signer: Party,
    msg: ProtoValue,
    error: type[DaitError],
    *,
    time_ms: int | None = None,
) -> BlockOutcome:
    """Send msg in a block; it must fail with exactly `error`, leave the state as before
    except the fee and the sequence bump, and emit no event but the ante's."""
    chain = scene.chain
    before = chain.app.export_genesis()
    outcome = chain.block([(signer, msg)], time_ms=time_ms)
    result = outcome.tx_results[0]
    assert (result.codespace, result.code) == (error.codespace, error.code), result.log
    after = chain.app.export_genesis()
    assert body(after) == body(expected_after_refusal(before, signer, DEFAULT_FEE))
    assert {e.type for e in result.events} <= ANTE_EVENT_TYPES
    assert not [e for e in outcome.result.end_events if e.type in CHANNEL_EVENT_TYPES]
    return outcome


CHANNEL_EVENT_TYPES = frozenset(
    {"ChannelOpened", "ChannelChallenged", "ChallengeResponded", "ChannelClosed", "ChannelSettled"}
)


def events_of(outcome: BlockOutcome, type_: str) -> list[Event]:
    return [e for e in outcome.events() if e.type == type_]
