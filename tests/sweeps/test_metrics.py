"""Concentration metrics (specs/sweeps.md "Metrics"): hand-derived values and invariants."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from dait_chain.sweeps.metrics import gini, hhi, nakamoto, ratio_bounds, snapshot_heights

amounts = st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=30)


def test_nakamoto_needs_strictly_more_than_a_third() -> None:
    # 1/3 exactly is not enough: [1, 1, 1] needs two holders (2/3 > 1/3).
    assert nakamoto([1, 1, 1]) == 2
    assert nakamoto([34, 33, 33]) == 1
    assert nakamoto([10] * 10) == 4  # 4 x 10% = 40% > 33.3%, 3 x 10% = 30% is not
    assert nakamoto([0, 0]) == 0


def test_gini_of_equal_shares_is_zero_and_of_one_holder_is_n_minus_one_over_n() -> None:
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 8]) == 0.75  # (n - 1) / n with n = 4
    # x = (1, 2, 3): sum_i (2i - 4) x_i = -2 + 0 + 6 = 4; 4 / (3 * 6) = 2/9
    assert gini([3, 1, 2]) == float(Fraction(2, 9))
    assert math.isnan(gini([0, 0]))


def test_hhi_is_the_sum_of_squared_shares() -> None:
    assert hhi([1, 1, 1, 1]) == 0.25
    assert hhi([3, 1]) == float(Fraction(9, 16) + Fraction(1, 16))
    assert hhi([7]) == 1.0


def test_ratio_bounds_compare_reward_share_to_stake_share() -> None:
    # rewards 30:10 vs stakes 1:1 -> shares 0.75 and 0.25 over 0.5 each
    assert ratio_bounds([30, 10], [5, 5]) == (0.5, 1.5)


def test_snapshot_heights_are_multiples_and_the_last_height() -> None:
    assert snapshot_heights(30, 10) == (10, 20, 30)
    assert snapshot_heights(25, 10) == (10, 20, 25)
    assert snapshot_heights(5, 10) == (5,)


@given(amounts)
def test_nakamoto_set_holds_more_than_a_third_and_one_fewer_does_not(values: list[int]) -> None:
    """The n largest hold > 1/3 of the total and the n - 1 largest do not."""
    n = nakamoto(values)
    total = sum(values)
    ranked = sorted(values, reverse=True)
    if total == 0:
        assert n == 0
        return
    assert 3 * sum(ranked[:n]) > total
    assert 3 * sum(ranked[: n - 1]) <= total


@given(amounts)
def test_hhi_lies_between_one_over_n_and_one(values: list[int]) -> None:
    """1/n <= HHI <= 1 whenever something is held."""
    if sum(values) == 0:
        return
    value = hhi(values)
    assert 1 / len(values) - 1e-12 <= value <= 1 + 1e-12


@given(amounts, st.integers(min_value=1, max_value=1000))
def test_concentration_metrics_do_not_depend_on_scale_or_order(values: list[int], k: int) -> None:
    """Scaling every amount, or reordering them, changes no concentration metric."""
    scaled = [v * k for v in reversed(values)]
    assert nakamoto(scaled) == nakamoto(values)
    if sum(values):
        assert gini(scaled) == gini(values)
        assert hhi(scaled) == hhi(values)
