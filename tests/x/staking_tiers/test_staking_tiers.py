"""x/staking_tiers through signed txs: locks, the Heavy threshold, unbonding by block time,
and every refusal leaving only the fee and the sequence (specs/staking_tiers.md)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from dait_chain.app.abci import TxResult
from dait_chain.app.app import DaitApp
from dait_chain.app.testkit import Actor, TestChain
from dait_chain.codec.value import ProtoValue
from dait_chain.crypto.address import module_address
from dait_chain.errors import DaitError
from dait_chain.x.staking_tiers import errors as e
from dait_chain.x.staking_tiers.genesis import GenesisState
from dait_chain.x.staking_tiers.params import Params
from dait_chain.x.staking_tiers.types import MsgLock, MsgUnlock, Tier

HEAVY = 369_000_000  # seed 000: "The Heavy tier (369 DAIT lock)", 1 DAIT = 10^6 uDAIT
DAY_MS = 86_400_000


def start(params: Params | None = None) -> TestChain:
    sections = {} if params is None else {"staking_tiers": GenesisState(params=params).to_json()}
    return TestChain.start(users=("alice", "bob"), sections=sections)


def ok(chain: TestChain, who: Actor, *msgs: ProtoValue) -> TxResult:
    result = chain.block(chain.tx(who, *msgs)).tx_results[0]
    assert result.ok, result.log
    return result


def tier(chain: TestChain, who: Actor) -> Tier:
    q = chain.app.module("staking_tiers").queries()
    return q.tier(chain.ctx(), who.address)  # type: ignore[attr-defined,no-any-return]


def test_heavy_tier_starts_at_exactly_369_dait_locked() -> None:
    chain = start()
    ok(chain, chain.alice, MsgLock(chain.alice.address, HEAVY - 1))
    assert tier(chain, chain.alice) == Tier.USER
    ok(chain, chain.alice, MsgLock(chain.alice.address, 1))
    assert tier(chain, chain.alice) == Tier.HEAVY
    assert tier(chain, chain.bob) == Tier.USER  # no lock needed for the User tier


def test_lock_moves_funds_into_the_module_account_and_emits_the_tier() -> None:
    chain = start()
    fee = chain.spec.auth_params.min_fee
    before = chain.balance(chain.alice)
    result = ok(chain, chain.alice, MsgLock(chain.alice.address, HEAVY))
    assert chain.balance(chain.alice) == before - HEAVY - fee
    assert chain.balance(module_address("staking_tiers")) == HEAVY
    locked = [ev for ev in result.events if ev.type == "Locked"]
    assert [(a.key, a.value) for a in locked[0].attributes][:7] == [
        ("module", "staking_tiers"),
        ("action", "locked"),
        ("owner", chain.alice.address),
        ("amount_uDAIT", str(HEAVY)),
        ("locked_uDAIT", str(HEAVY)),
        ("tier", "heavy"),
        ("msg_index", "0"),
    ]


def test_unlock_drops_the_tier_at_once_and_returns_funds_after_the_period() -> None:
    """Unbonding is measured in block time and half-open (decisions.md): the entry made at
    time t matures in the first block whose time is >= t + unbonding_period_ms."""
    period = 10 * 999
    chain = start(Params(unbonding_period_ms=period))
    ok(chain, chain.alice, MsgLock(chain.alice.address, HEAVY))
    result = ok(chain, chain.alice, MsgUnlock(chain.alice.address, 1))
    unlock_time = chain.app.time_ms
    assert tier(chain, chain.alice) == Tier.USER
    started = next(ev for ev in result.events if ev.type == "UnlockStarted")
    assert started.get("completion_time_ms") == str(unlock_time + period)
    before = chain.balance(chain.alice)
    chain.block(time_ms=unlock_time + period - 1)  # one ms early: nothing yet
    assert chain.balance(chain.alice) == before
    done = chain.block(time_ms=unlock_time + period)  # exactly at completion: returned
    assert chain.balance(chain.alice) == before + 1
    assert [ev.type for ev in done.end_events if ev.get("module") == "staking_tiers"] == [
        "UnbondingCompleted"
    ]
    assert chain.app.check_invariants() == []


def test_next_due_reports_the_earliest_completion_time() -> None:
    chain = start(Params(unbonding_period_ms=DAY_MS))
    ok(chain, chain.alice, MsgLock(chain.alice.address, 5))
    ok(chain, chain.alice, MsgUnlock(chain.alice.address, 2))
    first = chain.app.time_ms + DAY_MS
    ok(chain, chain.alice, MsgUnlock(chain.alice.address, 3))
    module = chain.app.module("staking_tiers")
    assert module.next_due(chain.ctx()).time_ms == first


def test_export_import_keeps_locks_and_unbonding_entries() -> None:
    chain = start()
    ok(chain, chain.alice, MsgLock(chain.alice.address, HEAVY))
    ok(chain, chain.alice, MsgUnlock(chain.alice.address, 7))
    fresh = DaitApp()
    fresh.init_chain(chain.app.export_genesis())
    assert fresh.state_pairs() == chain.app.state_pairs()


# --- refusals -----------------------------------------------------------------------------

Setup = Callable[[], tuple[TestChain, Actor, ProtoValue]]


def _setup(
    msg: Callable[[TestChain], ProtoValue],
    params: Params | None = None,
    before: Callable[[TestChain], None] = lambda c: None,
) -> Setup:
    def build() -> tuple[TestChain, Actor, ProtoValue]:
        chain = start(params)
        before(chain)
        return chain, chain.alice, msg(chain)

    return build


def _lock(amount: int) -> Callable[[TestChain], None]:
    def run(c: TestChain) -> None:
        ok(c, c.alice, MsgLock(c.alice.address, amount))

    return run


def _unlocks(n: int) -> Callable[[TestChain], None]:
    def run(c: TestChain) -> None:
        ok(c, c.alice, MsgLock(c.alice.address, 100))
        for _ in range(n):
            ok(c, c.alice, MsgUnlock(c.alice.address, 1))

    return run


CASES: dict[str, tuple[Setup, type[DaitError]]] = {
    "lock of zero": (_setup(lambda c: MsgLock(c.alice.address, 0)), e.ErrInvalidAmount),
    "unlock of zero": (_setup(lambda c: MsgUnlock(c.alice.address, 0)), e.ErrInvalidAmount),
    "unlock above the lock": (
        _setup(lambda c: MsgUnlock(c.alice.address, 11), before=_lock(10)),
        e.ErrInsufficientLocked,
    ),
    "unlock with nothing locked": (
        _setup(lambda c: MsgUnlock(c.alice.address, 1)),
        e.ErrInsufficientLocked,
    ),
    "unlock beyond max_unbonding_entries": (
        _setup(
            lambda c: MsgUnlock(c.alice.address, 1),
            params=Params(max_unbonding_entries=2),
            before=_unlocks(2),
        ),
        e.ErrTooManyUnbondingEntries,
    ),
    "completion time beyond uint64": (
        _setup(
            lambda c: MsgUnlock(c.alice.address, 1),
            params=Params(unbonding_period_ms=2**64 - 1),
            before=_lock(10),
        ),
        e.ErrAmountOverflow,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_refused_message_changes_nothing_but_fee_and_sequence(case: str) -> None:
    setup, error = CASES[case]
    chain, signer, msg = setup()
    twin, _, _ = setup()
    fee = chain.spec.auth_params.min_fee
    result = chain.block(chain.tx(signer, msg)).tx_results[0]
    twin.block()
    assert (result.codespace, result.code) == (error.codespace, error.code), result.log
    assert not [ev for ev in result.events if ev.get("module") == "staking_tiers"]
    after, without = chain.app.export_genesis(), twin.app.export_genesis()
    for section in after:
        if section not in ("auth", "bank"):
            assert after[section] == without[section], section
    balances = {b["address"]: int(b["amount"]) for b in after["bank"]["balances"]}
    twin_balances = {b["address"]: int(b["amount"]) for b in without["bank"]["balances"]}
    collector = module_address("fee_collector")
    assert balances.pop(signer.address) == twin_balances.pop(signer.address) - fee
    assert balances.pop(collector) == twin_balances.pop(collector, 0) + fee
    assert balances == twin_balances
    accounts = {a["address"]: a for a in after["auth"]["accounts"]}
    twin_accounts = {a["address"]: a for a in without["auth"]["accounts"]}
    mine, twins = accounts.pop(signer.address), twin_accounts.pop(signer.address)
    assert int(mine.get("sequence", "0")) == int(twins.get("sequence", "0")) + 1
    assert accounts == twin_accounts


def test_every_registered_tx_error_has_a_case() -> None:
    from dait_chain.errors import registered_errors

    tx_codes = {
        i.code for i in registered_errors() if i.codespace == "staking_tiers" and i.code <= 5
    }
    assert tx_codes == {err.code for _, err in CASES.values()}


@pytest.mark.parametrize(
    ("mutate", "error"),
    [
        (lambda s: s["params"].update(heavy_threshold_uDAIT="0"), e.ErrInvalidParams),
        (lambda s: s["params"].update(max_unbonding_entries="0"), e.ErrInvalidParams),
        (lambda s: s.update(next_unbonding_id="1"), e.ErrInvalidGenesis),
        (lambda s: s["locks"][0].update(owner="dait1nothing"), e.ErrInvalidGenesis),
        (lambda s: s.update(extra=1), e.ErrInvalidGenesis),
    ],
)
def test_invalid_genesis_is_refused(mutate: Any, error: type[DaitError]) -> None:
    chain = start()
    ok(chain, chain.alice, MsgLock(chain.alice.address, 10))
    ok(chain, chain.alice, MsgUnlock(chain.alice.address, 1))
    doc = copy.deepcopy(chain.app.export_genesis())
    mutate(doc["staking_tiers"])
    with pytest.raises(error):
        DaitApp().init_chain(doc)
