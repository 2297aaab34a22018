"""A pouw chain for tx-level tests: validators, hosts with open channels, warmed-up
accounts, and the refusal check every error test uses.

build_world (dait_chain.x.pouw.simulation) opens one channel per host in block 1; here
every party then sends one bank transfer, so its public key is on record and a refused
tx afterwards changes exactly the fee and the sequence (specs/app.md "Tx execution").
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from dait_chain.app.abci import FinalizeBlockResult
from dait_chain.codec.tx import Coin, MsgSend
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import module_address
from dait_chain.errors import DaitError
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.simulation import FEE, Party, PouwWorld, build_world

# The ante's fee payment is all a refused tx leaves in its events (specs/app.md).
ANTE_EVENT_TYPES = frozenset({"coin_spent", "coin_received", "transfer", "tx"})
FEE_COLLECTOR = module_address("fee_collector")
WINDOW = 5  # commit_reveal_window in these tests
AUDIT_WINDOW = 8


def short_params(auditors: Sequence[str] = ()) -> Params:
    """Short windows so the boundary tests stay small."""
    return Params(
        commit_reveal_window=WINDOW,
        audit_window_blocks=AUDIT_WINDOW,
        auditors=tuple(sorted(auditors)),
    )


def make_world(*, hosts: int = 2, params: Params | None = None, **kwargs: Any) -> PouwWorld:
    """build_world with short windows, rewards allocated far in the future (so a test
    block never allocates unless asked to), and every party's key on record."""
    from dait_chain.x.pouw.simulation import party

    auditor = party("pouw-auditor")
    world = build_world(
        hosts=hosts,
        params=params or short_params([auditor.address]),
        allocation_interval_blocks=kwargs.pop("allocation_interval_blocks", 1_000_000),
        **kwargs,
    )
    warm = [
        world.sign(p, (MsgSend(p.address, world.user.address, (Coin("uDAIT", "1"),)),))
        for p in (*(h.party for h in world.hosts), world.gov, world.auditor)
    ]
    result = world.block(warm)
    assert all(r.ok for r in result.tx_results), [r.log for r in result.tx_results]
    return world


def _balances(doc: dict[str, Any]) -> dict[str, int]:
    return {b["address"]: int(b["amount"]) for b in doc["bank"].get("balances", [])}


def expected_after_refusal(before: dict[str, Any], signer: Party) -> dict[str, Any]:
    """`before` with the fee moved from the signer to the fee collector and the signer's
    sequence one higher, and nothing else."""
    doc = copy.deepcopy(before)
    balances = _balances(doc)
    balances[signer.address] -= FEE
    balances[FEE_COLLECTOR] = balances.get(FEE_COLLECTOR, 0) + FEE
    doc["bank"]["balances"] = [
        {"address": a, "amount": str(n)} for a, n in sorted(balances.items()) if n
    ]
    for account in doc["auth"]["accounts"]:
        if account["address"] == signer.address:
            account["sequence"] = str(int(account.get("sequence", "0")) + 1)
    return doc


def body(doc: dict[str, Any]) -> dict[str, Any]:
    """The state sections (the header fields move with every block)."""
    return {k: v for k, v in doc.items() if k not in ("initial_height", "genesis_time_ms")}


POUW_EVENT_TYPES = frozenset(
    {
        "ReceiptCommitted",
        "ReceiptCommitExpired",
        "ReceiptRevealed",
        "CreditTargetSet",
        "AuditRecorded",
        "AuditExpired",
        "ModelRegistered",
        "PouwParamsUpdated",
        "VoteExtensionsInjected",
        "TeeAttestParamsUpdated",
    }
)


def assert_refused(
    world: PouwWorld, signer: Party, msgs: Sequence[ProtoValue], error: type[DaitError]
) -> FinalizeBlockResult:
    """Send msgs in one tx in the next block: it must fail with exactly `error`, leave the
    state as before except the fee and the sequence bump, and emit no event but the
    ante's."""
    before = world.app.export_genesis()
    result = world.block([world.sign(signer, msgs)])
    tx = result.tx_results[0]
    assert (tx.codespace, tx.code) == (error.codespace, error.code), tx.log
    assert body(world.app.export_genesis()) == body(expected_after_refusal(before, signer))
    assert {e.type for e in tx.events} <= ANTE_EVENT_TYPES
    block_events = (*result.begin_events, *result.end_events)
    assert not [e for e in block_events if e.type in POUW_EVENT_TYPES]
    return result


def ok(result: FinalizeBlockResult) -> FinalizeBlockResult:
    """Assert every tx of the block succeeded."""
    assert all(r.ok for r in result.tx_results), [r.log for r in result.tx_results]
    return result


def events(result: FinalizeBlockResult, type_: str) -> list[dict[str, str]]:
    """The attributes of every event of `type_` in the block, in order."""
    out = [e for e in result.begin_events if e.type == type_]
    for tx in result.tx_results:
        out.extend(e for e in tx.events if e.type == type_)
    out.extend(e for e in result.end_events if e.type == type_)
    return [e.as_dict() for e in out]
