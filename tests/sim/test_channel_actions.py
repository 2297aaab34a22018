"""x/state_channel scenario actions and off-chain SPUR-IC sessions (specs/harness.md)."""

from __future__ import annotations

import pytest

from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.errors import ErrActionCompile
from dait_chain.sim.harness import BlockRun
from dait_chain.sim.scenario import parse_scenario
from dait_chain.spurc.simworld import DEFAULT_RATE_CARD

# Rate card of the simulated hosts: per call + per token in + per token out (uDAIT).
PER_CALL = (
    DEFAULT_RATE_CARD.per_call_uDAIT
    + 100 * DEFAULT_RATE_CARD.per_token_in_uDAIT
    + 200 * DEFAULT_RATE_CARD.per_token_out_uDAIT
)

HEAD = """
scenario: ch
end_time: 10m
params:
  state_channel: {challenge_window_ms: 60000}
actors:
  u: {balance: 10 DAIT}
  h: {balance: 1 DAIT}
actions:
  - {at: 2, open_channel: {name: c, user: u, host: h, escrow: 1 DAIT}}
"""


class Settled:
    def __init__(self) -> None:
        self.events: list[tuple[int, dict[str, str]]] = []

    def on_block(self, run: BlockRun) -> None:
        for event in run.result.end_events:
            if event.type == "ChannelSettled":
                self.events.append((run.height, event.as_dict()))
        for tx in run.result.tx_results:
            for event in tx.events:
                if event.type == "ChannelSettled":
                    self.events.append((run.height, event.as_dict()))


def run(actions: str) -> Settled:
    settled = Settled()
    compile_scenario(parse_scenario(HEAD + actions, "ch.yaml"), observers=[settled])
    return settled


def test_cooperative_close_pays_the_host_what_the_session_spent() -> None:
    settled = run(
        "  - {at: 3, session: {channel: c, calls: 9}}\n  - {at: 4, close_channel: {channel: c}}\n"
    )
    [(height, event)] = settled.events
    assert height == 4
    assert event["reason"] == "cooperative"
    assert event["turn_num"] == "9"
    assert event["paid_host_uDAIT"] == str(9 * PER_CALL)
    assert event["refunded_user_uDAIT"] == str(1_000_000 - 9 * PER_CALL)


def test_a_challenge_with_the_opening_state_loses_to_the_hosts_latest_state() -> None:
    settled = run(
        "  - {at: 3, session: {channel: c, calls: 5}}\n"
        "  - {at: 4, challenge_channel: {channel: c, by: user, state: opening}}\n"
        "  - {at: 10, respond_challenge: {channel: c}}\n"
    )
    [(height, event)] = settled.events
    assert event["reason"] == "challenge_expired"
    assert event["turn_num"] == "5"
    assert event["paid_host_uDAIT"] == str(5 * PER_CALL)
    # challenged in block 4 at T0 + 3 * 999: the window closes 60 s later, settled by the
    # first block whose time reaches T0 + 2997 + 60000, i.e. height 1 + ceil(62997 / 999)
    assert height == 1 + -(-62_997 // 999)


def test_an_undelivered_last_state_is_only_the_users() -> None:
    """With deliver: false the host never saw co-signed state 3, so its latest is 2."""
    settled = run(
        "  - {at: 3, session: {channel: c, calls: 3, deliver: false}}\n"
        "  - {at: 4, challenge_channel: {channel: c, by: host}}\n"
    )
    [(_, event)] = settled.events
    assert event["turn_num"] == "2"


def test_a_named_turn_can_be_presented() -> None:
    settled = run(
        "  - {at: 3, session: {channel: c, calls: 6}}\n"
        "  - {at: 4, challenge_channel: {channel: c, by: user, state: 4}}\n"
    )
    [(_, event)] = settled.events
    assert event["turn_num"] == "4"


@pytest.mark.parametrize(
    ("action", "fragment"),
    [
        ("{at: 3, challenge_channel: {channel: c, state: 4}}", "no session ran"),
        ("{at: 3, close_channel: {channel: c, by: host-ish}}", "neither user nor host"),
        ("{at: 3, session: {channel: c, calls: 5000000}}", "outside"),
    ],
)
def test_bad_channel_actions_are_refused(action: str, fragment: str) -> None:
    with pytest.raises(ErrActionCompile) as info:
        run(f"  - {action}\n")
    assert fragment in info.value.what


def test_a_session_overspending_the_escrow_is_refused_at_the_call() -> None:
    calls = 1_000_000 // PER_CALL + 1
    with pytest.raises(ErrActionCompile, match=f"refused call {calls}"):
        run(f"  - {{at: 3, session: {{channel: c, calls: {calls}}}}}\n")
