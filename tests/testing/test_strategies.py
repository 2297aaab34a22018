"""dait_chain.testing: every strategy is used, and what it generates holds the property its
docstring promises (specs/vectors.md "dait_chain.testing")."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import address_from_pubkey, decode_address
from dait_chain.crypto.secp256k1 import CURVE_ORDER, pubkey_from_privkey
from dait_chain.sim.compiler import compile_scenario
from dait_chain.sim.harness import Harness, first_divergence
from dait_chain.sim.scenario import Scenario, parse_scenario
from dait_chain.spurc.cosign import check_presentable
from dait_chain.spurc.signing import check_receipt_signature
from dait_chain.spurc.values import ChannelState
from dait_chain.spurc.verify import verify_receipt_or_raise
from dait_chain.testing import (
    ChannelSession,
    KeyPair,
    TxStream,
    addresses,
    channel_sessions,
    channel_states,
    keypairs,
    msg_types,
    msgs,
    privkeys,
    proto_values,
    receipts,
    scenario_texts,
    scenarios,
    tx_streams,
)

ALL_MSG_TYPES = [t for types in msg_types().values() for t in types]


@given(privkeys())
def test_private_keys_are_scalars_in_range(priv: bytes) -> None:
    """Every key is 32 bytes encoding a scalar in [1, n - 1]."""
    assert len(priv) == 32 and 1 <= int.from_bytes(priv, "big") < CURVE_ORDER


@given(keypairs())
def test_keypair_address_is_the_hash_of_its_public_key(kp: KeyPair) -> None:
    """pubkey = privkey's point; address = bech32("dait", RIPEMD160(SHA256(pubkey)))."""
    assert kp.pubkey == pubkey_from_privkey(kp.privkey)
    assert kp.address == address_from_pubkey(kp.pubkey)


@given(addresses(lengths=(20, 32)))
def test_addresses_decode_to_20_or_32_bytes(address: str) -> None:
    """Generated addresses are canonical: decode_address accepts them, lowercase."""
    assert len(decode_address(address)) in (20, 32) and address == address.lower()


def test_every_module_with_messages_has_msg_types() -> None:
    assert {
        "bank",
        "staking",
        "state_channel",
        "compute_market",
        "staking_tiers",
        "pouw",
        "tee_attest",
    } <= set(msg_types())


@pytest.mark.parametrize("msg_type", ALL_MSG_TYPES, ids=lambda t: t.__name__)
@settings(max_examples=8)
@given(data=st.data())
def test_every_msg_type_value_encodes_canonically(
    msg_type: type[ProtoValue], data: st.DataObject
) -> None:
    """For each module's Msg types: decode(encode(v)) == v, and encode is stable."""
    value = data.draw(proto_values(msg_type))
    encoded = value.encode()
    assert msg_type.decode(encoded) == value
    assert msg_type.decode(encoded).encode() == encoded


@given(msgs())
def test_messages_of_all_modules_round_trip_through_json(msg: ProtoValue) -> None:
    """The proto3 JSON mapping round-trips too: from_json(to_json(v)) == v."""
    assert type(msg).from_json(msg.to_json()) == msg


@given(msgs("state_channel"))
def test_messages_of_one_module_are_that_modules(msg: ProtoValue) -> None:
    assert type(msg) in msg_types()["state_channel"]


def test_msgs_of_an_unknown_module_is_refused() -> None:
    with pytest.raises(ValueError, match="nope"):
        msgs("nope")


@given(receipts())
def test_receipts_carry_a_valid_host_signature(receipt: object) -> None:
    """check_receipt_signature accepts every generated receipt (seed 002 §6)."""
    check_receipt_signature(receipt)  # type: ignore[arg-type]


@given(channel_states())
def test_channel_states_encode_canonically(state: ChannelState) -> None:
    assert ChannelState.decode(state.encode()) == state


@settings(max_examples=15)
@given(channel_sessions())
def test_sessions_verify_call_by_call_and_every_cosigned_state_is_presentable(
    session: ChannelSession,
) -> None:
    """verify_receipt turns state n-1 and response n into exactly the provisional state n;
    the cosigned states (and turn 0) are presentable on chain."""
    check_presentable(session.open_state)
    for n, call in enumerate(session.calls):
        state = verify_receipt_or_raise(
            call.headers,
            call.request,
            call.response,
            session.state(n),
            session.view(n),
            now_ms=call.now_ms,
        )
        assert state == call.provisional
        check_presentable(call.cosigned)


@settings(max_examples=10)
@given(scenario_texts())
def test_scenario_texts_parse_and_compile(text: str) -> None:
    compiled = compile_scenario(parse_scenario(text, "<t>"))
    assert compiled.blocks


@settings(max_examples=5)
@given(scenarios())
def test_scenarios_have_actors_and_actions(scenario: Scenario) -> None:
    assert len(scenario.actors) >= 3 and scenario.actions


@settings(max_examples=5)
@given(tx_streams())
def test_tx_streams_replay_to_their_expected_results(stream: TxStream) -> None:
    """A fresh harness replaying the stream reproduces every expected result."""
    harness = Harness.from_stream_header(stream.header, stream.genesis)
    for block in stream.blocks:
        run = harness.run_block(block)
        assert block.expect is not None
        assert first_divergence(block.height, block.expect, run.result) is None
