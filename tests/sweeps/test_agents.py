"""Agent behaviours as the chain records them (specs/sweeps.md "Agents"): honest
populations never dispute, cheaters are refused by the chain and lose, collusion with
more than 1/3 of the power censors every commit, the drain settles disputes."""

from __future__ import annotations

from typing import Any

from dait_chain.sweeps.config import parse_config, tasks_of
from dait_chain.sweeps.world import RunResult, credit_targets, draw_stakes, run_task
from tests.sweeps.conftest import tiny


def _run(replace: dict[str, str]) -> RunResult:
    return run_task(tasks_of(parse_config(tiny(replace)))[0])


def _last(result: RunResult) -> dict[str, Any]:
    return result.rows[-1]


def test_honest_population_has_no_disputes_and_no_refused_reveals() -> None:
    last = _last(
        _run(
            {
                "hosts:": "hosts: {count: 4, honesty: 1.0, job_calls: 4}",
                "tenants:": "tenants: {count: 4, honesty: 1.0, session_rate: 0.5}",
            }
        )
    )
    assert last["disputes"] == 0 and last["cheating_hosts"] == 0
    assert last["reveals_refused"] == 0 and last["reveals_credited"] > 0
    assert last["channel_paid_uDAIT"] > 0
    assert last["tenant_cost_per_token_uDAIT"] > 0


def test_cheating_hosts_are_refused_by_the_chain_and_lose() -> None:
    last = _last(
        _run(
            {
                "hosts:": "hosts: {count: 4, honesty: 0.0, job_calls: 4}",
                "tenants:": "tenants: {count: 4, honesty: 1.0, session_rate: 0.5}",
                "run:": "run: {blocks: 30, snapshot_every: 10, drain_blocks: 30}",
            }
        )
    )
    assert last["phase"] == "drained"
    assert last["cheating_hosts"] == 4
    assert last["reveals_credited"] == 0  # every job claims inflated tokens
    assert last["disputes"] > 0 and last["disputes_settled"] == last["disputes"]
    assert last["dispute_loss_dishonest_uDAIT"] >= last["cheater_forgone_uDAIT"] > 0
    assert last["txs_failed"] > 0  # the overcharged states the chain refused


def test_colluders_with_over_a_third_of_power_censor_every_commit() -> None:
    """specs/pouw.md §13: colluders holding >= 1/3 refuse honest proposals and propose
    without the targeted commits, so no receipt is ever committed."""
    network = "run: {blocks: 14, snapshot_every: 7, consensus: network}"
    honest = _last(_run({"run:": network, "hosts:": "hosts: {count: 4, job_calls: 2}"}))
    censored = _last(
        _run(
            {
                "run:": network,
                "hosts:": "hosts: {count: 4, job_calls: 2}",
                "validators:": "validators: {count: 4, stake_dait: [4000, 3000, 2000, 1000], "
                "colluding: 1}",
            }
        )
    )
    assert honest["reveals_credited"] > 0
    assert censored["reveals_credited"] == 0


def test_concentrated_hosts_point_at_the_target_and_the_rest_are_balanced() -> None:
    cfg = parse_config(
        tiny(
            {
                "validators:": "validators: {count: 5, stake_dait: [10, 50, 20, 50, 5]}",
                "hosts:": "hosts: {count: 10, concentration: 0.2}",
            }
        )
    )
    task = tasks_of(cfg)[0]
    stakes = draw_stakes(task.model, task.rng_root)
    targets = credit_targets(task.model, stakes, task.rng_root)
    assert targets[:2] == (1, 1)  # the largest stake, lowest index on ties
    rest = [targets.count(i) for i in (0, 2, 3, 4)]
    assert sorted(rest) == [2, 2, 2, 2]


def test_drawn_stakes_follow_the_seed() -> None:
    cfg = parse_config(tiny({"validators:": "validators: {count: 6}"}))
    tasks = tasks_of(cfg)
    first = draw_stakes(tasks[0].model, tasks[0].rng_root)
    assert first == draw_stakes(tasks[0].model, tasks[0].rng_root)
    assert first != draw_stakes(tasks[1].model, tasks[1].rng_root)
    assert all(s >= 1 for s in first)
