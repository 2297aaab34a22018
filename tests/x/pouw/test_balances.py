"""Host balances and validator aggregates on the half-life epoch grid (specs/pouw.md §5.3).

The keeper runs here on a bare store with a stand-in staking keeper (every address is a
validator), so that thousands of random credit/retarget sequences stay cheap; the
message-level tests (test_msgs.py) run the same keeper inside the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.app.context import Context
from dait_chain.app.events import EventManager
from dait_chain.math import LegacyDec
from dait_chain.spurc.values import Receipt as SpurcReceipt
from dait_chain.store.kv import KVStore
from dait_chain.x.pouw.credits import (
    MAX_CREDITS,
    Balance,
    checkpoint,
    decay_approx,
    gross_up,
    read_balance,
)
from dait_chain.x.pouw.invariants import aggregate_tracks_hosts, drift_bound_ulps, host_count
from dait_chain.x.pouw.keeper import PouwKeeper
from dait_chain.x.pouw.params import Params
from dait_chain.x.pouw.simulation import party

HOSTS = tuple(party(f"bal-host{i}").address for i in range(4))
VALIDATORS = tuple(party(f"bal-val{i}").address for i in range(3))


@dataclass(frozen=True)
class _Val:
    operator: str
    consensus_pubkey: bytes
    power: int


class _Staking:
    """Every address in VALIDATORS is a validator of power 10."""

    def validator_set(self, ctx: Context) -> tuple[_Val, ...]:
        return tuple(_Val(v, b"", 10) for v in VALIDATORS)

    def validator(self, ctx: Context, operator: str) -> object | None:
        return operator if operator in VALIDATORS else None


class _NoChannels:
    def get_channel(self, ctx: Context, channel_id: bytes) -> None:
        return None


class _NoTee:
    def is_attested(self, ctx: Context, receipt: SpurcReceipt) -> bool:
        return False


def keeper_and_store(half_life: int) -> tuple[PouwKeeper, KVStore]:
    keeper = PouwKeeper(_Staking(), _NoChannels(), _NoTee())
    store = KVStore()
    ctx = Context("bal-1", 1, 0, "", store, EventManager())
    keeper.set_params(ctx, Params(half_life_blocks=half_life))
    return keeper, store


def at(store: KVStore, height: int) -> Context:
    return Context("bal-1", height, height * 999, "", store, EventManager())


raw = st.integers(min_value=0, max_value=MAX_CREDITS.raw // 4)


# --- the grid (specs §5.3) ------------------------------------------------------------------


@given(raw, st.integers(0, 40), st.lists(st.integers(0, 3 * 97), max_size=6), st.integers(0, 500))
def test_checkpointing_never_changes_a_balance(
    credits: int, anchor_epochs: int, steps: list[int], tail: int
) -> None:
    """A balance read at height T is the same whether or not (and however often) it was
    re-anchored in between: a checkpoint walks whole half-lives only."""
    hl = 97
    balance = Balance(LegacyDec.from_raw(credits), anchor_epochs * hl)
    height = balance.anchor
    moved = balance
    for step in steps:
        height += step
        moved = checkpoint(moved, height, hl)
    end = height + tail
    assert read_balance(moved, end, hl) == read_balance(balance, end, hl)


@given(st.integers(0, 10**30), st.integers(1, 10**9), st.integers(1, 5_000))
def test_a_credit_reads_back_at_its_own_height_within_two_ulps(
    credit_raw: int, height: int, hl: int
) -> None:
    """Gross-up then read: g = c * 2HL / (2HL - r) truncated, read = g - trunc(g * r / 2HL);
    both truncations are one ulp at most."""
    credit = LegacyDec.from_raw(credit_raw)
    balance = Balance(gross_up(credit, height, hl), height - height % hl)
    got = read_balance(balance, height, hl)
    assert 0 <= credit.raw - got.raw <= 2


def test_a_credit_at_an_epoch_start_is_stored_as_is() -> None:
    credit = LegacyDec.from_str("12.345")
    assert gross_up(credit, 5 * 97, 97) == credit


def test_a_credit_late_in_an_epoch_is_grossed_up_to_its_start() -> None:
    """r = 48 of HL = 97: the stored amount is c * 194 / 146 so that reading at r gives c."""
    got = gross_up(LegacyDec.from_int(146), 97 + 48, 97)
    assert got == LegacyDec.from_int(194)


@given(raw, raw, st.integers(0, 96), st.integers(0, 96))
def test_two_credits_in_one_epoch_decay_as_their_sum(a: int, b: int, ra: int, rb: int) -> None:
    """Credits added at different heights of one epoch share the epoch's interpolation:
    reading the combined balance equals reading the two balances and adding (up to the
    read's truncation, one ulp per part)."""
    hl = 97
    ca, cb = LegacyDec.from_raw(a), LegacyDec.from_raw(b)
    ga, gb = gross_up(ca, hl + ra, hl), gross_up(cb, hl + rb, hl)
    end = 5 * hl + 13
    combined = read_balance(Balance(ga.add(gb), hl), end, hl)
    separate = read_balance(Balance(ga, hl), end, hl).add(read_balance(Balance(gb, hl), end, hl))
    assert abs(combined.raw - separate.raw) <= 2


def test_the_grid_decays_every_balance_by_exactly_one_half_per_epoch() -> None:
    """From one epoch start to the next, a balance halves (the seed's half-life holds
    exactly on the grid, however the credit was added)."""
    hl = 97
    balance = Balance(LegacyDec.from_int(1_000), 3 * hl)
    assert read_balance(balance, 4 * hl, hl) == LegacyDec.from_int(500)
    assert read_balance(balance, 6 * hl, hl) == LegacyDec.from_int(125)


# --- aggregates (specs §5.3, §12) -----------------------------------------------------------

op = st.one_of(
    st.tuples(st.just("credit"), st.integers(0, 3), st.integers(0, 10**24)),
    st.tuples(st.just("target"), st.integers(0, 3), st.integers(-1, 2)),
)


@given(st.lists(st.tuples(st.integers(1, 60), op), min_size=1, max_size=40), st.integers(2, 40))
def test_validator_aggregate_tracks_the_sum_of_its_hosts(
    steps: list[tuple[int, tuple[str, int, int]]], hl: int
) -> None:
    """decisions.md: a validator's credits_i is the sum of the decayed credits of the hosts
    pointing at it. After any sequence of credits and retargets at any heights, the
    aggregate is within drift_bound_ulps(host_count) of that sum, host counts match, and
    a validator nobody points at holds exactly 0."""
    keeper, store = keeper_and_store(hl)
    height = 1
    for gap, (kind, h, value) in steps:
        height += gap
        ctx = at(store, height)
        host = HOSTS[h]
        if kind == "credit":
            keeper.credit_host(ctx, host, LegacyDec.from_raw(value))
        else:
            target = "" if value < 0 else VALIDATORS[value]
            if keeper.credit_target(ctx, host) != target:
                keeper.set_credit_target(ctx, host, target)
        message, broken = aggregate_tracks_hosts(keeper, ctx)
        assert not broken, message
        message, broken = host_count(keeper, ctx)
        assert not broken, message
    for later in (height + hl // 2, height + 3 * hl + 1):
        ctx = at(store, later)
        assert not aggregate_tracks_hosts(keeper, ctx)[1]
        for v in VALIDATORS:
            if keeper.validator_credits.get(ctx, v) is None:
                assert keeper.get_validator_credits(ctx, v).is_zero()


def test_retarget_moves_the_whole_balance() -> None:
    keeper, store = keeper_and_store(97)
    host = HOSTS[0]
    keeper.set_credit_target(at(store, 2), host, VALIDATORS[0])
    keeper.credit_host(at(store, 50), host, LegacyDec.from_int(1_000))
    ctx = at(store, 150)
    before = keeper.get_validator_credits(ctx, VALIDATORS[0])
    keeper.set_credit_target(ctx, host, VALIDATORS[1])
    assert keeper.get_validator_credits(ctx, VALIDATORS[0]).is_zero()
    assert keeper.validator_credits.get(ctx, VALIDATORS[0]) is None
    assert keeper.get_validator_credits(ctx, VALIDATORS[1]) == before
    assert keeper.get_decayed_credits(ctx, host) == before


def test_drift_bound_grows_with_the_hosts() -> None:
    assert drift_bound_ulps(0) == 2
    assert drift_bound_ulps(5) == 12


def test_decay_of_a_balance_matches_decay_approx_from_its_anchor() -> None:
    """GetDecayedCredits is the seed's decayApprox from the record's anchor height."""
    keeper, store = keeper_and_store(97)
    keeper.credit_host(at(store, 97 * 3), HOSTS[1], LegacyDec.from_int(640))
    ctx = at(store, 97 * 3 + 500)
    expected = decay_approx(LegacyDec.from_int(640), 500, 97)
    assert keeper.get_decayed_credits(ctx, HOSTS[1]) == expected
    assert Fraction(expected.raw, 10**18) < 640
