"""The `chain` area: one handler per module, each case a genesis, a tx stream, and the
results and final state the chain produces (chain_run.py has the format)."""

from __future__ import annotations

from dait_chain.vectors.chain_base import base_cases
from dait_chain.vectors.chain_market import market_cases, tier_cases
from dait_chain.vectors.chain_pouw import pouw_cases
from dait_chain.vectors.chain_run import chain_handler
from dait_chain.vectors.chain_state_channel import (
    flow_cases,
    genesis_cases,
    refusal_cases,
    seeded_cases,
)


def state_channel_cases():  # type: ignore[no-untyped-def]
    yield from flow_cases()
    yield from refusal_cases()
    yield from genesis_cases()
    yield from seeded_cases()


HANDLERS = (
    chain_handler(
        "ante", "every ante refusal of specs/app.md §3.1 (sdk codes)", base_cases("ante")
    ),
    chain_handler("app", "genesis documents the app refuses or starts late", base_cases("app")),
    chain_handler("bank", "MsgSend and its refusals", base_cases("bank")),
    chain_handler("staking", "delegations, unbonding, refusals", base_cases("staking")),
    chain_handler(
        "distribution", "interval allocation of fees and rewards", base_cases("distribution")
    ),
    chain_handler(
        "state_channel", "channel flows, windows, every refusal, seeded runs", state_channel_cases
    ),
    chain_handler("compute_market", "auctions, leases, every refusal, seeded runs", market_cases),
    chain_handler(
        "staking_tiers", "Heavy tier locks, unbonding, refusals, seeded runs", tier_cases
    ),
    chain_handler(
        "pouw", "commit-reveal, credit targets, audits, every refusal, seeded runs", pouw_cases
    ),
)
