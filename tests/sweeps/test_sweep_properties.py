"""Sanity properties over sweep results (the issue's acceptance): with alpha = 0 reward
shares equal stake shares, and every validator's reward-share / stake-share ratio stays in
[1/(1 + alpha K), 1 + alpha K]; both up to the truncation derived below."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest

from dait_chain.sweeps import parse_config, sweep
from dait_chain.x.distribution.types import DEFAULT_PARAMS
from tests.sweeps.conftest import TINY

VALIDATORS = 4
INTERVAL = 5  # distribution.allocation_interval_blocks in TINY
# Each allocation splits pool = floor(block_reward x interval x (1 - community_tax)) uDAIT.
POOL = int(DEFAULT_PARAMS.block_reward * INTERVAL * (1 - Fraction(DEFAULT_PARAMS.community_tax)))


@pytest.fixture(scope="module")
def results() -> tuple[Any, Any]:
    text = TINY.replace("pouw.alpha: [0, 1]", "pouw.alpha: [0, 1, 3]").replace(
        "pouw.k: [1, 4]", "pouw.k: [1, 2]"
    )
    report = sweep(parse_config(text))
    return report.table, report.validators


def test_with_alpha_zero_reward_shares_equal_stake_shares(results: tuple[Any, Any]) -> None:
    """Derivation: each allocation pays validator i floor(pool x s_i) (s_i its power
    share; the 18-decimal share truncation is below 10^-18 x pool < 1 uDAIT), so
    pool s_i - 1 < r_i <= pool s_i and pool - n < R <= pool per allocation. Summed over
    allocations, r_i / R lies in (s_i - 1/pool, s_i pool / (pool - n)], hence
    |r_i / R - s_i| <= n / (pool - n)."""
    _, validators = results
    zero = validators[(validators["pouw.alpha"] == "0.000000000000000000")]
    paid = zero[
        zero["rewards_uDAIT"].groupby([zero["run_id"], zero["snapshot"]]).transform("sum") > 0
    ]
    assert len(paid) > 0
    bound = VALIDATORS / (POOL - VALIDATORS)
    gap = (paid["reward_share"] - paid["stake_share"]).abs()
    assert gap.max() <= bound, gap.max()


def test_reward_to_stake_ratio_stays_within_one_plus_alpha_k(results: tuple[Any, Any]) -> None:
    """effective_i / stake_i lies in [1, 1 + alpha K] (specs/pouw.md §5.4), so effective
    share / stake share lies in [1/(1 + alpha K), 1 + alpha K]; the paid share differs
    from the effective share as in the alpha = 0 test: ratio_i is within
    [1/(1 + aK) - 1/(pool s_i), (1 + aK) pool / (pool - n)]."""
    _, validators = results
    rows = validators[validators["rewards_uDAIT"] > 0]
    checked = 0
    for _, row in rows.iterrows():
        cap = 1 + float(row["pouw.alpha"]) * float(row["pouw.k"])
        ratio = row["reward_share"] / row["stake_share"]
        low = 1 / cap - 1 / (POOL * row["stake_share"])
        high = cap * POOL / (POOL - VALIDATORS)
        assert low <= ratio <= high, (row["run_id"], row["validator"], ratio, cap)
        checked += 1
    assert checked > 0


def test_credits_move_rewards_away_from_stake_shares(results: tuple[Any, Any]) -> None:
    """The bounds above are not met trivially: with alpha = 3, K = 2 and credits on chain,
    some validator's reward share is at least 5% away from its stake share."""
    table, validators = results
    boosted = validators[
        (validators["pouw.alpha"] == "3.000000000000000000")
        & (validators["pouw.k"] == "2.000000000000000000")
        & (validators["rewards_uDAIT"] > 0)
    ]
    ratio = boosted["reward_share"] / boosted["stake_share"]
    assert (ratio - 1).abs().max() > 0.05
    assert (table["credits_total"] > 0).any()


def test_results_hold_one_row_per_run_and_snapshot(results: tuple[Any, Any]) -> None:
    table, validators = results
    assert len(table) == 6 * 2 * 3  # points x seeds x snapshots (10, 20, 30)
    assert list(table["height"].unique()) == [10, 20, 30]
    assert len(validators) == len(table) * VALIDATORS
    assert table.groupby("run_id").size().eq(3).all()
