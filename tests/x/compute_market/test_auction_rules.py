"""The auction's pure rules: clock, first reach, winner, order priority, attribute matching
(specs/compute_market.md §6, §7.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dait_chain.x.compute_market.attributes import attribute_satisfies, attributes_match
from dait_chain.x.compute_market.auction import (
    BidCandidate,
    auction_clock,
    bid_eligible_height,
    bid_rank_key,
    clock_reach_offset,
    order_priority_key,
    select_winning_bid,
)
from dait_chain.x.compute_market.params import DEFAULT_GPU_CLASSES
from dait_chain.x.compute_market.types import Attribute

W = 30


def test_clock_for_the_seed_ceiling_follows_floor_of_ceiling_k_over_w() -> None:
    """Seed 000's ceiling of 50 over W = 30 blocks: floor(50k/30) by hand for a few k."""
    assert auction_clock(50, 1, W) == 1  # 50/30 = 1.67
    assert auction_clock(50, 2, W) == 3  # 100/30 = 3.33
    assert auction_clock(50, 3, W) == 5  # 150/30 = 5
    assert auction_clock(50, 15, W) == 25  # 750/30 = 25
    assert auction_clock(50, 29, W) == 48  # 1450/30 = 48.33
    assert auction_clock(50, 30, W) == 50  # the ceiling at the last chance


def test_clock_is_zero_at_the_deployment_block_and_the_ceiling_at_the_last() -> None:
    assert auction_clock(7, 0, W) == 0
    assert auction_clock(7, W, W) == 7
    assert auction_clock(2**64 - 1, W, W) == 2**64 - 1


def test_clock_outside_the_window_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        auction_clock(50, W + 1, W)
    with pytest.raises(ValueError):
        auction_clock(50, 1, 0)


@given(st.integers(1, 10**6), st.integers(1, 200), st.data())
def test_clock_reach_offset_is_the_first_k_whose_clock_reaches_the_price(
    ceiling: int, window: int, data: st.DataObject
) -> None:
    """For every price in 1..ceiling, clock_reach_offset is the smallest k in 1..W with
    floor(ceiling*k/W) >= price, found by scanning k."""
    price = data.draw(st.integers(1, ceiling))
    scanned = next(k for k in range(1, window + 1) if ceiling * k // window >= price)
    assert clock_reach_offset(price, ceiling, window) == scanned


@given(st.integers(1, 10**6), st.integers(1, 100))
def test_clock_never_decreases_as_the_window_runs(ceiling: int, window: int) -> None:
    """The tenant's clock rises: clock(k) <= clock(k+1) for every k."""
    clocks = [auction_clock(ceiling, k, window) for k in range(window + 1)]
    assert clocks == sorted(clocks)


def test_a_bid_placed_after_the_clock_passed_its_price_is_eligible_in_its_own_block() -> None:
    # h0 = 100, ceiling 30, W 30: the clock equals k. A bid at price 5 reaches at k = 5.
    assert bid_eligible_height(100, 100, 5, 30, W) == 105
    # Placed at 120 (k = 20 > 5): its own block's EndBlocker sees it.
    assert bid_eligible_height(100, 120, 5, 30, W) == 120


def _beats(b: BidCandidate, best: BidCandidate) -> bool:
    """Seed 000: the lowest price; ties by earliest bid height, then provider_addr."""
    if b.price != best.price:
        return b.price < best.price
    if b.created_height != best.created_height:
        return b.created_height < best.created_height
    return b.provider < best.provider


def _oracle_winner(bids: list[BidCandidate], clock: int, full: set[str]) -> BidCandidate | None:
    best = None
    for b in bids:
        if b.price <= clock and b.provider not in full and (best is None or _beats(b, best)):
            best = b
    return best


bid_lists = st.lists(
    st.builds(
        BidCandidate,
        provider=st.sampled_from([f"dait1{c}" for c in "acdefghjk"]),
        price=st.integers(1, 20),
        created_height=st.integers(100, 110),
    ),
    max_size=12,
    unique_by=lambda b: b.provider,
)


@given(bid_lists, st.integers(0, 25), st.sets(st.sampled_from([f"dait1{c}" for c in "acdefghjk"])))
def test_select_winning_bid_equals_a_brute_force_minimum(
    bids: list[BidCandidate], clock: int, full: set[str]
) -> None:
    """Over bids sorted by rank, the winner is the seed-order minimum among the bids priced
    at or below the clock whose provider has free capacity; None if there is none."""
    ranked = sorted(bids, key=bid_rank_key)
    winner = select_winning_bid(ranked, clock, lambda p: p not in full)
    assert winner == _oracle_winner(bids, clock, full)


def test_ties_on_price_and_height_go_to_the_smaller_provider_address() -> None:
    a = BidCandidate("dait1qqqq", 10, 5)
    b = BidCandidate("dait1zzzz", 10, 5)
    assert select_winning_bid(sorted([b, a], key=bid_rank_key), 10, lambda _: True) == a


def test_order_priority_puts_heavy_first_then_height_then_id() -> None:
    keys = [
        order_priority_key(False, 10, 1),
        order_priority_key(True, 12, 9),
        order_priority_key(True, 12, 3),
        order_priority_key(False, 9, 7),
    ]
    assert sorted(keys) == [(0, 12, 3), (0, 12, 9), (1, 9, 7), (1, 10, 1)]


@pytest.mark.parametrize(
    ("filter_value", "provider_value", "expected"),
    [
        ("hopper-or-newer", "hopper", True),
        ("hopper-or-newer", "blackwell", True),
        ("hopper-or-newer", "ada", False),
        ("volta-or-newer", "volta", True),
        ("blackwell-or-newer", "hopper", False),
        ("hopper", "hopper", True),
        ("hopper", "blackwell", False),  # no suffix: exact only
        ("hopper-or-newer", "mi300", False),  # not in the list
    ],
)
def test_or_newer_matches_at_or_above_in_the_ordered_list(
    filter_value: str, provider_value: str, expected: bool
) -> None:
    """decisions.md: volta < turing < ampere < ada < hopper < blackwell."""
    assert attribute_satisfies(filter_value, provider_value, DEFAULT_GPU_CLASSES) is expected


def test_or_newer_on_a_key_without_an_ordered_list_matches_literally() -> None:
    assert attribute_satisfies("eu-or-newer", "eu-or-newer", None)
    assert not attribute_satisfies("eu-or-newer", "eu", None)


def test_every_filter_must_be_satisfied_and_a_missing_key_fails() -> None:
    ordered = {"gpu_class": DEFAULT_GPU_CLASSES}
    filters = [Attribute("gpu_class", "hopper-or-newer"), Attribute("region", "na-east")]
    good = [Attribute("gpu_class", "blackwell"), Attribute("region", "na-east")]
    wrong_region = [Attribute("gpu_class", "blackwell"), Attribute("region", "eu-west")]
    no_region = [Attribute("gpu_class", "blackwell")]
    assert attributes_match(filters, good, ordered)
    assert not attributes_match(filters, wrong_region, ordered)
    assert not attributes_match(filters, no_region, ordered)
    assert attributes_match([], no_region, ordered)
